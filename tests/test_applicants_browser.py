"""A candidate's journey on a phone (390×844): find the vacancy, apply, read the
acknowledgement from a real SMTP server, book a time from their own page; then the manager
sees the application with its source and answers. axe-core checks every page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD
from tests.servers import smtp_server
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants import forms as applicant_forms
from vbr.applicants.models import Slot
from vbr.celery import app as celery_app
from vbr.recruitment.models import Assessment, Indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def phone_page(chromium: Any, live_server: Any) -> Any:
    context = chromium.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def test_a_candidate_finds_the_job_applies_on_a_phone_hears_back_and_books_a_time(
    chromium: Any,
    live_server: Any,
    sunrise: Provider,
    bob: User,
    settings: Any,
    eager_tasks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A person in a test types faster than any person: the time check is not what is tested.
    monkeypatch.setattr(applicant_forms, "MIN_SECONDS_TO_APPLY", 0)
    role = f.make_role(provider=sunrise, title="Night care assistant")
    stage = f.make_stage(role=role, name="Values interview")
    dignity = f.make_value(provider=sunrise, name="Dignity")
    Indicator.objects.create(core_value=dignity, text="Knocks and waits before going in")
    vacancy = f.make_vacancy(role=role)
    vacancy.questions.create(core_value=dignity, prompt="What does dignity mean to you?")
    slot = Slot.objects.create(
        provider=sunrise,
        stage=stage,
        starts_at=(timezone.now() + timedelta(days=4)).replace(hour=10, minute=0),
        place="Rose House, 4 Mill Lane",
    )
    slot.panel.set(Membership.objects.filter(user=bob))

    with smtp_server() as mailbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
        settings.EMAIL_USE_TLS = False
        page = phone_page(chromium, live_server)

        page.goto("/jobs/sunrise/")
        assert_accessible(page)
        page.get_by_role("link", name="Night care assistant").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Night care assistant").is_visible()
        assert page.get_by_text("Knocks and waits before going in").is_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, "applicants-vacancy-phone")

        page.get_by_role("link", name="Apply for this job").first.click()
        page.wait_for_load_state()
        assert_accessible(page)
        page.get_by_label("First name").fill("Siân")
        page.get_by_label("Last name").fill("ap Gruffydd")
        page.get_by_label("Email address").fill("sian@example.org")
        page.get_by_label("How did you hear about this job?").select_option(
            label="Someone who works here recommended me"
        )
        page.get_by_label("Name of the person who recommended you").fill("Grace Obi")
        page.get_by_label("When can you work?").fill("Any nights, not Sundays")
        page.get_by_label("1. What does dignity mean to you?").fill(
            "Knocking before I go in, and asking how someone likes things done."
        )
        page.get_by_label("I have read how my information will be used").check()
        no_sideways_scroll(page)
        screenshot(page, "applicants-apply-phone")
        page.get_by_role("button", name="Send my application").click()
        page.wait_for_load_state()

        # Times are offered at the first stage: the page asks them to choose one.
        assert page.get_by_role(
            "heading", name="Please choose a time for your values interview."
        ).is_visible()
        assert_accessible(page)

        deadline = time.monotonic() + 15
        while not mailbox.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mailbox.received, "no acknowledgement reached the mail server"
        message = mailbox.received[0]
        assert message["Subject"] == "We have your application for Night care assistant"
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        link = re.search(r"http://\S+/application/\S+/", body)
        assert link, body

        page.goto(link.group(0))
        page.get_by_label(re.compile("Rose House, 4 Mill Lane")).check()
        page.get_by_role("button", name="Book this time").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Your values interview is booked.").is_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, "applicants-status-phone")
        page.context.close()

    assessment = Assessment.objects.get()
    assert list(assessment.panellists.values_list("user__username", flat=True)) == ["bob"]

    manager = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    staff_page = manager.new_page()
    sign_in(staff_page, "bob", PASSWORD)
    staff_page.goto(assessment.application.get_absolute_url())
    assert staff_page.get_by_text("via referral by staff").is_visible()
    assert staff_page.get_by_text("Grace Obi").is_visible()
    assert staff_page.get_by_text("Knocking before I go in").is_visible()
    assert staff_page.get_by_text("Application received by email").is_visible()
    assert_accessible(staff_page)
    screenshot(staff_page, "applicants-manager-application")
    manager.close()
