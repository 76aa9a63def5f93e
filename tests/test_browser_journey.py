"""The main journey of a values-based recruitment, in a real browser, with an axe-core check on
every page visited: a manager sets up a role from the starter values, adds a candidate,
schedules an interview with a panel of two in one form; both score independently; the debrief
shows the disagreement; the manager records a decision (against the expert by experience, so
with a reason)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in, sign_out
from vbr.accounts.models import Membership
from vbr.recruitment.models import Application, Assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Any, question: int, level: str, evidence: str) -> None:
    section = page.locator("section.criterion").nth(question)
    section.get_by_label(level).check()
    section.get_by_label("Evidence: what did you see or hear?").fill(evidence)


def check(page: Any) -> None:
    """Every page on the journey: no serious or critical accessibility violation."""
    assert_accessible(page)


def test_values_based_recruitment_from_setup_to_decision(browser_page: Any) -> None:
    page = browser_page
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    f.make_member(
        provider=sunrise,
        username="dev",
        full_name="Dev Raman",
        role=Membership.Role.PANEL,
        expert=True,
    )

    # -- Set up: starter values, a role with an interview and a shadowing stage ----------------
    sign_in(page, "bob", f.PASSWORD)
    check(page)
    page.get_by_role("link", name="Values").click()
    page.get_by_role("button", name="Copy the starter set").click()
    check(page)
    page.goto("/p/sunrise/")
    page.get_by_role("link", name="New role").click()
    check(page)
    page.fill("#id_title", "Care assistant")
    page.get_by_role("button", name="Create role").click()
    page.get_by_role("link", name="Add a stage").click()
    check(page)
    page.fill("#id_name", "Values interview")
    page.get_by_role("button", name="Save stage").click()
    for prompt, value in (
        ("Tell us about a time you protected someone's dignity.", "Dignity and respect"),
        ("Describe a time you noticed someone was upset.", "Compassion"),
    ):
        page.get_by_role("link", name="Add a criterion to Values interview").click()
        page.fill("#id_prompt", prompt)
        page.select_option("#id_core_value", label=value)
        page.get_by_role("button", name="Save criterion").click()
    check(page)
    page.get_by_role("link", name="Add a stage").click()
    page.fill("#id_name", "Shadowing")
    page.select_option("#id_kind", "shadowing")
    page.get_by_role("button", name="Save stage").click()
    page.get_by_role("button", name="Add the observed behaviours from the starter set").click()
    assert page.is_visible("text=Values no stage covers")
    check(page)

    # -- A candidate, an interview, a panel of two ---------------------------------------------
    page.get_by_role("link", name="Candidates").click()
    page.get_by_role("link", name="Add candidate").click()
    check(page)
    page.fill("#id_first_name", "Chloe")
    page.fill("#id_last_name", "Davies")
    page.fill("#id_email", "chloe@example.org")
    page.select_option("#id_role", label="Care assistant")
    page.click("main form button[type=submit]")
    assert page.locator("h1").inner_text() == "Chloe Davies"
    check(page)
    page.get_by_role("link", name="Schedule an assessment").click()
    check(page)
    page.fill("#id_date", "2030-03-05")
    page.fill("#id_time", "10:30")
    page.fill("#id_place", "Garden room")
    # Bob, scheduling, starts ticked as the chair; Dev sits as an expert by experience.
    assert page.get_by_role("checkbox", name="Bob Okafor").is_checked()
    page.get_by_role("checkbox", name="Dev Raman").check()
    page.click("main form button[type=submit]")
    assert "Tuesday 5 March 2030, 10:30" in page.content()
    assert "with a panel of 2: Bob Okafor (chair), Dev Raman (expert by experience)" in (
        page.content()
    )
    check(page)
    assessment = Assessment.objects.get(application__candidate__first_name="Chloe")
    assert assessment.panellists.count() == 2

    # -- Bob scores first ----------------------------------------------------------------------
    page.get_by_role("link", name="Your scorecard").click()
    check(page)
    answer(page, 0, "4 — Strong evidence", "BOB: closed the door and asked before helping")
    answer(page, 1, "4 — Strong evidence", "BOB: sat with a resident who was upset")
    page.get_by_label("Strong yes").check()
    page.get_by_role("button", name="Submit scorecard").click()
    assert "1 of 2 scorecards submitted" in page.content()
    check(page)
    sign_out(page)

    # -- Dev sees nothing of Bob's before submitting -------------------------------------------
    sign_in(page, "dev", f.PASSWORD)
    page.get_by_role("link", name="debrief").click()
    assert "Please submit your own scorecard first" in page.content()
    assert "BOB:" not in page.content()
    check(page)
    page.get_by_role("link", name="Go to your scorecard").click()
    assert "BOB:" not in page.content()
    check(page)
    answer(page, 0, "2 — Some evidence", "DEV: talked about tasks more than people")
    answer(page, 1, "2 — Some evidence", "DEV: did not notice me waiting")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    assert "Panel differs by 2 levels" in page.content()
    assert "BOB: closed the door" in page.content()
    check(page)
    sign_out(page)

    # -- Bob runs the debrief and decides, against the expert by experience ---------------------
    sign_in(page, "bob", f.PASSWORD)
    page.goto(f"/p/sunrise/assessments/{assessment.pk}/debrief/")
    assert "Experts by experience — view: negative" in page.content()
    screenshot(page, "journey-debrief")
    page.get_by_role("link", name="Record a decision").click()
    check(page)
    page.get_by_label("Offer the job").check()
    page.get_by_label("Reasons").fill("Strong, specific examples; references excellent")
    page.get_by_role("button", name="Record decision").click()
    assert "Record why you are deciding otherwise" in page.content()
    assert page.get_by_label("Reasons").input_value().startswith("Strong, specific examples")
    check(page)
    page.get_by_label("Why are you deciding against the experts by experience?").fill(
        "Nerves on the day; Dev agreed to look again at the shadowing stage"
    )
    page.get_by_role("button", name="Record decision").click()
    assert "Decision recorded: Offer the job." in page.content()
    # The application page, with the panel's values profile drawn (checked by axe too).
    assert page.locator("figure.values-profile-chart svg[role=img]").count() == 1
    check(page)
    screenshot(page, "journey-application")
    application = Application.objects.get(candidate__first_name="Chloe")
    assert application.status == Application.Status.OFFERED
    assert application.decisions.get().override_reason.startswith("Nerves on the day")
