"""Invariants the database (or model validation) holds for us."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import Application, Assessment, Outcome, Score, Scorecard


@pytest.fixture
def interview(sunrise: Provider, bob: User):  # type: ignore[no-untyped-def]
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    value = f.make_value(provider=sunrise, name="Compassion")
    criterion = f.make_criterion(stage=stage, core_value=value)
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    panellist = f.make_panellist(assessment=assessment, user=bob)
    return assessment, panellist, criterion


def test_one_membership_per_user_per_provider(sunrise: Provider, bob: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=bob, provider=sunrise, role=Membership.Role.ADMIN)


def test_one_scorecard_per_panellist_per_assessment(interview) -> None:  # type: ignore[no-untyped-def]
    assessment, panellist, _ = interview
    Scorecard.objects.create(assessment=assessment, panellist=panellist)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(assessment=assessment, panellist=panellist)


def test_one_score_per_criterion_per_scorecard(interview) -> None:  # type: ignore[no-untyped-def]
    assessment, panellist, criterion = interview
    scorecard = Scorecard.objects.create(assessment=assessment, panellist=panellist)
    Score.objects.create(scorecard=scorecard, criterion=criterion, level=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(scorecard=scorecard, criterion=criterion, level=2)


@pytest.mark.parametrize("level", [0, 5, 9])
def test_score_level_must_be_one_to_four(interview, level: int) -> None:  # type: ignore[no-untyped-def]
    assessment, panellist, criterion = interview
    scorecard = Scorecard.objects.create(assessment=assessment, panellist=panellist)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(scorecard=scorecard, criterion=criterion, level=level)


def test_not_observed_score_has_no_level(interview) -> None:  # type: ignore[no-untyped-def]
    assessment, panellist, criterion = interview
    scorecard = Scorecard.objects.create(assessment=assessment, panellist=panellist)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(scorecard=scorecard, criterion=criterion, level=2, not_observed=True)
    score = Score.objects.create(scorecard=scorecard, criterion=criterion, not_observed=True)
    assert score.is_answered
    assert score.display_level == "Not observed"


def test_one_assessment_per_application_and_stage(interview) -> None:  # type: ignore[no-untyped-def]
    assessment, _, _ = interview
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(application=assessment.application, stage=assessment.stage)


def test_outcome_cannot_leave_before_starting(interview) -> None:  # type: ignore[no-untyped-def]
    assessment, _, _ = interview
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            application=assessment.application,
            start_date=datetime.date(2026, 5, 1),
            left_on=datetime.date(2026, 4, 1),
        )


def test_criterion_must_use_a_value_of_the_same_provider(
    sunrise: Provider, hillside: Provider
) -> None:
    stage = f.make_stage(role=f.make_role(provider=sunrise))
    foreign_value = f.make_value(provider=hillside)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    criterion.core_value = foreign_value
    with pytest.raises(ValidationError) as excinfo:
        criterion.full_clean()
    assert "core_value" in excinfo.value.message_dict


def test_application_parts_must_belong_to_its_provider(
    sunrise: Provider, hillside: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    other_role = f.make_role(provider=hillside)
    application = Application(
        provider=sunrise,
        role=role,
        candidate=f.make_candidate(provider=hillside),
        current_stage=f.make_stage(role=other_role),
    )
    with pytest.raises(ValidationError) as excinfo:
        application.full_clean()
    assert set(excinfo.value.message_dict) >= {"candidate", "current_stage"}


def test_panel_member_can_exist_without_a_password(dev: User) -> None:
    assert not dev.has_usable_password()
    assert dev.memberships.get().is_expert_by_experience
