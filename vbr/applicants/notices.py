"""Notices to candidates: written as rows in the request, sent by the Celery worker.

Each notice goes by email when the candidate gave an address, and by text message as well
when they agreed to texts. A notice is a row first (the log the manager reads), handed to
Celery once the transaction commits; a failed attempt is tried again after a growing delay
up to NOTICE_MAX_ATTEMPTS, and the beat sweep hands on any notice the broker lost. A notice
still waiting when the candidate withdraws or is anonymised is stopped instead of sent
(a withdrawal's own confirmation excepted).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format

from vbr.applicants import status, wording
from vbr.applicants.models import Booking, Notice, Slot
from vbr.applicants.sms import SmsFailed, sms_backend
from vbr.recruitment.models import Application

logger = logging.getLogger(__name__)


class Delivery(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    GAVE_UP = "gave up"
    STOPPED = "stopped"
    NOTHING_TO_DO = "nothing to do"


@dataclass(frozen=True)
class Attempt:
    delivery: Delivery
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTICE_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _when(slot: Slot, *, short: bool) -> str:
    local = timezone.localtime(slot.starts_at)
    if short:
        return f"{date_format(local, 'D j M')} at {time_format(local, 'g:i a')}"
    return (
        f"{date_format(local, 'l j F Y')} at {time_format(local, 'g:i a')}, "
        f"for {slot.minutes} minutes"
    )


def notice_values(
    *,
    application: Application,
    status_url: str,
    booked: Booking | None,
    slots: Sequence[Slot],
    feedback: str,
    short: bool,
) -> dict[str, str]:
    """What the placeholders of a notice stand for (`vbr.applicants.wording`); `short` for a
    text message. Only these reach a notice: nothing of scores, notes or panels."""
    stage = booked.slot.stage if booked is not None else application.current_stage
    return {
        "first_name": application.candidate.first_name,
        "role": application.role.title,
        "provider": application.provider.name,
        "stage": stage.name.lower() if stage is not None else "",
        "when": _when(booked.slot, short=short) if booked is not None else "",
        "where": booked.slot.where if booked is not None else "",
        "times": "\n".join(
            f"- {_when(slot, short=short)}: {slot.where}".rstrip(": ") for slot in slots
        ),
        "status_link": status_url,
        "feedback": feedback.strip(),
    }


@transaction.atomic
def send_notices(
    *,
    application: Application,
    kind: str,
    status_url: str = "",
    booked: Booking | None = None,
    ics: str = "",
    slots: Sequence[Slot] = (),
    feedback: str = "",
) -> list[Notice]:
    """Write the notice of `kind` for each channel the candidate can be reached by, in the
    provider's words for the role (or ours), and hand them to the worker after commit.
    `slots`: the times offered (an invitation to book); `feedback`: the sentence a manager
    wrote when turning the application down."""
    candidate = application.candidate
    online = getattr(application, "online", None)
    words = wording.wording_for(provider=application.provider, role=application.role, kind=kind)
    values = partial(
        notice_values,
        application=application,
        status_url=status_url,
        booked=booked,
        slots=slots,
        feedback=feedback,
    )
    filled = wording.fill_wording(
        words, email_values=values(short=False), sms_values=values(short=True)
    )
    notices = []
    if candidate.email:
        notices.append(
            Notice.objects.create(
                application=application,
                kind=kind,
                channel=Notice.Channel.EMAIL,
                to_address=candidate.email,
                subject=filled.subject[:200],
                body=filled.email,
                ics=ics,
            )
        )
    if candidate.phone and (online is None or online.texts_agreed) and filled.sms:
        notices.append(
            Notice.objects.create(
                application=application,
                kind=kind,
                channel=Notice.Channel.SMS,
                to_address=candidate.phone,
                body=filled.sms,
            )
        )
    transaction.on_commit(partial(hand_to_worker, [notice.pk for notice in notices]))
    return notices


def status_url_for(application: Application, *, site: str) -> str:
    """The candidate's own page, for a notice a manager's step sends: the link they already
    have (a new one if theirs has ended). Empty for a candidate with no page (added by a
    manager) or when the step gave no `site` (the address VBR is served at)."""
    online = getattr(application, "online", None)
    if online is None or not site:
        return ""
    token = status.current_status_token(online=online)
    return site.rstrip("/") + reverse("candidate-status", args=[token])


def tell_candidate(
    *,
    application: Application,
    kind: str,
    site: str = "",
    feedback: str = "",
    slots: Sequence[Slot] = (),
) -> list[Notice]:
    """The notice of a step a manager takes (invited to book, moved on, offer, not this
    time), called by the workflow step that makes the change. Sent as every notice is: by
    email when the candidate gave an address, by text when they agreed; nothing to a
    candidate whose data has been anonymised."""
    if application.candidate.anonymised_at is not None:
        return []
    return send_notices(
        application=application,
        kind=kind,
        status_url=status_url_for(application, site=site),
        slots=slots,
        feedback=feedback,
    )


def hand_to_worker(notice_ids: list[int]) -> int:
    """Send notices' ids to the broker; never raises (the sweep hands on what is left)."""
    from vbr.applicants.tasks import deliver_notice

    handed = 0
    for notice_id in notice_ids:
        try:
            deliver_notice.apply_async((notice_id,), queue=settings.MAIL_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: notice %s waits for the sweep", notice_id)
            break
        handed += 1
    return handed


def _stopped(notice: Notice) -> bool:
    """The candidate withdrew (only the confirmation of it still goes) or was anonymised."""
    application = notice.application
    if application.candidate.anonymised_at is not None:
        return True
    withdrawn = application.status == Application.Status.WITHDRAWN
    return withdrawn and notice.kind != Notice.Kind.WITHDRAWN


def _send(notice: Notice) -> None:
    if notice.channel == Notice.Channel.EMAIL:
        message = EmailMessage(subject=notice.subject, body=notice.body, to=[notice.to_address])
        if notice.ics:
            method = "CANCEL" if "METHOD:CANCEL" in notice.ics else "REQUEST"
            message.attach("booking.ics", notice.ics, f"text/calendar; method={method}")
        message.send()
    else:
        sms_backend().send(to=notice.to_address, body=notice.body)


def deliver(*, notice_id: int) -> Attempt:
    """Send one waiting notice, once; a failure is recorded on the row and, when it may pass,
    another attempt is due later. The body is emptied once the notice is done with."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True)
            .select_related("application__candidate")
            .filter(pk=notice_id, status=Notice.Status.QUEUED)
            .first()
        )
        if notice is None:
            return Attempt(Delivery.NOTHING_TO_DO)
        if _stopped(notice):
            notice.status = Notice.Status.STOPPED
            notice.body = ""
            notice.save(update_fields=["status", "body"])
            return Attempt(Delivery.STOPPED)
        notice.attempts += 1
        try:
            _send(notice)
        except Exception as error:
            retry = error.retry if isinstance(error, SmsFailed) else True
            logger.warning("Notice %s not sent (attempt %s): %s", notice.pk, notice.attempts, error)
            notice.error = f"{type(error).__name__}: {error}"[:300]
            if not retry or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                notice.status = Notice.Status.FAILED
                notice.body = ""
                attempt = Attempt(Delivery.GAVE_UP)
            else:
                notice.next_attempt_at = timezone.now() + retry_delay(notice.attempts)
                attempt = Attempt(Delivery.RETRY, retry_at=notice.next_attempt_at)
            notice.save(update_fields=["attempts", "error", "status", "body", "next_attempt_at"])
            return attempt
        notice.status = Notice.Status.SENT
        notice.sent_at = timezone.now()
        notice.body = ""
        notice.save(update_fields=["attempts", "status", "body", "sent_at"])
        return Attempt(Delivery.SENT)


def sweep_notices(*, now: datetime | None = None) -> int:
    """Run by celery beat: hand on again every waiting notice whose attempt is overdue."""
    overdue = (now or timezone.now()) - timedelta(seconds=settings.EMAIL_SWEEP_GRACE_SECONDS)
    due = list(
        Notice.objects.due(before=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    return hand_to_worker(due)


def send_reminders(*, now: datetime | None = None) -> int:
    """Run by celery beat every hour: a reminder to each candidate whose booked time starts
    within the next day, once per booking (a moved booking is a new one). Returns how many
    bookings were reminded."""
    now = now or timezone.now()
    due = (
        Booking.objects.filter(
            cancelled_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + timedelta(days=1),
            application__status=Application.Status.ACTIVE,
            application__candidate__anonymised_at__isnull=True,
            reminded_at__isnull=True,
        )
        .select_related("slot__stage", "application__candidate", "application__role")
        .select_related("application__provider")
    )
    reminded = 0
    for booking in due:
        with transaction.atomic():
            # Claimed first, so that two beat runs never remind twice.
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            send_notices(application=booking.application, kind=Notice.Kind.REMINDER, booked=booking)
        reminded += 1
    return reminded


# -- Previews of a provider's wording ---------------------------------------------------------

SAMPLE_LINK = "(the link to their own page)"
SAMPLE_FEEDBACK = "(The sentence you write for them when you decide, if you write one.)"


def _sample_times(*, short: bool) -> dict[str, str]:
    """Made-up times for a preview: next Tuesday at 2 pm and Thursday at 10 am."""
    today = timezone.localdate()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    first = timezone.make_aware(datetime.combine(tuesday, datetime.min.time())) + timedelta(
        hours=14
    )
    second = first + timedelta(days=2, hours=-4)
    slots = [
        Slot(starts_at=first, minutes=60, place="The Lodge, 4 Mill Lane"),
        Slot(starts_at=second, minutes=60, video_link="https://video.example.org/vbr"),
    ]
    return {
        "when": _when(slots[0], short=short),
        "where": slots[0].where,
        "times": "\n".join(f"- {_when(slot, short=short)}: {slot.where}" for slot in slots),
    }


def preview(
    *,
    words: wording.Wording,
    provider_name: str,
    role_title: str,
    application: Application | None,
) -> wording.Filled:
    """The notice as a candidate would read it, never sent: for one of the provider's
    applications (their name, role, stage, booked time and times offered), or for a made-up
    candidate. Made-up times stand in where they have none; the link is never made."""
    # Imported here: booking sends notices through this module.
    from vbr.applicants import booking

    def values(*, short: bool) -> dict[str, str]:
        sample = {
            "first_name": "Sam",
            "role": role_title,
            "provider": provider_name,
            "stage": "values interview",
            **_sample_times(short=short),
            "status_link": SAMPLE_LINK,
            "feedback": SAMPLE_FEEDBACK,
        }
        if application is None:
            return sample
        real = notice_values(
            application=application,
            status_url=SAMPLE_LINK,
            booked=booking.live_booking(application),
            slots=booking.bookable_slots(application),
            feedback=SAMPLE_FEEDBACK,
            short=short,
        )
        return {name: real[name] or sample[name] for name in sample}

    return wording.fill_wording(
        words, email_values=values(short=False), sms_values=values(short=True)
    )
