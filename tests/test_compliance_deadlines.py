"""Deadlines after the start on the manager's dashboard, and reminders, with a frozen clock:
Social Care Wales registration six months after the start, a right-to-work follow-up."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import OutgoingEmail, Provider, User
from vbr.compliance import deadlines, workflow
from vbr.compliance.models import Check, SaferRecruitmentFile
from vbr.recruitment.models import Application


def started_in_wales(provider: Provider, manager: User, *, start: date) -> SaferRecruitmentFile:
    provider.nation = "wales"
    provider.save(update_fields=["nation"])
    role = f.make_role(provider=provider, title="Home carer")
    role.managers.add(manager.memberships.get(provider=provider))
    candidate = f.make_candidate(provider=provider, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.HIRED
    )
    file = workflow.open_file(application=application, by=manager)
    file.checks.exclude(item__key="registration").update(status=Check.Status.VERIFIED)
    workflow.confirm_start(file=file, start_date=start, by=manager)
    return file


def frozen(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 8, 0))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_registration_and_right_to_work_deadlines_show_before_they_fall_due(
    sunrise: Provider, bob: User, as_bob: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = started_in_wales(sunrise, bob, start=date(2026, 1, 15))
    file.checks.filter(item__key="right_to_work").update(follow_up_on=date(2026, 9, 30))
    home = reverse("provider-home", args=[sunrise.slug])
    frozen(monkeypatch, date(2026, 5, 1))  # 75 days before 15 July: not yet shown
    assert "Safer-recruitment deadlines" not in as_bob.get(home).content.decode()
    frozen(monkeypatch, date(2026, 6, 1))
    page = as_bob.get(home).content.decode()
    assert "Registered with Social Care Wales: due" in page
    assert "by 15 Jul 2026 (44 days)" in page
    assert "Right to work in the UK" not in page  # 30 September is further off
    frozen(monkeypatch, date(2026, 8, 10))
    page = as_bob.get(home).content.decode()
    assert "overdue since 15 Jul 2026" in page
    assert "Right to work in the UK: follow up or renew" in page and "by 30 Sep 2026" in page


def test_a_verified_registration_is_no_longer_due(sunrise: Provider, bob: User) -> None:
    file = started_in_wales(sunrise, bob, start=date(2026, 1, 15))
    file.checks.filter(item__key="registration").update(status=Check.Status.VERIFIED)
    assert deadlines.upcoming_for(bob.memberships.get(), today=date(2026, 7, 10)) == []


def test_reminders_go_to_the_roles_managers_once_per_deadline(
    sunrise: Provider, bob: User, alice: User
) -> None:
    bob.email = "bob@sunrise.example"
    bob.save()
    started_in_wales(sunrise, bob, start=date(2026, 1, 15))
    assert deadlines.remind(today=date(2026, 6, 20)) == 0  # 25 days ahead: not yet
    assert deadlines.remind(today=date(2026, 7, 2)) == 1
    assert deadlines.remind(today=date(2026, 7, 3)) == 0  # once only
    email = OutgoingEmail.objects.get()
    assert email.to_address == "bob@sunrise.example"
    assert email.subject == "Due 15 July 2026: Registered with Social Care Wales: due"
    assert "Amira Hussain (Home carer)" in email.body


def test_deadlines_of_files_a_manager_does_not_see_are_not_shown(
    sunrise: Provider, bob: User, alice: User
) -> None:
    started_in_wales(sunrise, bob, start=date(2026, 1, 15))
    other_manager = f.make_member(provider=sunrise, username="maya")
    assert deadlines.upcoming_for(other_manager.memberships.get(), today=date(2026, 7, 1)) == []
    assert len(deadlines.upcoming_for(alice.memberships.get(), today=date(2026, 7, 1))) == 1


def test_a_deadline_links_to_its_file_and_counts_a_single_day(
    sunrise: Provider, bob: User, as_bob: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = started_in_wales(sunrise, bob, start=date(2026, 1, 15))
    frozen(monkeypatch, date(2026, 7, 14))
    page = as_bob.get(reverse("provider-home", args=[sunrise.slug])).content.decode()
    assert f'<a href="{file.get_absolute_url()}">Amira Hussain</a>' in page
    assert "by 15 Jul 2026 (1 day)" in page
