"""Scorecards: drafts, submitting, amending, and what is stored from submitted scores.

Scoring is independent: each panellist's scorecard is locked once submitted and only changes
by an amendment with a reason. Totals and tallies kept from submitted scores are refreshed
here, the only place submitted levels change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    Criterion,
    Panellist,
    Score,
    Scorecard,
    ScorecardRevision,
)
from vbr.recruitment.scoring import value_level_totals, value_level_totals_of
from vbr.recruitment.workflow._locks import (
    lock_application_and_assessment,
    lock_panel_place,
    lock_scorecard_with_its_assessment,
)
from vbr.reports.agreement import refresh_agreement, tally_rows
from vbr.reports.caching import reports_changed


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


def _locked_scorecard(panellist: Panellist) -> Scorecard | None:
    return (
        Scorecard.objects.select_for_update(no_key=True, of=("self",))
        .filter(panellist=panellist)
        .order_by()  # the default ordering would join (and lock) the assessment
        .first()
    )


def _lock_panel_place(panellist: Panellist) -> Scorecard:
    """The panellist's scorecard, locked until the transaction ends, and created once even
    when two requests race (a double click, two tabs). Locks the panel place and the
    scorecard only (see `_locks` for the order)."""
    scorecard = _locked_scorecard(panellist)
    if scorecard is None:
        # None yet: take turns on the panel place to create it, and look again once it is
        # ours (the request before may have made it meanwhile).
        lock_panel_place(panellist.pk)
        scorecard = _locked_scorecard(panellist) or Scorecard.objects.create(
            panellist=panellist, assessment_id=panellist.assessment_id
        )
    scorecard.panellist = panellist  # already loaded: saves reading it again
    return scorecard


def _write_answers(
    scorecard: Scorecard,
    answers: Mapping[int, Answer],
    criteria: Sequence[Criterion] | None = None,
) -> None:
    """Write the answers to the assessment's criteria (others are ignored). `criteria`: the
    assessment's criteria when the caller has already loaded them."""
    existing = {score.criterion_id: score for score in scorecard.scores.all()}
    if criteria is None:
        allowed = set(scorecard.assessment.criteria().values_list("pk", flat=True))
    else:
        allowed = {criterion.pk for criterion in criteria}
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
    criteria: Sequence[Criterion] | None,
) -> None:
    """Write answers and the overall part; note who typed them when it was not the panellist
    (a supporter entering answers on their behalf)."""
    _write_answers(scorecard, answers, criteria)
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
    criteria: Sequence[Criterion] | None = None,
) -> Scorecard:
    """Save whatever has been typed so far. Drafts are never validated: nothing is lost.

    `criteria`: the assessment's criteria, when the caller has them loaded already."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    _fill(scorecard, answers, recommendation, summary, entered_by, criteria)
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
    criteria: Sequence[Criterion] | None = None,
) -> Scorecard:
    """Submit and lock a scorecard. The form has checked completeness; a second submit (a
    double click) finds it already submitted and changes nothing. `criteria`: as for
    `save_scorecard_draft`.

    Takes the application's and the assessment's locks before the scorecard's, so that
    panellists submitting at once are counted one after another (exact stored figures) and a
    decision being made waits for the experts' recommendation."""
    assessment = panellist.assessment
    # The assessment's status as it is now: the loaded one may be older.
    locked = lock_scorecard_with_its_assessment(panellist=panellist)
    if locked is None:  # no draft saved yet: the scorecard is made under the panel place's lock
        status = lock_application_and_assessment(assessment.pk)
        scorecard = _lock_panel_place(panellist)
    else:
        status, scorecard = locked.assessment.status, locked
        scorecard.panellist = panellist  # already loaded: saves reading it again
    if scorecard.is_submitted:
        return scorecard
    _fill(scorecard, answers, recommendation, summary, entered_by, criteria)
    scorecard.submitted_at = timezone.now()
    scorecard.save()
    # Stored figures, and "scoring open" for a scheduled assessment, in the same statements.
    refresh_from_scores([assessment], open_scoring=True)
    if status == Assessment.Status.SCHEDULED:
        assessment.status = Assessment.Status.SCORING
    audit.record(
        provider=assessment.application.provider,
        actor=entered_by or panellist.user,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        subject=scorecard,
        application_id=assessment.application_id,
        summary=f"Scorecard submitted for {assessment.stage.name}",
    )
    # Last, so that concurrent submits at this provider queue on its reports version for
    # as short a time as possible.
    reports_changed(provider_id=assessment.application.provider_id)
    return scorecard


def refresh_from_scores(assessments: Sequence[Assessment], *, open_scoring: bool = False) -> None:
    """Store again everything kept from these assessments' submitted scorecards: each
    application's per-value totals (exports, retention), the panel's progress (lists, the
    dashboard) and the panel tallies (values and panel reports). Called when a scorecard is
    submitted or amended, the only steps that change submitted levels; loads that write
    scorecards directly call it as submitting would. `open_scoring`: a scheduled assessment
    is now being scored (a submit), stored with its progress. Six queries: the
    applications' submitted answers read once for totals and tallies; the totals stored;
    the progress stored (2); the old tallies cleared and the new stored.

    The workflow calls it holding the locks of the applications and assessments (`_locks`):
    each count is then made after every earlier writer has committed, and is exact."""
    application_ids = sorted({assessment.application_id for assessment in assessments})
    rows = list(
        tally_rows(Score.objects.filter(scorecard__assessment__application_id__in=application_ids))
    )
    totals = value_level_totals_of((row[1], row[4], row[7]) for row in rows)
    _store_value_levels(application_ids, totals)
    ids = [assessment.pk for assessment in assessments]
    Assessment.objects.filter(pk__in=ids).refresh_scoring_progress(open_scoring=open_scoring)
    refresh_agreement(ids, rows)


def _store_value_levels(
    application_ids: Sequence[int], totals: Mapping[int, dict[str, list[float]]]
) -> None:
    applications = [Application(pk=pk, value_levels=totals.get(pk, {})) for pk in application_ids]
    Application.objects.bulk_update(applications, ["value_levels"], batch_size=1000)


def refresh_value_levels(application_ids: Sequence[int]) -> None:
    """Store each application's submitted levels per value (Application.value_levels), read
    again from its scores (see `refresh_from_scores`). Two queries for one application."""
    totals = value_level_totals(
        Score.objects.filter(scorecard__assessment__application_id__in=application_ids)
    )
    _store_value_levels(application_ids, totals)


def refresh_all_value_levels(applications: models.QuerySet[Application], batch: int = 5000) -> int:
    """`refresh_value_levels` for many applications, a batch at a time (for loads that write
    scores directly, such as the synthetic dataset). Returns how many were refreshed."""
    ids = list(applications.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            refresh_value_levels(ids[start : start + batch])
    return len(ids)


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
    """Change a submitted scorecard, keeping what it said before and why it changed. Locks
    as submitting does: a decision being made waits for the amended recommendation."""
    assessment = scorecard.assessment
    locked = lock_scorecard_with_its_assessment(pk=scorecard.pk)
    if locked is None:
        raise Scorecard.DoesNotExist
    scorecard = locked
    scorecard.assessment = assessment  # loaded above: saves reading it again
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
    refresh_from_scores([assessment])
    audit.record(
        provider=assessment.application.provider,
        actor=amended_by,
        action=AuditEvent.Action.SCORECARD_AMENDED,
        subject=scorecard,
        application_id=assessment.application_id,
        summary=f"Scorecard amended for {assessment.stage.name}",
    )
    reports_changed(provider_id=assessment.application.provider_id)  # last, as on submit
    return revision


@transaction.atomic
def close_scoring(*, assessment: Assessment, closed_by: User) -> None:
    """The chair (or a manager) closes scoring: the debrief opens with what was submitted."""
    assessment.status = Assessment.Status.CLOSED
    assessment.closed_at = timezone.now()
    assessment.save(update_fields=["status", "closed_at"])


@transaction.atomic
def set_scorecard_supporter(
    *, panellist: Panellist, supporter: User | None, supporter_name: str
) -> Scorecard:
    """Record who is helping a panel member enter their answers (or that nobody is), so that
    the scorecard can say "entered by [supporter] on behalf of [member]"."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    if supporter is not None and supporter.pk == panellist.user_id:
        supporter = None
    scorecard.entered_by = supporter
    scorecard.supporter_name = "" if supporter is not None else supporter_name.strip()[:150]
    scorecard.save(update_fields=["entered_by", "supporter_name", "updated_at"])
    return scorecard
