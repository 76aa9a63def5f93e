"""In a real browser: a manager writes a question of their own for the bank and changes it, and
the application page and the debrief say which national value each value evidences; axe-core
on each page, at a laptop and a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from tests.test_value_library_browser import no_sideways_scroll
from vbr.recruitment import workflow
from vbr.recruitment.models import NationalValue, Panellist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_writes_their_own_question_and_sees_what_values_evidence(
    browser_page: Any,
) -> None:
    page = browser_page
    workflow.load_value_sets()
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    bob = f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    choice = f.make_value(provider=sunrise, name="Choice", order=1)
    choice.evidences.add(NationalValue.objects.get(name="See the whole person"))
    f.make_value(provider=sunrise, name="Working together", order=2)
    sign_in(page, "bob", f.PASSWORD)

    page.goto("/p/sunrise/bank/")
    page.get_by_role("link", name="Write your own question or activity").click()
    page.get_by_role("link", name="Write a new question or activity").click()
    assert_accessible(page)
    page.get_by_label("Evidences our value").select_option(label="Choice")
    page.get_by_label("Kind").select_option(label="Shadowing behaviour")
    page.get_by_label("The question, behaviour or activity, in plain words").fill(
        "Watch how they offer a drink: do they ask what the person would like?"
    )
    page.get_by_label("The same in easy read").fill("Did they ask what drink I wanted?")
    for level, plain, easy in (
        (1, "Made a drink without asking", "They did not ask me."),
        (2, "Asked, but offered only tea", "They asked, but only about tea."),
        (3, "Asked what the person would like", "They asked what I wanted."),
        (4, "Showed the choices and made it their way", "They made it my way."),
    ):
        page.locator(f"#id_level_{level}").fill(plain)
        page.locator(f"#id_level_{level}_easy_read").fill(easy)
    screenshot(page, "own-bank-item-form-1280")
    page.get_by_role("button", name="Add to our bank").click()
    assert page.is_visible("text=Added “Watch how they offer a drink")
    assert page.is_visible("text=For Choice, evidencing See the whole person")

    page.get_by_role("link", name="Change “Watch how they offer a drink").click()
    page.get_by_label("A short name").fill("Offering a drink")
    page.get_by_role("button", name="Save changes").click()
    assert page.is_visible("text=Stages that already use it keep the words they had.")
    assert page.is_visible("role=heading[name='Offering a drink Shadowing behaviour']")

    # An application scored at an interview: the grid and the chart's key name the Pathway.
    role = f.make_role(provider=sunrise, title="Care assistant")
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=choice, prompt="How do you ask?")
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    place = f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    f.make_scorecard(panellist=place, levels={criterion: 3}, submitted=True)
    application_url = reverse("application-detail", args=["sunrise", application.pk])
    debrief_url = reverse("assessment-debrief", args=["sunrise", assessment.pk])

    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, url in (
            ("list", "/p/sunrise/bank/ours/"),
            ("application", application_url),
            ("debrief", debrief_url),
        ):
            page.goto(url)
            assert_accessible(page)
            if width == 390:
                no_sideways_scroll(page)
            screenshot(page, f"own-bank-{name}-{width}")
        page.goto(application_url)
        assert page.get_by_role("row", name="Choice").is_visible()
        assert page.is_visible("text=evidences: See the whole person (Care Workforce Pathway)")
        assert page.is_visible("text=Choice — evidences: See the whole person")
