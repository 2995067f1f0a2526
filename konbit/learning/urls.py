from __future__ import annotations

from django.urls import path

from .views import communications, lessons, report

urlpatterns = [
    path("", lessons.lesson_list, name="learning_home"),
    path("lessons/", lessons.lesson_list, name="lesson_list"),
    path("lessons/new/", lessons.lesson_create, name="lesson_create"),
    path("lessons/export.<str:fmt>", lessons.lesson_export, name="lesson_export"),
    path("lessons/<int:pk>/", lessons.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/edit/", lessons.lesson_edit, name="lesson_edit"),
    path("lessons/<int:pk>/delete/", lessons.lesson_delete, name="lesson_delete"),
    path("communications/", communications.communication_list, name="communication_list"),
    path("communications/new/", communications.communication_create, name="communication_create"),
    path("communications/<int:pk>/", communications.communication_detail, name="communication_detail"),
    path("communications/<int:pk>/edit/", communications.communication_edit, name="communication_edit"),
    path("communications/<int:pk>/delete/", communications.communication_delete, name="communication_delete"),
    path("communications/<int:pk>/log/", communications.communication_log, name="communication_log"),
    path(
        "communications/<int:pk>/log/<int:child>/delete/",
        communications.sending_delete,
        name="sending_delete",
    ),
    path("report/", report.report, name="funder_report"),
    path("report/print/", report.report_print, name="funder_report_print"),
    path("report/download.<str:fmt>", report.report_download, name="funder_report_download"),
]
