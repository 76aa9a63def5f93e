"""Staff pages of the messages to candidates: inviting a candidate to book a time, and the
provider's own wording of each notice, with a preview.

Admins word the notices for all the provider's roles; admins and a role's hiring managers
word that role's own, which wins. Nothing here sends anything but the invitation.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import ADMIN, STAFF, provider_view
from vbr.accounts.models import Membership, Provider
from vbr.applicants import notices, wording, workflow
from vbr.applicants.forms import NoticeWordingForm, PreviewWithForm
from vbr.applicants.models import Notice, NoticeWording
from vbr.recruitment.models import Role


@require_POST
@provider_view(STAFF)
def application_invite_to_book(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    """Invite the candidate to choose one of the times offered at their stage."""
    application = get_object_or_404(
        membership.provider.applications.select_related(
            "candidate", "role", "current_stage", "provider", "online"
        ),
        pk=application_id,
    )
    try:
        sent = workflow.invite_to_book(
            application=application, site=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(
                request,
                f"{application.candidate.first_name} is invited to choose a time. The message "
                "is on its way.",
            )
        else:
            messages.error(
                request, "There is no email address or agreed mobile number to send it to."
            )
    return redirect(application)


# -- The wording of notices to candidates -----------------------------------------------------


def _roles_to_word(membership: Membership) -> QuerySet[Role]:
    """The roles whose notices this member may word: every role for an admin, the roles
    they manage for a hiring manager."""
    roles = membership.provider.roles.order_by("title", "pk")
    return roles if membership.is_admin else roles.filter(managers=membership)


@require_GET
@provider_view(STAFF)
def notice_wording_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Each notice a candidate gets, whose words are used for it (ours, the provider's, a
    role's own), and links to change them."""
    provider = membership.provider
    roles = list(_roles_to_word(membership))
    own = {
        (row.kind, row.role_id): row
        for row in NoticeWording.objects.filter(provider=provider).only("kind", "role_id")
    }
    rows = [
        {
            "kind": kind,
            "label": Notice.Kind(kind).label,
            "when_sent": wording.WHEN_SENT[kind],
            "provider_own": (kind, None) in own,
            "roles": [{"role": role, "own": (kind, role.pk) in own} for role in roles],
        }
        for kind in wording.KINDS
    ]
    return render(
        request,
        "applicants/notice_wording_list.html",
        {"rows": rows, "roles": roles},
    )


def _wording_page(
    request: HttpRequest, membership: Membership, *, kind: str, role: Role | None
) -> HttpResponse:
    """Edit one notice's words, for the provider or for one role: preview them (for a
    made-up candidate or a real application), save them, or go back to the default."""
    provider = membership.provider
    if kind not in wording.KINDS:
        raise Http404("No such notice")
    row = NoticeWording.objects.filter(provider=provider, role=role, kind=kind).first()
    current = wording.wording_for(provider=provider, role=role, kind=kind)
    if row is None:
        row = NoticeWording(
            provider=provider,
            role=role,
            kind=kind,
            subject=current.subject,
            email=current.email,
            sms=current.sms,
        )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "reset":
        if row.pk is not None:
            row.delete()
        messages.success(
            request,
            "Back to the wording for all roles."
            if role is not None
            else "Back to our default wording.",
        )
        return redirect(request.path)
    form = NoticeWordingForm(request.POST if action else None, instance=row, kind=kind)
    applications = list(
        (role.applications if role is not None else provider.applications)
        .filter(candidate__anonymised_at__isnull=True)
        .select_related("candidate", "role", "current_stage", "provider")
        .order_by("-applied_at", "-pk")[:20]
    )
    chooser = PreviewWithForm(request.POST or request.GET or None, applications=applications)
    words = current
    if action and form.is_valid():
        if action == "save":
            saved = form.save(commit=False)
            saved.updated_by = request.user  # type: ignore[assignment]
            saved.save()
            messages.success(request, "Saved. Candidates get these words from now on.")
            return redirect(request.path)
        words = wording.Wording(
            subject=form.cleaned_data["subject"],
            email=form.cleaned_data["email"],
            sms=form.cleaned_data["sms"],
        )
    shown = None
    if not form.errors:
        shown = notices.preview(
            words=words,
            provider_name=provider.name,
            role_title=role.title if role is not None else _sample_role(provider),
            application=chooser.chosen(),
        )
    return render(
        request,
        "applicants/notice_wording_form.html",
        {
            "kind": kind,
            "label": Notice.Kind(kind).label,
            "when_sent": wording.WHEN_SENT[kind],
            "role": role,
            "form": form,
            "chooser": chooser,
            "placeholders": [(name, wording.PLACEHOLDERS[name]) for name in wording.ALLOWED[kind]],
            "preview": shown,
            "is_own": row.pk is not None,
            "previewing_typed": action == "preview",
        },
    )


def _sample_role(provider: Provider) -> str:
    role = provider.roles.order_by("title", "pk").values_list("title", flat=True).first()
    return role or "Care assistant"


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def notice_wording_edit(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """The provider's words for a notice, for all its roles: admins only."""
    return _wording_page(request, membership, kind=kind, role=None)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def notice_wording_role_edit(
    request: HttpRequest, membership: Membership, role_id: int, kind: str
) -> HttpResponse:
    """A role's own words for a notice: admins, and the role's hiring managers."""
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    if not _roles_to_word(membership).filter(pk=role.pk).exists():
        raise PermissionDenied
    return _wording_page(request, membership, kind=kind, role=role)
