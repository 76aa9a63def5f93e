"""The candidate's messages at every step, as they read them: invited to book, booked (with
its calendar file), reminder, moved on, offer, not this time (with the manager's sentence),
withdrawn, each through a real SMTP server; never a score, a note or a panel member's view;
nothing sent once they withdraw. The provider's own wording, with a preview, refused
placeholders, a role's wording winning and a way back to ours. The log of each message on
the application page."""

from __future__ import annotations

import email.message
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.servers import Mailbox, smtp_server
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants import notices
from vbr.applicants.forms import _STARTED_SALT
from vbr.applicants.models import Notice, NoticeWording, Slot, Vacancy
from vbr.recruitment.models import Application, Decision, Role, Stage


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def role(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    return role


@pytest.fixture
def vacancy(role: Role) -> Vacancy:
    return f.make_vacancy(role=role)


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    with smtp_server() as box:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_USE_TLS = False
        yield box


def apply(vacancy: Vacancy, capture: Any, **changes: str) -> tuple[Application, str]:
    """Siân applies from the vacancy page; her application and the path of her own page."""
    data = {
        "first_name": "Siân",
        "last_name": "Evans",
        "email": "sian@example.org",
        "phone": "07700 900123",
        "source": "website",
        "availability": "Nights",
        "privacy": "on",
        "started": signing.dumps(time.time() - 60, salt=_STARTED_SALT),
    }
    data.update(changes)
    with capture(execute=False):
        response = Client().post(reverse("vacancy-apply", args=["sunrise", vacancy.pk]), data)
    assert response.status_code == 302, response.content
    return Application.objects.get(), response["Location"]


def deliver_all(kind: str) -> list[Notice]:
    """Send every waiting notice of `kind`, as the worker would."""
    waiting = list(Notice.objects.filter(kind=kind, status=Notice.Status.QUEUED))
    for notice in waiting:
        assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT
    return waiting


def body_of(message: email.message.Message) -> str:
    if message.is_multipart():
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        text = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    else:
        text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return text.replace("\r\n", "\n")


def decide(client: Client, application: Application, kind: str, **extra: str) -> None:
    url = reverse("decision-create", args=["sunrise", application.pk])
    latest = application.decisions.order_by("-pk").values_list("pk", flat=True).first()
    data = {
        "kind": kind,
        "reasons": "Scored 2 on dignity: PRIVATE NOTE for the panel only.",
        "at_stage": str(application.current_stage_id),
        "last_decision": str(latest or ""),
        **extra,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def slot_at(stage: Stage, *, days: int = 3, hour: int = 14) -> Slot:
    starts = (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return Slot.objects.create(
        provider=stage.role.provider,
        stage=stage,
        starts_at=starts,
        place="Rose House, 4 Mill Lane",
        capacity=1,
    )


# -- Every step, through a real mail server --------------------------------------------------


def test_moved_on_reaches_the_candidate_with_her_own_link_and_nothing_of_the_panel(
    vacancy: Vacancy,
    as_bob: Client,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, location = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS)
    deliver_all(Notice.Kind.MOVED_ON)

    message = mailbox.received[-1]
    assert message["Subject"] == "Your application for Night care assistant has moved on"
    body = body_of(message)
    assert body.startswith("Hello Siân,")
    assert "has moved on to the next step, a shadowing." in body
    # The same link as in her acknowledgement: it still opens her page.
    assert f"http://testserver{location}" in body
    assert Client().get(location).status_code == 200
    assert "PRIVATE NOTE" not in body and "Scored" not in body


def test_the_invitation_to_book_lists_the_times_and_counts_as_first_contact(
    vacancy: Vacancy,
    role: Role,
    as_bob: Client,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, location = apply(vacancy, django_capture_on_commit_callbacks)
    slot = slot_at(role.stages.get(order=1))
    url = reverse("application-invite-to-book", args=["sunrise", application.pk])
    with django_capture_on_commit_callbacks(execute=False):
        response = as_bob.post(url, follow=True)
    assert "Siân is invited to choose a time." in response.text
    deliver_all(Notice.Kind.INVITED)

    message = mailbox.received[-1]
    assert message["Subject"] == "Please choose a time for your values interview"
    body = body_of(message)
    local = timezone.localtime(slot.starts_at)
    assert f"- {local:%A} {local.day} {local:%B %Y} at 2:00 p.m., for 60 minutes: " in body
    assert "Rose House, 4 Mill Lane" in body
    assert f"http://testserver{location}" in body
    assert application.online.__class__.objects.get().contacted_at is not None


def test_no_invitation_when_no_time_can_be_booked(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    url = reverse("application-invite-to-book", args=["sunrise", application.pk])
    response = as_bob.post(url, follow=True)
    assert "No times can be booked at the values interview yet. Offer some times first." in (
        response.text
    )
    assert not Notice.objects.filter(kind=Notice.Kind.INVITED).exists()


def test_no_second_invitation_once_a_time_is_booked(
    vacancy: Vacancy, role: Role, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, location = apply(vacancy, django_capture_on_commit_callbacks)
    stage = role.stages.get(order=1)
    booked, _spare = slot_at(stage), slot_at(stage, days=4)
    with django_capture_on_commit_callbacks(execute=False):
        Client().post(location + "book/", {"slot": booked.pk})
    url = reverse("application-invite-to-book", args=["sunrise", application.pk])
    response = as_bob.post(url, follow=True)
    assert "Siân has already booked a time for the values interview." in response.text
    assert not Notice.objects.filter(kind=Notice.Kind.INVITED).exists()


def test_booked_by_email_carries_the_calendar_file(
    vacancy: Vacancy,
    role: Role,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, location = apply(vacancy, django_capture_on_commit_callbacks)
    slot = slot_at(role.stages.get(order=1))
    with django_capture_on_commit_callbacks(execute=False):
        Client().post(location + "book/", {"slot": slot.pk})
    deliver_all(Notice.Kind.BOOKED)

    message = mailbox.received[-1]
    local = timezone.localtime(slot.starts_at)
    assert " ".join(message["Subject"].split()) == (
        f"Your values interview for Night care assistant: {local:%A} {local.day} "
        f"{local:%B %Y} at 2:00 p.m., for 60 minutes"
    )
    assert "Rose House, 4 Mill Lane" in body_of(message)
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    ics = calendar.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "METHOD:REQUEST" in ics
    assert "LOCATION:Rose House\\, 4 Mill Lane" in ics
    assert f"DTSTART:{slot.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in ics
    assert "SUMMARY:Values interview" in ics


def test_the_offer_is_told_once_even_when_the_hire_follows(
    vacancy: Vacancy,
    as_bob: Client,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.OFFER)
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.HIRE)
    assert Notice.objects.filter(kind=Notice.Kind.OFFER).count() == 1
    deliver_all(Notice.Kind.OFFER)

    message = mailbox.received[-1]
    assert message["Subject"] == "We would like to offer you the job of Night care assistant"
    body = body_of(message)
    assert "We are very pleased to offer you the job of Night care assistant at Sunrise" in body
    assert "PRIVATE NOTE" not in body


def test_not_this_time_is_kind_and_carries_the_managers_sentence_as_written(
    vacancy: Vacancy,
    as_bob: Client,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    sentence = (
        "Your answer about dignity was warm; a little more experience of personal care would help."
    )
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.DECLINE, feedback_to_candidate=sentence)
    assert Decision.objects.get().feedback_to_candidate == sentence
    deliver_all(Notice.Kind.NOT_THIS_TIME)

    message = mailbox.received[-1]
    assert message["Subject"] == "Your application for Night care assistant"
    body = body_of(message)
    assert "We will not be taking your application further this time." in body
    assert sentence in body
    assert "This is not a judgement of you as a person." in body
    assert "PRIVATE NOTE" not in body and "Scored" not in body


def test_without_a_sentence_its_line_is_left_out(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.DECLINE)
    body = Notice.objects.get(kind=Notice.Kind.NOT_THIS_TIME).body
    assert "this time.\n\nThis is not a judgement" in body
    assert "\n\n\n" not in body


def test_a_sentence_for_the_candidate_is_not_kept_unless_declining(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS, feedback_to_candidate="Well done")
    assert Decision.objects.get().feedback_to_candidate == ""


def test_a_candidate_a_manager_added_hears_too_without_a_link(
    role: Role, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    application = f.make_application(role=role, stage=role.stages.get(order=1))
    application.candidate.email = "rhys@example.org"
    application.candidate.save()
    with django_capture_on_commit_callbacks(execute=False):
        decide(signed_in(bob), application, Decision.Kind.PROGRESS)
    body = Notice.objects.get(kind=Notice.Kind.MOVED_ON).body
    assert "has moved on to the next step, a shadowing." in body
    # No page of their own: the line that would carry it is left out.
    assert "http" not in body and "own page:\n\n" not in body


def test_the_log_shows_messages_to_a_candidate_a_manager_added(
    role: Role, bob: User, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application = f.make_application(role=role, stage=role.stages.get(order=1))
    application.candidate.email = "rhys@example.org"
    application.candidate.save()
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS)
    page = as_bob.get(reverse("application-detail", args=["sunrise", application.pk])).text
    assert "Moved on to the next stage by email" in page
    assert "<strong>waiting to be sent</strong>" in page


def test_nothing_goes_to_a_candidate_with_no_way_to_reach_them(
    role: Role, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    application = f.make_application(role=role, stage=role.stages.get(order=1))
    decide(signed_in(bob), application, Decision.Kind.PROGRESS)
    assert not Notice.objects.exists()


def test_a_waiting_notice_stops_when_the_candidate_withdraws(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, location = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS)
    moved_on = Notice.objects.get(kind=Notice.Kind.MOVED_ON)
    with django_capture_on_commit_callbacks(execute=False):
        Client().post(location + "withdraw/", {"reason": ""})
    assert notices.deliver(notice_id=moved_on.pk).delivery is notices.Delivery.STOPPED
    withdrawn = Notice.objects.get(kind=Notice.Kind.WITHDRAWN)
    assert notices.deliver(notice_id=withdrawn.pk).delivery is notices.Delivery.SENT


def test_text_messages_say_each_step_in_short(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, location = apply(vacancy, django_capture_on_commit_callbacks, texts_agreed="on")
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS)
    sms = Notice.objects.get(kind=Notice.Kind.MOVED_ON, channel=Notice.Channel.SMS)
    assert sms.body == (
        "Sunrise Care: good news, your application for Night care assistant has moved on to "
        "a shadowing. We will be in touch soon.\n"
        f"Your page: http://testserver{location}"
    )


# -- The provider's own wording --------------------------------------------------------------


def wording_url(kind: str, role: Role | None = None) -> str:
    if role is None:
        return reverse("notice-wording-edit", args=["sunrise", kind])
    return reverse("notice-wording-role-edit", args=["sunrise", role.pk, kind])


def words(**changes: str) -> dict[str, str]:
    return {
        "subject": "News about {role}",
        "email": "Dear {first_name},\n\nYou are through to the {stage}.\n\n{status_link}",
        "sms": "{provider}: you are through. {status_link}",
        **changes,
    }


def test_the_preview_shows_the_typed_words_for_a_made_up_candidate_and_saves_nothing(
    role: Role, as_alice: Client
) -> None:
    response = as_alice.post(wording_url(Notice.Kind.MOVED_ON), {**words(), "action": "preview"})
    assert response.status_code == 200
    assert "Preview of the words above (not saved yet)" in response.text
    assert "Dear Sam," in response.text
    assert "You are through to the values interview." in response.text
    assert "Sunrise Care: you are through. (the link to their own page)" in response.text
    assert not NoticeWording.objects.exists()


def test_the_preview_can_use_a_real_application_of_the_provider(
    vacancy: Vacancy, as_alice: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    before = Notice.objects.count()
    response = as_alice.post(
        wording_url(Notice.Kind.MOVED_ON),
        {**words(), "action": "preview", "application": str(application.pk)},
    )
    assert "Dear Siân," in response.text
    assert Notice.objects.count() == before  # a preview sends nothing


def test_an_unknown_placeholder_is_refused_with_a_clear_message_and_the_words_kept(
    role: Role, as_alice: Client
) -> None:
    typed = words(email="Hello {first_name}, {candidate.email} {feedback}")
    response = as_alice.post(wording_url(Notice.Kind.MOVED_ON), {**typed, "action": "save"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "{candidate.email} is not one of the words in curly brackets we can fill in." in text
    assert "{feedback} has nothing to fill it in the notice “moved on to the next stage”." in (text)
    assert "Hello {first_name}, {candidate.email} {feedback}" in text
    assert not NoticeWording.objects.exists()


def test_template_syntax_is_refused_and_never_run(
    vacancy: Vacancy, as_alice: Client, sunrise: Provider, django_capture_on_commit_callbacks: Any
) -> None:
    typed = words(email="{{ settings.SECRET_KEY }} for {first_name}", sms="{provider}")
    response = as_alice.post(wording_url(Notice.Kind.OFFER), {**typed, "action": "save"})
    assert response.status_code == 200
    assert "{ settings.SECRET_KEY } is not one of the words" in response.content.decode()
    # Even words that got past the check are only substituted, never run.
    NoticeWording.objects.create(
        provider=sunrise,
        kind=Notice.Kind.OFFER,
        subject="Offer",
        email="{% now 'Y' %} {{ settings.SECRET_KEY }} for {first_name}",
        sms="{provider}",
    )
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(signed_in(User.objects.get(username="alice")), application, Decision.Kind.OFFER)
    body = Notice.objects.get(kind=Notice.Kind.OFFER, channel=Notice.Channel.EMAIL).body
    assert body.strip() == "{% now 'Y' %} {{ settings.SECRET_KEY }} for Siân"


def test_a_roles_own_wording_wins_over_the_providers_and_reset_goes_back(
    vacancy: Vacancy,
    role: Role,
    as_alice: Client,
    as_bob: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    as_alice.post(
        wording_url(Notice.Kind.MOVED_ON), {**words(subject="For every role"), "action": "save"}
    )
    as_alice.post(
        wording_url(Notice.Kind.MOVED_ON, role),
        {**words(subject="Only for {role}"), "action": "save"},
    )
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decide(as_bob, application, Decision.Kind.PROGRESS)
    email_notice = Notice.objects.get(kind=Notice.Kind.MOVED_ON)
    assert email_notice.subject == "Only for Night care assistant"
    assert email_notice.body.startswith("Dear Siân,\n\nYou are through to the shadowing.")

    page = as_alice.post(wording_url(Notice.Kind.MOVED_ON, role), {"action": "reset"}, follow=True)
    assert "Back to the wording for all roles." in page.text
    page = as_alice.post(wording_url(Notice.Kind.MOVED_ON), {"action": "reset"}, follow=True)
    assert "Back to our default wording." in page.text
    assert not NoticeWording.objects.exists()
    assert "These are our default words until you save your own." in page.text
    assert "Your application for Night care assistant has moved on" in page.text


def test_managers_word_the_roles_they_manage_and_only_admins_word_all_roles(
    role: Role, bob: User, as_bob: Client, as_alice: Client, as_charlie: Client
) -> None:
    assert as_bob.get(wording_url(Notice.Kind.MOVED_ON)).status_code == 403
    assert as_bob.get(wording_url(Notice.Kind.MOVED_ON, role)).status_code == 403
    role.managers.add(Membership.objects.get(user=bob))
    assert as_bob.get(wording_url(Notice.Kind.MOVED_ON, role)).status_code == 200
    saved = as_bob.post(wording_url(Notice.Kind.MOVED_ON, role), {**words(), "action": "save"})
    assert saved.status_code == 302
    assert NoticeWording.objects.get().role == role
    # Another provider's role is not found at all.
    assert as_charlie.get(wording_url(Notice.Kind.MOVED_ON, role)).status_code == 404
    unknown = reverse("notice-wording-edit", args=["sunrise", "no-such-kind"])
    assert as_alice.get(unknown).status_code == 404


@pytest.mark.parametrize("roles", [1, 50])
def test_the_list_of_messages_reads_a_fixed_number_of_queries(
    sunrise: Provider,
    as_alice: Client,
    roles: int,
    django_assert_num_queries: Any,
) -> None:
    for number in range(roles):
        role = f.make_role(provider=sunrise, title=f"Role {number}")
        NoticeWording.objects.create(
            provider=sunrise, role=role, kind=Notice.Kind.OFFER, subject="s", email="e", sms="t"
        )
    # the signed-in person with their membership (with what they owe), roles, the provider's
    # wordings.
    with django_assert_num_queries(3):
        response = as_alice.get(reverse("notice-wording-list", args=["sunrise"]))
    assert response.status_code == 200
    assert "Role 0" in response.text
    assert response.text.count("own words") == roles


@pytest.mark.parametrize("applications", [1, 50])
def test_the_wording_page_reads_a_fixed_number_of_queries(
    role: Role, as_alice: Client, applications: int, django_assert_num_queries: Any
) -> None:
    for _ in range(applications):
        f.make_application(role=role, stage=role.stages.get(order=1))
    # the signed-in person with their membership; the provider's own words (none), the words in use;
    # the latest applications to preview with (at most 20, with their candidates); a role's title
    # for the made-up candidate.
    with django_assert_num_queries(5):
        response = as_alice.get(wording_url(Notice.Kind.MOVED_ON))
    assert response.status_code == 200
    assert response.text.count("(applied ") == min(applications, 20)


# -- The log on the application page ---------------------------------------------------------


def test_the_application_page_logs_each_message_sent_failed_retried_and_stopped(
    vacancy: Vacancy, as_bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    received = Notice.objects.get()
    received.status, received.attempts = Notice.Status.SENT, 2
    received.save()
    make = Notice.objects.create
    make(
        application=application,
        kind=Notice.Kind.MOVED_ON,
        channel=Notice.Channel.SMS,
        to_address="07700 900123",
        status=Notice.Status.FAILED,
        attempts=5,
        error="SmsFailed: the number is not a mobile number",
    )
    make(
        application=application,
        kind=Notice.Kind.INVITED,
        channel=Notice.Channel.EMAIL,
        to_address="sian@example.org",
        status=Notice.Status.QUEUED,
        attempts=1,
        error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    make(
        application=application,
        kind=Notice.Kind.OFFER,
        channel=Notice.Channel.EMAIL,
        to_address="sian@example.org",
        status=Notice.Status.STOPPED,
    )
    page = as_bob.get(reverse("application-detail", args=["sunrise", application.pk])).text
    assert "Application received by email" in page
    assert "<strong>sent</strong> after 2 attempts" in page
    assert "Moved on to the next stage by text message" in page
    assert "<strong>could not be sent</strong> after 5 attempts" in page
    assert "the number is not a mobile number" in page
    assert "(tried 1 time, trying again)" in page
    assert "Job offered by email" in page
    assert "not sent: the candidate withdrew or was anonymised" in page
