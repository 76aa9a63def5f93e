"""The panel scores independently in a real browser; the manager sees the disagreement at the
debrief and records a decision against the expert by experience, with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in, sign_out
from vbr.accounts.models import Membership
from vbr.recruitment.models import Application, Panellist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Any, question: int, level: str, evidence: str) -> None:
    section = page.locator("section.criterion").nth(question)
    section.get_by_label(level).check()
    section.get_by_label("Evidence: what did you see or hear?").fill(evidence)


def test_panel_scores_independently_and_manager_decides(browser_page: Any) -> None:
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
    role = f.make_role(provider=sunrise, title="Care assistant")
    stage = f.make_stage(role=role)
    f.make_stage(role=role, name="Shadowing", kind="shadowing", order=2)
    for order, name in enumerate(["Dignity and respect", "Compassion"], start=1):
        f.make_criterion(
            stage=stage,
            core_value=f.make_value(provider=sunrise, name=name, order=order),
            prompt=f"Tell us about {name.lower()}.",
            order=order,
        )
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment = f.make_assessment(application=application, stage=stage)
    bob, dev = (m.user for m in sunrise.memberships.order_by("user__username"))
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    scorecard_url = f"/p/sunrise/assessments/{assessment.pk}/scorecard/"
    debrief_url = f"/p/sunrise/assessments/{assessment.pk}/debrief/"

    # Bob scores first: strong evidence on both.
    sign_in(page, "bob", f.PASSWORD)
    page.goto(scorecard_url)
    assert_accessible(page)
    answer(page, 0, "4 — Strong evidence", "BOB: closed the door and asked first")
    answer(page, 1, "4 — Strong evidence", "BOB: sat with a resident who was upset")
    page.get_by_label("Strong yes").check()
    page.get_by_role("button", name="Submit scorecard").click()
    page.wait_for_url(f"**{debrief_url}")
    assert "1 of 2 scorecards submitted" in page.content()
    assert_accessible(page)
    sign_out(page)

    # Dev sees nothing of Bob's before submitting: not on the debrief, not in the scorecard.
    sign_in(page, "dev", f.PASSWORD)
    page.goto(debrief_url)
    assert "Please submit your own scorecard first" in page.content()
    assert "BOB:" not in page.content()
    page.goto(scorecard_url)
    assert "BOB:" not in page.content()
    assert_accessible(page)
    answer(page, 0, "2 — Some evidence", "DEV: talked about tasks more than people")
    answer(page, 1, "2 — Some evidence", "DEV: did not notice me waiting")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    page.wait_for_url(f"**{debrief_url}")
    content = page.content()
    assert "Panel differs by 2 levels" in content
    assert "BOB: closed the door" in content
    assert_accessible(page)
    sign_out(page)

    # Bob decides to offer, against the expert by experience: a reason is required.
    sign_in(page, "bob", f.PASSWORD)
    page.goto(debrief_url)
    assert "Experts by experience — view: negative" in page.content()
    screenshot(page, "debrief-disagreement")
    page.get_by_role("link", name="Record a decision").click()
    assert_accessible(page)
    page.get_by_label("Offer the job").check()
    page.get_by_label("Reasons").fill("Strong examples from Bob; references excellent")
    page.get_by_role("button", name="Record decision").click()
    assert "Record why you are deciding otherwise" in page.content()
    assert (
        page.get_by_label("Reasons").input_value()
        == "Strong examples from Bob; references excellent"
    )
    page.get_by_label("Why are you deciding against the experts by experience?").fill(
        "Nerves on the day; Dev agreed to a second look at shadowing"
    )
    page.get_by_role("button", name="Record decision").click()
    assert "Decision recorded: Offer the job." in page.content()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
