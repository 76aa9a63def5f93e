"""In a real browser, on a laptop and on a phone: Jo, who employs her own personal assistant,
goes from "I need a PA" to an offer on her guided page, with an accessibility check
(axe-core: no violations at all) on every page she visits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Membership, Provider
from vbr.applicants.models import Vacancy
from vbr.compliance.models import SaferRecruitmentFile
from vbr.pa.models import PaJob
from vbr.recruitment import workflow
from vbr.recruitment.models import Application, Panellist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERYTHING = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def phone_or_laptop(request: Any, chromium: Any, live_server: Any) -> Iterator[Any]:
    width, height = request.param
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        is_mobile=width < 500,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def check(page: Any, name: str) -> None:
    """No accessibility finding at all, no sideways scrolling, and a screenshot to look at."""
    assert_accessible(page, impacts=EVERYTHING)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    width = page.viewport_size["width"]
    screenshot(page, f"pa-{name}-{width}")


@pytest.mark.parametrize("phone_or_laptop", [(1280, 900), (390, 844)], indirect=True)
def test_jo_takes_a_pa_vacancy_from_i_need_a_pa_to_an_offer(phone_or_laptop: Any) -> None:
    page = phone_or_laptop
    jo_whitfield = f.make_provider(
        name="Jo Whitfield", slug="jo-whitfield", kind=Provider.Kind.INDIVIDUAL_EMPLOYER
    )
    jo_whitfield.nation = Provider.Nation.WALES
    jo_whitfield.save(update_fields=["nation"])
    jo = f.make_member(
        provider=jo_whitfield, role=Membership.Role.ADMIN, username="jo", full_name="Jo Whitfield"
    )
    workflow.copy_starter_values(provider=jo_whitfield)
    workflow.load_value_sets()

    sign_in(page, "jo", f.PASSWORD)
    page.goto("/p/jo-whitfield/")  # her home is the guided page
    assert page.is_visible("text=0 of 5 steps done.")
    check(page, "start")
    page.get_by_role("link", name="I need a PA: start").click()

    # Step 1: the job in her words.
    check(page, "job-form")
    page.get_by_label("What is the job called?").fill("Personal assistant, mornings")
    page.get_by_label("What help do you need?").fill("Getting up, a shower and breakfast.")
    page.get_by_label("What matters to you in a PA?").fill(
        "A sense of humour. Respect for my faith: halal food and time to pray."
    )
    page.get_by_label("Compassion").check()
    page.get_by_label("Dignity and respect").check()
    page.get_by_label("When do you need help?").fill("Weekday mornings, 7.30 to 10.30")
    page.get_by_label("Pay for each hour (£)").fill("13.20")
    page.get_by_label("Which town do you live in?").fill("Swansea")
    page.get_by_role("button", name="Save and see my advert").click()
    assert page.is_visible("text=Respect for my faith: halal food and time to pray.")
    check(page, "advert-draft")
    page.get_by_role("button", name="Publish my advert").click()
    assert page.is_visible("text=Your advert is published. Anyone can read it and apply.")
    role = PaJob.objects.get(provider=jo_whitfield).role
    assert Vacancy.objects.get(role=role).is_published

    # Step 2: questions from the bank, a few for each of her values.
    page.get_by_role("link", name="Choose questions").click()
    check(page, "questions")
    boxes = page.locator("fieldset").first.locator("input[type=checkbox]")
    boxes.first.check()
    page.locator("fieldset").nth(1).locator("input[type=checkbox]").first.check()
    page.get_by_role("button", name="Add these questions").click()
    assert page.is_visible("text=2 questions added.")
    assert page.is_visible("text=You have 2 interview questions.")

    # Kim applies and Jo sets a time to meet her (pages of their own, tested elsewhere).
    kim = f.make_application(
        role=role,
        stage=role.stages.get(),
        candidate=f.make_candidate(provider=jo_whitfield, first_name="Kim", last_name="Osei"),
    )
    kim.candidate.email = "kim@example.org"
    kim.candidate.save(update_fields=["email"])
    interview = f.make_assessment(
        application=kim, stage=role.stages.get(), scheduled_at=timezone.now()
    )
    jo_place = f.make_panellist(assessment=interview, user=jo, panel_role="chair")

    # Step 3: not alone.
    page.reload()
    page.get_by_role("link", name="Choose who sits with you").click()
    check(page, "companion")
    page.get_by_label("Their name").fill("Amir Khan")
    page.get_by_label("A friend").check()
    page.get_by_role("button", name="Ask them to sit with me").click()
    assert page.is_visible("text=Amir Khan (a friend) sits with you at the interviews.")
    assert page.is_visible("text=Amir Khan is on it.")
    assert Panellist.objects.filter(assessment=interview, user__full_name="Amir Khan").exists()
    assert page.is_visible("text=Kim Osei: fill in your scores from the interview first.")
    check(page, "guided-before-scores")

    # Jo scores the interview on the scorecard page (its own journey), then decides.
    f.make_scorecard(panellist=jo_place, submitted=True)
    page.reload()
    page.get_by_role("link", name="Decide").click()
    assert page.is_visible("text=Do you want to offer Kim the job of Personal assistant, mornings?")
    check(page, "offer")
    page.get_by_label("Offer them the job").check()
    page.get_by_label("Why? Say what you saw of your values.").fill(
        "She made me laugh and asked how I like my mornings."
    )
    page.get_by_role("button", name="Save my decision").click()

    # The offer is made; the checks of a private employer come next.
    assert page.is_visible("text=You offered the job to Kim Osei.")
    assert page.is_visible("text=Kim Osei: 0 of 5 checks done.")
    assert page.is_visible("text=4 of 5 steps done.")
    check(page, "guided-after-offer")
    kim.refresh_from_db()
    assert kim.status == Application.Status.OFFERED
    assert SaferRecruitmentFile.objects.filter(application=kim).exists()
    page.get_by_role("link", name="Open the checks").click()
    assert page.is_visible("text=Employer's liability insurance in place")
    assert_accessible(page)
