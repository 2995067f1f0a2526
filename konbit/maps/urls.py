from django.urls import path

from .views import compare, elements, io, maps, merges, perspectives

urlpatterns = [
    path("", maps.map_list, name="map_list"),
    path("new/", maps.map_create, name="map_create"),
    path("import/", io.map_import, name="map_import"),
    path("import/<str:token>/", io.map_import_commit, name="map_import_commit"),
    path("<int:pk>/", maps.map_detail, name="map_detail"),
    path("<int:pk>/data.json", maps.map_data, name="map_data"),
    path("<int:pk>/positions/", maps.map_positions, name="map_positions"),
    path("<int:pk>/metrics.json", maps.map_metrics, name="map_metrics"),
    path("<int:pk>/edit/", maps.map_edit, name="map_edit"),
    path("<int:pk>/delete/", maps.map_delete, name="map_delete"),
    path("<int:pk>/table/", maps.map_table, name="map_table"),
    path("<int:pk>/analysis/", maps.map_analysis, name="map_analysis"),
    path("<int:pk>/analysis/exact/", maps.map_analysis_exact, name="map_analysis_exact"),
    path("<int:pk>/compare/", compare.map_compare, name="map_compare"),
    path("<int:pk>/compare/layer.json", maps.map_compare_layer, name="map_compare_layer"),
    path("<int:pk>/snapshots/", maps.snapshot_list, name="snapshot_list"),
    path("<int:pk>/export.<str:fmt>", io.map_export, name="map_export"),
    path("<int:pk>/perspectives/", perspectives.perspective_list, name="perspective_list"),
    path("<int:pk>/perspectives/<int:perspective>/", perspectives.perspective_edit, name="perspective_edit"),
    path("<int:pk>/elements/new/", elements.element_create, name="element_create"),
    path("<int:pk>/elements/merge/", merges.element_merge, name="element_merge"),
    path(
        "<int:pk>/elements/<int:element>/merge/<int:other>/",
        merges.element_merge_confirm,
        name="element_merge_confirm",
    ),
    path("<int:pk>/merges/<int:record>/undo/", merges.element_merge_undo, name="element_merge_undo"),
    path("<int:pk>/elements/<int:element>/", elements.element_edit, name="element_edit"),
    path("<int:pk>/elements/<int:element>/delete/", elements.element_delete, name="element_delete"),
    path("<int:pk>/connections/new/", elements.connection_create, name="connection_create"),
    path("<int:pk>/connections/<int:connection>/", elements.connection_edit, name="connection_edit"),
    path(
        "<int:pk>/connections/<int:connection>/delete/", elements.connection_delete, name="connection_delete"
    ),
]
