from django.urls import path

from .views import benchmarks, data, indicators

# Included under /p/<program>/change/indicators/.
urlpatterns = [
    path("", indicators.indicator_list, name="indicator_list"),
    path("new/", indicators.indicator_create, name="indicator_create"),
    path("<int:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("<int:pk>/edit/", indicators.indicator_edit, name="indicator_edit"),
    path("<int:pk>/delete/", indicators.indicator_delete, name="indicator_delete"),
    path("<int:pk>/targets/", indicators.target_add, name="target_add"),
    path("<int:pk>/measurements/", indicators.measurement_add, name="measurement_add"),
    path("targets/<int:pk>/delete/", indicators.target_delete, name="target_delete"),
    path("measurements/new/", indicators.measurement_entry, name="measurement_entry"),
    path("measurements/<int:pk>/delete/", indicators.measurement_delete, name="measurement_delete"),
    path("measurements/<int:pk>/evidence/", indicators.measurement_evidence, name="measurement_evidence"),
    path("dimensions/", indicators.dimension_list, name="dimension_list"),
    path("dimensions/<int:pk>/categories/", indicators.category_add, name="category_add"),
    path("dimensions/<int:pk>/delete/", indicators.dimension_delete, name="dimension_delete"),
    path("benchmarks/", benchmarks.benchmark_list, name="benchmark_list"),
    path("benchmarks/new/", benchmarks.benchmark_create, name="benchmark_create"),
    path("benchmarks/<int:pk>/edit/", benchmarks.benchmark_edit, name="benchmark_edit"),
    path("benchmarks/<int:pk>/status/", benchmarks.benchmark_status, name="benchmark_status"),
    path("benchmarks/<int:pk>/delete/", benchmarks.benchmark_delete, name="benchmark_delete"),
    path("data/", data.indicator_import, name="indicator_import"),
    path("data/import/<str:token>/", data.indicator_import_preview, name="indicator_import_preview"),
    path("data/template.xlsx", data.indicator_template, name="indicator_template"),
    path("data/export/indicators.<str:fmt>", data.indicator_export, name="indicator_export"),
    path("data/export/measurements.<str:fmt>", data.measurement_export, name="measurement_export"),
]
