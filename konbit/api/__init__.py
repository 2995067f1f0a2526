"""api wires the django-ninja API at /api/v1/: token authentication and one router per app."""
