"""The panel's side of candidates' bookings: everyone on a slot's panel hears of a booking,
a move and a cancellation with a calendar file of the assessment's own (same UID, higher
SEQUENCE, METHOD:CANCEL), the way their "working with me" asks (email, or a note the manager
prints); a reminder the day before; a manager withdraws an offered time; and times are
checked against what the panel's experts by experience said they can do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.conftest import signed_in
from tests.servers import smtp_server
from tests.test_applicant_booking import candidate_at, make_slot, soon
from tests.test_mail import point_at
from vbr.accounts.models import AccessProfile, Membership, OutgoingEmail, Provider, User
from vbr.applicants import booking, panel_messages
from vbr.applicants.models import Booking, Notice, PanelMessage, Slot
from vbr.celery import app as celery_app
from vbr.recruitment.models import Assessment, Service, Stage


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    """The outbox's tasks in-process, whatever REDIS_URL says."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def interview(sunrise: Provider) -> Stage:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    return f.make_stage(role=role, name="Values interview")


@pytest.fixture
def bob_by_email(bob: User) -> User:
    bob.email = "bob@sunrise.example.org"
    bob.save(update_fields=["email"])
    return bob


@pytest.fixture
def dev_on_paper(dev: User) -> User:
    AccessProfile.objects.create(user=dev, contact_by=AccessProfile.Contact.PRINTED)
    return dev


@pytest.fixture
def carol(sunrise: Provider) -> User:
    user = f.make_member(
        provider=sunrise, role=Membership.Role.PANEL, username="carol", full_name="Carol Lee"
    )
    user.email = "carol@sunrise.example.org"
    user.save(update_fields=["email"])
    return user


def parts(message: Message) -> tuple[str, str]:
    """The text and the calendar file of an email."""
    text = calendar = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            text = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        if part.get_content_type() == "text/calendar":
            calendar = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return text, calendar


def email_to(address: str) -> Any:
    """The last email the locmem backend sent to `address`."""
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"nothing was sent to {address}"
    return sent[-1]


def calendar_of(message: Any) -> str:
    return next(content for _, content, kind in message.attachments if "calendar" in kind)


def book(token: str, slot: Slot, capture: Any) -> None:
    with capture(execute=True):
        response = Client().post(reverse("candidate-book", args=[token]), {"slot": slot.pk})
    assert response.status_code == 302


def test_everyone_on_the_panel_gets_the_booking_the_way_they_asked(
    interview: Stage,
    bob_by_email: User,
    dev_on_paper: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    slot = make_slot(interview, panel=[bob_by_email, dev_on_paper])
    application, token = candidate_at(interview)
    with smtp_server() as mailbox:
        point_at(settings, mailbox.port)
        book(token, slot, django_capture_on_commit_callbacks)
        received = mailbox.wait_for(2)  # the candidate's and Bob's
    assessment = Assessment.objects.get(application=application)

    to_bob = next(m for m in received if "bob@" in m["X-Envelope-To"])
    assert " ".join(to_bob["Subject"].split()).startswith("Panel booked: Values interview, ")
    text, ics = parts(to_bob)
    assert "Siân has booked a time for their values interview (Night care assistant)" in text
    assert "Rose House, 4 Mill Lane" in text
    assert 'under "My scorecards to do"' in text
    assert "METHOD:REQUEST" in ics
    assert f"UID:vbr-assessment-{assessment.pk}-panel@vbr" in ics
    assert "SEQUENCE:0" in ics
    assert "SUMMARY:Panel: Values interview with Siân (Night care assistant)" in ics

    # Dev hears on paper: a note for the manager to print, not an email.
    note = PanelMessage.objects.get(user=dev_on_paper)
    assert note.channel == PanelMessage.Channel.PRINTED and note.email_id is None
    assert "Siân has booked a time" in note.body
    assert "open the link in your panel invitation" in note.body
    assert "METHOD:REQUEST" in note.ics
    page = signed_in(bob_by_email).get(reverse("panel-notes", args=["sunrise"]))
    assert "For Dev Raman" in page.content.decode()
    # Sent emails keep neither their words nor their calendar file.
    sent = OutgoingEmail.objects.get(to_address="bob@sunrise.example.org")
    assert sent.status == OutgoingEmail.Status.SENT and sent.body == "" and sent.ics == ""


def test_a_panel_member_who_gave_an_email_address_gets_it_there(
    interview: Stage, dev: User, django_capture_on_commit_callbacks: Any
) -> None:
    AccessProfile.objects.create(user=dev, contact_email="dev@example.org")
    slot = make_slot(interview, panel=[dev])
    _, token = candidate_at(interview)
    book(token, slot, django_capture_on_commit_callbacks)
    text = email_to("dev@example.org").body
    assert "Siân has booked a time" in text
    assert "type your code" in text
    assert not PanelMessage.objects.filter(channel=PanelMessage.Channel.PRINTED).exists()


def test_a_move_updates_the_same_event_and_a_member_who_left_the_panel_gets_a_cancellation(
    interview: Stage,
    bob_by_email: User,
    dev_on_paper: User,
    carol: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = make_slot(interview, panel=[bob_by_email, dev_on_paper])
    later = make_slot(interview, panel=[bob_by_email, carol], days=5)
    application, token = candidate_at(interview)
    book(token, first, django_capture_on_commit_callbacks)
    book(token, later, django_capture_on_commit_callbacks)
    uid = f"UID:vbr-assessment-{Assessment.objects.get(application=application).pk}-panel@vbr"

    moved = email_to("bob@sunrise.example.org")
    assert moved.subject.startswith("Panel time changed: Values interview, now ")
    assert "Siân has moved their values interview" in moved.body
    assert "It was: " in moved.body and "It is now: " in moved.body
    ics = calendar_of(moved)
    assert uid in ics and "SEQUENCE:1" in ics and "METHOD:REQUEST" in ics

    joined = email_to("carol@sunrise.example.org")
    assert joined.subject.startswith("Panel booked: ")
    assert uid in calendar_of(joined) and "SEQUENCE:1" in calendar_of(joined)

    left = PanelMessage.objects.filter(user=dev_on_paper).first()
    assert left is not None and left.kind == PanelMessage.Kind.CANCELLED
    assert "METHOD:CANCEL" in left.ics and "STATUS:CANCELLED" in left.ics
    assert uid in left.ics and "SEQUENCE:1" in left.ics
    assert "You do not need to go" in left.body


def test_the_candidate_cancelling_takes_the_event_out_of_the_panels_calendars(
    interview: Stage, bob_by_email: User, django_capture_on_commit_callbacks: Any
) -> None:
    slot = make_slot(interview, panel=[bob_by_email])
    _, token = candidate_at(interview)
    book(token, slot, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("candidate-cancel-booking", args=[token]))
    cancelled = email_to("bob@sunrise.example.org")
    assert cancelled.subject.startswith("Panel cancelled: Values interview, ")
    ics = calendar_of(cancelled)
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    assert [kind for _, _, kind in cancelled.attachments] == ["text/calendar; method=CANCEL"]


def test_the_panel_is_reminded_the_day_before_once_per_time(
    interview: Stage,
    bob_by_email: User,
    dev_on_paper: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    slot = make_slot(interview, panel=[bob_by_email, dev_on_paper])
    application, token = candidate_at(interview)
    book(token, slot, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    assert panel_messages.send_panel_reminders(now=slot.starts_at - timedelta(hours=30)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        reminded = panel_messages.send_panel_reminders(now=slot.starts_at - timedelta(hours=20))
    assert reminded == 2
    reminder = email_to("bob@sunrise.example.org")
    assert reminder.subject.startswith("Tomorrow: Values interview, ")
    assert "you are on the panel for Siân's values interview" in reminder.body
    note = PanelMessage.objects.get(user=dev_on_paper, kind=PanelMessage.Kind.REMINDER)
    assert note.channel == PanelMessage.Channel.PRINTED
    # The next hour's run reminds nobody again.
    assert panel_messages.send_panel_reminders(now=slot.starts_at - timedelta(hours=19)) == 0

    # Moved to another time the next day: reminded of the new time.
    assessment = Assessment.objects.get(application=application)
    Assessment.objects.filter(pk=assessment.pk).update(
        scheduled_at=slot.starts_at + timedelta(hours=2)
    )
    assert panel_messages.send_panel_reminders(now=slot.starts_at - timedelta(hours=18)) == 2


def test_no_reminder_for_a_candidate_who_withdrew(
    interview: Stage, bob_by_email: User, django_capture_on_commit_callbacks: Any
) -> None:
    slot = make_slot(interview, panel=[bob_by_email])
    application, token = candidate_at(interview)
    book(token, slot, django_capture_on_commit_callbacks)
    application.withdraw(reason="")
    assert panel_messages.send_panel_reminders(now=slot.starts_at - timedelta(hours=20)) == 0


def test_a_manager_withdraws_a_booked_time_and_candidate_and_panel_are_told(
    interview: Stage,
    bob_by_email: User,
    dev_on_paper: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    slot = make_slot(interview, panel=[bob_by_email, dev_on_paper])
    application, token = candidate_at(interview)
    book(token, slot, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(bob_by_email).post(
            reverse("slot-cancel", args=["sunrise", slot.pk]), follow=True
        )
    page = response.content.decode()
    assert "The time is withdrawn. Siân Smith has been told and can choose another time" in page

    slot.refresh_from_db()
    assert slot.cancelled_at is not None
    assert not Booking.objects.filter(slot=slot, cancelled_at__isnull=True).exists()
    assert Assessment.objects.get(application=application).status == "cancelled"
    # The candidate: told, with a calendar file that takes it out, and their own page's link.
    to_candidate = email_to("siân@example.org")
    assert "is cancelled" in to_candidate.body
    assert "http://testserver" + reverse("candidate-status", args=[token]) in to_candidate.body
    assert "METHOD:CANCEL" in calendar_of(to_candidate)
    assert Notice.objects.filter(kind=Notice.Kind.BOOKING_CANCELLED).count() >= 1
    # The panel: Bob by email, Dev on paper.
    assert "METHOD:CANCEL" in calendar_of(email_to("bob@sunrise.example.org"))
    assert PanelMessage.objects.filter(user=dev_on_paper, kind="cancelled").exists()
    # The time is no longer offered.
    assert booking.bookable_slots(application) == []
    status_page = Client().get(reverse("candidate-status", args=[token])).content.decode()
    assert "Rose House, 4 Mill Lane" not in status_page


def test_a_time_with_nobody_booked_is_withdrawn_quietly(
    interview: Stage, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    slot = make_slot(interview, panel=[bob])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(bob).post(
            reverse("slot-cancel", args=["sunrise", slot.pk]), follow=True
        )
    assert "Nobody had booked it." in response.content.decode()
    assert not mail.outbox and not PanelMessage.objects.exists()
    again = signed_in(bob).post(reverse("slot-cancel", args=["sunrise", slot.pk]), follow=True)
    assert "already withdrawn" in again.content.decode()


def test_another_providers_manager_cannot_withdraw_a_time(
    interview: Stage, bob: User, charlie: User
) -> None:
    slot = make_slot(interview, panel=[bob])
    response = signed_in(charlie).post(reverse("slot-cancel", args=["hillside", slot.pk]))
    assert response.status_code == 404
    slot.refresh_from_db()
    assert slot.cancelled_at is None


# -- What the panel's experts by experience said ---------------------------------------------


def slot_form(stage: Stage, panel: list[User], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "starts_at": soon(hour=9).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "90",
        "place": "Rose House",
        "capacity": "1",
        "panel": [m.pk for m in Membership.objects.filter(user__in=panel)],
    }
    data.update(changes)
    return data


@pytest.fixture
def dev_with_needs(dev: User) -> User:
    AccessProfile.objects.create(
        user=dev,
        earliest_start=time(10, 0),
        latest_finish=time(15, 0),
        longest_minutes=60,
        has_supporter=True,
    )
    return dev


def test_a_time_outside_what_the_expert_said_is_refused_with_the_reasons(
    interview: Stage, bob: User, dev_with_needs: User
) -> None:
    url = reverse("slot-list", args=["sunrise", interview.pk])
    form_page = signed_in(bob).get(url).content.decode()
    assert (
        "Dev Raman (expert by experience): from 10:00am, until 3:00pm, up to 60 minutes, "
        "with a supporter" in form_page
    )

    page = signed_in(bob).post(url, slot_form(interview, [dev_with_needs])).content.decode()
    assert "This time does not suit everyone on the panel." in page
    assert "Dev Raman can start from 10:00am; this time starts at 9:00am." in page
    assert "Dev Raman can take part for up to 60 minutes; this time is 90 minutes." in page
    assert "Dev Raman comes with a supporter." in page
    assert not Slot.objects.exists()

    late = slot_form(
        interview, [dev_with_needs], starts_at=soon(hour=14).strftime("%Y-%m-%dT%H:%M")
    )
    page = signed_in(bob).post(url, late).content.decode()
    assert "Dev Raman needs to finish by 3:00pm; this time finishes at 3:30pm." in page
    assert not Slot.objects.exists()


def test_the_manager_offers_it_once_agreed_with_the_expert_and_their_supporter(
    interview: Stage, bob: User, dev_with_needs: User
) -> None:
    url = reverse("slot-list", args=["sunrise", interview.pk])
    data = slot_form(interview, [dev_with_needs], agreed_with_panel="on", supporter_coming="on")
    response = signed_in(bob).post(url, data)
    assert response.status_code == 302
    assert Slot.objects.get().panel.get().user == dev_with_needs


def test_a_time_that_suits_the_expert_needs_only_the_supporter_confirmed(
    interview: Stage, bob: User, dev_with_needs: User
) -> None:
    url = reverse("slot-list", args=["sunrise", interview.pk])
    fits = slot_form(
        interview,
        [dev_with_needs],
        starts_at=soon(hour=11).strftime("%Y-%m-%dT%H:%M"),
        minutes="60",
        supporter_coming="on",
    )
    assert signed_in(bob).post(url, fits).status_code == 302
    assert Slot.objects.count() == 1


def test_a_shadowing_time_chooses_one_of_the_providers_own_services(
    interview: Stage, bob: User, hillside: Provider
) -> None:
    house = Service.objects.create(provider=interview.role.provider, name="Sunrise House")
    interview.role.service = house
    interview.role.save(update_fields=["service"])
    elsewhere = Service.objects.create(provider=hillside, name="Hillside Court")
    shadowing = f.make_stage(
        role=interview.role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    url = reverse("slot-list", args=["sunrise", shadowing.pk])
    form_page = signed_in(bob).get(url).content.decode()
    assert f'<option value="{house.pk}" selected>Sunrise House</option>' in form_page
    assert "Hillside Court" not in form_page

    data = slot_form(
        shadowing,
        [bob],
        starts_at=soon(hour=11).strftime("%Y-%m-%dT%H:%M"),
        service=elsewhere.pk,
        supervisor_name="Grace Obi",
        consent="on",
    )
    page = signed_in(bob).post(url, data).content.decode()
    assert "Select a valid choice" in page
    assert not Slot.objects.exists()

    data["service"] = house.pk
    assert signed_in(bob).post(url, data).status_code == 302
    slot = Slot.objects.get()
    assert slot.service == house and slot.consent_recorded_at is not None
    listing = signed_in(bob).get(url).content.decode()
    assert "Shadowing at Sunrise House with Grace Obi" in listing


# -- Printed notes -----------------------------------------------------------------------


def write_notes(provider: Provider, user: User, count: int) -> list[PanelMessage]:
    return [
        PanelMessage.objects.create(
            provider=provider,
            user=user,
            kind=PanelMessage.Kind.BOOKED,
            channel=PanelMessage.Channel.PRINTED,
            subject=f"Panel booked: Values interview, note {number}",
            body=f"Hello Dev, note {number}.",
        )
        for number in range(count)
    ]


@pytest.mark.parametrize("count", [1, 50])
def test_the_notes_page_costs_the_same_for_one_note_or_fifty(
    count: int, sunrise: Provider, bob: User, dev: User, django_assert_num_queries: Any
) -> None:
    write_notes(sunrise, dev, count)
    client = signed_in(bob)
    # Session, user, the membership with its provider (3), the notes with their people (1).
    with django_assert_num_queries(2):
        page = client.get(reverse("panel-notes", args=["sunrise"])).content.decode()
    assert page.count("For Dev Raman") == count


def test_a_note_prints_alone_and_once_handed_over_leaves_the_list_and_its_words_go(
    sunrise: Provider, bob: User, dev: User, charlie: User
) -> None:
    first, second = write_notes(sunrise, dev, 2)
    client = signed_in(bob)
    printed = client.get(reverse("panel-note-print", args=["sunrise", first.pk]))
    assert "Hello Dev, note 0." in printed.content.decode()
    assert "note 1" not in printed.content.decode()
    # Another provider's manager reaches neither the note nor its list.
    assert (
        signed_in(charlie).get(reverse("panel-note-print", args=["hillside", first.pk])).status_code
        == 404
    )

    response = client.post(
        reverse("panel-notes-handed-over", args=["sunrise"]), {"note": [first.pk]}, follow=True
    )
    assert "1 note marked as handed over." in response.content.decode()
    first.refresh_from_db()
    assert first.printed_at is not None and first.body == "" and first.ics == ""
    listing = client.get(reverse("panel-notes", args=["sunrise"])).content.decode()
    assert "note 0" not in listing and "note 1" in listing
    assert client.get(reverse("panel-note-print", args=["sunrise", first.pk])).status_code == 404
    second.refresh_from_db()
    assert second.printed_at is None


def test_hearing_on_paper_or_by_email_is_chosen_in_working_with_me(dev: User) -> None:
    client = Client()
    client.force_login(dev)
    url = reverse("access-profile")
    page = client.post(
        url, {"text_size": "large", "contact_by": "email", "contact_email": ""}
    ).content.decode()
    assert "Write your email address, or choose “On paper” instead." in page
    client.post(
        url,
        {
            "text_size": "large",
            "contact_by": "printed",
            "earliest_start": "10:00",
            "latest_finish": "15:00",
            "longest_minutes": "60",
        },
    )
    profile = AccessProfile.objects.get(user=dev)
    assert profile.contact_by == "printed" and profile.longest_minutes == 60
    assert panel_messages.route_for(dev).channel == PanelMessage.Channel.PRINTED


def test_working_with_me_shows_paper_to_a_member_nobody_can_email_and_saves_other_choices(
    dev: User,
) -> None:
    """Dev has no email address and never chose how to hear: the form shows "On paper"
    (what happens) and saving a larger text size does not ask him for an address."""
    client = Client()
    client.force_login(dev)
    url = reverse("access-profile")
    form = client.get(url).context["form"]
    assert form["contact_by"].value() == "printed"
    response = client.post(url, {"text_size": "large", "contact_by": form["contact_by"].value()})
    assert response.status_code == 302
    profile = AccessProfile.objects.get(user=dev)
    assert (profile.text_size, profile.contact_by) == ("large", "printed")


def test_the_manager_finds_the_notes_from_the_dashboard_and_the_times_page(
    interview: Stage, bob: User
) -> None:
    notes = reverse("panel-notes", args=["sunrise"])
    home = signed_in(bob).get(reverse("provider-home", args=["sunrise"])).content.decode()
    assert f'href="{notes}">Notes to hand to panel members</a>' in home
    times = signed_in(bob).get(reverse("slot-list", args=["sunrise", interview.pk]))
    assert f'href="{notes}">notes to hand to panel members</a>' in times.content.decode()
