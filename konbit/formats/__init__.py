"""Konbit's own date formats per language (FORMAT_MODULE_PATH), on top of Django's: a date in a table is
written with its month's name, so 05/01/2026 is never read as 1 May by one reader and 5 January by another.
Only what Konbit changes is here; everything else comes from Django's locale formats."""
