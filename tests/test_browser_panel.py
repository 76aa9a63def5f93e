"""An expert by experience scores on a tablet with the keyboard only, with a supporter, and
the manager then sees the scorecard at the debrief. axe-core checks every easy-read page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import assert_accessible, screenshot
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import Assessment, Panellist, Scorecard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The easy-read pages must have no axe-core violations at all, not only serious ones.
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")


def assert_no_axe_violations(page: Any, name: str) -> None:
    assert_accessible(page, impacts=EVERY_IMPACT)


def sign_in_at(page: Any, base: str) -> None:
    """Bob signs in with his password (the manager's usual way in)."""
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def tab_to(page: object, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate(  # type: ignore[attr-defined]
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Could not reach {selector} with Tab")


def choose_level(page: object, steps_down: int) -> None:
    """Focus the answer group and pick an answer with the arrow keys."""
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")  # type: ignore[attr-defined]
    for _ in range(steps_down):
        page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]


def press_button(page: object, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]


def test_expert_scores_on_a_tablet_with_the_keyboard_and_the_manager_sees_it(
    live_server: Any, chromium: Any, sunrise: Provider, bob: User, dev: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criteria = [
        f.make_criterion(
            stage=stage,
            core_value=f.make_value(provider=sunrise, name=name, order=i),
            prompt=prompt,
            order=i,
        )
        for i, (name, prompt) in enumerate(
            [
                ("Dignity", "Did they talk about keeping people's dignity?"),
                ("Compassion", "Did they notice when someone was upset?"),
            ],
            start=1,
        )
    ]
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment: Assessment = f.make_assessment(application=application, stage=stage)
    chair = f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    f.make_scorecard(panellist=chair, levels={c: 3 for c in criteria}, submitted=True)
    Scorecard.objects.filter(panellist=chair).update(recommendation="yes")
    assert Membership.objects.get(user=dev).role == Membership.Role.PANEL
    issued = f.make_invitation(panellist=place, created_by=bob)
    base = live_server.url  # type: ignore[attr-defined]

    # A tablet in portrait.
    context = chromium.new_context(viewport={"width": 820, "height": 1180})
    page = context.new_page()
    page.goto(base + reverse("join-link", args=[issued.token]))
    assert "Hello Dev Raman" in page.inner_text("h1")
    assert_no_axe_violations(page, "join link")
    press_button(page, "button[type=submit]")

    # Start: someone is helping, typed with the keyboard.
    assert "Hello Dev Raman" in page.inner_text("h1")
    assert_no_axe_violations(page, "start")
    tab_to(page, "input[name=helper]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "input[name=supporter_name]")
    page.keyboard.type("Priya")
    press_button(page, "form.easy-form button[type=submit]")

    # Question 1: "Yes" (third choice), then Next.
    assert "Question 1 of 3" in page.inner_text("main")
    choose_level(page, 2)
    # A locator assertion, not wait_for_function: the page's CSP forbids eval.
    expect(page.locator("#save-status")).to_contain_text("Your answer is saved")
    assert_no_axe_violations(page, "question 1")
    screenshot(page, "easy-read-question")
    press_button(page, "button[value=next]")

    # Question 2: "A little", then back to change question 1 to "Yes, a lot".
    assert "Question 2 of 3" in page.inner_text("main")
    assert_no_axe_violations(page, "question 2")
    choose_level(page, 1)
    press_button(page, "button[value=back]")
    assert "Question 1 of 3" in page.inner_text("main")
    assert page.is_checked("input[name=answer][value='3']")
    tab_to(page, "input[name=answer]:checked")
    page.keyboard.press("ArrowDown")
    press_button(page, "button[value=next]")
    assert page.is_checked("input[name=answer][value='2']")
    press_button(page, "button[value=next]")

    # Overall: "Yes".
    assert "Would you like Chloe to work here?" in page.inner_text("main")
    assert_no_axe_violations(page, "overall question")
    choose_level(page, 0)
    press_button(page, "button[value=next]")

    # Check your answers, then send.
    main = page.inner_text("main")
    assert "Check your answers" in main and "Yes, a lot" in main and "A little" in main
    assert_no_axe_violations(page, "check")
    press_button(page, "form.easy-nav button[type=submit]")
    assert "Thank you" in page.inner_text("h1")
    assert "Priya helped you" in page.inner_text("main")
    assert_no_axe_violations(page, "sent")
    context.close()

    scorecard = Scorecard.objects.get(panellist=place)
    assert scorecard.is_submitted and scorecard.supporter_name == "Priya"
    levels = {s.criterion_id: s.level for s in scorecard.scores.all()}
    assert levels == {criteria[0].pk: 4, criteria[1].pk: 2}

    # The manager sees Dev's scorecard at the debrief, entered by Priya.
    manager = chromium.new_context()
    page = manager.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + reverse("login"))
    sign_in_at(page, base)
    page.goto(base + reverse("assessment-debrief", args=["sunrise", assessment.pk]))
    text = page.inner_text("main")
    assert "Dev Raman: Yes" in text
    assert "entered by Priya on behalf of Dev Raman" in text
    manager.close()


@pytest.mark.parametrize(
    "viewport, high_contrast, name",
    [
        # A tablet in landscape.
        ({"width": 1180, "height": 820}, False, "easy-read-landscape"),
        # The portrait tablet at 200 % zoom, in the high-contrast colours, very large text.
        ({"width": 410, "height": 590}, True, "easy-read-high-contrast-zoom"),
    ],
)
def test_easy_read_question_is_accessible_in_landscape_zoomed_and_high_contrast(
    live_server: Any,
    chromium: Any,
    sunrise: Provider,
    bob: User,
    dev: User,
    viewport: dict[str, int],
    high_contrast: bool,
    name: str,
) -> None:
    from vbr.accounts.models import AccessProfile

    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    f.make_criterion(
        stage=stage,
        core_value=f.make_value(provider=sunrise, name="Dignity"),
        prompt="Did they talk about keeping people's dignity?",
    )
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    AccessProfile.objects.create(
        user=dev, high_contrast=high_contrast, text_size="largest" if high_contrast else "large"
    )
    issued = f.make_invitation(panellist=place, created_by=bob)

    context = chromium.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.goto(reverse("join-link", args=[issued.token]))
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    page.goto(reverse("easy-question", args=["sunrise", assessment.pk, 1]))
    page.get_by_text("Yes, a lot").click()
    # A locator assertion, not wait_for_function: the page's CSP forbids eval.
    expect(page.locator("#save-status")).to_contain_text("Your answer is saved")
    assert ("high-contrast" in page.get_attribute("body", "class")) is high_contrast
    # Nothing is cut off sideways: no horizontal scrolling at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page, name)
    screenshot(page, name)
    context.close()
