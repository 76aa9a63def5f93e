"""Speed to first contact: the dashboard lists online applications nobody has answered after
the provider's time (24 hours unless it says otherwise), oldest first."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.test_url_access import verified
from vbr.accounts.models import Provider, User
from vbr.applicants.models import ApplicantSettings, OnlineApplication
from vbr.recruitment.models import Application, Role, Stage


def applied_online(role: Role, stage: Stage, name: str, hours_ago: float) -> Application:
    when = timezone.now() - timedelta(hours=hours_ago)
    candidate = f.make_candidate(provider=role.provider, first_name=name, last_name="Jones")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    Application.objects.filter(pk=application.pk).update(applied_at=when, stage_entered_at=when)
    f.make_online_application(application=application)
    return application


def dashboard(user: User) -> str:
    """The dashboard's "waiting for first contact" section ("" when it is not shown)."""
    page = signed_in(user).get(reverse("provider-home", args=["sunrise"])).content.decode()
    start = page.find('id="first-contact-heading"')
    return "" if start < 0 else page[start : page.index("</section>", start)]


def test_applications_nobody_answered_are_listed_oldest_first(
    sunrise: Provider, hillside: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    interview = f.make_stage(role=role)
    later = f.make_stage(role=role, name="Shadowing", order=2)
    applied_online(role, interview, "Newer", hours_ago=30)
    applied_online(role, interview, "Oldest", hours_ago=50)
    applied_online(role, interview, "Recent", hours_ago=2)
    booked = applied_online(role, interview, "Booked", hours_ago=40)
    f.make_assessment(application=booked, stage=interview)
    moved = applied_online(role, interview, "Moved", hours_ago=40)
    Application.objects.filter(pk=moved.pk).update(
        current_stage=later, stage_entered_at=timezone.now()
    )
    phoned = applied_online(role, interview, "Phoned", hours_ago=40)
    signed_in(bob).post(reverse("first-contact-mark", args=["sunrise", phoned.pk]))
    their_role = f.make_role(provider=hillside)
    applied_online(their_role, f.make_stage(role=their_role), "Theirs", hours_ago=60)

    page = dashboard(bob)

    assert "New applications waiting for first contact" in page
    assert "more than 24 hours ago" in page
    assert page.index("Oldest Jones") < page.index("Newer Jones")
    for not_listed in ("Recent", "Booked", "Moved", "Phoned", "Theirs"):
        assert f"{not_listed} Jones" not in page
    assert OnlineApplication.objects.get(application=phoned).contacted_at is not None


def test_the_provider_sets_its_own_time(sunrise: Provider, alice: User, bob: User) -> None:
    role = f.make_role(provider=sunrise)
    applied_online(role, f.make_stage(role=role), "Waiting", hours_ago=30)
    response = verified(alice).post(
        reverse("applicant-settings", args=["sunrise"]),
        {"first_contact_hours": "48", "scorecard_reminder_hours": "24", "draft_days": "14"},
    )
    assert response.status_code == 302
    assert ApplicantSettings.objects.get(provider=sunrise).first_contact_hours == 48
    assert "Waiting Jones" not in dashboard(bob)
    ApplicantSettings.objects.filter(provider=sunrise).update(first_contact_hours=4)
    page = dashboard(bob)
    assert "Waiting Jones" in page and "more than 4 hours ago" in page


def test_nothing_is_listed_when_everyone_has_been_answered(sunrise: Provider, bob: User) -> None:
    assert dashboard(bob) == ""
