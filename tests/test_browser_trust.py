"""Browser journeys for trust: setting up two-factor sign-in, the privacy pages and the
audit trail, with axe-core on each page and the Content-Security-Policy enforced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application


@pytest.mark.browser
def test_admin_sets_up_two_factor_then_reviews_a_candidates_data(
    browser_page: Any, alice: User, sunrise: Provider, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VBR_REQUIRE_ADMIN_2FA = True
    role = f.make_role(provider=sunrise, title="Night care assistant")
    application = f.make_application(
        role=role,
        candidate=f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain"),
        status=Application.Status.DECLINED,
    )
    application.status_changed_at = timezone.now() - timedelta(days=220)
    application.save()
    page = browser_page

    sign_in(page, "alice", f.PASSWORD)
    # Required for admins: the first page after the password is the set-up.
    assert page.get_by_text("Your role requires two-factor sign-in").is_visible()
    assert page.locator("figure.totp-qr svg").is_visible()
    assert_accessible(page)
    screenshot(page, "trust-security-setup")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("6-digit code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_text("Two-factor sign-in is set up").is_visible()

    page.goto(application.get_absolute_url())
    assert page.get_by_role("heading", name="DBS certificates seen").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Candidate's personal data").click()
    assert page.get_by_role("heading", name="Personal data: Amira Hussain").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Admin").click()  # People, Checks and Privacy
    assert_accessible(page)
    page.get_by_role("link", name="Privacy", exact=True).click()
    assert page.get_by_role("heading", name="Privacy settings").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Who will be anonymised next").click()
    assert page.get_by_role("cell", name="Amira Hussain").is_visible()
    assert_accessible(page)
    screenshot(page, "trust-retention-preview")

    page.get_by_role("link", name="Their data").click()
    page.get_by_role("button", name="Anonymise this candidate").click()
    assert page.get_by_text("personal data has been anonymised").is_visible()
    page.goto(f"/p/{sunrise.slug}/audit/")
    assert page.get_by_role("cell", name="Anonymised personal data").is_visible()
    assert_accessible(page)
    screenshot(page, "trust-audit-list")
