"""The journey of a hiring manager setting up values and a role, in a real browser, with an
accessibility check (axe-core) on each page visited."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sets_up_values_and_a_role_from_the_keyboard_and_mouse(browser_page: Any) -> None:
    page = browser_page
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    sign_in(page, "bob", f.PASSWORD)

    page.goto(f"/p/{sunrise.slug}/")
    page.get_by_role("link", name="Values").click()
    page.get_by_role("button", name="Copy the starter set").click()
    assert page.is_visible("text=Added 6 values from the starter set")
    assert_accessible(page)
    screenshot(page, "values-list")

    # Reordering works from the keyboard: focus a button and press Enter.
    first = page.locator(".value-list > li").first
    first.locator("button", has_text="Move down").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible("text=Moved “Dignity and respect” down.")
    headings = page.locator(".value-list h3").all_inner_texts()
    assert headings[:2] == ["Compassion", "Dignity and respect"]

    page.get_by_role("link", name="Add a value").click()
    page.fill("#id_name", "Compassion")
    page.fill("#id_indicators-0-text", "Waits for an answer")
    page.get_by_role("button", name="Save value").click()
    assert page.is_visible("text=You already have a value with this name.")
    assert page.input_value("#id_indicators-0-text") == "Waits for an answer"
    assert_accessible(page)
    screenshot(page, "value-form-errors")
    page.fill("#id_name", "Patience")
    page.get_by_role("button", name="Save value").click()
    assert page.is_visible("text=Saved the value “Patience”.")

    page.goto(f"/p/{sunrise.slug}/")
    page.get_by_role("link", name="New role").click()
    page.fill("#id_title", "Night care assistant")
    page.get_by_role("button", name="Create role").click()
    page.get_by_role("link", name="Add a stage").click()
    page.fill("#id_name", "Shadowing")
    page.select_option("#id_kind", "shadowing")
    page.get_by_role("button", name="Save stage").click()
    page.get_by_role("button", name="Add the observed behaviours from the starter set").click()
    assert page.is_visible("text=Added 7 observed behaviours.")
    page.get_by_role("link", name="Add a stage").click()
    page.fill("#id_name", "Values interview")
    page.get_by_role("button", name="Save stage").click()
    page.get_by_role("link", name="Add a criterion to Values interview").click()
    assert_accessible(page)
    screenshot(page, "criterion-form")
    page.fill("#id_prompt", "Tell us about a time you stood up for someone")
    page.select_option("#id_core_value", label="Courage")
    page.get_by_role("button", name="Save criterion").click()
    assert page.is_visible("text=Values no stage covers")
    assert page.locator(".uncovered-values li").all_inner_texts() == [
        "Working together",
        "Integrity",
        "Patience",
    ]
    assert_accessible(page)
    screenshot(page, "role-setup")
