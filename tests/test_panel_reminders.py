"""Scorecards still open: each panel member is reminded once their provider's hours after the
assessment have passed (once per threshold), the way their "working with me" asks; each
morning the chair and the role's hiring managers get one list of the scorecards still open,
which names whose they are and never any score. The clock is passed in (`now=`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import AccessProfile, Membership, Provider, User
from vbr.applicants import panel_messages, tasks
from vbr.applicants.models import ApplicantSettings, PanelMessage
from vbr.celery import app as celery_app
from vbr.recruitment.models import Assessment, Panellist


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def with_email(user: User, address: str) -> User:
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def scene(sunrise: Provider, bob: User, dev: User) -> dict[str, Any]:
    """Siân's values interview 30 hours ago: Carol chairs and has sent her scorecard (with a
    level and her evidence), Bob (the role's hiring manager) and Dev have not; Dev hears on
    paper."""
    with_email(bob, "bob@sunrise.example.org")
    carol = with_email(
        f.make_member(provider=sunrise, role=Membership.Role.MANAGER, full_name="Carol Lee"),
        "carol@sunrise.example.org",
    )
    AccessProfile.objects.create(user=dev, contact_by=AccessProfile.Contact.PRINTED)
    role = f.make_role(provider=sunrise, title="Night care assistant")
    role.managers.add(bob.memberships.get())
    stage = f.make_stage(role=role, name="Values interview")
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    candidate = f.make_candidate(provider=sunrise, first_name="Siân", last_name="Evans")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    now = timezone.now()
    assessment = f.make_assessment(
        application=application, stage=stage, scheduled_at=now - timedelta(hours=30)
    )
    chair = f.make_panellist(
        assessment=assessment, user=carol, panel_role=Panellist.PanelRole.CHAIR
    )
    f.make_panellist(assessment=assessment, user=bob)
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    scorecard = f.make_scorecard(panellist=chair, levels={criterion: 4}, submitted=True)
    scorecard.scores.update(evidence="She held Mrs Hill's hand the whole time")
    return {
        "now": now,
        "assessment": assessment,
        "carol": carol,
        "role": role,
        "stage": stage,
        "application": application,
    }


def test_a_scorecard_still_open_after_the_providers_hours_is_reminded_once(
    scene: dict[str, Any], bob: User, dev: User, django_capture_on_commit_callbacks: Any
) -> None:
    now = scene["now"]
    with django_capture_on_commit_callbacks(execute=True):
        assert panel_messages.send_scorecard_reminders(now=now) == 2
    to_bob = [m for m in mail.outbox if "bob@sunrise.example.org" in m.to]
    assert len(to_bob) == 1
    assert to_bob[0].subject.startswith("Your scorecard is still open: Values interview, ")
    assert "Your scorecard for Siân's values interview (Night care assistant)" in to_bob[0].body
    assert 'under "My scorecards to do"' in to_bob[0].body
    # Carol sent hers: nothing to her. Dev hears on paper.
    assert not [m for m in mail.outbox if "carol@" in m.to[0]]
    note = PanelMessage.objects.get(user=dev, kind=PanelMessage.Kind.SCORECARD)
    assert note.channel == PanelMessage.Channel.PRINTED
    assert "Open the link in your panel invitation" in note.body
    assert note.hours_after == 24

    # The next hour's run reminds nobody again.
    assert panel_messages.send_scorecard_reminders(now=now + timedelta(hours=1)) == 0


def test_the_reminder_waits_for_the_hours_the_provider_chose(
    scene: dict[str, Any], sunrise: Provider
) -> None:
    now = scene["now"]
    ApplicantSettings.objects.create(provider=sunrise, scorecard_reminder_hours=48)
    assert panel_messages.send_scorecard_reminders(now=now) == 0
    assert panel_messages.send_scorecard_reminders(now=now + timedelta(hours=18)) == 2
    # A new threshold (the admin shortens it) reminds once more at that threshold.
    ApplicantSettings.objects.filter(provider=sunrise).update(scorecard_reminder_hours=12)
    assert panel_messages.send_scorecard_reminders(now=now + timedelta(hours=19)) == 2
    assert panel_messages.send_scorecard_reminders(now=now + timedelta(hours=20)) == 0


def test_no_reminder_once_sent_closed_cancelled_or_withdrawn(
    scene: dict[str, Any], bob: User, dev: User
) -> None:
    now = scene["now"]
    Panellist.objects.filter(user=bob).update(scorecard_submitted=True)
    assert panel_messages.send_scorecard_reminders(now=now) == 1  # Dev only
    Assessment.objects.filter(pk=scene["assessment"].pk).update(status="closed")
    PanelMessage.objects.all().delete()
    assert panel_messages.send_scorecard_reminders(now=now) == 0
    Assessment.objects.filter(pk=scene["assessment"].pk).update(status="scoring")
    scene["application"].withdraw(reason="")
    assert panel_messages.send_scorecard_reminders(now=now) == 0


def test_the_chair_and_the_roles_managers_get_a_daily_list_naming_whose_scorecards_are_open(
    scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    now = scene["now"]
    with django_capture_on_commit_callbacks(execute=True):
        assert panel_messages.send_overdue_digests(now=now) == 2
    lists = {m.to[0]: m for m in mail.outbox}
    assert set(lists) == {"bob@sunrise.example.org", "carol@sunrise.example.org"}
    digest = lists["carol@sunrise.example.org"]
    assert digest.subject == "Scorecards still open: 1 assessment"
    assert "- Values interview with Siân Evans (Night care assistant)" in digest.body
    assert "Waiting for: Bob Okafor, Dev Raman" in digest.body
    # Independence: no level, no evidence, no recommendation, nobody's view.
    for words in ("Mrs Hill", "level", "Strong", "recommend"):
        assert words not in digest.body.replace("Siân Evans", ""), words
    assert "Carol Lee" not in digest.body.split("Waiting for:")[1]

    # Once a day: a later run the same day writes nothing (the last second of the day, so the
    # test means the same whatever the time it runs at); the next morning again.
    later_that_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    assert panel_messages.send_overdue_digests(now=later_that_day) == 0
    assert panel_messages.send_overdue_digests(now=now + timedelta(days=1)) == 2


def test_no_list_when_every_scorecard_is_in(scene: dict[str, Any]) -> None:
    Panellist.objects.filter(assessment=scene["assessment"]).update(scorecard_submitted=True)
    assert panel_messages.send_overdue_digests(now=scene["now"]) == 0
    assert not PanelMessage.objects.exists()


def test_a_list_is_not_sent_to_someone_we_cannot_email(scene: dict[str, Any], bob: User) -> None:
    AccessProfile.objects.create(user=bob, contact_by=AccessProfile.Contact.PRINTED)
    assert panel_messages.send_overdue_digests(now=scene["now"]) == 1  # Carol only
    assert not PanelMessage.objects.filter(user=bob).exists()


def test_the_beat_tasks_run_the_reminders_and_the_lists(scene: dict[str, Any]) -> None:
    assert tasks.remind_panels() == 2
    assert tasks.send_overdue_digests() == 2
    assert tasks.remind_panels() == 0


def test_an_admin_sets_the_hours_before_a_scorecard_reminder(
    sunrise: Provider, alice: User, settings: Any
) -> None:
    settings.VBR_REQUIRE_ADMIN_2FA = False
    client = signed_in(alice)
    url = reverse("applicant-settings", args=["sunrise"])
    page = client.get(url).content.decode()
    assert "Hours before a scorecard reminder" in page
    response = client.post(
        url, {"first_contact_hours": "24", "scorecard_reminder_hours": "6", "draft_days": "14"}
    )
    assert response.status_code == 302
    assert ApplicantSettings.objects.get(provider=sunrise).scorecard_reminder_hours == 6
    refused = client.post(
        url, {"first_contact_hours": "24", "scorecard_reminder_hours": "0", "draft_days": "14"}
    )
    assert "greater than or equal to 1" in refused.content.decode()
