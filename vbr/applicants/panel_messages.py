"""Messages to the people on a panel: a candidate booked, moved or cancelled a time (with a
calendar file), the reminder the day before, a scorecard still open after the provider's
hours, and a daily list of overdue scorecards for the chair and the role's managers.

Each goes the way the person asked: staff, and panel members who gave an email address, by
email through the outbox (a row first, the worker sends it after commit, never inside a
request); a panel member who asked for paper, or whom we cannot email, gets a printed note
that the manager hands over (`printed_notes`). No message carries a score, a note or anybody's
view of the candidate: who has not yet sent a scorecard is all a chair or manager is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, time_format

from vbr.accounts.mail import queue_email
from vbr.accounts.models import AccessProfile, Provider, User
from vbr.applicants import calendar
from vbr.applicants.models import ApplicantSettings, PanelMessage, Slot
from vbr.recruitment.models import Application, Assessment, Panellist

DEFAULT_SCORECARD_REMINDER_HOURS = ApplicantSettings._meta.get_field(
    "scorecard_reminder_hours"
).default


@dataclass(frozen=True)
class Route:
    """How one person hears about their panel work."""

    channel: str
    address: str = ""


def route_for(user: User) -> Route:
    """By email to the address their "working with me" gives, else to their account's; on
    paper when they asked for it or no address is known."""
    profile: AccessProfile | None = getattr(user, "access_profile", None)
    if profile is not None and profile.contact_by == AccessProfile.Contact.PRINTED:
        return Route(PanelMessage.Channel.PRINTED)
    address = (profile.contact_email if profile is not None else "") or user.email
    if address:
        return Route(PanelMessage.Channel.EMAIL, address)
    return Route(PanelMessage.Channel.PRINTED)


def _people(user_ids: Iterable[int]) -> dict[int, User]:
    return {
        user.pk: user
        for user in User.objects.filter(pk__in=set(user_ids)).select_related("access_profile")
    }


def _send(
    *,
    provider: Provider,
    user: User,
    kind: str,
    subject: str,
    body: str,
    assessment: Assessment | None = None,
    ics: str = "",
    sequence: int = 0,
    about_time: datetime | None = None,
    hours_after: int | None = None,
) -> PanelMessage:
    """Write one message: into the outbox, or as a note to print."""
    route = route_for(user)
    message = PanelMessage(
        provider=provider,
        user=user,
        assessment=assessment,
        kind=kind,
        channel=route.channel,
        subject=subject[:200],
        sequence=sequence,
        about_time=about_time,
        hours_after=hours_after,
    )
    if route.channel == PanelMessage.Channel.EMAIL:
        message.email = queue_email(
            provider=provider, to=route.address, subject=subject[:200], body=body, ics=ics
        )
    else:
        message.body = body
        message.ics = ics
    message.save()
    return message


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F Y')} at {time_format(local, 'g:i a')}"


def _next_sequence(assessment: Assessment) -> int:
    latest = assessment.panel_messages.aggregate(latest=Max("sequence"))["latest"]
    return 0 if latest is None else latest + 1


_SUBJECTS: dict[str, str] = {
    PanelMessage.Kind.BOOKED: "Panel booked: {stage}, {when}",
    PanelMessage.Kind.MOVED: "Panel time changed: {stage}, now {when}",
    PanelMessage.Kind.CANCELLED: "Panel cancelled: {stage}, {when}",
    PanelMessage.Kind.REMINDER: "Tomorrow: {stage}, {when}",
}


def _about_booking(
    *,
    assessment: Assessment,
    slot: Slot,
    user_ids: Iterable[int],
    kind: str,
    sequence: int,
    was: datetime | None = None,
) -> list[PanelMessage]:
    application = assessment.application
    people = _people(user_ids)
    cancelled = kind == PanelMessage.Kind.CANCELLED
    ics = calendar.panel_event(assessment, slot=slot, sequence=sequence, cancelled=cancelled)
    sent = []
    for user in people.values():
        context = {
            "person": user,
            "kind": kind,
            "stage": slot.stage,
            "role": application.role,
            "provider": application.provider,
            "first_name": application.candidate.first_name,
            "when": _when(slot.starts_at),
            "was": _when(was) if was is not None else "",
            "minutes": slot.minutes,
            "where": slot.where,
            "has_account": user.has_usable_password(),
        }
        sent.append(
            _send(
                provider=application.provider,
                user=user,
                kind=kind,
                subject=_SUBJECTS[kind].format(stage=slot.stage.name, when=_when(slot.starts_at)),
                body=render_to_string("applicants/panel/booking_message.txt", context),
                assessment=assessment,
                ics=ics,
                sequence=sequence,
                about_time=slot.starts_at,
            )
        )
    return sent


def panel_user_ids(assessment: Assessment | None) -> set[int]:
    """Who is on the assessment's panel now (nobody while it is cancelled): taken before a
    change, to tell who joined, who stays and who leaves."""
    if assessment is None or assessment.status == Assessment.Status.CANCELLED:
        return set()
    return set(assessment.panellists.values_list("user_id", flat=True))


def booking_made(
    *, assessment: Assessment, slot: Slot, before: set[int], was: datetime | None = None
) -> list[PanelMessage]:
    """A candidate booked, or moved to, `slot`. Who was on the panel `before` and stays is
    told of the change; who joins gets the booking; who is no longer on it, a cancellation.
    Every calendar file carries the assessment's next SEQUENCE, so each replaces the last."""
    after = panel_user_ids(assessment)
    sequence = _next_sequence(assessment)
    stayed, joined, left = after & before, after - before, before - after
    messages = []
    if stayed:
        kind = PanelMessage.Kind.MOVED if was is not None else PanelMessage.Kind.BOOKED
        messages += _about_booking(
            assessment=assessment,
            slot=slot,
            user_ids=stayed,
            kind=kind,
            sequence=sequence,
            was=was,
        )
    if joined:
        messages += _about_booking(
            assessment=assessment,
            slot=slot,
            user_ids=joined,
            kind=PanelMessage.Kind.BOOKED,
            sequence=sequence,
        )
    if left:
        messages += _about_booking(
            assessment=assessment,
            slot=slot,
            user_ids=left,
            kind=PanelMessage.Kind.CANCELLED,
            sequence=sequence,
        )
    return messages


def booking_cancelled(
    *, assessment: Assessment, slot: Slot, before: set[int]
) -> list[PanelMessage]:
    """The candidate cancelled, or the manager withdrew the time: everyone who was on the
    panel gets the cancellation, which takes the event out of their calendar."""
    if not before:
        return []
    return _about_booking(
        assessment=assessment,
        slot=slot,
        user_ids=before,
        kind=PanelMessage.Kind.CANCELLED,
        sequence=_next_sequence(assessment),
    )


# -- Run by celery beat --------------------------------------------------------------------


def _once(**fields: object) -> PanelMessage | None:
    """Write a message that the table's unique constraints allow once (a reminder per time, a
    scorecard reminder per threshold, a list per day); None when it was already written."""
    try:
        with transaction.atomic():
            return _send(**fields)  # type: ignore[arg-type]
    except IntegrityError:
        return None


def send_panel_reminders(*, now: datetime | None = None) -> int:
    """Every hour: a reminder to each panel member of an assessment starting within the next
    day, once per person and time (a moved assessment is reminded again)."""
    now = now or timezone.now()
    due = (
        Assessment.objects.filter(
            status=Assessment.Status.SCHEDULED,
            scheduled_at__gt=now,
            scheduled_at__lte=now + timedelta(days=1),
            application__status=Application.Status.ACTIVE,
            application__candidate__anonymised_at__isnull=True,
        )
        .select_related("stage", "application__candidate", "application__role")
        .select_related("application__provider")
        .prefetch_related(
            "panellists",
            Prefetch(
                "panel_messages",
                queryset=PanelMessage.objects.filter(kind=PanelMessage.Kind.REMINDER),
                to_attr="reminders",
            ),
        )
    )
    reminded = 0
    for assessment in due:
        assert assessment.scheduled_at is not None
        already = {
            m.user_id
            for m in assessment.reminders  # type: ignore[attr-defined]
            if m.about_time == assessment.scheduled_at
        }
        to_remind = {p.user_id for p in assessment.panellists.all()} - already
        if not to_remind:
            continue
        for user in _people(to_remind).values():
            application = assessment.application
            context = {
                "person": user,
                "kind": PanelMessage.Kind.REMINDER,
                "stage": assessment.stage,
                "role": application.role,
                "provider": application.provider,
                "first_name": application.candidate.first_name,
                "when": _when(assessment.scheduled_at),
                "where": assessment.place,
                "has_account": user.has_usable_password(),
            }
            written = _once(
                provider=application.provider,
                user=user,
                kind=PanelMessage.Kind.REMINDER,
                subject=_SUBJECTS[PanelMessage.Kind.REMINDER].format(
                    stage=assessment.stage.name, when=_when(assessment.scheduled_at)
                ),
                body=render_to_string("applicants/panel/booking_message.txt", context),
                assessment=assessment,
                about_time=assessment.scheduled_at,
            )
            reminded += written is not None
    return reminded


def _thresholds(provider_ids: Iterable[int]) -> dict[int, int]:
    """Each provider's hours before a scorecard reminder (ours unless they chose)."""
    providers = set(provider_ids)
    chosen = dict(
        ApplicantSettings.objects.filter(provider_id__in=providers).values_list(
            "provider_id", "scorecard_reminder_hours"
        )
    )
    return {pk: chosen.get(pk, DEFAULT_SCORECARD_REMINDER_HOURS) for pk in providers}


def overdue_places(*, now: datetime) -> list[Panellist]:
    """Panel places whose scorecard is still open longer after the assessment than their
    provider's hours: not sent, on an assessment still open for scoring, for a candidate
    still in the running."""
    open_places = Panellist.objects.scorecard_to_do().filter(
        assessment__scheduled_at__lte=now - timedelta(hours=1),
        assessment__application__status=Application.Status.ACTIVE,
        assessment__application__candidate__anonymised_at__isnull=True,
    )
    providers = set(
        open_places.values_list("assessment__application__provider_id", flat=True).distinct()
    )
    overdue: list[Panellist] = []
    for provider_id, hours in _thresholds(providers).items():
        overdue += list(
            open_places.filter(
                assessment__application__provider_id=provider_id,
                assessment__scheduled_at__lte=now - timedelta(hours=hours),
            ).select_related(
                "user__access_profile",
                "assessment__stage",
                "assessment__application__candidate",
                "assessment__application__role",
                "assessment__application__provider",
            )
        )
    return overdue


def send_scorecard_reminders(*, now: datetime | None = None) -> int:
    """Every hour: a reminder to each panel member whose scorecard is still open the
    provider's hours after the assessment, once per threshold (an admin who changes the hours
    may cause one more)."""
    now = now or timezone.now()
    places = overdue_places(now=now)
    if not places:
        return 0
    thresholds = _thresholds(p.assessment.application.provider_id for p in places)
    reminded = 0
    for place in places:
        assessment = place.assessment
        application = assessment.application
        hours = thresholds[application.provider_id]
        assert assessment.scheduled_at is not None
        context = {
            "person": place.user,
            "stage": assessment.stage,
            "role": application.role,
            "provider": application.provider,
            "first_name": application.candidate.first_name,
            "when": _when(assessment.scheduled_at),
            "has_account": place.user.has_usable_password(),
        }
        written = _once(
            provider=application.provider,
            user=place.user,
            kind=PanelMessage.Kind.SCORECARD,
            subject=f"Your scorecard is still open: {assessment.stage.name}, "
            f"{_when(assessment.scheduled_at)}",
            body=render_to_string("applicants/panel/scorecard_reminder.txt", context),
            assessment=assessment,
            about_time=assessment.scheduled_at,
            hours_after=hours,
        )
        reminded += written is not None
    return reminded


@dataclass(frozen=True)
class OverdueAssessment:
    assessment: Assessment
    waiting_for: list[str]


def send_overdue_digests(*, now: datetime | None = None) -> int:
    """Every morning: to the chair of each assessment with overdue scorecards, and to the
    role's hiring managers, one list of those assessments and whose scorecards are still
    open. Names only: never a level, a note or anybody's view. Once a day per person; by
    email only (a chair we cannot email still gets their own reminder)."""
    now = now or timezone.now()
    places = overdue_places(now=now)
    by_assessment: dict[int, list[Panellist]] = defaultdict(list)
    for place in places:
        by_assessment[place.assessment_id].append(place)
    if not by_assessment:
        return 0
    assessments = {
        a.pk: a
        for a in Assessment.objects.filter(pk__in=by_assessment)
        .select_related(
            "stage",
            "application__candidate",
            "application__role",
            "application__provider",
        )
        .prefetch_related("panellists", "application__role__managers")
    }
    lists: dict[tuple[int, int], list[OverdueAssessment]] = defaultdict(list)
    for assessment_id, open_places in by_assessment.items():
        assessment = assessments[assessment_id]
        entry = OverdueAssessment(
            assessment=assessment,
            waiting_for=sorted(p.user.display_name for p in open_places),
        )
        readers = {p.user_id for p in assessment.panellists.all() if p.is_chair}
        readers |= {m.user_id for m in assessment.application.role.managers.all()}
        for user_id in readers:
            lists[(assessment.application.provider_id, user_id)].append(entry)
    people = _people(user_id for _, user_id in lists)
    day = timezone.make_aware(
        datetime.combine(timezone.localdate(now), time.min), timezone.get_current_timezone()
    )
    sent = 0
    for (_, user_id), entries in lists.items():
        user = people[user_id]
        route = route_for(user)
        if route.channel != PanelMessage.Channel.EMAIL:
            continue
        provider = entries[0].assessment.application.provider
        entries.sort(key=lambda e: (e.assessment.scheduled_at or now, e.assessment.pk))
        context = {
            "person": user,
            "provider": provider,
            "entries": [
                {
                    "stage": e.assessment.stage.name,
                    "first_name": e.assessment.application.candidate.first_name,
                    "last_name": e.assessment.application.candidate.last_name,
                    "role": e.assessment.application.role.title,
                    "when": _when(e.assessment.scheduled_at or now),
                    "waiting_for": ", ".join(e.waiting_for),
                }
                for e in entries
            ],
        }
        count = len(entries)
        written = _once(
            provider=provider,
            user=user,
            kind=PanelMessage.Kind.DIGEST,
            subject=f"Scorecards still open: {count} assessment{'s' if count != 1 else ''}",
            body=render_to_string("applicants/panel/overdue_digest.txt", context),
            about_time=day,
        )
        sent += written is not None
    return sent


# -- Printed notes ---------------------------------------------------------------------------


def printed_notes(provider: Provider) -> list[PanelMessage]:
    """Notes waiting for the manager to print and hand over, oldest first."""
    return list(
        PanelMessage.objects.filter(
            provider=provider, channel=PanelMessage.Channel.PRINTED, printed_at__isnull=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


def mark_handed_over(*, provider: Provider, message_ids: Iterable[int]) -> int:
    """The manager printed these notes and gave them to the panel member: off the list, and
    their words (which name a candidate) are no longer kept."""
    return PanelMessage.objects.filter(
        provider=provider,
        channel=PanelMessage.Channel.PRINTED,
        printed_at__isnull=True,
        pk__in=list(message_ids),
    ).update(printed_at=timezone.now(), body="", ics="")
