"""In a real browser: a manager in Wales takes one hire from offer to a complete
safer-recruitment file, with two referees answering through their links on a phone-sized
screen, and an accessibility check (axe-core) on each page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.celery import app as celery_app
from vbr.compliance.models import SaferRecruitmentFile
from vbr.recruitment.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    """The referees' emails go out through the outbox and Celery; with a broker set (as in CI)
    and no worker here, run the tasks in-process so that the email reaches the outbox."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def update(page: Any, name: str, fields: dict[str, str], status: str = "verified") -> None:
    """Open a check from the file page, fill its evidence by field id, verify it."""
    page.get_by_role("link", name=f"Update {name}", exact=True).click()
    for field, value in fields.items():
        locator = page.locator(f"#id_{field}")
        if locator.evaluate("el => el.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    page.locator("#id_status").select_option(status)
    page.get_by_role("button", name="Save").click()
    assert page.is_visible(f"text={name}: saved."), page.content()


def referee_answers(chromium: Any, live_server: Any, body: str, name: str) -> None:
    """The referee opens their link on a phone-sized screen and answers."""
    link = re.search(r"https?://[^/\s]+(/reference/[^\s]+/)", body)
    assert link, body
    phone = chromium.new_context(
        viewport={"width": 375, "height": 740}, base_url=live_server.url, is_mobile=True
    )
    page = phone.new_page()
    page.goto(link.group(1))
    assert page.is_visible("text=Reference for Amira Hussain")
    assert_accessible(page)
    page.fill("#id_employed_from", "2021-03-01")
    page.fill("#id_employed_to", "2025-12-31")
    page.fill("#id_job_title", "Care assistant")
    page.fill("#id_conduct", "Kind and reliable; residents asked for her by name.")
    page.fill("#id_reason_for_leaving", "Moved to be nearer her family.")
    page.get_by_label("Yes", exact=True).check()
    page.fill("#id_declaration_name", name)
    page.locator("#id_declaration").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the referee's form is {width}px wide on a 375px screen"
    screenshot(page, f"reference-form-phone-{name.split()[0].lower()}")
    page.get_by_role("button", name="Send the reference").click()
    assert page.is_visible("text=Your reference has been sent")
    assert_accessible(page)
    phone.close()


def test_a_manager_in_wales_takes_a_hire_from_offer_to_a_complete_file(
    browser_page: Any, chromium: Any, live_server: Any
) -> None:
    page = browser_page
    provider = f.make_provider(name="Cartref Care", slug="cartref")
    provider.nation = "wales"
    provider.save()
    bob = f.make_member(provider=provider, username="bob", full_name="Bob Okafor")
    role = f.make_role(provider=provider, title="Home carer")
    role.managers.add(bob.memberships.get())
    candidate = f.make_candidate(provider=provider, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    sign_in(page, "bob", f.PASSWORD)

    page.goto(application.get_absolute_url())
    page.get_by_role("button", name="Safer-recruitment file").click()
    assert page.is_visible("text=Safer-recruitment file opened.")
    assert page.is_visible("text=Wales checklist, version 1")
    assert_accessible(page)

    update(
        page,
        "Proof of identity with a recent photograph",
        {
            "evidence_seen": "Passport, original",
            "seen_on": "2026-03-02",
        },
    )
    update(
        page,
        "Right to work in the UK",
        {
            "right_to_work_method": "share_code",
            "evidence_seen": "Home Office online check",
            "seen_on": "2026-03-02",
            "reference_number": "W4K 9PL 2QX",
        },
    )
    update(
        page,
        "DBS check: the date and any action taken",
        {
            "reference_number": "001234567890",
            "issued_on": "2026-03-05",
            "level": "enhanced_barred",
            "barred_list_result": "clear",
            "decision": "clear",
        },
    )
    assert_accessible(page)
    update(
        page,
        "Qualifications relevant to the role",
        {
            "evidence_seen": "Level 2 Health and Social Care certificate",
            "seen_on": "2026-03-02",
        },
    )
    update(
        page,
        "Health information relevant to the role",
        {
            "evidence_seen": "Health questionnaire after the offer",
            "seen_on": "2026-03-03",
        },
    )
    update(
        page,
        "Registered with Social Care Wales",
        {
            "reference_number": "SCW-0049211",
            "issued_on": "2025-06-01",
            "follow_up_on": "2028-06-01",
        },
    )

    # Employment history: a gap of more than three months needs a written explanation.
    page.get_by_role("link", name="History and gaps").click()
    for employer, started, ended in (
        ("Bryn Care Home", "2021-03-01", "2025-07-31"),
        ("Village Shop", "2025-12-01", ""),
    ):
        page.fill("#id_employer", employer)
        page.fill("#id_started_on", started)
        page.fill("#id_ended_on", ended)
        page.get_by_role("button", name="Add to the history").click()
    assert page.is_visible("text=Gap: 1 August 2025 to 30 November 2025 (122 days)")
    assert_accessible(page)
    page.fill("#id_explanation", "Cared for her mother after an operation.")
    page.get_by_role("button", name="Keep the explanation").click()
    assert page.is_visible("text=Explained: Cared for her mother after an operation.")
    page.get_by_role("link", name="File: Amira Hussain").click()
    update(page, "Full employment history, gaps explained", {"seen_on": "2026-03-03"})

    # References: two, one from the last employer, each answered through its own link.
    page.get_by_role("link", name="Referees").click()
    for name, organisation, last in (
        ("Rhian Evans", "Bryn Care Home", True),
        ("Owen Price", "Village Shop", False),
    ):
        page.fill("#id_referee_name", name)
        page.fill("#id_referee_email", f"{name.split()[0].lower()}@example.org")
        page.fill("#id_referee_organisation", organisation)
        if last:
            page.locator("#id_is_last_employer").check()
        page.get_by_role("button", name="Send the request").click()
        assert page.is_visible(f"text=a personal link was emailed to {name}")
        # Sent by the outbox once the request committed (the body is emptied after sending).
        [email] = [m for m in mail.outbox if m.to == [f"{name.split()[0].lower()}@example.org"]]
        referee_answers(chromium, live_server, str(email.body), name)
    page.reload()
    assert_accessible(page)
    for name in ("Rhian Evans", "Owen Price"):
        section = page.locator("section.card", has_text=name)
        section.locator("input[name=authenticity]").fill("Phoned the employer's published number")
        section.get_by_role("button", name=f"Verify the reference from {name}").click()
        assert page.is_visible(f"text=Reference from {name} verified.")
    page.get_by_role("link", name="File: Amira Hussain").click()
    update(page, "Two written references, one from the last employer", {"seen_on": "2026-03-10"})

    assert page.is_visible("text=Every check is verified or not applicable")
    assert page.is_visible("text=8 of 8")
    page.get_by_role("link", name="Start date").click()
    page.fill("#id_start_date", "2026-03-16")
    page.get_by_role("button", name="Confirm the start date").click()
    assert page.is_visible("text=Start date confirmed.")
    assert page.is_visible("text=Start confirmed for 16 March 2026 by Bob Okafor")
    assert_accessible(page)
    screenshot(page, "safer-recruitment-file-complete")
    file = SaferRecruitmentFile.objects.get(application=application)
    assert file.completed_at is not None and file.start_confirmed_by == bob
