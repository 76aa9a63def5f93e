"""Races as a person makes them in Chromium: a decision double-clicked, and a draft saved in
one tab after the scorecard was submitted in another. axe-core checks each page shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Decision, Panellist, Scorecard, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _role_with_three_stages(provider: Provider) -> list[Stage]:
    role = f.make_role(provider=provider)
    return [
        f.make_stage(role=role, name="Values interview", order=1),
        f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2),
        f.make_stage(role=role, name="Group activity", kind=Stage.Kind.GROUP_ACTIVITY, order=3),
    ]


def test_a_double_clicked_decision_moves_the_candidate_one_stage(
    browser_page: Any, sunrise: Provider, bob: User
) -> None:
    page = browser_page
    stages = _role_with_three_stages(sunrise)
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=stages[0].role, stage=stages[0], candidate=candidate)
    url = reverse("decision-create", args=[sunrise.slug, application.pk])
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith(url) else None,
    )

    sign_in(page, "bob", f.PASSWORD)
    page.goto(url)
    page.get_by_label("Progress to next stage").check()
    page.get_by_label("Reasons").fill("Strong on dignity and respect.")
    # A double click's second submission depends on timing in the browser; send the filled
    # form twice at the same moment from the page instead, as two quick clicks (or two tabs)
    # would, then open the application as the redirect would.
    page.evaluate(
        """() => {
            const form = document.querySelector("main form[method=post]");
            const send = () => fetch(form.action || location.href, {
                method: "POST", body: new FormData(form), credentials: "same-origin",
                redirect: "manual",
            });
            return Promise.all([send(), send()]).then(() => null);
        }"""
    )
    page.goto(application.get_absolute_url())
    page.wait_for_load_state()

    assert len(posts) == 2  # the browser sent the form twice
    said = page.locator(".messages").inner_text()
    assert (
        "Decision recorded: Progress to next stage." in said
        or "This decision was already recorded: Progress to next stage, by Bob Okafor" in said
    ), said
    application.refresh_from_db()
    assert application.current_stage == stages[1]
    assert list(application.decisions.values_list("kind", flat=True)) == [Decision.Kind.PROGRESS]
    assert_accessible(page)
    screenshot(page, "races-decision-double-click")


def test_a_draft_saved_after_another_tab_submitted_shows_the_submitted_scorecard(
    browser_page: Any, sunrise: Provider, bob: User
) -> None:
    first_tab = browser_page
    stages = _role_with_three_stages(sunrise)
    criterion = f.make_criterion(
        stage=stages[0],
        core_value=f.make_value(provider=sunrise, name="Compassion"),
        prompt="Describe noticing someone was upset.",
    )
    application = f.make_application(role=stages[0].role, stage=stages[0])
    assessment = f.make_assessment(application=application, stage=stages[0])
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    url = reverse("scorecard-edit", args=[sunrise.slug, assessment.pk])

    sign_in(first_tab, "bob", f.PASSWORD)
    first_tab.goto(url)
    second_tab = first_tab.context.new_page()
    second_tab.goto(url)
    second_tab.get_by_label("Good evidence").check()
    second_tab.get_by_label("Yes", exact=True).check()
    second_tab.get_by_role("button", name="Submit scorecard").click()
    second_tab.wait_for_load_state()

    first_tab.get_by_label("Strong evidence").check()
    first_tab.get_by_role("textbox", name="Evidence").fill("Typed in the first tab.")
    first_tab.get_by_role("button", name="Save draft").click()
    first_tab.wait_for_load_state()

    said = first_tab.locator(".messages").inner_text()
    assert "This scorecard was submitted in another window" in said
    assert "and locked" in first_tab.locator(".lead").inner_text()  # the submitted scorecard
    assert first_tab.get_by_role("cell", name="3", exact=True).is_visible()
    scorecard = Scorecard.objects.get(panellist__assessment=assessment)
    assert scorecard.is_submitted
    assert list(scorecard.scores.values_list("criterion", "level")) == [(criterion.pk, 3)]
    assert Application.objects.get(pk=application.pk).value_levels  # stored on submit
    assert_accessible(first_tab)
    screenshot(first_tab, "races-draft-after-submit-elsewhere")
