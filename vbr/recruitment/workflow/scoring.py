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
from django.db.models.functions import Cast
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
from vbr.recruitment.writes import Writes
from vbr.reports.agreement import tallies_of, tally_rows
from vbr.reports.caching import reports_changed
from vbr.reports.models import AgreementTally


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
    """Write the answers to the assessment's criteria (others are ignored), in one statement:
    a criterion answered before has its score replaced. `criteria`: the assessment's criteria
    when the caller has already loaded them."""
    if criteria is None:
        allowed = set(scorecard.assessment.criteria().values_list("pk", flat=True))
    else:
        allowed = {criterion.pk for criterion in criteria}
    scores = [
        Score(
            scorecard=scorecard,
            criterion_id=criterion_id,
            level=None if answer.not_observed else answer.level,
            not_observed=answer.not_observed,
            evidence=answer.evidence,
        )
        for criterion_id, answer in answers.items()
        if criterion_id in allowed
    ]
    if scores:
        Score.objects.bulk_create(
            scores,
            update_conflicts=True,
            unique_fields=["scorecard", "criterion"],
            update_fields=["level", "not_observed", "evidence"],
        )


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

    `criteria`: the assessment's criteria, when the caller has them loaded already. When the
    caller has loaded the panellist with their scorecard (`select_related("scorecard")`), a
    draft already there is saved in two statements, without reading it again."""
    scorecard = _save_loaded_draft(panellist, recommendation, summary, entered_by)
    if scorecard is not None:
        _write_answers(scorecard, answers, criteria)
        return scorecard
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    _fill(scorecard, answers, recommendation, summary, entered_by, criteria)
    scorecard.save()
    return scorecard


def _save_loaded_draft(
    panellist: Panellist, recommendation: str, summary: str, entered_by: User | None
) -> Scorecard | None:
    """Save the overall part of the panellist's scorecard as loaded with them, in one UPDATE
    that also locks it, if it is still a draft; None when it was not loaded with them, there
    is none yet, or it has been submitted meanwhile (the caller then looks under the lock).
    The UPDATE waits for a submit of the same scorecard and then finds it submitted, so a
    submitted scorecard is never written."""
    if not Panellist.scorecard.is_cached(panellist):
        return None
    try:
        scorecard = panellist.scorecard
    except Scorecard.DoesNotExist:
        return None
    values: dict[str, Any] = {
        "recommendation": recommendation,
        "summary": summary,
        "updated_at": timezone.now(),
    }
    if entered_by is not None and entered_by.pk != panellist.user_id:
        values["entered_by"] = entered_by
    saved = Scorecard.objects.filter(pk=scorecard.pk, submitted_at__isnull=True).update(**values)
    if not saved:
        return None
    for name, value in values.items():
        setattr(scorecard, name, value)
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
    scorecard.submitted_now = True
    scorecard.save()
    # The stored figures ("scoring open" for a scheduled assessment among them), the audit
    # event and the reports' new version, sent together (one statement on PostgreSQL).
    writes = Writes()
    refresh_from_scores([assessment], open_scoring=True, writes=writes)
    if status == Assessment.Status.SCHEDULED:
        assessment.status = Assessment.Status.SCORING
    _audit_and_new_version(
        writes,
        assessment,
        actor=entered_by or panellist.user,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        subject=scorecard,
        summary=f"Scorecard submitted for {assessment.stage.name}",
    )
    writes.send()
    return scorecard


def _audit_and_new_version(
    writes: Writes,
    assessment: Assessment,
    *,
    actor: User | None,
    action: str,
    subject: Scorecard,
    summary: str,
) -> None:
    """The audit event of a change to the assessment's scores, and the provider's new reports
    version (`reports_changed`). Added last: concurrent submits at one provider queue on its
    reports version, and hold it for as short a time as possible."""
    application = assessment.application
    writes.insert(
        [
            audit.unsaved(
                provider=application.provider,
                actor=actor,
                action=action,
                subject=subject,
                application_id=application.pk,
                summary=summary,
            )
        ]
    )
    reports_changed(provider_id=application.provider_id, writes=writes)


def refresh_from_scores(
    assessments: Sequence[Assessment], *, open_scoring: bool = False, writes: Writes | None = None
) -> None:
    """Store again everything kept from these assessments' submitted scorecards: each
    application's per-value totals (exports, retention), the panel's progress (lists, the
    dashboard) and the panel tallies (values and panel reports). Called when a scorecard is
    submitted or amended, the only steps that change submitted levels; loads that write
    scorecards directly call it as submitting would. `open_scoring`: a scheduled assessment
    is now being scored (a submit), stored with its progress. `writes`: the caller's other
    writes, to send these with (else they are sent here).

    One query reads the applications' submitted answers, once for totals and tallies; then
    five writes (the totals; the panel places' flags and the assessments' progress; the old
    tallies deleted and the new inserted), one statement on PostgreSQL. Each write counts
    only what was written before this call, so the five may run against one snapshot.

    The workflow calls it holding the locks of the applications and assessments (`_locks`):
    each count is then made after every earlier writer has committed, and is exact."""
    sending = writes is None
    writes = writes or Writes()
    application_ids = sorted({assessment.application_id for assessment in assessments})
    rows = list(
        tally_rows(Score.objects.filter(scorecard__assessment__application_id__in=application_ids))
    )
    totals = value_level_totals_of((row[1], row[4], row[7]) for row in rows)
    writes.update(
        Application.objects.filter(pk__in=application_ids),
        value_levels=_value_levels(application_ids, totals),
    )
    ids = [assessment.pk for assessment in assessments]
    progress = Assessment.objects.filter(pk__in=ids).scoring_progress_updates(open_scoring)
    for rows_to_update, values in progress:
        writes.update(rows_to_update, **values)
    wanted = set(ids)
    writes.delete(AgreementTally.objects.filter(assessment_id__in=ids))
    writes.insert(
        [AgreementTally(**fields) for fields in tallies_of(r for r in rows if r[0] in wanted)]
    )
    if sending:
        writes.send()


def _value_levels(
    application_ids: Sequence[int], totals: Mapping[int, dict[str, list[float]]]
) -> models.Expression:
    """Each application's totals, as the value of an UPDATE of them all (as `bulk_update`
    writes them)."""
    field = Application._meta.get_field("value_levels")
    if len(application_ids) == 1:
        return models.Value(totals.get(application_ids[0], {}), output_field=field)
    case = models.Case(
        *[
            models.When(pk=pk, then=models.Value(totals.get(pk, {}), output_field=field))
            for pk in application_ids
        ],
        output_field=field,
    )
    return Cast(case, output_field=field)


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
    writes = Writes()  # as on submit
    refresh_from_scores([assessment], writes=writes)
    _audit_and_new_version(
        writes,
        assessment,
        actor=amended_by,
        action=AuditEvent.Action.SCORECARD_AMENDED,
        subject=scorecard,
        summary=f"Scorecard amended for {assessment.stage.name}",
    )
    writes.send()
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
