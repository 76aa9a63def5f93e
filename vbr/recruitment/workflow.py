"""Steps that touch several models. Keyword-only, typed, atomic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    CoreValue,
    Decision,
    Indicator,
    Outcome,
    Panellist,
    Score,
    Scorecard,
    ScorecardRevision,
    Stage,
    StageEntry,
)
from vbr.recruitment.scoring import recommendation_view
from vbr.recruitment.starter_values import STARTER_VALUES


@transaction.atomic
def copy_starter_values(*, provider: Provider) -> list[CoreValue]:
    """Copy the built-in starter values into a provider's own library.

    Values the provider already has (by name) are left as they are, so the copy can be run
    again after a provider has edited or retired some of them.
    """
    existing = set(provider.core_values.values_list("name", flat=True))
    next_order = provider.core_values.count()
    created: list[CoreValue] = []
    for starter in STARTER_VALUES:
        if starter.name in existing:
            continue
        next_order += 1
        core_value = CoreValue.objects.create(
            provider=provider,
            name=starter.name,
            description=starter.description,
            order=next_order,
        )
        Indicator.objects.bulk_create(
            [
                Indicator(core_value=core_value, kind=Indicator.Kind.POSITIVE, text=text, order=i)
                for i, text in enumerate(starter.positive)
            ]
            + [
                Indicator(core_value=core_value, kind=Indicator.Kind.NEGATIVE, text=text, order=i)
                for i, text in enumerate(starter.negative)
            ]
        )
        created.append(core_value)
    return created


# -- Scoring ----------------------------------------------------------------------------------


class ScorecardLocked(Exception):
    """A submitted scorecard cannot be changed except by an amendment with a reason."""


@dataclass(frozen=True)
class Answer:
    """One criterion's answer as typed: a level 1–4, or not observed, or nothing yet."""

    level: int | None = None
    not_observed: bool = False
    evidence: str = ""

    @property
    def is_answered(self) -> bool:
        return self.level is not None or self.not_observed


def _lock_panel_place(panellist: Panellist) -> Scorecard:
    """The panellist's scorecard, created once even when two requests race (double click)."""
    Panellist.objects.select_for_update().filter(pk=panellist.pk).first()
    scorecard, _ = Scorecard.objects.get_or_create(
        panellist=panellist, defaults={"assessment_id": panellist.assessment_id}
    )
    return scorecard


def _write_answers(scorecard: Scorecard, answers: Mapping[int, Answer]) -> None:
    existing = {score.criterion_id: score for score in scorecard.scores.all()}
    allowed = set(scorecard.assessment.criteria().values_list("pk", flat=True))
    to_create, to_update = [], []
    for criterion_id, answer in answers.items():
        if criterion_id not in allowed:
            continue
        level = None if answer.not_observed else answer.level
        score = existing.get(criterion_id)
        if score is None:
            to_create.append(
                Score(
                    scorecard=scorecard,
                    criterion_id=criterion_id,
                    level=level,
                    not_observed=answer.not_observed,
                    evidence=answer.evidence,
                )
            )
        elif (score.level, score.not_observed, score.evidence) != (
            level,
            answer.not_observed,
            answer.evidence,
        ):
            score.level, score.not_observed, score.evidence = (
                level,
                answer.not_observed,
                answer.evidence,
            )
            to_update.append(score)
    Score.objects.bulk_create(to_create)
    Score.objects.bulk_update(to_update, ["level", "not_observed", "evidence"])


def _fill(
    scorecard: Scorecard,
    answers: Mapping[int, Answer],
    recommendation: str,
    summary: str,
    entered_by: User | None,
) -> None:
    """Write answers and the overall part; note who typed them when it was not the panellist
    (a supporter entering answers on their behalf)."""
    _write_answers(scorecard, answers)
    scorecard.recommendation = recommendation
    scorecard.summary = summary
    if entered_by is not None and entered_by.pk != scorecard.panellist.user_id:
        scorecard.entered_by = entered_by


@transaction.atomic
def save_scorecard_draft(
    *,
    panellist: Panellist,
    answers: Mapping[int, Answer],
    recommendation: str,
    summary: str,
    entered_by: User | None = None,
) -> Scorecard:
    """Save whatever has been typed so far. Drafts are never validated: nothing is lost."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    _fill(scorecard, answers, recommendation, summary, entered_by)
    scorecard.save()
    return scorecard


@transaction.atomic
def submit_scorecard(
    *,
    panellist: Panellist,
    answers: Mapping[int, Answer],
    recommendation: str,
    summary: str,
    entered_by: User | None = None,
) -> Scorecard:
    """Submit and lock a scorecard. The form has checked completeness; a second submit (a
    double click) finds it already submitted and changes nothing."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        return scorecard
    _fill(scorecard, answers, recommendation, summary, entered_by)
    scorecard.submitted_at = timezone.now()
    scorecard.save()
    assessment = panellist.assessment
    if assessment.status == Assessment.Status.SCHEDULED:
        assessment.status = Assessment.Status.SCORING
        assessment.save(update_fields=["status"])
    audit.record(
        provider=assessment.application.provider,
        actor=entered_by or panellist.user,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        subject=scorecard,
        application_id=assessment.application_id,
        summary=f"Scorecard submitted for {assessment.stage.name}",
    )
    return scorecard


def scorecard_snapshot(scorecard: Scorecard) -> dict[str, Any]:
    """What a scorecard says now, as JSON, for the amendment history."""
    return {
        "recommendation": scorecard.recommendation,
        "summary": scorecard.summary,
        "submitted_at": scorecard.submitted_at.isoformat() if scorecard.submitted_at else None,
        "scores": [
            {
                "criterion_id": score.criterion_id,
                "prompt": score.criterion.prompt,
                "level": score.level,
                "not_observed": score.not_observed,
                "evidence": score.evidence,
            }
            for score in scorecard.scores.select_related("criterion")
        ],
    }


@transaction.atomic
def amend_scorecard(
    *,
    scorecard: Scorecard,
    answers: Mapping[int, Answer],
    recommendation: str,
    summary: str,
    reason: str,
    amended_by: User,
) -> ScorecardRevision:
    """Change a submitted scorecard, keeping what it said before and why it changed."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if not scorecard.is_submitted:
        raise ValueError("Only a submitted scorecard is amended; a draft is simply saved.")
    if not reason.strip():
        raise ValueError("An amendment needs a reason.")
    revision = ScorecardRevision.objects.create(
        scorecard=scorecard,
        amended_by=amended_by,
        reason=reason.strip(),
        previous=scorecard_snapshot(scorecard),
    )
    _write_answers(scorecard, answers)
    scorecard.recommendation = recommendation
    scorecard.summary = summary
    scorecard.save()
    assessment = scorecard.assessment
    audit.record(
        provider=assessment.application.provider,
        actor=amended_by,
        action=AuditEvent.Action.SCORECARD_AMENDED,
        subject=scorecard,
        application_id=assessment.application_id,
        summary=f"Scorecard amended for {assessment.stage.name}",
    )
    return revision


@transaction.atomic
def close_scoring(*, assessment: Assessment, closed_by: User) -> None:
    """The chair (or a manager) closes scoring: the debrief opens with what was submitted."""
    assessment.status = Assessment.Status.CLOSED
    assessment.closed_at = timezone.now()
    assessment.save(update_fields=["status", "closed_at"])


# -- Moving through stages and deciding --------------------------------------------------------


class NoNextStage(Exception):
    """The application is at the role's last stage."""


def next_stage(application: Application) -> Stage | None:
    stages = list(application.role.stages.all())
    if application.current_stage_id is None:
        return stages[0] if stages else None
    orders = [s.pk for s in stages]
    position = orders.index(application.current_stage_id)
    return stages[position + 1] if position + 1 < len(stages) else None


@transaction.atomic
def move_to_next_stage(*, application: Application, moved_by: User | None) -> Stage:
    """Move an application on to the next stage of its role, keeping the stage history."""
    stage = next_stage(application)
    if stage is None:
        raise NoNextStage
    now = timezone.now()
    application.current_stage = stage
    application.stage_entered_at = now
    application.save(update_fields=["current_stage", "stage_entered_at"])
    StageEntry.objects.create(application=application, stage=stage, entered_at=now)
    return stage


def experts_view(application: Application) -> str:
    """The experts-by-experience view of an application at its current stage (positive,
    negative, mixed or none), from their submitted scorecards."""
    recommendations = Scorecard.objects.filter(
        assessment__application=application,
        assessment__stage_id=application.current_stage_id,
        panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
        submitted_at__isnull=False,
    ).values_list("recommendation", flat=True)
    return recommendation_view(recommendations)


def goes_against_experts(*, view: str, kind: str) -> bool:
    """A decision that overrules the lived-experience panel members needs a recorded reason."""
    forward = {Decision.Kind.PROGRESS, Decision.Kind.OFFER, Decision.Kind.HIRE}
    return (view == "negative" and kind in forward) or (
        view == "positive" and kind == Decision.Kind.DECLINE
    )


DECISION_STATUS = {
    Decision.Kind.OFFER: Application.Status.OFFERED,
    Decision.Kind.HIRE: Application.Status.HIRED,
    Decision.Kind.DECLINE: Application.Status.DECLINED,
}


@transaction.atomic
def record_decision(
    *,
    application: Application,
    kind: str,
    reasons: str,
    override_reason: str = "",
    decided_by: User,
) -> Decision:
    """Record a human decision with its reasons and carry it out."""
    if goes_against_experts(view=experts_view(application), kind=kind) and not override_reason:
        raise ValueError("A decision against the experts by experience needs a reason.")
    decision = Decision.objects.create(
        application=application,
        kind=kind,
        reasons=reasons,
        override_reason=override_reason,
        decided_by=decided_by,
    )
    if kind == Decision.Kind.PROGRESS:
        move_to_next_stage(application=application, moved_by=decided_by)
    elif kind in DECISION_STATUS:
        application.status = DECISION_STATUS[kind]
        application.status_changed_at = timezone.now()
        application.save(update_fields=["status", "status_changed_at"])
        if kind == Decision.Kind.HIRE:
            Outcome.objects.get_or_create(application=application)
    audit.record(
        provider=application.provider,
        actor=decided_by,
        action=AuditEvent.Action.DECISION_RECORDED,
        subject=decision,
        application_id=application.pk,
        summary=f"Decision: {decision.get_kind_display()}"
        + (" (against the experts-by-experience view)" if override_reason else ""),
    )
    return decision
