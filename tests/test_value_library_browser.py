"""A hiring manager starts from the Care Workforce Pathway, links a value of their own to it and
fills a values interview from the question bank, in a real browser, with axe-core on each page
and at a laptop, a tablet and a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.recruitment import workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1280, 900), (820, 1180), (390, 844))


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width}px"


def test_manager_starts_from_the_pathway_and_fills_an_interview_from_the_bank(
    browser_page: Any,
) -> None:
    page = browser_page
    workflow.load_value_sets()
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    f.make_value(provider=sunrise, name="Kindness")
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role)
    sign_in(page, "bob", f.PASSWORD)

    page.goto("/p/sunrise/values/")
    # The button's name ends with the set's name (hidden text, for screen readers).
    page.get_by_role("button", name="Care Workforce Pathway").click()
    assert page.is_visible("text=Added 7 values from Care Workforce Pathway")
    assert page.is_visible("text=Evidences: Respect (Care Workforce Pathway).")

    # Kindness is Sunrise's own: link it to a Pathway value and a 6Cs value.
    page.get_by_role("link", name="Choose national values for Kindness").click()
    assert_accessible(page)
    screenshot(page, "value-library-map")
    page.get_by_label("Kind, compassionate and empathetic (Care Workforce Pathway)").check()
    page.get_by_label("Compassion (The 6Cs)").check()
    page.get_by_role("button", name="Save").click()
    assert page.is_visible(
        "text=Evidences: Kind, compassionate and empathetic (Care Workforce Pathway); "
        "Compassion (The 6Cs)."
    )

    # From the role's setup to the bank, showing interview questions for the stage.
    page.goto(f"/p/sunrise/roles/{role.pk}/setup/")
    page.get_by_role("link", name="Choose from the question bank for Values interview").click()
    assert page.is_visible("text=Adding to Values interview")
    assert page.locator("#id_kind").input_value() == "interview_question"
    # Each item offers the provider's value of the same name first.
    respect_card = page.locator("article", has_text="A choice you disagreed with")
    assert respect_card.locator("select option:checked").inner_text() == "Respect"
    # Keyboard only: focus the item's button and press Enter.
    respect_card.get_by_role("button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible("text=Added “A choice you disagreed with” to Values interview")

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in (
            ("values", "/p/sunrise/values/"),
            ("bank", f"/p/sunrise/bank/?stage={role.stages.get().pk}"),
            ("bank-6cs-scenarios", "/p/sunrise/bank/?value_set=2&kind=scenario"),
        ):
            page.goto(url)
            assert_accessible(page)
            if width == 390:
                no_sideways_scroll(page)
            screenshot(page, f"value-library-{name}-{width}")

    page.goto(f"/p/sunrise/roles/{role.pk}/setup/")
    assert page.is_visible(
        "text=Tell us about a time someone made a choice you would not have made"
    )
