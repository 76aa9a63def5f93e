"""A hiring manager's journey in a real browser: add a candidate, schedule their values
interview, build the panel, and see it on the dashboard — checking each page with axe-core."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser import assert_accessible
from vbr.accounts.models import Provider, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        assert_accessible(page, impacts=ALL_IMPACTS)
    except AssertionError as error:
        return [str(error)]
    return []


def test_manager_adds_a_candidate_schedules_and_builds_the_panel(
    live_server,
    browser_page,
    bob: User,
    dev: User,
    sunrise: Provider,  # type: ignore[no-untyped-def]
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", order=2)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")

    page.click("text=Candidates")
    assert axe_violations(page) == []
    page.click("text=Add candidate")
    assert axe_violations(page) == []
    page.fill("#id_first_name", "Zara")
    page.fill("#id_last_name", "Ali")
    page.fill("#id_email", "zara@example.org")
    page.select_option("#id_role", label="Care assistant")
    page.click("main form button[type=submit]")
    assert page.locator("h1").inner_text() == "Zara Ali"
    assert "Move to next stage: Shadowing" in page.content()
    assert axe_violations(page) == []

    page.click("text=Schedule an assessment")
    page.fill("#id_date", "2030-03-05")
    page.fill("#id_time", "10:30")
    page.fill("#id_place", "Garden room")
    page.click("main form button[type=submit]")
    assert "Tuesday 5 March 2030, 10:30" in page.content()

    page.select_option("#id_member", label="Dev Raman (panel member, expert by experience)")
    page.click("text=Add to the panel")
    assert "Dev Raman is on the panel as expert by experience." in page.content()
    # The manager who scheduled starts on the panel as chair (the scheduling form's default).
    rows = [row.split("\t")[:3] for row in page.locator("table tbody tr").all_inner_texts()]
    assert sorted(rows) == [
        ["Bob Okafor", "Chair", "Not started"],
        ["Dev Raman", "Expert by experience", "Not started"],
    ]
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/p/{sunrise.slug}/")
    assert "Waiting for a decision" in page.content()
    assert axe_violations(page) == []
