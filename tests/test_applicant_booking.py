"""Candidates book their own times: managers offer slots with a panel (for shadowing only
with the consent of the person supported); booking creates the assessment with its panel,
moving moves it, cancelling frees the place; the shadowing gate holds; and two candidates
for the last place never both get it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.test_races import require_postgresql, together
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants import booking, notices
from vbr.applicants.calendar import PRODID
from vbr.applicants.models import Booking, Notice, OnlineApplication, Slot
from vbr.applicants.status import issue_status_link
from vbr.recruitment.models import (
    Application,
    Assessment,
    Panellist,
    ProviderCheck,
    Service,
    Stage,
)


def soon(days: int = 3, hour: int = 10) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def make_slot(
    stage: Stage, *, capacity: int = 1, panel: list[User] = (), consent: bool = True, days: int = 3
) -> Slot:  # type: ignore[assignment]
    slot = Slot.objects.create(
        provider=stage.role.provider,
        stage=stage,
        starts_at=soon(days),
        place="Rose House, 4 Mill Lane",
        capacity=capacity,
        service=(
            Service.objects.get_or_create(provider=stage.role.provider, name="Rose House")[0]
            if stage.is_shadowing
            else None
        ),
        supervisor_name="Grace Obi" if stage.is_shadowing else "",
        consent_recorded_at=timezone.now() if consent else None,
    )
    slot.panel.set(Membership.objects.filter(user__in=panel, provider=stage.role.provider))
    return slot


def candidate_at(stage: Stage, name: str = "Siân") -> tuple[Application, str]:
    """An online applicant at `stage`, and the link to their page."""
    candidate = f.make_candidate(provider=stage.role.provider, first_name=name)
    candidate.email = f"{name.lower()}@example.org"
    candidate.save()
    application = f.make_application(role=stage.role, stage=stage, candidate=candidate)
    online = f.make_online_application(application=application)
    return application, issue_status_link(online=online)


@pytest.fixture
def interview(sunrise: Provider) -> Stage:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    return f.make_stage(role=role, name="Values interview")


def test_the_candidate_books_a_time_and_the_assessment_has_the_slots_panel(
    interview: Stage, bob: User, dev: User
) -> None:
    slot = make_slot(interview, panel=[bob, dev])
    application, token = candidate_at(interview)
    page = Client().get(reverse("candidate-status", args=[token])).content.decode()
    assert "Choose a time for your values interview" in page
    assert "Please choose a time for your values interview." in page
    assert "Rose House, 4 Mill Lane" in page

    response = Client().post(reverse("candidate-book", args=[token]), {"slot": slot.pk})

    assert response.status_code == 302
    assessment = Assessment.objects.get(application=application)
    assert assessment.stage == interview
    assert assessment.scheduled_at == slot.starts_at
    assert assessment.place == "Rose House, 4 Mill Lane"
    seats = dict(assessment.panellists.values_list("user__username", "panel_role"))
    assert seats == {
        "bob": Panellist.PanelRole.MANAGER,
        "dev": Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    }
    page = Client().get(reverse("candidate-status", args=[token])).content.decode()
    assert "Your values interview is booked." in page
    assert "Cancel my values interview booking" in page
    staff = signed_in(bob).get(reverse("slot-list", args=["sunrise", interview.pk])).content
    assert "1 of 1 booked" in staff.decode() and "Siân" in staff.decode()


def test_the_last_place_goes_to_one_candidate_and_the_other_is_told_kindly(
    interview: Stage,
) -> None:
    slot = make_slot(interview)
    first, _ = candidate_at(interview, "Aled")
    _, token = candidate_at(interview, "Bethan")
    booking.book_slot(application=first, slot_id=slot.pk)

    response = Client().post(
        reverse("candidate-book", args=[token]), {"slot": slot.pk}, follow=True
    )

    page = response.content.decode()
    assert "someone has just booked the last place at that time" in page
    assert Booking.objects.count() == 1
    assert "Choose a time" not in page  # the full slot is no longer offered


def test_moving_to_another_time_moves_the_assessment(
    interview: Stage, bob: User, dev: User
) -> None:
    first = make_slot(interview, panel=[bob])
    second = make_slot(interview, panel=[dev], days=5)
    application, token = candidate_at(interview)
    client = Client()
    client.post(reverse("candidate-book", args=[token]), {"slot": first.pk})
    client.post(reverse("candidate-book", args=[token]), {"slot": second.pk})

    assessment = Assessment.objects.get(application=application)
    assert assessment.scheduled_at == second.starts_at
    assert list(assessment.panellists.values_list("user__username", flat=True)) == ["dev"]
    assert list(
        Booking.objects.filter(cancelled_at__isnull=True).values_list("slot", flat=True)
    ) == [second.pk]


def test_cancelling_frees_the_place_and_cancels_the_assessment(interview: Stage) -> None:
    slot = make_slot(interview)
    application, token = candidate_at(interview)
    client = Client()
    client.post(reverse("candidate-book", args=[token]), {"slot": slot.pk})
    client.post(reverse("candidate-cancel-booking", args=[token]))

    assert Assessment.objects.get(application=application).status == Assessment.Status.CANCELLED
    other, _ = candidate_at(interview, "Bethan")
    assert booking.book_slot(application=other, slot_id=slot.pk).slot == slot
    # Booking again after cancelling brings the same assessment back.
    later = make_slot(interview, days=6)
    client.post(reverse("candidate-book", args=[token]), {"slot": later.pk})
    assessment = Assessment.objects.get(application=application)
    assert (assessment.status, assessment.scheduled_at) == (
        Assessment.Status.SCHEDULED,
        later.starts_at,
    )


def test_a_slot_of_another_stage_or_provider_cannot_be_booked(
    interview: Stage, hillside: Provider
) -> None:
    theirs = make_slot(f.make_stage(role=f.make_role(provider=hillside)))
    later_stage = f.make_stage(role=interview.role, name="Group activity", order=2)
    not_yet = make_slot(later_stage)
    _, token = candidate_at(interview)
    for slot in (theirs, not_yet):
        page = Client().post(
            reverse("candidate-book", args=[token]), {"slot": slot.pk}, follow=True
        )
        assert (
            "can no longer be booked" in page.content.decode()
            or "not at the stage" in page.content.decode()
        )
    assert not Booking.objects.exists()


def test_a_shadowing_time_needs_the_consent_of_the_person_supported(
    interview: Stage, bob: User
) -> None:
    shadowing = f.make_stage(
        role=interview.role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    response = signed_in(bob).post(
        reverse("slot-list", args=["sunrise", shadowing.pk]),
        {
            "starts_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "minutes": "120",
            "place": "Rose House",
            "capacity": "1",
            "service": "Rose House",
            "supervisor_name": "",
        },
    )
    page = response.content.decode()
    assert "a shadowing time is offered only with their agreement" in page
    assert "Name the member of staff who supervises." in page
    assert not Slot.objects.exists()
    make_slot(shadowing, consent=False)
    application, _ = candidate_at(shadowing)
    assert booking.bookable_slots(application) == []


def test_the_shadowing_gate_holds_for_booking(interview: Stage) -> None:
    shadowing = f.make_stage(
        role=interview.role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    ProviderCheck.objects.create(
        provider=interview.role.provider, name="DBS check seen", required_before_shadowing=True
    )
    slot = make_slot(shadowing)
    _, token = candidate_at(shadowing)
    page = Client().post(reverse("candidate-book", args=[token]), {"slot": slot.pk}, follow=True)
    assert "We need to finish some checks before you can book this." in page.content.decode()
    assert not Assessment.objects.exists()


def test_a_manager_offers_a_time_with_a_panel_of_this_provider_only(
    interview: Stage, bob: User, charlie: User
) -> None:
    other = Membership.objects.get(user=charlie)
    response = signed_in(bob).post(
        reverse("slot-list", args=["sunrise", interview.pk]),
        {
            "starts_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "minutes": "60",
            "place": "",
            "video_link": "",
            "capacity": "2",
            "panel": [str(other.pk)],
        },
    )
    page = response.content.decode()
    assert "Give a place or a video link." in page
    assert "Select a valid choice" in page
    assert not Slot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_candidates_racing_for_the_last_place_one_gets_it() -> None:
    require_postgresql()
    provider = f.make_provider(name="Sunrise Care", slug="sunrise")
    stage = f.make_stage(role=f.make_role(provider=provider))
    for _ in range(10):
        slot = make_slot(stage)
        applications = [candidate_at(stage, name)[0] for name in ("Aled", "Bethan", "Cerys")]

        def attempt(application: Application, slot_id: int = slot.pk) -> str:
            try:
                booking.book_slot(application=application, slot_id=slot_id)
            except booking.SlotFull:
                return "full"
            return "booked"

        results = together(*[lambda a=a: attempt(a) for a in applications])
        assert sorted(results) == ["booked", "full", "full"]
        assert slot.bookings.filter(cancelled_at__isnull=True).count() == 1
        assert Assessment.objects.filter(application__in=applications).count() == 1
        OnlineApplication.objects.all().delete()
        Application.objects.all().delete()


# -- The booked notice and its calendar file --------------------------------------------------


def unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_booking_sends_the_time_with_a_calendar_file_and_a_move_updates_the_same_event(
    interview: Stage, django_capture_on_commit_callbacks: Any
) -> None:
    first = make_slot(interview)
    second = make_slot(interview, days=5)
    Slot.objects.filter(pk=second.pk).update(
        place="", video_link="https://meet.example.org/rose-house"
    )
    application, token = candidate_at(interview)
    client = Client()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("candidate-book", args=[token]), {"slot": first.pk})
        client.post(reverse("candidate-book", args=[token]), {"slot": second.pk})
        client.post(reverse("candidate-cancel-booking", args=[token]))

    booked, moved, cancelled = Notice.objects.filter(channel=Notice.Channel.EMAIL).order_by("pk")
    assert booked.kind == moved.kind == Notice.Kind.BOOKED
    assert booked.subject.startswith("Your values interview for Night care assistant: ")
    assert "Rose House, 4 Mill Lane" in booked.body
    assert reverse("candidate-status", args=[token]) in booked.body
    lines = unfolded(booked.ics)
    uid = f"UID:vbr-application-{application.pk}-stage-{interview.pk}@vbr"
    assert lines[:4] == ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "METHOD:REQUEST"]
    assert uid in lines
    assert f"DTSTART:{first.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert (
        f"DTEND:{(first.starts_at + timedelta(minutes=60)).astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    )
    assert "SUMMARY:Values interview: Night care assistant at Sunrise Care" in lines
    assert "LOCATION:Rose House\\, 4 Mill Lane" in lines
    assert all(len(line.encode()) <= 75 for line in booked.ics.split("\r\n"))
    moved_lines = unfolded(moved.ics)
    assert uid in moved_lines and "SEQUENCE:2" in moved_lines
    assert "LOCATION:By video: https://meet.example.org/rose-house" in moved_lines
    cancelled_lines = unfolded(cancelled.ics)
    assert cancelled.kind == Notice.Kind.BOOKING_CANCELLED
    assert "METHOD:CANCEL" in cancelled_lines and "STATUS:CANCELLED" in cancelled_lines
    assert uid in cancelled_lines and "SEQUENCE:3" in cancelled_lines


def test_the_calendar_file_is_attached_to_the_email(
    interview: Stage, django_capture_on_commit_callbacks: Any
) -> None:
    slot = make_slot(interview)
    _, token = candidate_at(interview)
    with django_capture_on_commit_callbacks(execute=False):
        Client().post(reverse("candidate-book", args=[token]), {"slot": slot.pk})
    notice = Notice.objects.get(kind=Notice.Kind.BOOKED, channel=Notice.Channel.EMAIL)
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT
    (name, content, mimetype) = mail.outbox[0].attachments[0]
    assert (name, mimetype) == ("booking.ics", "text/calendar; method=REQUEST")
    assert "BEGIN:VEVENT" in content


def test_a_reminder_goes_the_day_before_once_and_not_after_withdrawing(
    interview: Stage, django_capture_on_commit_callbacks: Any
) -> None:
    tomorrow = make_slot(interview, days=1)
    Slot.objects.filter(pk=tomorrow.pk).update(starts_at=timezone.now() + timedelta(hours=20))
    next_week = make_slot(interview, days=7)
    coming, _ = candidate_at(interview, "Aled")
    later, _ = candidate_at(interview, "Bethan")
    withdrawn, _ = candidate_at(interview, "Cerys")
    with django_capture_on_commit_callbacks(execute=False):
        booking.book_slot(application=coming, slot_id=tomorrow.pk)
        booking.book_slot(application=later, slot_id=next_week.pk)
        Slot.objects.filter(pk=tomorrow.pk).update(capacity=2)
        booking.book_slot(application=withdrawn, slot_id=tomorrow.pk)
        withdrawn.refresh_from_db()
        withdrawn.withdraw()

        assert notices.send_reminders() == 1
        assert notices.send_reminders() == 0  # once only

    reminder = Notice.objects.get(kind=Notice.Kind.REMINDER)
    assert reminder.application == coming
    assert reminder.subject.startswith("Reminder: your values interview is ")
    assert "Rose House, 4 Mill Lane" in reminder.body
    assert "If you cannot come, please tell us as soon as you can." in reminder.body
