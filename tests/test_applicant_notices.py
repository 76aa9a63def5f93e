"""Notices to candidates: the words of each, the email through a real SMTP server, text
messages through GOV.UK Notify's API (a local stub server standing in for it: success,
refusal, a failure that passes on retry, the service unreachable), the log on the
application, and nothing sent once the candidate withdraws or is anonymised."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.servers import free_port, smtp_server
from vbr.accounts.models import Provider, User
from vbr.applicants import notices
from vbr.applicants.forms import _STARTED_SALT
from vbr.applicants.models import Notice, Vacancy
from vbr.privacy.workflow import anonymise_candidate
from vbr.recruitment.models import Application

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def vacancy(sunrise: Provider) -> Vacancy:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role)
    return f.make_vacancy(role=role)


def apply(vacancy: Vacancy, capture: Any, **changes: str) -> tuple[Application, str]:
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
    assert response.status_code == 302
    return Application.objects.get(), response["Location"]


# -- The words and the email -----------------------------------------------------------------


def test_the_acknowledgement_reaches_a_real_mail_server_with_the_candidates_own_link(
    vacancy: Vacancy, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, location = apply(vacancy, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(channel=Notice.Channel.EMAIL)
    with smtp_server() as mailbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
        settings.EMAIL_USE_TLS = False
        assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT
    message = mailbox.received[0]
    assert message["To"] == "sian@example.org"
    assert message["Subject"] == "We have your application for Night care assistant"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert body.startswith("Hello Siân,")
    assert "Thank you for applying to Sunrise Care for the job of Night care assistant." in body
    assert f"http://testserver{location}" in body
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.body) == (Notice.Status.SENT, 1, "")


def test_no_text_message_unless_the_candidate_agreed(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any
) -> None:
    apply(vacancy, django_capture_on_commit_callbacks)
    assert list(Notice.objects.values_list("channel", flat=True)) == [Notice.Channel.EMAIL]


def test_a_text_message_when_agreed_says_the_same_in_short(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any
) -> None:
    _, location = apply(vacancy, django_capture_on_commit_callbacks, texts_agreed="on", email="")
    sms = Notice.objects.get()
    assert sms.channel == Notice.Channel.SMS
    assert sms.to_address == "07700 900123"
    assert sms.body == (
        "Sunrise Care: we have your application for Night care assistant. We will contact "
        f"you within a few days.\nYour page: http://testserver{location}"
    )


def test_the_withdrawal_is_confirmed_and_waiting_notices_are_stopped(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any
) -> None:
    _, location = apply(vacancy, django_capture_on_commit_callbacks)
    received = Notice.objects.get()
    token = location.split("/")[2]
    with django_capture_on_commit_callbacks(execute=False):
        Client().post(reverse("candidate-withdraw", args=[token]), {"reason": ""})

    assert notices.deliver(notice_id=received.pk).delivery is notices.Delivery.STOPPED
    withdrawn = Notice.objects.get(kind=Notice.Kind.WITHDRAWN)
    assert notices.deliver(notice_id=withdrawn.pk).delivery is notices.Delivery.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "You have withdrawn your application for Night care assistant"
    assert "We will not contact you about this job again." in mail.outbox[0].body
    received.refresh_from_db()
    assert (received.status, received.body) == (Notice.Status.STOPPED, "")


def test_nothing_is_sent_to_an_anonymised_candidate(
    vacancy: Vacancy, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks)
    anonymise_candidate(candidate=application.candidate, by=alice)
    notice = Notice.objects.get()
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.STOPPED
    assert mail.outbox == []
    # Anonymising blanked the address and the words.
    notice.refresh_from_db()
    assert (notice.to_address, notice.body) == ("", "")


def test_notices_are_handed_to_the_worker_only_after_commit(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[list[int]] = []
    monkeypatch.setattr(notices, "hand_to_worker", handed.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Client().post(
            reverse("vacancy-apply", args=["sunrise", vacancy.pk]),
            {
                "first_name": "Siân",
                "last_name": "Evans",
                "email": "sian@example.org",
                "source": "website",
                "availability": "Nights",
                "privacy": "on",
                "started": signing.dumps(time.time() - 60, salt=_STARTED_SALT),
            },
        )
    assert callbacks
    assert handed == [[Notice.objects.get().pk]]


def test_the_manager_sees_each_message_and_how_its_sending_went(
    vacancy: Vacancy, bob: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    application, _ = apply(vacancy, django_capture_on_commit_callbacks, texts_agreed="on")
    settings.SMS_BACKEND = "vbr.applicants.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = f"vbr-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
    for notice in Notice.objects.all():
        notices.deliver(notice_id=notice.pk)
    page = signed_in(bob).get(application.get_absolute_url()).content.decode()
    assert "Application received by email" in page
    assert "<strong>sent</strong>" in page
    assert "Application received by text message" in page
    assert "(tried 1 time, trying again)" in page
    assert "GOV.UK Notify unreachable" in page


# -- GOV.UK Notify, against a local stub server ----------------------------------------------


@dataclass
class NotifyStub:
    """Answers POST /v2/notifications/sms with the next of `answers` (status, body)."""

    port: int
    answers: list[tuple[int, dict[str, Any]]]
    received: list[dict[str, Any]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                stub.received.append(
                    {
                        "path": self.path,
                        "authorization": self.headers["Authorization"],
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status, body = stub.answers.pop(0)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def notify(settings: Any) -> Iterator[NotifyStub]:
    stub = NotifyStub(port=free_port(), answers=[])
    server = ThreadingHTTPServer(("127.0.0.1", stub.port), stub.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "vbr.applicants.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = f"vbr_live-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{stub.port}"
    settings.NOTICE_RETRY_SECONDS = 0
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def sms_notice(vacancy: Vacancy, capture: Any) -> Notice:
    apply(vacancy, capture, texts_agreed="on", email="")
    return Notice.objects.get()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_a_text_message_is_sent_through_notify_with_a_signed_token(
    vacancy: Vacancy, notify: NotifyStub, django_capture_on_commit_callbacks: Any
) -> None:
    notice = sms_notice(vacancy, django_capture_on_commit_callbacks)
    body = notice.body
    notify.answers.append((201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}))

    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT

    request = notify.received[0]
    assert request["path"] == "/v2/notifications/sms"
    assert request["json"] == {
        "phone_number": "07700 900123",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "personalisation": {"body": body},
    }
    token = request["authorization"].removeprefix("Bearer ")
    header, claims, signature = token.split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert _unb64(signature) == expected
    assert json.loads(_unb64(header)) == {"typ": "JWT", "alg": "HS256"}
    issued = json.loads(_unb64(claims))
    assert issued["iss"] == SERVICE_ID
    assert abs(issued["iat"] - time.time()) < 30
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.body) == (Notice.Status.SENT, 1, "")


def test_a_number_notify_refuses_is_given_up_at_once_with_its_reason(
    vacancy: Vacancy, notify: NotifyStub, django_capture_on_commit_callbacks: Any
) -> None:
    notice = sms_notice(vacancy, django_capture_on_commit_callbacks)
    notify.answers.append(
        (
            400,
            {
                "status_code": 400,
                "errors": [
                    {"error": "ValidationError", "message": "phone_number Not a UK mobile number"}
                ],
            },
        )
    )
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.GAVE_UP
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED
    assert notice.error == "SmsFailed: GOV.UK Notify 400: phone_number Not a UK mobile number"
    assert notice.body == ""


def test_notify_down_is_retried_and_the_message_goes_on_the_next_attempt(
    vacancy: Vacancy, notify: NotifyStub, django_capture_on_commit_callbacks: Any
) -> None:
    notice = sms_notice(vacancy, django_capture_on_commit_callbacks)
    notify.answers += [
        (500, {"errors": [{"error": "Exception", "message": "Internal server error"}]}),
        (429, {"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]}),
        (201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}),
    ]
    first = notices.deliver(notice_id=notice.pk)
    assert first.delivery is notices.Delivery.RETRY and first.retry_at is not None
    notice.refresh_from_db()
    assert notice.status == Notice.Status.QUEUED
    assert "500" in notice.error
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.RETRY
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 3)
    assert len(notify.received) == 3


def test_after_the_last_attempt_a_failing_notice_is_given_up(
    vacancy: Vacancy,
    notify: NotifyStub,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTICE_MAX_ATTEMPTS = 2
    notice = sms_notice(vacancy, django_capture_on_commit_callbacks)
    notify.answers += [(503, {}), (503, {})]
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.RETRY
    assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.GAVE_UP
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED


def test_the_sweep_hands_on_notices_the_broker_lost(
    vacancy: Vacancy,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply(vacancy, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    handed: list[list[int]] = []
    monkeypatch.setattr(notices, "hand_to_worker", lambda ids: handed.append(ids) or len(ids))
    assert notices.sweep_notices(now=timezone.now()) == 0
    assert notices.sweep_notices(now=timezone.now() + timedelta(minutes=5)) == 1
    assert handed[-1] == [notice.pk]
