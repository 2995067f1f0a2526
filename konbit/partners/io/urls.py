from django.urls import URLPattern, path

from . import views

# Included under /p/<program>/partners/data/.
urlpatterns: list[URLPattern] = [
    path("import/", views.import_start, name="import_start"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("export/<str:what>.<str:fmt>", views.export, name="export"),
]
