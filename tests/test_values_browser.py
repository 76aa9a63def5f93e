"""The journey of a hiring manager setting up values and a role, in a real browser, with an
accessibility check (axe-core) on each page visited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories as f
from vbr.accounts.models import Provider, User

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("VBR_SCREENSHOTS", "")


@pytest.fixture
def page() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        browser.close()


def check_accessibility(page: Any, name: str) -> None:
    """No axe-core violations; optionally keep a screenshot to look at."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run()).violations")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], name
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_manager_sets_up_values_and_a_role_with_keyboard_reachable_pages(
    live_server: Any, page: Any, sunrise: Provider, bob: User
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/p/{sunrise.slug}/")
    page.click("text=Values")
    page.click("text=Copy the starter set")
    assert page.is_visible("text=Added 6 values from the starter set")
    check_accessibility(page, "values-list")
    # Reordering works from the keyboard: focus a button and press Enter.
    first = page.locator(".value-list > li").first
    first.locator("button", has_text="Move down").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible("text=Moved “Dignity and respect” down.")
    headings = page.locator(".value-list h3").all_inner_texts()
    assert headings[:2] == ["Compassion", "Dignity and respect"]

    page.click("text=Add a value")
    page.fill("#id_name", "Compassion")
    page.fill("#id_indicators-0-text", "Waits for an answer")
    page.click("text=Save value")
    assert page.is_visible("text=You already have a value with this name.")
    assert page.input_value("#id_indicators-0-text") == "Waits for an answer"
    check_accessibility(page, "value-form-errors")
    page.fill("#id_name", "Patience")
    page.click("text=Save value")
    assert page.is_visible("text=Saved the value “Patience”.")

    page.goto(f"{live_server.url}/p/{sunrise.slug}/")
    page.click("text=New role")
    page.fill("#id_title", "Night care assistant")
    page.click("text=Create role")
    page.click("text=Add a stage")
    page.fill("#id_name", "Shadowing")
    page.select_option("#id_kind", "shadowing")
    page.click("text=Save stage")
    page.click("text=Add the observed behaviours from the starter set")
    assert page.is_visible("text=Added 7 observed behaviours.")
    page.click("text=Add a stage")
    page.fill("#id_name", "Values interview")
    page.click("text=Save stage")
    interview = page.locator("li[id^=stage-]").nth(1)
    interview.get_by_role("link", name="Add a criterion to Values interview").click()
    check_accessibility(page, "criterion-form")
    page.fill("#id_prompt", "Tell us about a time you stood up for someone")
    page.select_option("#id_core_value", label="Courage")
    page.click("text=Save criterion")
    assert page.is_visible("text=Values no stage covers")
    check_accessibility(page, "role-setup")
