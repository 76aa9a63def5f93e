"""Browser test of the panel's side of bookings, on a phone and a laptop: the manager offers a
time that does not suit the expert by experience and reads why, withdraws nothing by
mistake, finds the note to hand to Dev, and reads the candidate's answers on the scorecard;
axe-core finds nothing serious on any page."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from tests.test_applicant_booking import candidate_at, make_slot
from vbr.accounts.models import AccessProfile, Provider, User
from vbr.applicants import booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_works_with_the_panel_side_on_a_phone_and_a_laptop(
    browser_page: Any, sunrise: Provider, bob: User, dev: User
) -> None:
    page = browser_page
    AccessProfile.objects.create(
        user=dev,
        earliest_start=time(10, 0),
        latest_finish=time(15, 0),
        longest_minutes=60,
        has_supporter=True,
        contact_by=AccessProfile.Contact.PRINTED,
    )
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview")
    f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    slot = make_slot(interview, panel=[bob, dev])
    application, _ = candidate_at(interview)
    booked = booking.book_slot(application=application, slot_id=slot.pk)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "bob", f.PASSWORD)
    page.goto(f"/p/sunrise/stages/{interview.pk}/slots/")
    page.get_by_text("Dev Raman (expert by experience): from 10:00am").wait_for()
    assert_accessible(page)
    page.get_by_label("Starts at").fill("2030-01-15T09:00")
    page.get_by_label("Length (minutes)").fill("90")
    page.get_by_label("Dev Raman (expert by experience)", exact=False).check()
    page.get_by_role("button", name="Offer this time").click()
    page.get_by_text("This time does not suit everyone on the panel.").wait_for()
    assert page.get_by_text("Dev Raman comes with a supporter.", exact=False).is_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "panel-side-slot-needs-390")

    page.goto("/p/sunrise/panel-notes/")
    page.get_by_text("For Dev Raman", exact=True).wait_for()
    assert_accessible(page)
    screenshot(page, "panel-side-notes-390")
    page.get_by_role("link", name="Open to print", exact=False).first.click()
    page.get_by_text("has booked a time for their values interview").wait_for()
    assert_accessible(page)
    screenshot(page, "panel-side-note-print-390")

    page.set_viewport_size({"width": 1280, "height": 900})
    assert booked.assessment is not None
    page.goto(f"/p/sunrise/assessments/{booked.assessment.pk}/scorecard/")
    page.get_by_text("What Siân wrote when they applied").wait_for()
    assert page.get_by_text("I sat with my neighbour every day.").is_visible()
    assert_accessible(page)
    screenshot(page, "panel-side-scorecard-answers-1280")
