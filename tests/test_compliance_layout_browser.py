"""In a real browser at a phone's, a tablet's and a laptop's width: the file's checks read row
by row on a phone (nothing scrolls sideways), the completeness page by service and role too,
with an accessibility check (axe-core) on each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Membership, Provider, User
from vbr.compliance import workflow
from vbr.compliance.models import Check
from vbr.recruitment.models import Application, Role, Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1280, 800), (820, 1180), (390, 844))


def a_file_in_progress(sunrise: Provider, alice: User) -> str:
    house = Service.objects.create(provider=sunrise, name="Sunrise House")
    role = f.make_role(provider=sunrise, title="Care assistant")
    Role.objects.filter(pk=role.pk).update(service=house)
    candidate = f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    file = workflow.open_file(application=application, by=alice)
    checks = {c.item.key: c for c in file.checks.select_related("item", "file__provider")}
    workflow.record_check(
        check=checks["identity"],
        by=alice,
        status=Check.Status.VERIFIED,
        evidence_seen="Passport, original, photo matches",
        seen_on=date(2026, 11, 2),
    )
    workflow.record_check(
        check=checks["right_to_work"],
        by=alice,
        status=Check.Status.RECEIVED,
        evidence_seen="Share code checked online",
        reference_number="W4K 9PX Q7M",
        follow_up_on=date(2027, 5, 31),
    )
    workflow.record_check(check=checks["references"], by=alice, status=Check.Status.REQUESTED)
    return file.get_absolute_url()


def no_sideways_scrolling(page: Any, width: int) -> None:
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"{page.url} is {page_width}px wide on a {width}px screen"
    wide = page.evaluate(
        "[...document.querySelectorAll('.scroll-region')]"
        ".filter(el => el.scrollWidth > el.clientWidth + 1).length"
    )
    assert wide == 0, f"{wide} table(s) scroll sideways on {page.url} at {width}px"


def test_the_file_and_completeness_read_without_sideways_scrolling_on_a_phone(
    chromium: Any, live_server: Any, sunrise: Provider
) -> None:
    alice = f.make_member(
        provider=sunrise, role=Membership.Role.ADMIN, username="alice", full_name="Alice Morgan"
    )
    file_url = a_file_in_progress(sunrise, alice)
    for width, height in SIZES:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        page = context.new_page()
        sign_in(page, "alice", f.PASSWORD)
        page.goto(file_url)
        assert page.is_visible("text=Passport, original, photo matches")
        assert_accessible(page)
        if width == 390:
            no_sideways_scrolling(page, width)
            # Each check reads as a block with its column's name before each value.
            status = page.locator("td[data-label='Status']").first
            label = status.evaluate("el => getComputedStyle(el, '::before').content")
            assert label == '"Status: "'
        screenshot(page, f"compliance-file-{width}")
        page.goto(f"/p/{sunrise.slug}/files/completeness/")
        assert page.is_visible("text=Sunrise House · Care assistant")
        assert_accessible(page)
        if width == 390:
            no_sideways_scrolling(page, width)
        screenshot(page, f"compliance-completeness-{width}")
        context.close()
