"""Emails go through the outbox and Celery to a real SMTP server the test starts (aiosmtpd):
the page answers without waiting for the mail server, a busy server gets the email on a later
try, a lost one is handed on by the sweep, and the invitations page says where each stands."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.celery_worker import running_worker
from tests.servers import Mailbox, free_port, smtp_server
from vbr.accounts import mail
from vbr.accounts.models import Membership, OutgoingEmail, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment.models import Assessment, Panellist


@dataclass
class Invitations:
    assessment: Assessment
    dev: Panellist

    @property
    def list_url(self) -> str:
        return reverse("invitation-list", args=["sunrise", self.assessment.pk])

    @property
    def create_url(self) -> str:
        return reverse("invitation-create", args=["sunrise", self.assessment.pk, self.dev.pk])


@pytest.fixture
def invitations(sunrise: Provider, bob: User, dev: User) -> Invitations:
    User.objects.filter(pk=dev.pk).update(email="dev@example.org")
    stage = f.make_stage(role=f.make_role(provider=sunrise), name="Values interview")
    assessment = f.make_assessment(application=f.make_application(role=stage.role), stage=stage)
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    dev_place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    cache.clear()
    return Invitations(assessment=assessment, dev=dev_place)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks in-process, as in the demo, whatever REDIS_URL says."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def mail_server(settings) -> Iterator[Mailbox]:  # type: ignore[no-untyped-def]
    with smtp_server() as mailbox:
        point_at(settings, mailbox.port)
        yield mailbox


def point_at(settings, port: int) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "VBR <no-reply@vbr.example.org>"


def invite_by_email(client: Client, invitations: Invitations, capture) -> str:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(invitations.create_url, {"delivery": "email"}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def the_link_in(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return next(word for word in body.split() if "/join/" in word and len(word) > 40)


def status_line(page: str) -> str:
    return page.split('class="outbox-status">')[1].split("</span>")[0]


def test_the_invitation_reaches_a_real_smtp_server_and_its_link_signs_the_member_in(
    as_bob: Client,
    invitations: Invitations,
    mail_server: Mailbox,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    page = invite_by_email(as_bob, invitations, django_capture_on_commit_callbacks)

    (message,) = mail_server.wait_for(1)
    assert message["To"] == "dev@example.org"
    assert message["X-Envelope-To"] == "dev@example.org"
    assert message["From"] == "VBR <no-reply@vbr.example.org>"
    assert message["Subject"] == "Your panel at Sunrise Care"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Hello Dev Raman" in body and "Values interview" in body
    response = Client().post(urlsplit(the_link_in(message)).path)
    assert response.status_code == 302

    assert "The link is on its way to Dev Raman by email" in page
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
    assert email.body == "", "the link is not kept once it has been sent"
    assert "Email to dev@example.org: sent" in status_line(
        as_bob.get(invitations.list_url).content.decode()
    )


def test_a_busy_mail_server_gets_the_email_on_the_next_try(
    as_bob: Client,
    invitations: Invitations,
    mail_server: Mailbox,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    mail_server.refuse = 1
    invite_by_email(as_bob, invitations, django_capture_on_commit_callbacks)

    assert mail_server.refused == 1
    assert len(mail_server.wait_for(1)) == 1
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 2


def test_an_email_the_server_keeps_refusing_is_given_up_and_the_page_says_print_instead(
    as_bob: Client,
    invitations: Invitations,
    mail_server: Mailbox,
    eager_tasks: None,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    mail_server.refuse = 100
    invite_by_email(as_bob, invitations, django_capture_on_commit_callbacks)

    assert mail_server.refused == settings.EMAIL_MAX_ATTEMPTS
    assert mail_server.received == []
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "451" in email.error and email.body == ""
    line = status_line(as_bob.get(invitations.list_url).content.decode())
    assert "Email to dev@example.org: could not be sent" in line
    assert "Print the link instead" in line


def test_with_the_broker_down_the_page_answers_at_once_and_the_sweep_sends_the_email_later(
    as_bob: Client,
    invitations: Invitations,
    mail_server: Mailbox,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    celery_app._pool = None
    try:
        started = time.monotonic()
        page = invite_by_email(as_bob, invitations, django_capture_on_commit_callbacks)
        answered_in = time.monotonic() - started
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
        celery_app._pool = None

    assert "The link is on its way" in page
    assert answered_in < 5
    assert mail_server.received == []
    assert "waiting to be sent" in status_line(page)

    celery_app.conf.task_always_eager = True
    try:
        settings.EMAIL_SWEEP_GRACE_SECONDS = 0
        assert mail.sweep_outbox() == 1
    finally:
        celery_app.conf.task_always_eager = previous[0]
    assert len(mail_server.wait_for(1)) == 1
    assert mail.sweep_outbox() == 0, "a sent email is never handed on again"
    assert len(mail_server.received) == 1


def test_an_email_handed_on_twice_is_sent_once(
    invitations: Invitations, sunrise: Provider, mail_server: Mailbox
) -> None:
    email = mail.queue_email(provider=sunrise, to="dev@example.org", subject="Hello", body="Hi")
    assert mail.deliver(email_id=email.pk).delivery is mail.Delivery.SENT
    assert mail.deliver(email_id=email.pk).delivery is mail.Delivery.NOTHING_TO_DO
    assert len(mail_server.wait_for(1)) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_and_tries_again_when_the_server_is_busy(
    as_bob: Client,
    invitations: Invitations,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.test_pdf_worker import require_postgres_url, test_database_url

    require_postgres_url()
    with smtp_server(refuse=1) as mailbox:
        worker_env = {
            "DATABASE_URL": test_database_url(settings),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_RETRY_SECONDS": "1",
        }
        with running_worker(extra_env=worker_env) as queue:
            settings.MAIL_QUEUE = queue
            started = time.monotonic()
            as_bob.post(invitations.create_url, {"delivery": "email"})
            answered_in = time.monotonic() - started
            (message,) = mailbox.wait_for(1)
            email = OutgoingEmail.objects.get()
            deadline = time.monotonic() + 30
            while email.status == OutgoingEmail.Status.QUEUED and time.monotonic() < deadline:
                time.sleep(0.1)
                email.refresh_from_db()
    assert answered_in < 5
    assert mailbox.refused == 1
    assert message["To"] == "dev@example.org"
    assert Client().post(urlsplit(the_link_in(message)).path).status_code == 302
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_invitations_page_shows_each_email_as_sent_waiting_or_not_sent(
    browser_page: Any, sunrise: Provider, bob: User, dev: User
) -> None:
    from tests.browser import assert_accessible, screenshot, sign_in

    stage = f.make_stage(role=f.make_role(provider=sunrise), name="Values interview")
    assessment = f.make_assessment(application=f.make_application(role=stage.role), stage=stage)
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    statuses = {
        "Dev Raman": (OutgoingEmail.Status.SENT, "dev@example.org"),
        "Rosa Lind": (OutgoingEmail.Status.QUEUED, "rosa@example.org"),
        "Sam Okoye": (OutgoingEmail.Status.FAILED, "sam@example.org"),
    }
    users = {"Dev Raman": dev}
    for name in ("Rosa Lind", "Sam Okoye"):
        users[name] = f.make_member(
            provider=sunrise, role=Membership.Role.PANEL, full_name=name, expert=True
        )
    for name, (status, address) in statuses.items():
        place = f.make_panellist(
            assessment=assessment,
            user=users[name],
            panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
        )
        issued = f.make_invitation(panellist=place, created_by=bob)
        OutgoingEmail.objects.create(
            provider=sunrise,
            invitation=issued.invitation,
            to_address=address,
            subject="Your panel",
            status=status,
            sent_at=timezone.now() if status == OutgoingEmail.Status.SENT else None,
        )

    page = browser_page
    sign_in(page, "bob", f.PASSWORD)
    page.goto(reverse("invitation-list", args=["sunrise", assessment.pk]))
    rows = {name: page.get_by_role("row").filter(has_text=name).inner_text() for name in statuses}
    assert "Email to dev@example.org: sent" in rows["Dev Raman"]
    assert "Email to rosa@example.org: waiting to be sent" in rows["Rosa Lind"]
    assert (
        "Email to sam@example.org: could not be sent. Print the link instead."
        in (rows["Sam Okoye"])
    )
    assert_accessible(page)
    screenshot(page, "invitations-email-status-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "invitations-email-status-390")
