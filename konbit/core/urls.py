from django.contrib.auth import views as auth_views
from django.urls import path

from . import offline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.KonbitLoginView.as_view(), name="login"),
    path("accounts/logout/", offline.KonbitLogoutView.as_view(), name="logout"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline_page, name="offline_page"),
    path("outbox/", offline.outbox, name="outbox"),
    path("accounts/password-reset/", views.KonbitPasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", views.account, name="account"),
    path("accounts/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("programs/new/", views.program_create, name="program_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("p/<slug:program>/", views.program_home, name="program_home"),
    path("p/<slug:program>/settings/", views.program_settings, name="program_settings"),
    path("p/<slug:program>/members/", views.member_list, name="member_list"),
    path("p/<slug:program>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("p/<slug:program>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("p/<slug:program>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("p/<slug:program>/trash/", views.trash, name="trash"),
    path("p/<slug:program>/trash/empty/", views.trash_empty, name="trash_empty"),
    path("p/<slug:program>/trash/<str:model>/<int:pk>/restore/", views.trash_restore, name="trash_restore"),
    path("p/<slug:program>/audit/", views.audit_trail, name="audit_trail"),
    path("p/<slug:program>/audit/export.<str:fmt>", views.audit_export, name="audit_export"),
    path("p/<slug:program>/jobs/", views.job_list, name="job_list"),
    path("p/<slug:program>/jobs/<int:pk>/", views.job_detail, name="job_detail"),
]
