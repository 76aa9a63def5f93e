"""A hiring manager schedules an interview with a panel of three in one form, with the keyboard
only, in a real browser; the scheduling form and the application page pass axe-core and fit
a laptop, a tablet and a phone without scrolling sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Membership, Provider, User
from vbr.privacy.models import DbsCheck
from vbr.recruitment.models import Application, Assessment, Panellist, ProviderCheck, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": (1280, 800), "tablet": (820, 1180), "phone": (390, 844)}
# The longest place name in Wales, as a manager might type it for a care home's address.
LLANFAIR = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"


@pytest.fixture
def uk_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A browser page as a manager in the UK has it: British English dates, London time.
    Like `browser_page`, any Content-Security-Policy violation fails the test."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 800},
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, violations


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def type_date(page: Any, selector: str, day: int, month: int, year: int) -> None:
    """Type a date into a date box with the keys alone. The box's order of day and month is
    the browser's language (Debian's Chromium without its translations draws US dates), so
    the date is typed month first and, if the box read it the other way, again day first."""
    tab_to(page, selector)
    page.keyboard.type(f"{month:02}{day:02}{year}")
    if page.input_value(selector) != f"{year}-{month:02}-{day:02}":
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(f"{day:02}{month:02}{year}")
    assert page.input_value(selector) == f"{year}-{month:02}-{day:02}"


def type_time(page: Any, selector: str, hour: int, minute: int) -> None:
    """Type a morning time; a 12-hour box waits for AM or PM."""
    tab_to(page, selector)
    page.keyboard.type(f"{hour:02}{minute:02}")
    if not page.input_value(selector):
        page.keyboard.type("A")
    assert page.input_value(selector) == f"{hour:02}:{minute:02}"


def focused_name(page: Any) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText).trim(); }"
    )


def wider_than_the_screen(page: Any) -> list[str]:
    """The innermost elements that reach past the right edge of the window (a table in its
    own scroll box is allowed to)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.parentElement.closest(".table-responsive"))
            .filter(e => ![...e.children].some(
                c => c.getBoundingClientRect().right > window.innerWidth + 1))
            .map(e => e.tagName.toLowerCase() + "." + [...e.classList].join(".")
                 + ": " + (e.innerText || "").slice(0, 60))"""
    )


def no_sideways_scrolling(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def siân(sunrise: Provider, bob: User, dev: User) -> Application:
    f.make_member(provider=sunrise, username="carol", full_name="Carol Singh")
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    f.make_criterion(
        stage=interview,
        core_value=f.make_value(provider=sunrise, name="Compassion"),
        prompt="Tell us about a time you noticed someone was upset.",
    )
    candidate = f.make_candidate(provider=sunrise, first_name="Siân", last_name="Pritchard")
    candidate.email = "sian.pritchard@example.org"
    candidate.phone = "07700 900123"
    candidate.save()
    application = f.make_application(role=role, stage=interview, candidate=candidate)
    ProviderCheck.objects.create(provider=sunrise, name="Right to work seen")
    DbsCheck.objects.create(
        provider=sunrise,
        application=application,
        certificate_number="001234567890",
        issued_on="2026-01-05",
        level=DbsCheck.Level.ENHANCED,
    )
    return application


def test_a_keyboard_only_manager_schedules_an_interview_with_a_panel_of_three(
    uk_page: Any, siân: Application
) -> None:
    page = uk_page
    sign_in(page, "bob", f.PASSWORD)
    page.goto(reverse("application-detail", args=["sunrise", siân.pk]))
    assert_accessible(page)

    # From the application page to the scheduling form, with the keyboard only.
    tab_to(page, "a[href$='/assessments/add/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Schedule an assessment for Siân Pritchard"
    assert_accessible(page)

    tab_to(page, "#id_stage")
    assert page.input_value("#id_stage") == str(siân.current_stage_id)
    type_date(page, "#id_date", 5, 3, 2030)
    type_time(page, "#id_time", 10, 30)
    tab_to(page, "#id_place")
    page.keyboard.type(f"Garden room, {LLANFAIR}")
    tab_to(page, "#id_notes_for_panel")
    page.keyboard.type("Siân uses a hearing loop: it is on in the garden room.")

    bob, carol, dev = (
        Membership.objects.get(user__username=name) for name in ("bob", "carol", "dev")
    )
    # Bob, the manager scheduling, starts ticked as the chair; the rest start unticked in
    # their usual roles.
    tab_to(page, f"#id_panel_{bob.pk}")
    assert focused_name(page).startswith("Bob Okafor")
    assert page.is_checked(f"#id_panel_{bob.pk}")
    tab_to(page, f"#id_panel_role_{bob.pk}")
    assert page.input_value(f"#id_panel_role_{bob.pk}") == "chair"

    tab_to(page, f"#id_panel_{carol.pk}")
    page.keyboard.press("Space")
    tab_to(page, f"#id_panel_role_{carol.pk}")
    assert page.input_value(f"#id_panel_role_{carol.pk}") == "manager"
    page.keyboard.press("ArrowDown")  # Manager → Staff peer
    assert page.input_value(f"#id_panel_role_{carol.pk}") == "staff_peer"

    tab_to(page, f"#id_panel_{dev.pk}")
    assert focused_name(page).startswith("Dev Raman")
    assert "expert by experience" in focused_name(page)
    page.keyboard.press("Space")
    tab_to(page, f"#id_panel_role_{dev.pk}")
    assert page.input_value(f"#id_panel_role_{dev.pk}") == "expert"
    assert_accessible(page)

    tab_to(page, "main form button[type=submit]")
    assert focused_name(page) == "Schedule"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    message = page.locator(".alert-success").inner_text()
    assert (
        "Values interview scheduled for Siân Pritchard, with a panel of 3: Bob Okafor (chair), "
        "Carol Singh (staff peer), Dev Raman (expert by experience)." in message
    )
    assert "Tuesday 5 March 2030, 10:30" in page.content()
    assessment = Assessment.objects.get(application=siân)
    assert dict(assessment.panellists.values_list("user__username", "panel_role")) == {
        "bob": Panellist.PanelRole.CHAIR,
        "carol": Panellist.PanelRole.STAFF_PEER,
        "dev": Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    }
    assert assessment.notes_for_panel.startswith("Siân uses a hearing loop")
    # Nobody already on the panel is offered again.
    offered = " ".join(page.locator("#id_member option").all_inner_texts())
    assert not any(name in offered for name in ("Bob Okafor", "Carol Singh", "Dev Raman"))
    assert_accessible(page)


def test_the_scheduling_form_application_and_assessment_pages_fit_every_screen(
    uk_page: Any, siân: Application, bob: User, dev: User
) -> None:
    page = uk_page
    interview = siân.current_stage
    assessment = f.make_assessment(application=siân, stage=interview)
    Assessment.objects.filter(pk=assessment.pk).update(place=f"Garden room, {LLANFAIR}")
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    sign_in(page, "bob", f.PASSWORD)
    pages = {
        "schedule-form": reverse("assessment-add", args=["sunrise", siân.pk]),
        "application": reverse("application-detail", args=["sunrise", siân.pk]),
        "assessment": reverse("assessment-detail", args=["sunrise", assessment.pk]),
    }
    for width, height in SIZES.values():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(url)
            assert_accessible(page)
            assert no_sideways_scrolling(page), (
                f"{name} scrolls sideways at {width}px: {wider_than_the_screen(page)}"
            )
            screenshot(page, f"hiring-{name}-{width}x{height}")
    # What the manager reads on the phone-sized application page.
    page.goto(pages["application"])
    assert "sian.pritchard@example.org" in page.locator("dl").first.inner_text()
    assert "Scheduled" in page.locator("#assessments-title + ul").inner_text()
