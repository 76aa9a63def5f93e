"""The staff pages on a laptop, a tablet and a phone, with the demo's data: no serious or
critical accessibility finding at any size, no sideways scrolling, chart text big enough to
read on a phone, and a screenshot of each page at each size in test-artifacts/."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from tests.browser import assert_accessible, screenshot, sign_in
from vbr.recruitment.models import Application, Role, Scorecard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1280, 800), (820, 1180), (390, 844))
DEMO_PASSWORD = "vbr-demo-2026"

# The smallest text on a chart, in CSS pixels as drawn: the font size times the chart's scale.
SMALLEST_CHART_TEXT = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg.report-chart, svg.values-profile')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return smallest;
}"""


def staff_pages() -> dict[str, list[tuple[str, str]]]:
    """Who looks at which page: Bob, the care assistant role's manager, his candidates and his
    own submitted scorecard; Alice, the admin, role setup and every report."""
    chloe = Application.objects.get(candidate__first_name="Chloe")
    ellie = Application.objects.get(candidate__first_name="Ellie")
    care = Role.objects.get(title="Care assistant")
    night = Role.objects.get(title="Night care assistant")
    submitted = Scorecard.objects.get(
        panellist__user__username="bob", assessment__application=chloe
    )
    base = "/p/sunrise"
    reports = [
        (f"report-{slug}", f"{base}/reports/{slug}/")
        for slug in ("funnel", "values", "panel", "retention", "fairness")
    ]
    return {
        "bob": [
            ("application-chloe", f"{base}/applications/{chloe.pk}/"),
            ("application-ellie", f"{base}/applications/{ellie.pk}/"),
            ("scorecard-submitted", f"{base}/assessments/{submitted.assessment_id}/scorecard/"),
            ("pdf-summary", f"{base}/applications/{chloe.pk}/summary/"),
        ],
        "alice": [
            ("role-setup-in-use", f"{base}/roles/{care.pk}/setup/"),
            ("role-setup-editable", f"{base}/roles/{night.pk}/setup/"),
            ("reports", f"{base}/reports/"),
            *reports,
        ],
    }


def test_staff_pages_work_at_laptop_tablet_and_phone_sizes(chromium: Any, live_server: Any) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    pages = staff_pages()
    problems: list[str] = []
    for username, visits in pages.items():
        for width, height in SIZES:
            context = chromium.new_context(
                viewport={"width": width, "height": height}, base_url=live_server.url
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, username, DEMO_PASSWORD)
            for name, url in visits:
                page.goto(url)
                page.wait_for_load_state("networkidle")
                sideways = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if sideways > 0:
                    problems.append(f"{name} at {width} px scrolls sideways by {sideways} px")
                if page.locator("svg.report-chart, svg.values-profile").count():
                    smallest = page.evaluate(SMALLEST_CHART_TEXT)
                    if smallest < 12:
                        problems.append(f"{name} at {width} px: chart text {smallest:.1f} px")
                try:
                    assert_accessible(page)
                except AssertionError as finding:
                    problems.append(f"{name} at {width} px: {finding}")
                screenshot(page, f"staff-{name}-{width}")
            context.close()
    assert not problems, "\n".join(problems)


def test_a_wide_report_table_scrolls_by_keyboard_on_a_phone(
    chromium: Any, live_server: Any
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    context = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, "alice", DEMO_PASSWORD)
    page.goto("/p/sunrise/reports/panel/")

    region = page.get_by_role("region", name="Agreement between panellists")
    box = region.element_handle()
    assert box is not None
    assert page.evaluate("(box) => box.scrollWidth > box.clientWidth", box)
    # The box is in the tab order; focused, the arrow keys scroll it.
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    assert page.evaluate("(box) => document.activeElement === box", box)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Keyboard scrolling is animated: wait for it to move.
    page.wait_for_function("(box) => box.scrollLeft > 0", arg=box, timeout=5000)
    # The caption stays inside the box, whole, while the table scrolls under it.
    caption = region.locator("caption")
    caption_box, region_box = caption.bounding_box(), region.bounding_box()
    assert caption_box is not None and region_box is not None
    assert caption_box["x"] >= region_box["x"] - 1
    assert caption_box["x"] + caption_box["width"] <= region_box["x"] + region_box["width"] + 1
    context.close()
