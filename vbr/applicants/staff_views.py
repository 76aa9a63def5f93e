"""Staff pages of the candidate's side: writing and publishing a role's vacancy, and
confirming whether an applicant is an earlier candidate."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import ADMIN, STAFF, provider_view
from vbr.accounts.models import Membership
from vbr.applicants import booking, panel_messages, workflow
from vbr.applicants.forms import (
    ApplicantSettingsForm,
    SlotForm,
    VacancyForm,
    VacancyQuestionFormSet,
)
from vbr.applicants.models import (
    ApplicantSettings,
    Booking,
    OnlineApplication,
    PanelMessage,
    Slot,
    Vacancy,
)
from vbr.involvement.views import advert_comments_beside
from vbr.recruitment.models import Stage


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def vacancy_edit(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """Write the role's vacancy and its values questions, and publish it when ready."""
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    vacancy = Vacancy.objects.filter(role=role).first() or Vacancy(provider=provider, role=role)
    form = VacancyForm(request.POST or None, instance=vacancy)
    questions = VacancyQuestionFormSet(
        request.POST or None,
        instance=vacancy,
        prefix="questions",
        form_kwargs={"provider": provider},
    )
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        with transaction.atomic():
            vacancy = form.save(commit=False)
            if vacancy.is_published and vacancy.published_at is None:
                vacancy.published_at = timezone.now()
            vacancy.save()
            questions.instance = vacancy
            saved = questions.save(commit=False)
            for question in questions.deleted_objects:
                question.delete()
            for order, question in enumerate(saved):
                question.order = question.order or order
                question.save()
        if vacancy.is_published:
            messages.success(request, "Saved. The vacancy is published: anyone can read it.")
        else:
            messages.success(request, "Saved. The vacancy is not published.")
        return redirect("vacancy-edit", provider.slug, role.pk)
    return render(
        request,
        "applicants/vacancy_form.html",
        {
            "role": role,
            "vacancy": vacancy,
            "form": form,
            "questions": questions,
            # Beside the draft: the views of people who draw on care on its words.
            **advert_comments_beside(vacancy),
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def duplicate_check(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    """Is the person who applied the earlier candidate with the same email or phone? A
    manager looks at both and links them, or keeps them apart."""
    provider = membership.provider
    online = get_object_or_404(
        OnlineApplication.objects.select_related(
            "application__candidate", "application__role", "possible_duplicate"
        ),
        application__provider=provider,
        application_id=application_id,
    )
    if not online.duplicate_waiting:
        messages.info(request, "There is nothing to check for this application.")
        return redirect(online.application)
    if request.method == "POST":
        if request.POST.get("answer") == "same":
            try:
                earlier = workflow.link_to_earlier_candidate(online=online, by=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("duplicate-check", provider.slug, application_id)
            messages.success(
                request, f"Linked: the application is now part of {earlier.full_name}'s record."
            )
        else:
            workflow.keep_apart(online=online)
            messages.success(request, "Kept apart: they are treated as different people.")
        return redirect(online.application)
    previous = online.possible_duplicate
    assert previous is not None  # duplicate_waiting says so
    return render(
        request,
        "applicants/duplicate_check.html",
        {
            "online": online,
            "applicant": online.application.candidate,
            "earlier": previous,
            "earlier_applications": previous.applications.select_related("role", "current_stage"),
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def slot_list(request: HttpRequest, membership: Membership, stage_id: int) -> HttpResponse:
    """The times offered for a stage, who booked them, and a form to offer another."""
    provider = membership.provider
    stage = get_object_or_404(
        Stage.objects.select_related("role"), role__provider=provider, pk=stage_id
    )
    form = SlotForm(request.POST or None, stage=stage)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            slot = form.save(commit=False)
            slot.provider = provider
            slot.stage = stage
            if form.cleaned_data.get("consent"):
                slot.consent_recorded_at = timezone.now()
            slot.save()
            form.save_m2m()
        messages.success(request, "The time is offered to candidates at this stage.")
        return redirect("slot-list", provider.slug, stage.pk)
    slots = (
        stage.slots.filter(cancelled_at__isnull=True)
        .with_taken()
        .select_related("service")
        .prefetch_related(
            "panel__user",
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(cancelled_at__isnull=True).select_related(
                    "application__candidate"
                ),
                to_attr="live_bookings",
            ),
        )
    )
    return render(
        request, "applicants/slot_list.html", {"stage": stage, "slots": slots, "form": form}
    )


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def applicant_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The provider's choices for the candidate's side: how soon a person answers."""
    provider = membership.provider
    current = ApplicantSettings.objects.filter(provider=provider).first() or ApplicantSettings(
        provider=provider
    )
    form = ApplicantSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("applicant-settings", provider.slug)
    return render(request, "applicants/settings_form.html", {"form": form})


@require_POST
@provider_view(STAFF)
def first_contact_mark(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    """Somebody has been in touch with the candidate: off the dashboard's waiting list."""
    online = get_object_or_404(
        OnlineApplication, application__provider=membership.provider, application_id=application_id
    )
    OnlineApplication.objects.filter(pk=online.pk, contacted_at__isnull=True).update(
        contacted_at=timezone.now()
    )
    messages.success(request, "Marked as contacted.")
    return redirect(online.application)


@require_POST
@provider_view(STAFF)
def slot_cancel(request: HttpRequest, membership: Membership, slot_id: int) -> HttpResponse:
    """Withdraw an offered time: whoever booked it is told and can choose another, and the
    panel gets the cancellation for their calendars."""
    provider = membership.provider
    slot = get_object_or_404(Slot.objects.select_related("stage"), provider=provider, pk=slot_id)
    try:
        cancelled = booking.cancel_slot(slot=slot, site=request.build_absolute_uri("/"))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        if cancelled:
            names = ", ".join(b.application.candidate.full_name for b in cancelled)
            messages.success(
                request,
                f"The time is withdrawn. {names} {'has' if len(cancelled) == 1 else 'have'} "
                "been told and can choose another time; the panel has been told too.",
            )
        else:
            messages.success(request, "The time is withdrawn. Nobody had booked it.")
    return redirect("slot-list", provider.slug, slot.stage_id)


@require_GET
@provider_view(STAFF)
def panel_notes(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Notes for panel members who hear about their panel work on paper: print each one and
    hand it over, then mark them as handed over."""
    return render(
        request,
        "applicants/panel_notes.html",
        {"notes": panel_messages.printed_notes(membership.provider)},
    )


@require_GET
@provider_view(STAFF)
def panel_note_print(request: HttpRequest, membership: Membership, note_id: int) -> HttpResponse:
    """One note on a page of its own, in large print."""
    note = get_object_or_404(
        PanelMessage.objects.select_related("user"),
        provider=membership.provider,
        channel=PanelMessage.Channel.PRINTED,
        printed_at__isnull=True,
        pk=note_id,
    )
    return render(request, "applicants/panel_note_print.html", {"note": note})


@require_POST
@provider_view(STAFF)
def panel_notes_handed_over(request: HttpRequest, membership: Membership) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("note") if value.isdigit()]
    done = panel_messages.mark_handed_over(provider=membership.provider, message_ids=ids)
    if done:
        messages.success(request, f"{done} note{'s' if done != 1 else ''} marked as handed over.")
    else:
        messages.info(request, "Tick the notes you have handed over first.")
    return redirect("panel-notes", membership.provider.slug)
