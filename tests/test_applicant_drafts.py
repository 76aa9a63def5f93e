"""Save and come back: a candidate saves the application part-way, gets a link by email (read
from a real SMTP server), comes back to what they typed and sends it. The link's rules: it
ends with the provider's days to keep a draft, a wrong token is a 404, one candidate's link
never opens another's draft, and nothing of a draft is seen by staff until it is sent. The
daily sweep deletes drafts nobody finished."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.servers import Mailbox, smtp_server
from vbr.accounts import mail
from vbr.accounts.models import OutgoingEmail, Provider
from vbr.applicants import drafts
from vbr.applicants.forms import _STARTED_SALT
from vbr.applicants.models import ApplicantSettings, ApplicationDraft, Notice, Vacancy
from vbr.recruitment.models import Application


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def vacancy(sunrise: Provider) -> Vacancy:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role)
    return f.make_vacancy(role=role, questions=1)


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    with smtp_server() as box:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_USE_TLS = False
        yield box


def apply_url(vacancy: Vacancy) -> str:
    return reverse("vacancy-apply", args=[vacancy.provider.slug, vacancy.pk])


def answer_field(vacancy: Vacancy) -> str:
    return f"answer_{vacancy.questions.get().pk}"


def save_part_way(
    vacancy: Vacancy, capture: Any, *, email: str = "sian@example.org", **typed: str
) -> Any:
    data = {
        "first_name": "Siân",
        "email": email,
        "availability": "Nights, not Sundays",
        answer_field(vacancy): "I sat with my neighbour every day after her fall.",
        "save_for_later": "1",
        **typed,
    }
    with capture(execute=False):
        return Client().post(apply_url(vacancy), data)


def link_from(mailbox: Mailbox) -> str:
    """Send the waiting email through the real SMTP server; the link it carries (a path)."""
    email = OutgoingEmail.objects.get(status=OutgoingEmail.Status.QUEUED)
    assert mail.deliver(email_id=email.pk).delivery is mail.Delivery.SENT
    body = mailbox.received[-1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"http://testserver(/jobs/\S+/)", body)
    assert found, body
    return found.group(1)


def test_saving_part_way_emails_a_link_that_brings_back_what_was_typed(
    vacancy: Vacancy, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    response = save_part_way(vacancy, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    saved = Client().get(response["Location"])
    assert "We are emailing you a link to come back to your application" in saved.text
    assert "It works for 14 days." in saved.text

    path = link_from(mailbox)
    message = mailbox.received[-1]
    assert message["To"] == "sian@example.org"
    assert message["Subject"] == "Your saved application for Night care assistant"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert body.startswith("Hello Siân,")
    assert "Nothing has been sent to Sunrise Care yet" in body
    # Only a keyed hash of the link is kept.
    token = path.rstrip("/").split("/")[-1]
    assert token not in str(ApplicationDraft.objects.values_list("token_hash", "answers").get())

    page = Client().get(path)
    assert page.status_code == 200
    assert "Welcome back. Here is what you saved." in page.text
    assert 'value="Siân"' in page.text
    assert "Nights, not Sundays" in page.text
    assert "I sat with my neighbour every day after her fall." in page.text
    assert "no-store" in page["Cache-Control"]


def test_saving_needs_an_email_address_and_keeps_what_was_typed(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any
) -> None:
    response = save_part_way(vacancy, django_capture_on_commit_callbacks, email="")
    assert response.status_code == 200
    assert "To save your application for later, give your email address" in response.text
    assert "Nights, not Sundays" in response.text
    assert "Write an answer to this question." not in response.text
    assert not ApplicationDraft.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_sending_the_saved_application_makes_it_and_deletes_the_draft(
    vacancy: Vacancy, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    save_part_way(vacancy, django_capture_on_commit_callbacks)
    path = link_from(mailbox)
    finished = {
        "first_name": "Siân",
        "last_name": "Evans",
        "email": "sian@example.org",
        "source": "website",
        "availability": "Nights, not Sundays",
        answer_field(vacancy): "I sat with my neighbour every day after her fall.",
        "privacy": "on",
        "started": signing.dumps(time.time() - 60, salt=_STARTED_SALT),
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = Client().post(path, finished)
    assert response.status_code == 302
    assert response["Location"].startswith("/application/")
    application = Application.objects.get()
    assert application.candidate.full_name == "Siân Evans"
    assert application.online.answers.get().answer.startswith("I sat with my neighbour")
    assert Notice.objects.filter(kind=Notice.Kind.RECEIVED).exists()
    assert not ApplicationDraft.objects.exists()
    # Nor is the address kept in the outbox with the email that carried the link.
    assert not OutgoingEmail.objects.exists()
    # The link has done its work.
    assert Client().get(path).status_code == 404


def test_saving_again_from_the_link_keeps_the_same_link_and_sends_no_new_email(
    vacancy: Vacancy, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    save_part_way(vacancy, django_capture_on_commit_callbacks)
    path = link_from(mailbox)
    with django_capture_on_commit_callbacks(execute=False):
        response = Client().post(
            path,
            {"first_name": "Siân", "last_name": "Evans", "save_for_later": "1"},
            follow=True,
        )
    assert "Saved. Come back by the link in our email to finish it" in response.text
    assert 'value="Evans"' in response.text
    assert OutgoingEmail.objects.count() == 1
    assert ApplicationDraft.objects.get().answers["last_name"] == "Evans"


def test_the_link_ends_with_the_providers_days_and_the_sweep_deletes_the_draft(
    vacancy: Vacancy, sunrise: Provider, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    ApplicantSettings.objects.create(provider=sunrise, draft_days=3)
    save_part_way(vacancy, django_capture_on_commit_callbacks)
    draft = ApplicationDraft.objects.get()
    assert timedelta(days=3) - (draft.expires_at - timezone.now()) < timedelta(minutes=1)
    path = link_from(mailbox)
    fresh = save_part_way(vacancy, django_capture_on_commit_callbacks, email="rhys@example.org")
    assert fresh.status_code == 302

    ApplicationDraft.objects.filter(pk=draft.pk).update(expires_at=timezone.now())
    ended = Client().get(path)
    assert ended.status_code == 410
    assert "This link has ended" in ended.text
    assert drafts.delete_expired_drafts() == 1
    assert list(ApplicationDraft.objects.values_list("email", flat=True)) == ["rhys@example.org"]
    assert list(OutgoingEmail.objects.values_list("to_address", flat=True)) == ["rhys@example.org"]
    assert Client().get(path).status_code == 404


def test_a_wrong_token_or_another_vacancy_opens_nothing(
    vacancy: Vacancy, sunrise: Provider, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    save_part_way(vacancy, django_capture_on_commit_callbacks)
    path = link_from(mailbox)
    token = path.rstrip("/").split("/")[-1]
    wrong = reverse("vacancy-apply-resume", args=["sunrise", vacancy.pk, token[:-2] + "xy"])
    assert Client().get(wrong).status_code == 404
    other = f.make_vacancy(role=f.make_role(provider=sunrise, title="Cook"))
    elsewhere = reverse("vacancy-apply-resume", args=["sunrise", other.pk, token])
    assert Client().get(elsewhere).status_code == 404
    hillside = f.make_provider(name="Hillside", slug="hillside-two")
    hill_vacancy = f.make_vacancy(role=f.make_role(provider=hillside))
    across = reverse("vacancy-apply-resume", args=["hillside-two", hill_vacancy.pk, token])
    assert Client().get(across).status_code == 404


def test_one_candidates_link_never_opens_anothers_draft(
    vacancy: Vacancy, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    save_part_way(vacancy, django_capture_on_commit_callbacks)
    sian = link_from(mailbox)
    save_part_way(
        vacancy, django_capture_on_commit_callbacks, email="rhys@example.org", first_name="Rhys"
    )
    rhys = link_from(mailbox)
    assert sian != rhys
    assert 'value="Siân"' in Client().get(sian).text
    page = Client().get(rhys).text
    assert 'value="Rhys"' in page and "Siân" not in page


def test_staff_never_see_a_draft_until_it_is_sent(
    vacancy: Vacancy, as_alice: Client, django_capture_on_commit_callbacks: Any
) -> None:
    save_part_way(vacancy, django_capture_on_commit_callbacks, first_name="Gwenllian")
    assert ApplicationDraft.objects.exists()
    for name in ("application-list", "provider-home"):
        page = as_alice.get(reverse(name, args=["sunrise"]))
        assert page.status_code == 200
        assert "Gwenllian" not in page.text
    assert not Application.objects.exists()


def test_a_script_filling_the_hidden_box_saves_nothing(
    vacancy: Vacancy, django_capture_on_commit_callbacks: Any
) -> None:
    response = save_part_way(vacancy, django_capture_on_commit_callbacks, website="http://spam")
    assert response.status_code == 302
    assert not ApplicationDraft.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_saving_counts_towards_the_addresss_hourly_limit(
    vacancy: Vacancy, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for number in range(5):
        assert (
            save_part_way(
                vacancy, django_capture_on_commit_callbacks, email=f"p{number}@example.org"
            ).status_code
            == 302
        )
    refused = save_part_way(vacancy, django_capture_on_commit_callbacks, email="p6@example.org")
    assert refused.status_code == 429
    assert "Nights, not Sundays" in refused.text
    assert ApplicationDraft.objects.count() == 5
