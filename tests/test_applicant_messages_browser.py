"""In a browser: a candidate on a phone (390×844) saves their application part-way, reads
the link from a real SMTP server, comes back to what they typed and sends it; a manager
rewrites the "not this time" message, is told about a word that cannot be filled, previews
the words and saves them, on a laptop and on a phone. axe-core checks every page; no page
scrolls sideways on the phone; no Content-Security-Policy violation."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD
from tests.servers import smtp_server
from vbr.accounts.models import Provider, User
from vbr.applicants import forms as applicant_forms
from vbr.applicants.models import ApplicationDraft, NoticeWording
from vbr.celery import app as celery_app
from vbr.recruitment.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def new_page(chromium: Any, live_server: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    context = chromium.new_context(
        viewport=viewport, base_url=live_server.url, is_mobile=viewport == PHONE
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    return page, problems


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def test_a_candidate_saves_on_a_phone_comes_back_by_email_and_sends_it(
    chromium: Any,
    live_server: Any,
    sunrise: Provider,
    settings: Any,
    eager_tasks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(applicant_forms, "MIN_SECONDS_TO_APPLY", 0)
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Values interview")
    vacancy = f.make_vacancy(role=role)
    vacancy.questions.create(
        core_value=f.make_value(provider=sunrise, name="Dignity"),
        prompt="What does dignity mean to you?",
    )
    with smtp_server() as mailbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
        settings.EMAIL_USE_TLS = False
        page, problems = new_page(chromium, live_server, PHONE)

        page.goto(f"/jobs/sunrise/{vacancy.pk}/apply/")
        page.get_by_label("First name").fill("Siân")
        page.get_by_label("Email address").fill("sian@example.org")
        page.get_by_label("1. What does dignity mean to you?").fill("Knocking before I go in.")
        page.get_by_role("button", name="Save and finish later").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Saved").is_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, "applicant-draft-saved-phone")
        assert not Application.objects.exists()

        deadline = time.monotonic() + 15
        while not mailbox.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mailbox.received, "no link reached the mail server"
        body = mailbox.received[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
        link = re.search(r"http://\S+/jobs/sunrise/\d+/apply/\S+/", body)
        assert link, body

        page.goto(link.group(0))
        assert page.get_by_text("Welcome back. Here is what you saved.").is_visible()
        assert page.get_by_label("First name").input_value() == "Siân"
        assert (
            page.get_by_label("1. What does dignity mean to you?").input_value()
            == "Knocking before I go in."
        )
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, "applicant-draft-back-phone")
        page.get_by_label("Last name").fill("ap Gruffydd")
        page.get_by_label("How did you hear about this job?").select_option(label="Jobcentre")
        page.get_by_label("When can you work?").fill("Any nights")
        page.get_by_label("I have read how my information will be used").check()
        page.get_by_role("button", name="Send my application").click()
        page.wait_for_load_state()
        assert page.get_by_role(
            "heading", name="We have your application for Night care assistant."
        ).is_visible()
        page.context.close()
    assert not problems, problems
    assert Application.objects.get().candidate.full_name == "Siân ap Gruffydd"
    assert not ApplicationDraft.objects.exists()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["laptop", "phone"]
)
def test_an_admin_rewrites_a_message_previews_it_and_saves_it(
    chromium: Any,
    live_server: Any,
    sunrise: Provider,
    alice: User,
    viewport: dict[str, int],
) -> None:
    f.make_role(provider=sunrise, title="Night care assistant")
    page, problems = new_page(chromium, live_server, viewport)
    sign_in(page, "alice", PASSWORD)
    page.goto("/p/sunrise/applicants/messages/")
    screenshot(page, f"notice-wording-list-{viewport['width']}")
    assert page.get_by_role("heading", name="Messages to candidates").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Our default words\W+not this time$")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Not this time: all roles").is_visible()
    assert_accessible(page)

    page.locator("#id_email").fill("Dear {first_name},\n\nThank you. {reason}\n\n{feedback}")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.get_by_text("{reason} is not one of the words in curly brackets").is_visible()
    assert page.locator("#id_email").input_value().startswith("Dear {first_name}")
    assert_accessible(page)

    page.locator("#id_email").fill(
        "Dear {first_name},\n\nThank you for applying for {role}.\n\n{feedback}"
    )
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Thank you for applying for Night care assistant.", exact=True
    ).is_visible()
    assert page.get_by_text("Dear Sam,", exact=True).is_visible()
    assert_accessible(page)
    if viewport == PHONE:
        no_sideways_scroll(page)
    screenshot(page, f"notice-wording-preview-{viewport['width']}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved. Candidates get these words from now on.").is_visible()
    assert NoticeWording.objects.get().email.startswith("Dear {first_name}")
    page.get_by_role("button", name="Go back to our default words").click()
    page.wait_for_load_state()
    assert page.get_by_text("Back to our default wording.").is_visible()
    assert not NoticeWording.objects.exists()
    page.context.close()
    assert not problems, problems
