"""The product's rules (vbr/recruitment/rules.py), worked through the places that apply them:
the decision page, `record_decision` and the panel report weigh a decision against the
experts' view at the stage it was made, and agree with each other."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.test_reports import report_url, table
from vbr.accounts.models import Provider, User
from vbr.recruitment import rules, scoring, workflow
from vbr.recruitment.models import Application, Criterion, Decision, Panellist, Scorecard, Stage

AGAINST = "Decisions against the experts' view"


@dataclass
class Journey:
    """Sam applying for care assistant: a values interview, then shadowing."""

    application: Application
    interview: Stage
    shadowing: Stage
    kindness: Criterion
    patience: Criterion


@pytest.fixture
def carol(sunrise: Provider) -> User:
    return f.make_member(provider=sunrise, full_name="Carol Singh", expert=True)


@pytest.fixture
def journey(sunrise: Provider) -> Journey:
    role = f.make_role(provider=sunrise)
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    compassion = f.make_value(provider=sunrise, name="Compassion")
    application = f.make_application(role=role, stage=interview)
    return Journey(
        application=application,
        interview=interview,
        shadowing=shadowing,
        kindness=f.make_criterion(stage=interview, core_value=compassion, prompt="Kindness"),
        patience=f.make_criterion(stage=shadowing, core_value=compassion, prompt="Patience"),
    )


def experts_say(journey: Journey, stage: Stage, said: dict[User, str]) -> None:
    """An assessment at `stage` where each expert by experience submitted a recommendation."""
    criterion = journey.kindness if stage == journey.interview else journey.patience
    assessment = f.make_assessment(application=journey.application, stage=stage)
    for user, recommendation in said.items():
        place = f.make_panellist(
            assessment=assessment, user=user, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
        )
        card = f.make_scorecard(panellist=place, levels={criterion: 3}, submitted=True)
        Scorecard.objects.filter(pk=card.pk).update(recommendation=recommendation)


def progress(journey: Journey, bob: User) -> None:
    workflow.record_decision(
        application=journey.application, kind="progress", reasons="Warm", decided_by=bob
    )
    journey.application.refresh_from_db()


def decide(client: Client, application: Application, **data: str):  # type: ignore[no-untyped-def]
    """Send the decision form as the page draws it now (with the stage and latest decision it
    carries back, see tests/test_races.py)."""
    seen = workflow.seen_now(Application.objects.get(pk=application.pk))
    drawn = {"at_stage": seen.stage_id or "", "last_decision": seen.decision_id or ""}
    return client.post(reverse("decision-create", args=["sunrise", application.pk]), drawn | data)


def against_the_experts(client: Client, provider: Provider) -> list[list[object]]:
    return table(client.get(report_url(provider, "panel")), AGAINST)


# -- The rule itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "kind", "against", "followed"),
    [
        ("negative", "progress", True, False),
        ("negative", "offer", True, False),
        ("negative", "hire", True, False),
        ("negative", "decline", False, True),
        ("positive", "decline", True, False),
        ("positive", "hire", False, True),
        ("positive", "hold", False, False),
        ("mixed", "decline", False, False),
        ("mixed", "hire", False, False),
        ("none", "hire", False, False),
    ],
)
def test_a_decision_goes_against_the_experts_only_when_their_view_was_clear(
    view: str, kind: str, against: bool, followed: bool
) -> None:
    assert rules.goes_against_experts(view=view, kind=kind) is against
    assert rules.follows_experts(view=view, kind=kind) is followed


def test_the_experts_view_is_clear_only_when_everyone_who_recommended_agreed() -> None:
    assert rules.recommendation_view(["yes", "strong_yes", "none"]) == "positive"
    assert rules.recommendation_view(["no", "strong_no"]) == "negative"
    assert rules.recommendation_view(["strong_yes", "no"]) == "mixed"
    assert rules.recommendation_view(["none", ""]) == "none"
    assert scoring.recommendation_view is rules.recommendation_view  # one home, old import


def test_only_the_extreme_levels_need_written_evidence() -> None:
    assert [level for level in (*rules.LEVELS, None) if rules.needs_written_evidence(level)] == [
        1,
        4,
    ]
    assert rules.evidence_levels_in_words() == "1 and 4"


def test_not_observed_is_left_out_of_every_figure() -> None:
    assert not rules.counts_in_figures(None)
    stats = scoring.level_stats([4, None, 2])
    assert (stats.levels, stats.not_observed, stats.median) == ((2, 4), 1, 3)


# -- Worked example: experts for at the interview, against at shadowing --------------------------


def test_hiring_at_shadowing_against_the_experts_there_needs_a_reason_everywhere(
    as_bob: Client, as_alice: Client, sunrise: Provider, bob: User, dev: User, carol: User,
    journey: Journey,
) -> None:  # fmt: skip
    experts_say(journey, journey.interview, {dev: "yes"})
    progress(journey, bob)
    experts_say(journey, journey.shadowing, {carol: "no"})
    application = journey.application
    # Pooled over both stages the experts look "mixed"; at shadowing, where Sam is hired,
    # they were against.
    assert workflow.experts_view(application) == "negative"

    refused = decide(as_bob, application, kind="hire", reasons="Residents liked Sam")
    assert refused.status_code == 200
    assert "The experts by experience were negative" in refused.text
    assert "Residents liked Sam" in refused.text  # nothing typed is lost
    with pytest.raises(ValueError, match="needs a reason"):
        workflow.record_decision(
            application=application, kind="hire", reasons="Residents liked Sam", decided_by=bob
        )
    assert application.decisions.filter(kind="hire").count() == 0

    decide(
        as_bob,
        application,
        kind="hire",
        reasons="Residents liked Sam",
        override_reason="Carol saw a hard first hour; the afternoon went well",
    )
    hire = application.decisions.get(kind="hire")
    assert hire.stage == journey.shadowing
    assert hire.override_reason.startswith("Carol saw")
    # Only the latest decision (the hire) counts: 1 against, of 1 with a clear view.
    assert against_the_experts(as_alice, sunrise) == [[1, 1, 100.0]]


def test_moving_on_from_the_interview_as_the_experts_there_said_is_followed(
    as_alice: Client, sunrise: Provider, bob: User, dev: User, carol: User, journey: Journey
) -> None:
    experts_say(journey, journey.interview, {dev: "strong_yes"})
    progress(journey, bob)
    # Later, at shadowing, the experts were against; no decision has been made there yet.
    experts_say(journey, journey.shadowing, {carol: "no"})
    decision = journey.application.decisions.get()
    assert decision.stage == journey.interview
    assert against_the_experts(as_alice, sunrise) == [[0, 1, 0.0]]


def test_a_mixed_view_at_the_stage_decided_is_neither_against_nor_followed(
    as_bob: Client, as_alice: Client, sunrise: Provider, bob: User, dev: User, carol: User,
    journey: Journey,
) -> None:  # fmt: skip
    experts_say(journey, journey.interview, {dev: "no"})
    progress_reason = "Nerves on the day; the staff panel saw more"
    workflow.record_decision(
        application=journey.application,
        kind="progress",
        reasons="Warm",
        override_reason=progress_reason,
        decided_by=bob,
    )
    experts_say(journey, journey.shadowing, {dev: "yes", carol: "no"})
    response = decide(as_bob, journey.application, kind="decline", reasons="Little evidence")
    assert response.status_code == 302  # no reason asked for
    journey.application.refresh_from_db()
    assert journey.application.status == Application.Status.DECLINED
    assert against_the_experts(as_alice, sunrise) == [[0, 0, None]]


def test_a_reason_typed_for_a_decision_that_follows_the_experts_is_not_shown_as_an_override(
    as_bob: Client, as_alice: Client, sunrise: Provider, dev: User, journey: Journey
) -> None:
    experts_say(journey, journey.interview, {dev: "no"})
    response = decide(
        as_bob,
        journey.application,
        kind="decline",
        reasons="Little evidence of kindness",
        override_reason="We agree with Dev",
    )
    assert response.status_code == 302
    decision = journey.application.decisions.get()
    assert (decision.reasons, decision.override_reason) == (
        "Little evidence of kindness\n\nWe agree with Dev",
        "",
    )
    page = as_bob.get(journey.application.get_absolute_url()).content.decode()
    assert "We agree with Dev" in page
    assert "Against the experts" not in page
    assert against_the_experts(as_alice, sunrise) == [[0, 1, 0.0]]  # followed, not against


def test_a_decision_is_recorded_at_the_stage_the_application_was_in(
    bob: User, journey: Journey
) -> None:
    progress(journey, bob)
    workflow.record_decision(
        application=journey.application, kind="hold", reasons="Waiting for checks", decided_by=bob
    )
    assert list(
        journey.application.decisions.order_by("decided_at").values_list("kind", "stage__name")
    ) == [("progress", "Values interview"), ("hold", "Shadowing")]


# -- The migration that gave existing decisions their stage -------------------------------------


def fill_decision_stages() -> None:
    migration = importlib.import_module("vbr.recruitment.migrations.0014_decision_stage")
    migration.fill_decision_stages(django_apps, None)


def test_existing_decisions_get_the_stage_the_application_was_in_when_decided(
    bob: User, journey: Journey
) -> None:
    now = timezone.now()
    application = journey.application
    f.make_stage_entry(
        application=application, stage=journey.interview, entered_at=now - timedelta(days=20)
    )
    f.make_stage_entry(
        application=application, stage=journey.shadowing, entered_at=now - timedelta(days=10)
    )
    Application.objects.filter(pk=application.pk).update(current_stage=journey.shadowing)
    application.refresh_from_db()
    at_interview = f.make_decision(application=application, decided_at=now - timedelta(days=15))
    # Written by a load that stamped the move with the decision's own time.
    moved_on = f.make_decision(application=application, decided_at=now - timedelta(days=10))
    at_shadowing = f.make_decision(
        application=application, kind="hire", decided_at=now - timedelta(days=2)
    )
    before_any_entry = f.make_decision(
        application=application, kind="hold", decided_at=now - timedelta(days=30)
    )
    Decision.objects.update(stage=None)
    fill_decision_stages()
    stages = dict(Decision.objects.values_list("pk", "stage__name"))
    assert stages == {
        at_interview.pk: "Values interview",
        moved_on.pk: "Values interview",
        at_shadowing.pk: "Shadowing",
        before_any_entry.pk: "Shadowing",  # no history then: the current stage
    }


@pytest.mark.django_db
def test_the_migration_gives_generated_decisions_the_stage_the_generator_gave_them() -> None:
    call_command("generate_dataset", size="tiny", applications=60, seed=7, stdout=StringIO())
    generated = dict(Decision.objects.values_list("pk", "stage_id"))
    assert generated and None not in generated.values()
    Decision.objects.update(stage=None)
    fill_decision_stages()
    assert dict(Decision.objects.values_list("pk", "stage_id")) == generated


@pytest.mark.django_db
def test_generated_decisions_against_the_experts_carry_a_reason() -> None:
    call_command("generate_dataset", size="tiny", applications=120, seed=11, stdout=StringIO())
    views = rules.experts_views(Scorecard.objects.all())
    against = [
        reason
        for application_id, stage_id, kind, reason in Decision.objects.values_list(
            "application_id", "stage_id", "kind", "override_reason"
        )
        if rules.goes_against_experts(view=views.get((application_id, stage_id), "none"), kind=kind)
    ]
    assert against and all(against)
