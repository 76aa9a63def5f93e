"""An expert by experience comments on a draft advert and shortlists two applicants on a
tablet (820 px wide) with the keyboard only, by his personal links; the manager then reads
the comments beside the draft and the answers per applicant. axe-core finds nothing at all
on the easy-read pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser import assert_accessible, screenshot
from tests.test_browser_panel import press_button, sign_in_at, tab_to
from vbr.accounts.invitations import create_involvement_invitation
from vbr.accounts.models import Provider, User
from vbr.involvement import workflow
from vbr.involvement.models import AdvertComment, ShortlistAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_IMPACT = ("minor", "moderate", "serious", "critical")


def test_expert_comments_on_the_advert_and_shortlists_on_a_tablet_with_the_keyboard(
    live_server: Any, chromium: Any, sunrise: Provider, bob: User, dev: User
) -> None:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Application", order=1)
    f.make_stage(role=role, name="Values interview", order=2)
    vacancy = f.make_vacancy(role=role, questions=1)
    (review,) = workflow.share_advert(vacancy=vacancy, people=[dev], shared_by=bob)
    for first, last, answer in (
        ("Annabel", "Quist", "I am Annabel. I read to my nan every evening after school."),
        ("Ben", "Carter", "I cooked for my neighbour when he was ill."),
    ):
        candidate = f.make_candidate(provider=sunrise, first_name=first, last_name=last)
        application = f.make_application(role=role, stage=role.stages.first(), candidate=candidate)
        f.make_online_application(application=application, answer=answer)
    shortlisting = workflow.open_shortlisting(role=role, stage=None, people=[dev], opened_by=bob)
    place = shortlisting.shortlisters.get()
    advert_link = create_involvement_invitation(advert_review=review, created_by=bob)
    shortlist_link = create_involvement_invitation(shortlister=place, created_by=bob)
    base = live_server.url  # type: ignore[attr-defined]

    context = chromium.new_context(viewport={"width": 820, "height": 1180})
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp: list[str] = []
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )

    # The advert: his link, then Start.
    page.goto(base + reverse("join-link", args=[advert_link.token]))
    assert "would like your views on a job advert" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    press_button(page, "button[type=submit]")
    assert "Night care assistant" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    press_button(page, "a.easy-button")

    # Part 1: what he thinks, and other words.
    assert "Part 1 of 4" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    screenshot(page, "involvement-advert-part-820")
    tab_to(page, "textarea[name=comment]")
    page.keyboard.type("Say that the job is at night.")
    tab_to(page, "textarea[name=suggested_words]")
    page.keyboard.type("You help people at night, so they sleep safe.")
    press_button(page, "button[value=next]")
    for number in (2, 3):
        assert f"Part {number} of 4" in page.inner_text("main")
        assert_accessible(page, impacts=EVERY_IMPACT)
        press_button(page, "button[value=next]")
    assert "Questions for people who apply" in page.inner_text("main")
    tab_to(page, "textarea[name=comment]")
    page.keyboard.type("Good question.")
    press_button(page, "button[value=next]")

    # Check, then send.
    main = page.inner_text("main")
    assert "Check your words" in main and "Say that the job is at night." in main
    assert_accessible(page, impacts=EVERY_IMPACT)
    screenshot(page, "involvement-advert-check-820")
    press_button(page, "form.mt-4 button[type=submit]")
    assert "Thank you" in page.inner_text("h1")
    assert_accessible(page, impacts=EVERY_IMPACT)

    # Shortlisting: his other link.
    page.goto(base + reverse("join-link", args=[shortlist_link.token]))
    assert "help to choose who to meet" in page.inner_text("main")
    press_button(page, "button[type=submit]")
    assert "You have answered 0 of 2" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    press_button(page, "a.easy-button")

    # Applicant 1: "Yes" with a comment. No name anywhere on the page.
    assert "Applicant 1 of 2" in page.inner_text("main")
    assert "Annabel" not in page.content() and "Quist" not in page.content()
    assert "I read to my nan every evening" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=answer][value=yes]")
    screenshot(page, "involvement-shortlist-applicant-820")
    tab_to(page, "textarea[name=comment]")
    page.keyboard.type("Kind and patient.")
    press_button(page, "button[value=send]")

    # Applicant 2: "Not sure", chosen with the arrow key.
    assert "Applicant 2 of 2" in page.inner_text("main")
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=answer][value=not_sure]")
    press_button(page, "button[value=send]")
    assert "You have answered 2 of 2" in page.inner_text("main")
    assert_accessible(page, impacts=EVERY_IMPACT)
    screenshot(page, "involvement-shortlist-done-820")
    context.close()
    assert not csp, csp

    assert {(c.section, c.comment) for c in AdvertComment.objects.all()} == {
        ("summary", "Say that the job is at night."),
        ("questions", "Good question."),
    }
    assert sorted(ShortlistAnswer.objects.values_list("answer", flat=True)) == [
        "not_sure",
        "yes",
    ]

    # The manager reads the comments beside the draft, and the answers per applicant.
    manager = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = manager.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + reverse("login"))
    sign_in_at(page, base)
    page.goto(base + reverse("vacancy-edit", args=["sunrise", role.pk]))
    views = page.inner_text("#advert-views")
    assert "Say that the job is at night." in views
    assert "You help people at night, so they sleep safe." in views
    assert_accessible(page)
    screenshot(page, "involvement-vacancy-comments-1280")
    page.goto(base + reverse("shortlisting-detail", args=["sunrise", shortlisting.pk]))
    assert "Kind and patient." in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "involvement-shortlisting-summary-1280")
    manager.close()
