"""Candidates booking their own times: a slot's places are counted under a lock on the slot,
so that two candidates for the last place never both get it.

Booking creates the stage's assessment with the slot's panel through the same workflow a
manager uses (`schedule_assessment`), so the shadowing gate of the safer-recruitment file
holds here too. Moving to another slot moves that assessment; cancelling cancels it. Each
change is told to the panel (`panel_messages`), with a calendar file of the assessment's own.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vbr.applicants import calendar, notices, panel_messages
from vbr.applicants.models import Booking, Notice, Slot
from vbr.recruitment.models import Application, Assessment
from vbr.recruitment.workflow.panels import (
    _panel_changed,
    _seat,
    cancel_assessment,
    schedule_assessment,
)
from vbr.recruitment.workflow.shadowing import ShadowingChecksOutstanding, ensure_can_schedule


class SlotFull(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            "Sorry, someone has just booked the last place at that time. Please choose another."
        )


class NotBookable(ValidationError):
    pass


def bookable_slots(application: Application) -> list[Slot]:
    """The times the candidate may book now: at their current stage, to come, with room, and
    for shadowing only once the person supported has agreed."""
    if not application.is_open or application.current_stage_id is None:
        return []
    slots = (
        Slot.objects.offered()
        .with_taken()
        .filter(stage_id=application.current_stage_id, provider_id=application.provider_id)
        .select_related("stage", "service")
    )
    return [
        slot
        for slot in slots
        if slot.taken < slot.capacity  # type: ignore[attr-defined]
        and (not slot.stage.is_shadowing or slot.consent_recorded_at is not None)
    ]


def live_booking(application: Application) -> Booking | None:
    """The candidate's booking at their current stage, if any."""
    if application.current_stage_id is None:
        return None
    return (
        application.bookings.filter(
            cancelled_at__isnull=True, slot__stage_id=application.current_stage_id
        )
        .select_related("slot__stage")
        .first()
    )


@transaction.atomic
def book_slot(*, application: Application, slot_id: int) -> Booking:
    """Book (or move to) a slot at the application's current stage."""
    # One order of locks everywhere: the slot, then the application.
    slot = (
        Slot.objects.select_for_update()
        .select_related("stage")
        .filter(pk=slot_id, provider_id=application.provider_id)
        .first()
    )
    application = Application.objects.select_for_update().get(pk=application.pk)
    if slot is None or slot.cancelled_at is not None or slot.starts_at <= timezone.now():
        raise NotBookable("That time can no longer be booked. Please choose another.")
    if not application.is_open or application.current_stage_id != slot.stage_id:
        raise NotBookable("Your application is not at the stage of that time.")
    if slot.stage.is_shadowing and slot.consent_recorded_at is None:
        raise NotBookable("That time can no longer be booked. Please choose another.")
    current = live_booking(application)
    if current is not None and current.slot_id == slot.pk:
        return current
    if slot.bookings.filter(cancelled_at__isnull=True).count() >= slot.capacity:
        raise SlotFull
    try:
        ensure_can_schedule(application=application, stage=slot.stage)
    except ShadowingChecksOutstanding:
        raise NotBookable(
            "We need to finish some checks before you can book this. We will contact you."
        ) from None
    now = timezone.now()
    if current is not None:
        current.cancelled_at = now
        current.save(update_fields=["cancelled_at"])
    panel = list(slot.panel.select_related("user"))
    assessment = application.assessments.filter(stage=slot.stage).first()
    # Who is on the panel now and when it was, to tell each of them what changed.
    before = panel_messages.panel_user_ids(assessment)
    was = assessment.scheduled_at if before and assessment is not None else None
    if assessment is None:
        assessment = schedule_assessment(
            application=application,
            stage=slot.stage,
            scheduled_at=slot.starts_at,
            place=slot.where[:200],
            panel=[(membership, "") for membership in panel],
        )
    else:
        _move(assessment, slot=slot, panel_user_ids={m.user_id for m in panel}, panel=panel)
    booked = Booking.objects.create(
        slot=slot, application=application, assessment=assessment, booked_at=now
    )
    panel_messages.booking_made(assessment=assessment, slot=slot, before=before, was=was)
    return booked


def _move(assessment: Assessment, *, slot: Slot, panel_user_ids: set[int], panel: list) -> None:  # type: ignore[type-arg]
    """The assessment takes the new slot's time, place and panel; only one not yet under
    way can move."""
    if assessment.status not in (Assessment.Status.SCHEDULED, Assessment.Status.CANCELLED):
        raise NotBookable("Your assessment has already started: please contact us to change it.")
    if assessment.scorecards.exists():
        raise NotBookable("Your assessment has already started: please contact us to change it.")
    assessment.scheduled_at = slot.starts_at
    assessment.place = slot.where[:200]
    assessment.status = Assessment.Status.SCHEDULED
    assessment.save(update_fields=["scheduled_at", "place", "status"])
    assessment.panellists.exclude(user_id__in=panel_user_ids).delete()
    seated = set(assessment.panellists.values_list("user_id", flat=True))
    for membership in panel:
        if membership.user_id not in seated:
            _seat(assessment=assessment, membership=membership, panel_role="")
    _panel_changed(assessment, provider_id=slot.provider_id)


@transaction.atomic
def cancel_booking(*, application: Application) -> Booking:
    """The candidate cancels their booking at the current stage; its assessment is cancelled
    and the place is free for somebody else."""
    booking = live_booking(application)
    if booking is None:
        raise NotBookable("You have no booking to cancel.")
    Slot.objects.select_for_update().filter(pk=booking.slot_id).first()
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    _cancel_its_assessment(booking)
    return booking


def _cancel_its_assessment(booking: Booking) -> None:
    """A cancelled booking's assessment is cancelled too, while nobody has started scoring
    it; its panel is told, and the event leaves their calendars."""
    assessment = booking.assessment
    if assessment is None or assessment.status != Assessment.Status.SCHEDULED:
        return
    before = panel_messages.panel_user_ids(assessment)
    cancel_assessment(assessment=assessment)
    panel_messages.booking_cancelled(assessment=assessment, slot=booking.slot, before=before)


@transaction.atomic
def cancel_slot(*, slot: Slot, site: str = "") -> list[Booking]:
    """A manager withdraws a time they offered. Candidates who booked it are told (with a
    calendar file that takes it out of their calendar) and can choose another time from
    their page; the panel gets the cancellation. Returns the bookings cancelled."""
    slot = Slot.objects.select_for_update().select_related("stage").get(pk=slot.pk)
    if slot.cancelled_at is not None:
        raise NotBookable("This time is already withdrawn.")
    if slot.starts_at <= timezone.now():
        raise NotBookable("This time has already started: it cannot be withdrawn.")
    now = timezone.now()
    slot.cancelled_at = now
    slot.save(update_fields=["cancelled_at"])
    cancelled = list(
        slot.bookings.filter(cancelled_at__isnull=True).select_related(
            "assessment",
            "application__candidate",
            "application__role",
            "application__provider",
            "application__online",
        )
    )
    for booking in cancelled:
        booking.cancelled_at = now
        booking.save(update_fields=["cancelled_at"])
        booking.slot = slot
        _cancel_its_assessment(booking)
        application = booking.application
        if application.candidate.anonymised_at is not None:
            continue
        # The candidate's own event for this stage: one more change of it.
        sequence = application.bookings.filter(slot__stage_id=slot.stage_id).count() + 1
        notices.send_notices(
            application=application,
            kind=Notice.Kind.BOOKING_CANCELLED,
            status_url=notices.status_url_for(application, site=site),
            booked=booking,
            ics=calendar.booking_event(booking, sequence=sequence, cancelled=True),
        )
    return cancelled
