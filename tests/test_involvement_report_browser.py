"""In a real browser, at a desktop's and a phone's width: an admin reads the involvement
report per service, and a manager prints an easy-read letter telling an expert by experience
of a decision that went against the experts, then marks it given. axe-core on every page,
no sideways scrolling, and a screenshot of each."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from tests.test_involvement_report import Example
from vbr.accounts.models import Membership

WIDTHS = (1280, 390)


def no_sideways_scrolling(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.browser
def test_the_involvement_report_and_a_letter_at_desktop_and_phone_widths(
    transactional_db: None, browser_page: Any
) -> None:
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=sunrise, role=Membership.Role.ADMIN, username="alice")
    bob = f.make_member(
        provider=sunrise, role=Membership.Role.MANAGER, username="bob", full_name="Bob Okafor"
    )
    example = Example(sunrise, bob)
    page = browser_page
    period = f"?date_from={example.period.date_from}&date_to={example.period.date_to}"

    sign_in(page, "alice", f.PASSWORD)
    page.goto("/p/sunrise/reports/")
    page.get_by_role("link", name="Involvement of people who draw on care").first.click()
    assert "Sunrise House" in page.inner_text("main")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/p/sunrise/reports/involvement/{period}")
        table = page.get_by_role(
            "table", name="Recruitments where people who draw on care took part, by step"
        )
        rows = table.locator("tbody tr")
        assert rows.nth(0).inner_text().split("\t")[:4] == ["Sunrise House", "5", "5", "100.0"]
        assert "Sunrise Lodge" in rows.nth(1).inner_text()
        assert "Not for one assessment" in page.inner_text("main")
        assert_accessible(page)
        no_sideways_scrolling(page)
        screenshot(page, f"involvement-report-{width}")

    page.goto("/p/sunrise/involvement/letters/")
    page.get_by_role("link", name="Letter to Dev Raman about H5 (Care assistant)").click()
    letter = page.get_by_role("article")
    text = letter.inner_text()
    assert "H5 did not get the job of Care assistant." in text
    assert "You said yes: you would like them to work here." in text
    assert "This is why: The manager's reason." in text
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert_accessible(page)
        no_sideways_scrolling(page)
        screenshot(page, f"decision-letter-{width}")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print").is_visible()
    screenshot(page, "decision-letter-print")
    page.emulate_media(media="screen")

    page.get_by_role("button", name="I have given or posted this letter").click()
    assert "is marked as given" in page.inner_text("main")
    to_print = page.inner_text("main").split("Messages to experts by experience")[0]
    assert "about H5" not in to_print
    assert_accessible(page)
    no_sideways_scrolling(page)
    screenshot(page, "decision-letters-390")
