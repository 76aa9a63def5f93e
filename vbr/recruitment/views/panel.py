"""Staff pages around panel members who draw on care: invitation links, shadowing checks,
the person supported's view, and the involvement log."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts import invitations, kiosk, mail
from vbr.accounts.access import ADMIN, ANY_MEMBER, STAFF, provider_view
from vbr.accounts.models import AccessProfile, Membership, OutgoingEmail, PanelInvitation
from vbr.recruitment import workflow
from vbr.recruitment.forms.involvement import PaidForm, PayWithinForm
from vbr.recruitment.forms.panel import (
    InvitationForm,
    InvolvementForm,
    KioskEndForm,
    ProviderCheckForm,
    RetireCheckForm,
    ShadowingNoteForm,
    SupportedPersonViewForm,
)
from vbr.recruitment.models import Assessment, DecisionMessage

SECRETS_SESSION_KEY = "invitation_secrets"


def _assessment(membership: Membership, assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.filter(application__provider=membership.provider).select_related(
            "stage", "application__candidate", "application__role"
        ),
        pk=assessment_id,
    )


# -- Invitations --------------------------------------------------------------------------------


@require_GET
@provider_view(STAFF)
def invitation_list(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """Panel members of this assessment who join by link: their links and "working with me"."""
    assessment = _assessment(membership, assessment_id)
    panel_user_ids = membership.provider.memberships.filter(role=Membership.Role.PANEL).values(
        "user_id"
    )
    places = list(
        # 1 query for the panel places with their users, 1 for their invitations, 1 for the
        # emails that carried them, 1 for profiles
        assessment.panellists.filter(user_id__in=panel_user_ids)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=PanelInvitation.objects.select_related("created_by").prefetch_related(
                    Prefetch(
                        "emails",
                        queryset=OutgoingEmail.objects.only(
                            "invitation_id", "to_address", "status", "sent_at", "created_at"
                        ),
                        to_attr="email_list",
                    )
                ),
                to_attr="invitation_list",
            )
        )
    )
    profiles = {
        p.user_id: p
        for p in AccessProfile.objects.filter(user_id__in=[place.user_id for place in places])
    }
    rows = []
    for place in places:
        invitations: list[Any] = place.invitation_list  # type: ignore[attr-defined]  # to_attr above
        current = next((i for i in invitations if i.is_usable), None)
        rows.append(
            {
                "place": place,
                "profile": profiles.get(place.user_id),
                "current": current,
                "email": current.email_list[0] if current and current.email_list else None,
                "last": invitations[0] if invitations else None,
            }
        )
    return render(
        request,
        "recruitment/invitation_list.html",
        {
            "assessment": assessment,
            "rows": rows,
        },
    )


@require_POST
@provider_view(STAFF)
def invitation_create(
    request: HttpRequest, membership: Membership, assessment_id: int, panellist_id: int
) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    place = get_object_or_404(
        assessment.panellists.select_related("user", "assessment__application"), pk=panellist_id
    )
    form = InvitationForm(request.POST)
    list_url = reverse("invitation-list", args=[membership.provider.slug, assessment.pk])
    if not form.is_valid():
        messages.error(request, "Choose print or email.")
        return redirect(list_url)
    email = form.cleaned_data["delivery"] == "email"
    if email and not place.user.email:
        messages.error(
            request, f"{place.user.display_name} has no email address: print the link instead."
        )
        return redirect(list_url)
    try:
        # The invitation and its email are kept together or not at all; the email goes out
        # from the worker once this commits, so a slow mail server never holds up the page.
        with transaction.atomic():
            issued = invitations.create_invitation(
                panellist=place,
                created_by=request.user,  # type: ignore[arg-type]
                kiosk=form.cleaned_data["kiosk"],
                emailed_to=place.user.email if email else "",
            )
            link = request.build_absolute_uri(reverse("join-link", args=[issued.token]))
            if email:
                mail.queue_email(
                    provider=membership.provider,
                    invitation=issued.invitation,
                    to=place.user.email,
                    subject=f"Your panel at {membership.provider.name}",
                    body=(
                        f"Hello {place.user.display_name},\n\n"
                        f"Thank you for being on the panel for {assessment.stage.name}.\n"
                        f"Open this link to start: {link}\n\n"
                        f"Or go to {request.build_absolute_uri(reverse('join'))} and type "
                        f"this code: {issued.display_code}\n\n"
                        f"The link works until {issued.invitation.expires_at:%d %B %Y}.\n"
                    ),
                )
    except ValueError as refused:
        messages.error(request, str(refused))
        return redirect(list_url)
    if email:
        messages.success(
            request,
            f"The link is on its way to {place.user.display_name} by email. This page says "
            "when it has been sent.",
        )
        return redirect(list_url)
    # The plain link exists only now: keep it in this manager's session for the printout.
    secrets = request.session.get(SECRETS_SESSION_KEY, {})
    secrets = dict(list(secrets.items())[-4:])
    secrets[str(issued.invitation.pk)] = {"link": link, "code": issued.display_code}
    request.session[SECRETS_SESSION_KEY] = secrets
    return redirect("invitation-print", membership.provider.slug, issued.invitation.pk)


@require_GET
@provider_view(STAFF)
def invitation_print(
    request: HttpRequest, membership: Membership, invitation_id: int
) -> HttpResponse:
    """A printable invitation: QR code, short code in large type, plain instructions."""
    invitation = get_object_or_404(
        PanelInvitation.objects.filter(
            panellist__assessment__application__provider=membership.provider
        ).select_related("panellist__user", "panellist__assessment__stage"),
        pk=invitation_id,
    )
    assert invitation.panellist is not None  # found through its panel place
    secret = request.session.get(SECRETS_SESSION_KEY, {}).get(str(invitation.pk))
    qr_svg = ""
    if secret and invitation.is_usable:
        # segno escapes nothing user-typed here: the link is our own URL with a random token.
        # A viewBox instead of a fixed size, so that the stylesheet's size scales the whole
        # code (quiet border included) on screen and on paper instead of cutting its edges.
        svg = segno.make(secret["link"], error="m").svg_inline(
            scale=6,
            title="QR code of your personal link",
            dark="#000",
            light="#fff",
            omitsize=True,
        )
        qr_svg = mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308
    return render(
        request,
        "recruitment/invitation_print.html",
        {
            "invitation": invitation,
            "assessment": invitation.panellist.assessment,
            "secret": secret if invitation.is_usable else None,
            "qr_svg": qr_svg,
            "join_url": request.build_absolute_uri(reverse("join")),
        },
    )


@require_POST
@provider_view(STAFF)
def invitation_revoke(
    request: HttpRequest, membership: Membership, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(
        PanelInvitation.objects.filter(
            panellist__assessment__application__provider=membership.provider
        ).select_related("panellist__user"),
        pk=invitation_id,
    )
    assert invitation.panellist is not None  # found through its panel place
    invitations.revoke_invitation(invitation=invitation)
    messages.success(
        request, f"The link for {invitation.panellist.user.display_name} no longer works."
    )
    return redirect("invitation-list", membership.provider.slug, invitation.panellist.assessment_id)


# -- Checks before shadowing --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def check_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Admins define the checks a manager must tick off before a candidate shadows."""
    provider = membership.provider
    form = ProviderCheckForm(request.POST or None, provider=provider)
    if request.method == "POST":
        if "retire" in request.POST:
            retiring = RetireCheckForm(request.POST, provider=provider)
            if retiring.is_valid():
                check = retiring.cleaned_data["retire"]
                check.is_active = False
                check.save(update_fields=["is_active"])
                messages.success(request, f"“{check.name}” is no longer asked for.")
            else:
                messages.error(
                    request, "That check is not on the list any more: nothing was changed."
                )
            return redirect("check-list", provider.slug)
        if form.is_valid():
            check = form.save(commit=False)
            check.provider = provider
            check.save()
            messages.success(request, f"“{check.name}” added.")
            return redirect("check-list", provider.slug)
    return render(
        request,
        "recruitment/check_list.html",
        {
            "checks": provider.checks.filter(is_active=True),
            "form": form,
        },
    )


@require_POST
@provider_view(STAFF)
def check_tick(
    request: HttpRequest, membership: Membership, application_id: int, check_id: int
) -> HttpResponse:
    provider = membership.provider
    application = get_object_or_404(provider.applications, pk=application_id)
    check = get_object_or_404(provider.checks.filter(is_active=True), pk=check_id)
    workflow.tick_check(application=application, check_item=check, done_by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"“{check.name}” ticked off.")
    return redirect("application-detail", provider.slug, application.pk)


# -- The person supported during shadowing --------------------------------------------------------


def _supported_person_assessment(membership: Membership, assessment_id: int) -> Assessment:
    """A shadowing assessment of this provider whose panel the caller is on, or any for
    staff; 404 for other stages, 403 for other panel members."""
    assessment = _assessment(membership, assessment_id)
    if not assessment.stage.is_shadowing:
        raise Http404
    on_panel = assessment.panellists.filter(user=membership.user).exists()
    if not (on_panel or membership.is_staff_member):
        raise PermissionDenied
    return assessment


def _kiosk_context(assessment: Assessment) -> dict[str, Any]:
    return {"assessment": assessment, "body_classes": "easy-read text-size-large"}


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def supported_person_view_create(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """A simple picture page for the person supported during shadowing (or their supporter):
    consent first, then yes / not sure / no.

    It is shown on a tablet handed over in kiosk mode, with nothing on it that leads to staff
    pages; until then, the staff member sees what handing over means and starts it."""
    assessment = _supported_person_assessment(membership, assessment_id)
    if not kiosk.in_kiosk_for(request, assessment_id=assessment.pk):
        return render(
            request, "recruitment/supported_person_handover.html", {"assessment": assessment}
        )
    form = SupportedPersonViewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workflow.record_supported_person_view(
            assessment=assessment,
            person_name=form.cleaned_data["person_name"],
            consent_given=form.cleaned_data["consent"] == "yes",
            answer=form.cleaned_data.get("answer") or "",
            comment=form.cleaned_data.get("comment") or "",
            supporter_name=form.cleaned_data.get("supporter_name") or "",
            recorded_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Thank you. What you said is saved. Please give the tablet back.")
        return redirect(request.path)
    context = _kiosk_context(assessment)
    context["form"] = form
    return render(request, "recruitment/supported_person_view_form.html", context)


@require_POST
@provider_view(ANY_MEMBER)
def supported_person_kiosk_start(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """Hand the tablet over: from now on it shows only the picture page."""
    assessment = _supported_person_assessment(membership, assessment_id)
    kiosk.start_kiosk(request, provider_slug=membership.provider.slug, assessment_id=assessment.pk)
    return redirect("supported-person-view-create", membership.provider.slug, assessment.pk)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def supported_person_kiosk_end(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """The staff member takes the tablet back by typing their own password."""
    assessment = _supported_person_assessment(membership, assessment_id)
    slug = membership.provider.slug
    after = (
        reverse("assessment-detail", args=[slug, assessment.pk])
        if membership.is_staff_member
        else reverse("scorecard-edit", args=[slug, assessment.pk])
    )
    if not kiosk.in_kiosk_for(request, assessment_id=assessment.pk):
        return redirect(after)
    form = KioskEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if kiosk.end_kiosk(request, password=form.cleaned_data["password"]):
            messages.success(request, "The tablet shows your own pages again.")
            return redirect(after)
        form.add_error("password", "That is not your password. Please try again.")
    context = _kiosk_context(assessment)
    context["form"] = form
    return render(request, "recruitment/supported_person_kiosk_end.html", context)


# -- Timed notes during shadowing -----------------------------------------------------------------


def _observer_place(membership: Membership, assessment_id: int) -> Any:
    """The signed-in observer's own place on a shadowing assessment, or 404."""
    from vbr.recruitment.views.scoring import _panel_place

    place = _panel_place(membership, assessment_id)
    if not place.assessment.stage.is_shadowing:
        raise Http404
    return place


@require_POST
@provider_view(ANY_MEMBER)
def shadowing_note_create(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    place = _observer_place(membership, assessment_id)
    form = ShadowingNoteForm(request.POST)
    if not form.is_valid():
        # Back on the scorecard, the note form shows what was typed and what is missing.
        ShadowingNoteForm.keep_refused(
            request.session, assessment_id=place.assessment_id, data=request.POST
        )
        messages.error(request, "Your timed note is not saved yet: see below what it needs.")
    else:
        try:
            workflow.add_shadowing_note(
                panellist=place,
                noted_at=form.cleaned_data["noted_at"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, "Note saved.")
        except workflow.ScorecardLocked:
            # No form is offered on a submitted scorecard: give the words back in the message.
            messages.info(
                request,
                "This scorecard is submitted and locked, so the note was not added. "
                f"What you wrote: {form.cleaned_data['noted_at']:%H:%M} — "
                f"{form.cleaned_data['text']}",
            )
    url = reverse("scorecard-edit", args=[membership.provider.slug, assessment_id])
    return redirect(url + "#timed-notes")


@require_POST
@provider_view(ANY_MEMBER)
def shadowing_note_delete(
    request: HttpRequest, membership: Membership, assessment_id: int, note_id: int
) -> HttpResponse:
    place = _observer_place(membership, assessment_id)
    try:
        workflow.delete_shadowing_note(panellist=place, note_id=note_id)
        messages.success(request, "Note removed.")
    except workflow.ScorecardLocked:
        messages.info(request, "This scorecard is submitted and locked.")
    url = reverse("scorecard-edit", args=[membership.provider.slug, assessment_id])
    return redirect(url + "#timed-notes")


# -- Involvement ---------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def involvement_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Record and list the time panel members gave, and what they were paid or given."""
    provider = membership.provider
    form = InvolvementForm(
        request.POST or None, provider=provider, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        involvement = workflow.record_involvement(
            involvement=form.save(commit=False), provider=provider, by=membership.user
        )
        messages.success(
            request,
            "Involvement recorded."
            + (
                f" Pay it by {involvement.pay_by:%d %B %Y}."
                if involvement.pay_by and involvement.amount_owed
                else ""
            ),
        )
        return redirect("involvement-list", provider.slug)
    # 1 query: the log with people and assessments, newest first; 1: payments due soon;
    # 1: how many letters about decisions are waiting to be printed.
    rows = provider.involvements.select_related("user", "assessment__stage")[:200]
    return render(
        request,
        "recruitment/involvement_list.html",
        {
            "rows": rows,
            "form": form,
            "due": workflow.due_soon(provider),
            "today": timezone.localdate(),
            "letters_waiting": DecisionMessage.objects.filter(provider=provider)
            .letters_to_print()
            .count(),
            "paid_form": PaidForm(),
            "pay_within_form": PayWithinForm(instance=provider) if membership.is_admin else None,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@provider_view(STAFF)
def involvement_export(request: HttpRequest, membership: Membership) -> StreamingHttpResponse:
    """The involvement log as CSV for the finance team, streamed."""
    provider = membership.provider
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(
            [
                "Date",
                "Panel member",
                "Assessment",
                "Minutes",
                "Reward chosen",
                "Payment or voucher amount",
                "Travel and other expenses",
                "Notes",
                "Supporter's or PA's costs",
                "Pay by",
                "Paid on",
            ]
        )
        for item in (
            provider.involvements.select_related("user", "assessment__stage")
            .order_by("date", "pk")
            .iterator(chunk_size=500)
        ):
            yield writer.writerow(
                [
                    _cell(item.date.isoformat()),
                    _cell(item.user.display_name),
                    _cell(f"{item.assessment.stage.name} #{item.assessment_id}")
                    if item.assessment
                    else "",
                    _cell(item.minutes),
                    _cell(item.get_payment_kind_display()),
                    _cell(item.payment_amount),
                    _cell(item.expenses_amount),
                    _cell(item.notes),
                    _cell(item.supporter_expenses),
                    _cell(item.pay_by.isoformat() if item.pay_by else ""),
                    _cell(item.paid_on.isoformat() if item.paid_on else ""),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="involvement-{provider.slug}-{timezone.localdate()}.csv"'
    )
    return response
