from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from konbit.partners.io import exporters

from . import selectors, services, throttle
from .access import access_for, acting_user, program_view
from .client_ip import client_ip
from .forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    AuditFilterForm,
    InvitationForm,
    MemberRoleForm,
    ProgramCreateForm,
    ProgramForm,
    rebase_form,
)
from .htmx import wants_fragment
from .models import CHANGE_ACTIONS, ApiToken, AuditEvent, Phase
from .roles import Action

logger = logging.getLogger(__name__)


class KonbitLoginView(LoginView):
    """Django's login view (throttled by django-axes), recording each sign-in in the audit trail.
    The session key is rotated by Django's login()."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sign_in_record(user=form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # Failed attempts as django-axes counts them (per username and address): it puts the count on
        # the request, and `axes_locked_out` once the count reaches the limit. Attempts past the limit
        # (while locked; axes still counts them to extend the cool-off) leave no row, so hammering a
        # locked account cannot flood the trail: at most `limit` rows per address and cool-off.
        failures = getattr(self.request, "axes_failures_since_start", None)
        if failures is not None and failures <= get_failure_limit(self.request, None):
            services.sign_in_failed_record(
                username=str(form.data.get("username", "")),
                locked_out=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)


class KonbitPasswordResetView(PasswordResetView):
    """Django's reset view, throttled per e-mail address and per client address (behind the proxy,
    the client's own), so nobody can flood an inbox or the mail server. A throttled request gets the
    same "check your email" page as any other: the page never tells whether an account exists."""

    def form_valid(self, form: Any) -> HttpResponse:
        window = timedelta(minutes=settings.PASSWORD_RESET_COOLOFF_MINUTES)
        email = str(form.cleaned_data["email"]).strip().lower()
        # Both counters count every request, so neither can be used to spare the other.
        per_address = throttle.allow(
            scope="password-reset-email",
            key=email,
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window=window,
        )
        per_client = throttle.allow(
            scope="password-reset-client",
            key=client_ip(self.request),
            limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
            window=window,
        )
        if per_address and per_client:
            return super().form_valid(form)
        logger.warning("Password reset throttled (%s).", "address" if not per_address else "client")
        return HttpResponseRedirect(self.get_success_url())


@program_view(Action.JOB_VIEW)
def job_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    services.jobs_fail_stale(program=access.program)
    page = Paginator(selectors.job_list(access=access), 50).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@program_view(Action.JOB_VIEW)
def job_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """A job's progress; htmx polls the same address for the progress fragment until the job is done."""
    access = access_for(request)
    services.jobs_fail_stale(program=access.program)
    job = selectors.job_get(access=access, pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "core/_job_progress.html", {"job": job})
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The programme switcher. With a single programme, go straight to it."""
    memberships = list(selectors.memberships_of_user(user=request.user))
    if len(memberships) == 1 and not request.GET.get("all"):
        return redirect("program_home", program=memberships[0].program.slug)
    return render(request, "core/home.html", {"memberships": memberships})


@login_required
def program_create(request: HttpRequest) -> HttpResponse:
    """Anyone signed in can start a programme; they become its owner."""
    form = ProgramCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"name", "slug"}}
        program = services.program_create(
            owner=acting_user(request), name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], **data
        )
        messages.success(request, _("Programme created. Invite your team from the Members page."))
        return redirect("program_home", program=program.slug)
    return render(request, "core/program_create.html", {"form": form})


@program_view(Action.PROGRAM_VIEW)
def program_home(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    from konbit.partners.selectors import organization_list

    context: dict[str, Any] = {"phase_list": list(Phase)}
    if access.can(Action.ORGANIZATION_LIST):
        context["organization_count"] = organization_list(access=access).count()
    if access.can(Action.MEMBER_VIEW):
        context["member_count"] = selectors.member_list(access=access).count()
    if access.can(Action.PARTNERSHIP_VIEW):
        from konbit.partners.selectors import followup_list, partnership_list

        context["partner_count"] = partnership_list(access=access).count()
        context["warning_count"] = partnership_list(access=access, warning="any").count()
        context["my_followups"] = followup_list(access=access, owner_id=access.user_id, state="open").count()
    if access.can(Action.HISTORY_VIEW):
        # Changes only: who signed in or took data out is for owners (the audit trail).
        context["recent_changes"] = selectors.audit_list(access=access).filter(action__in=CHANGE_ACTIONS)[:8]
    return render(request, "core/program_home.html", context)


@program_view(Action.PROGRAM_CHANGE)
def program_settings(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    instance = access.program
    form = ProgramForm(request.POST or None, instance=instance)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.program_update(
                program=instance,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.ConflictError as exc:
            conflict = exc.current
            form = rebase_form(ProgramForm, request.POST, exc.current)
        else:
            messages.success(request, _("Programme settings saved.") if changes else _("Nothing changed."))
            return redirect("program_settings", program=instance.slug)
    return render(
        request,
        "core/program_settings.html",
        {
            "form": form,
            "conflict": conflict,
            "history": selectors.history_for(access=access, instance=instance)[:50],
        },
    )


@program_view(Action.MEMBER_VIEW)
def member_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    from konbit.partners.selectors import organization_choices

    form = InvitationForm(request.POST or None, organizations=organization_choices(access=access))
    invite_link = None
    if request.method == "POST":
        access.require(Action.MEMBER_MANAGE)
        if form.is_valid():
            try:
                _invitation, invite_link = services.invitation_create(
                    access=access,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    organization=form.cleaned_data["organization"],
                    by=acting_user(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
                )
                form = InvitationForm(organizations=organization_choices(access=access))
    return render(
        request,
        "core/members.html",
        {
            "members": selectors.member_list(access=access),
            "invitations": selectors.invitation_list_open(access=access),
            "form": form,
            "invite_link": invite_link,
        },
    )


@program_view(Action.MEMBER_MANAGE)
def member_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    from konbit.partners.selectors import organization_choices

    membership = selectors.member_get(access=access, pk=pk)
    form = MemberRoleForm(
        request.POST or None,
        organizations=organization_choices(access=access),
        initial={"role": membership.role, "organization": membership.organization},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                access=access,
                membership=membership,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                by=acting_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Role changed."))
            return redirect("member_list", program=access.program.slug)
    return render(
        request,
        "core/member_edit.html",
        {
            "membership": membership,
            "form": form,
            "history": selectors.history_for(access=access, instance=membership),
        },
    )


@require_POST
@program_view(Action.MEMBER_MANAGE)
def member_remove(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    membership = selectors.member_get(access=access, pk=pk)
    try:
        services.membership_remove(access=access, membership=membership, by=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user.email})
    return redirect("member_list", program=access.program.slug)


@require_POST
@program_view(Action.MEMBER_MANAGE)
def invitation_revoke(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    invitation = selectors.invitation_get(access=access, pk=pk)
    services.invitation_revoke(access=access, invitation=invitation, by=acting_user(request))
    messages.success(request, _("Invitation withdrawn."))
    return redirect("member_list", program=access.program.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the link from the invitation email. The token is the only key."""
    invitation = services.invitation_by_token(raw=token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        user = acting_user(request)
        if not services.invitation_is_for(invitation=invitation, user=user):
            # Someone else's link (forwarded, or opened in the wrong account): it stays open for the
            # person it was sent to, and this page says who that is.
            return render(
                request, "core/invitation_wrong_account.html", {"invitation": invitation}, status=403
            )
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except ValidationError:  # accepted meanwhile (another tab): the link no longer works
                return render(request, "core/invitation_invalid.html", status=404)
            messages.success(request, _("Welcome to %(program)s.") % {"program": invitation.program.name})
            return redirect("program_home", program=invitation.program.slug)
        return render(request, "core/invitation_accept.html", {"invitation": invitation, "form": None})
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    if existing:
        messages.info(
            request, _("You already have an account: sign in, then open the invitation link again.")
        )
        return redirect(f"{reverse('login')}?next={request.path}")
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            email=invitation.email,
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        services.invitation_accept(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        services.sign_in_record(user=user)
        return redirect("program_home", program=invitation.program.slug)
    return render(request, "core/invitation_accept.html", {"invitation": invitation, "form": form})


@program_view(Action.TRASH_VIEW)
def trash(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    rows = selectors.trash_list(access=access)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/trash.html", {"page": page})


@require_POST
@program_view(Action.TRASH_RESTORE)
def trash_restore(request: HttpRequest, program: str, model: str, pk: int) -> HttpResponse:
    access = access_for(request)
    row = selectors.trashed_get(access=access, model_label=model, pk=pk)
    try:
        services.tenant_record_restore(instance=row, by=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("trash", program=access.program.slug)
    messages.success(request, _("“%(record)s” is back.") % {"record": row})
    return redirect("trash", program=access.program.slug)


@require_POST
@program_view(Action.TRASH_EMPTY)
def trash_empty(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    purged, kept = services.trash_empty(
        access=access,
        by=acting_user(request),
        rows=selectors.trash_list(access=access),
    )
    messages.success(request, _("%(count)s records deleted for good.") % {"count": purged})
    if kept:
        messages.warning(
            request,
            _("%(count)s records stay in the trash because other records still refer to them.")
            % {"count": len(kept)},
        )
    return redirect("trash", program=access.program.slug)


AUDIT_PAGE_SIZE = 50


@program_view(Action.AUDIT_VIEW)
def audit_trail(request: HttpRequest, program: str) -> HttpResponse:
    """Who signed in, who took data out and every change, with filters; htmx swaps the rows only."""
    access = access_for(request)
    form = AuditFilterForm(request.GET, people=selectors.audit_people(access=access))
    filters = form.filters()
    page = selectors.audit_page(
        access=access,
        filters=filters,
        before=request.GET.get("before", ""),
        after=request.GET.get("after", ""),
        size=AUDIT_PAGE_SIZE,
    )
    template = "core/_audit_rows.html" if wants_fragment(request) else "core/audit.html"
    return render(request, template, {"form": form, "page": page, "filters": filters})


@require_GET
@program_view(Action.AUDIT_VIEW)
def audit_export(request: HttpRequest, program: str, fmt: str) -> HttpResponse:
    """The trail with the filter on screen (every page of it), as CSV or XLSX, formula cells
    neutralised like every export; the export itself goes into the trail."""
    if fmt not in exporters.FORMATS:
        raise Http404
    access = access_for(request)
    filters = AuditFilterForm(request.GET, people=selectors.audit_people(access=access)).filters()
    sheet = _audit_sheet(selectors.audit_list(access=access, filters=filters))
    filename = f"{access.program.slug}-audit-trail.{fmt}"
    what = f"{filename} ({len(sheet.rows)} rows)"
    if filters.active:
        what = f"{filename} ({len(sheet.rows)} rows; {filters.describe()})"
    services.export_record(access=access, by=acting_user(request), what=what)
    return exporters.file_response(sheets=[sheet], fmt=fmt, filename=filename)


def _audit_sheet(events: QuerySet[AuditEvent]) -> exporters.Sheet:
    rows: list[list[exporters.Cell]] = []
    for event in events.iterator(chunk_size=2000):
        actor = event.actor
        changes = "; ".join(
            f"{field}: {_plain(pair[0])} → {_plain(pair[1])}"
            for field, pair in event.changes.items()
            if isinstance(pair, list) and len(pair) == 2
        )
        rows.append(
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                (actor.get_full_name() if actor else "") or "",
                actor.email if actor else "",
                str(event.get_action_display()),
                event.record_kind,
                event.object_repr,
                changes,
            ]
        )
    headers = [
        _("when"),
        _("person"),
        _("email"),
        _("action"),
        _("kind of record"),
        _("record"),
        _("changes"),
    ]
    return exporters.Sheet("audit trail", headers, rows)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@login_required
def account(request: HttpRequest) -> HttpResponseBase:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.api_token_create(
            user=acting_user(request), name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=acting_user(request))
    return render(request, "core/account.html", {"form": form, "tokens": tokens, "new_token": new_token})


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if services.api_token_revoke(user=acting_user(request), pk=pk):
        messages.success(request, _("Token revoked. Anything using it stops working now."))
    return redirect("account")
