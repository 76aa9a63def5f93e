"""Steps that touch several models. Keyword-only, typed, atomic."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.access import scores_hidden_from
from vbr.accounts.models import AuditEvent, Membership, Provider, User
from vbr.recruitment.models import (
    Application,
    ApplicationCheck,
    Assessment,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Indicator,
    Outcome,
    Panellist,
    ProviderCheck,
    Role,
    Score,
    Scorecard,
    ScorecardRevision,
    ShadowingNote,
    Stage,
    StageEntry,
    SummaryBatch,
    SummaryJob,
    SupportedPersonView,
)
from vbr.recruitment.scoring import recommendation_view, value_level_totals
from vbr.recruitment.starter_values import STARTER_BEHAVIOURS, STARTER_VALUES, StarterValue
from vbr.reports.agreement import refresh_agreement
from vbr.reports.caching import reports_changed

Ordered = TypeVar("Ordered", CoreValue, Stage)
logger = logging.getLogger(__name__)


def _create_starter_value(*, provider: Provider, starter: StarterValue, order: int) -> CoreValue:
    core_value = CoreValue.objects.create(
        provider=provider,
        name=starter.name,
        description=starter.description,
        order=order,
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
    return core_value


def next_value_order(provider: Provider) -> int:
    return (provider.core_values.aggregate(top=models.Max("order"))["top"] or 0) + 1


@transaction.atomic
def copy_starter_values(*, provider: Provider) -> list[CoreValue]:
    """Copy the built-in starter values into a provider's own library.

    Values the provider already has (by name) are left as they are, so the copy can be run
    again after a provider has edited or retired some of them.
    """
    existing = set(provider.core_values.values_list("name", flat=True))
    next_order = next_value_order(provider)
    created: list[CoreValue] = []
    for starter in STARTER_VALUES:
        if starter.name in existing:
            continue
        created.append(_create_starter_value(provider=provider, starter=starter, order=next_order))
        next_order += 1
    return created


def _move(siblings: Sequence[Ordered], moving: Ordered, *, up: bool) -> bool:
    """Swap `moving` with its neighbour among `siblings` (already in display order) and
    renumber them 1..n, so that gaps and ties left by earlier edits disappear."""
    items = list(siblings)
    index = next(i for i, item in enumerate(items) if item.pk == moving.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        item.order = position
    type(moving).objects.bulk_update(items, ["order"])
    return True


@transaction.atomic
def move_value(*, core_value: CoreValue, up: bool) -> bool:
    """Move a value one place up or down in its provider's library. False at either end."""
    siblings = list(core_value.provider.core_values.select_for_update().order_by("order", "name"))
    moved = _move(siblings, core_value, up=up)
    if moved:
        reports_changed(provider_id=core_value.provider_id)
    return moved


@transaction.atomic
def move_stage(*, stage: Stage, up: bool, actor: Any) -> bool:
    """Move a stage one place earlier or later in its role's process."""
    siblings = list(stage.role.stages.select_for_update().order_by("order", "pk"))
    moved = _move(siblings, stage, up=up)
    if moved:
        reports_changed(provider_id=stage.role.provider_id)
        audit.record(
            provider=stage.role.provider,
            actor=actor,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=stage.role,
            summary=f"Moved stage {stage.pk} {'earlier' if up else 'later'}",
        )
    return moved


def _next_stage_order(role: Role) -> int:
    return (role.stages.aggregate(top=models.Max("order"))["top"] or 0) + 1


@transaction.atomic
def add_stage(*, stage: Stage, actor: Any) -> Stage:
    """Append a new stage (built by a form, not yet saved) to the end of its role's process."""
    stage.order = _next_stage_order(stage.role)
    stage.criteria_version = 1
    stage.save()
    reports_changed(provider_id=stage.role.provider_id)
    audit.record(
        provider=stage.role.provider,
        actor=actor,
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=stage.role,
        summary=f"Added stage {stage.pk}",
    )
    return stage


def _copy_criteria(criteria: Sequence[Criterion], *, stage: Stage, version: int) -> None:
    Criterion.objects.bulk_create(
        [
            Criterion(
                stage=stage,
                core_value_id=criterion.core_value_id,
                version=version,
                order=criterion.order,
                prompt=criterion.prompt,
                level_1=criterion.level_1,
                level_2=criterion.level_2,
                level_3=criterion.level_3,
                level_4=criterion.level_4,
                essential=criterion.essential,
            )
            for criterion in criteria
        ]
    )


@transaction.atomic
def create_role(
    *,
    role: Role,
    copy_stages_from: Role | None,
    actor: Any,
    managers: Iterable[Membership] = (),
) -> Role:
    """Save a new role with its hiring managers, optionally starting from another role's
    stages and criteria.

    Only the source's current criteria versions are copied, as version 1 of the new stages:
    the new role has no scorecards, so nothing of its history needs keeping.
    """
    if copy_stages_from is not None and copy_stages_from.provider_id != role.provider_id:
        raise ValueError("Stages can only be copied from a role of the same provider.")
    role.save()
    role.managers.set(managers)
    summary = "Created the role"
    if copy_stages_from is not None:
        sources = list(copy_stages_from.stages.order_by("order", "pk"))
        current = Criterion.objects.filter(
            stage__in=sources, version=models.F("stage__criteria_version")
        ).order_by("order", "pk")
        criteria_by_stage: dict[int, list[Criterion]] = {}
        for criterion in current:
            criteria_by_stage.setdefault(criterion.stage_id, []).append(criterion)
        for position, source in enumerate(sources, start=1):
            stage = Stage.objects.create(
                role=role,
                name=source.name,
                kind=source.kind,
                order=position,
                description=source.description,
                criteria_version=1,
            )
            _copy_criteria(criteria_by_stage.get(source.pk, []), stage=stage, version=1)
        summary = f"Created the role with the stages of role {copy_stages_from.pk}"
    reports_changed(provider_id=role.provider_id)
    audit.record(
        provider=role.provider,
        actor=actor,
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=role,
        summary=summary,
    )
    return role


class CriteriaFrozen(Exception):
    """The stage's current criteria have been scored against and cannot change."""


@transaction.atomic
def start_new_criteria_version(*, stage: Stage, actor: Any) -> int:
    """Copy the current criteria to a new version used by later candidates.

    Assessments keep the version they were created with, so scorecards already submitted
    keep the criteria they were scored against; assessments created from now on use the
    new version, which can be edited until somebody submits a scorecard on it.
    """
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    current = list(stage.current_criteria().order_by("order", "pk"))
    new_version = stage.criteria_version + 1
    _copy_criteria(current, stage=stage, version=new_version)
    stage.criteria_version = new_version
    stage.save(update_fields=["criteria_version"])
    audit.record(
        provider=stage.role.provider,
        actor=actor,
        action=AuditEvent.Action.CRITERIA_CHANGED,
        subject=stage,
        summary=f"Started criteria version {new_version}",
    )
    return new_version


@dataclass(frozen=True)
class BehavioursAdded:
    added: tuple[Criterion, ...]
    values_created: tuple[CoreValue, ...]
    # Behaviours left out because the provider has retired the value they evidence.
    skipped_retired: tuple[str, ...]


@transaction.atomic
def add_starter_behaviours(*, stage: Stage, actor: Any) -> BehavioursAdded:
    """Add the starter set's observed behaviours to a shadowing stage's current criteria.

    Each behaviour evidences the provider's own value of the same name, created from the
    starter set when the provider does not have it. A behaviour whose prompt the stage
    already has is not added twice; one whose value the provider retired is left out.
    """
    stage = Stage.objects.select_for_update().select_related("role__provider").get(pk=stage.pk)
    if stage.criteria_frozen():
        raise CriteriaFrozen
    provider = stage.role.provider
    values = {value.name: value for value in provider.core_values.all()}
    starters = {starter.name: starter for starter in STARTER_VALUES}
    existing_prompts = set(stage.current_criteria().values_list("prompt", flat=True))
    next_order = (stage.current_criteria().aggregate(top=models.Max("order"))["top"] or 0) + 1
    value_order = next_value_order(provider)
    added: list[Criterion] = []
    created: list[CoreValue] = []
    skipped: list[str] = []
    for behaviour in STARTER_BEHAVIOURS:
        if behaviour.prompt in existing_prompts:
            continue
        core_value = values.get(behaviour.value)
        if core_value is None:
            core_value = _create_starter_value(
                provider=provider, starter=starters[behaviour.value], order=value_order
            )
            value_order += 1
            values[core_value.name] = core_value
            created.append(core_value)
        if core_value.is_retired:
            skipped.append(behaviour.name)
            continue
        level_1, level_2, level_3, level_4 = behaviour.levels
        added.append(
            Criterion.objects.create(
                stage=stage,
                core_value=core_value,
                version=stage.criteria_version,
                order=next_order,
                prompt=behaviour.prompt,
                level_1=level_1,
                level_2=level_2,
                level_3=level_3,
                level_4=level_4,
            )
        )
        next_order += 1
    if added:
        audit.record(
            provider=provider,
            actor=actor,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=stage,
            summary=f"Added {len(added)} observed behaviours from the starter set",
        )
    return BehavioursAdded(
        added=tuple(added), values_created=tuple(created), skipped_retired=tuple(skipped)
    )


@transaction.atomic
def apply_to_role(
    *, candidate: Candidate, role: Role, source: str = "", added_by: User | None = None
) -> Application:
    """Apply a candidate to a role at its first stage, recording when they entered it.

    A second application for the same role is refused with a ValidationError on `role`
    (the database constraint is the last word, so that a double submit is caught too).
    """
    if role.provider_id != candidate.provider_id:
        raise ValidationError({"role": "That role belongs to another provider."})
    duplicate = ValidationError(
        {"role": f"{candidate.full_name} has already applied for {role.title}."}
    )
    if candidate.applications.filter(role=role).exists():
        raise duplicate
    first_stage = role.stages.first()
    now = timezone.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                provider_id=candidate.provider_id,
                candidate=candidate,
                role=role,
                current_stage=first_stage,
                source=source,
                applied_at=now,
                stage_entered_at=now,
                status_changed_at=now,
            )
    except IntegrityError:
        raise duplicate from None
    if first_stage is not None:
        StageEntry.objects.create(
            application=application, stage=first_stage, entered_at=now, moved_by=added_by
        )
    reports_changed(provider_id=application.provider_id)
    return application


@transaction.atomic
def add_candidate(
    *,
    provider: Provider,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    role: Role,
    source: str = "",
    added_by: User | None = None,
) -> Application:
    """Add a new candidate and their application to a role, in one step, so that a
    candidate never exists without the application they came in with."""
    candidate = Candidate.objects.create(
        provider=provider, first_name=first_name, last_name=last_name, email=email, phone=phone
    )
    return apply_to_role(candidate=candidate, role=role, source=source, added_by=added_by)


@transaction.atomic
def schedule_assessment(
    *,
    application: Application,
    stage: Stage,
    scheduled_at: datetime,
    place: str = "",
    notes_for_panel: str = "",
) -> Assessment:
    """Schedule an application's assessment at one stage of its role.

    The stage's current criteria version is frozen on the assessment, so that later changes
    to the criteria do not change what this panel scores against.
    """
    if stage.role_id != application.role_id:
        raise ValidationError({"stage": "That stage is not part of the application's role."})
    try:
        ensure_can_schedule(application=application, stage=stage)
    except ShadowingChecksOutstanding as outstanding:
        raise ValidationError({"stage": str(outstanding)}) from None
    duplicate = ValidationError(
        {"stage": f"This application already has an assessment at {stage.name}."}
    )
    if application.assessments.filter(stage=stage).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Assessment.objects.create(
                application=application,
                stage=stage,
                criteria_version=stage.criteria_version,
                scheduled_at=scheduled_at,
                place=place,
                notes_for_panel=notes_for_panel,
            )
    except IntegrityError:
        raise duplicate from None


@transaction.atomic
def cancel_assessment(*, assessment: Assessment) -> None:
    """Cancel an assessment that nobody has submitted a scorecard for: submitted scores are
    evidence and must not disappear from the debrief behind a cancellation."""
    if assessment.status == Assessment.Status.CANCELLED:
        raise ValidationError("This assessment is already cancelled.")
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError("Scoring for this assessment is closed: it cannot be cancelled.")
    if assessment.scorecards.submitted().exists():
        raise ValidationError(
            "A panellist has already submitted a scorecard: this assessment cannot be cancelled."
        )
    assessment.status = Assessment.Status.CANCELLED
    assessment.save(update_fields=["status"])


@transaction.atomic
def add_panellist(
    *, assessment: Assessment, membership: Membership, panel_role: str = ""
) -> Panellist:
    """Put a member of the provider on an assessment's panel, once.

    Experts by experience sit as experts by experience unless another panel role is chosen.
    """
    if membership.provider_id != assessment.application.provider_id:
        raise ValidationError({"member": "Choose a member of this provider."})
    if not panel_role:
        if not membership.is_expert_by_experience:
            raise ValidationError({"panel_role": "Choose a panel role."})
        panel_role = Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    duplicate = ValidationError(
        {"member": f"{membership.user.display_name} is already on this panel."}
    )
    if assessment.panellists.filter(user_id=membership.user_id).exists():
        raise duplicate
    try:
        with transaction.atomic():
            panellist = Panellist.objects.create(
                assessment=assessment, user_id=membership.user_id, panel_role=panel_role
            )
    except IntegrityError:
        raise duplicate from None
    Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
    # An expert joining a panel that has scored changes the panel report's involvement.
    reports_changed(provider_id=membership.provider_id)
    return panellist


@transaction.atomic
def remove_panellist(*, panellist: Panellist) -> None:
    """Take somebody off a panel, only while they have not started a scorecard: once they
    have, their work is part of the record."""
    if Panellist.objects.filter(pk=panellist.pk, scorecard__isnull=False).exists():
        raise ValidationError(
            f"{panellist.user.display_name} has started a scorecard: they stay on the panel."
        )
    panellist.delete()
    Assessment.objects.filter(pk=panellist.assessment_id).refresh_scoring_progress()
    reports_changed(provider_id=panellist.assessment.application.provider_id)


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
    """The panellist's scorecard, locked until the transaction ends, and created once even
    when two requests race (double click)."""
    locked = Scorecard.objects.select_for_update().filter(panellist=panellist)
    scorecard = locked.first()
    if scorecard is None:
        # None yet: take turns on the panel place to create it.
        Panellist.objects.select_for_update().filter(pk=panellist.pk).first()
        scorecard, created = Scorecard.objects.get_or_create(
            panellist=panellist, defaults={"assessment_id": panellist.assessment_id}
        )
        if not created:
            scorecard = locked.get()  # another request made it meanwhile: lock it too
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
    `save_scorecard_draft`."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        return scorecard
    _fill(scorecard, answers, recommendation, summary, entered_by, criteria)
    scorecard.submitted_at = timezone.now()
    scorecard.save()
    assessment = panellist.assessment
    refresh_from_scores([assessment])
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
    # Last, so that concurrent submits at this provider queue on its reports version for
    # as short a time as possible.
    reports_changed(provider_id=assessment.application.provider_id)
    return scorecard


def refresh_from_scores(assessments: Sequence[Assessment]) -> None:
    """Store again everything kept from these assessments' submitted scorecards: each
    application's per-value totals (exports, retention), the panel's progress (lists, the
    dashboard) and the panel tallies (values and panel reports). Called when a scorecard is
    submitted or amended, the only steps that change submitted levels; loads that write
    scorecards directly call it as submitting would. Seven queries."""
    refresh_value_levels(sorted({assessment.application_id for assessment in assessments}))
    ids = [assessment.pk for assessment in assessments]
    Assessment.objects.filter(pk__in=ids).refresh_scoring_progress()
    refresh_agreement(ids)


def refresh_value_levels(application_ids: Sequence[int]) -> None:
    """Store each application's submitted levels per value (Application.value_levels), read
    again from its scores (see `refresh_from_scores`). Two queries for one application."""
    totals = value_level_totals(
        Score.objects.filter(scorecard__assessment__application_id__in=application_ids)
    )
    applications = [Application(pk=pk, value_levels=totals.get(pk, {})) for pk in application_ids]
    Application.objects.bulk_update(applications, ["value_levels"], batch_size=1000)


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


# -- Shadowing ----------------------------------------------------------------------------------


class ShadowingChecksOutstanding(Exception):
    """Shadowing cannot be scheduled until the provider's required checks are ticked off."""

    def __init__(self, outstanding: list[ProviderCheck]) -> None:
        names = ", ".join(check.name for check in outstanding)
        super().__init__(f"Before shadowing, tick off: {names}.")
        self.outstanding = outstanding


def outstanding_shadowing_checks(application: Application) -> list[ProviderCheck]:
    """The provider's checks required before shadowing that nobody has ticked off yet for this
    application (for example "DBS check seen"). One query."""
    return list(
        application.provider.checks.filter(is_active=True, required_before_shadowing=True)
        .exclude(done__application=application)
        .order_by("name", "pk")
    )


def ensure_can_schedule(*, application: Application, stage: Stage) -> None:
    """Refuse to schedule a shadowing stage while required checks are outstanding: people who
    draw on care are not exposed to a candidate whose checks have not been seen."""
    if not stage.is_shadowing:
        return
    outstanding = outstanding_shadowing_checks(application)
    if outstanding:
        raise ShadowingChecksOutstanding(outstanding)


@transaction.atomic
def add_shadowing_note(*, panellist: Panellist, noted_at: time, text: str) -> ShadowingNote:
    """Keep a timed note on the observer's own scorecard (created as a draft if need be)."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    return ShadowingNote.objects.create(scorecard=scorecard, noted_at=noted_at, text=text.strip())


@transaction.atomic
def delete_shadowing_note(*, panellist: Panellist, note_id: int) -> None:
    """Remove one of the observer's own notes while the scorecard is still a draft."""
    scorecard = _lock_panel_place(panellist)
    if scorecard.is_submitted:
        raise ScorecardLocked
    scorecard.shadowing_notes.filter(pk=note_id).delete()


@transaction.atomic
def tick_check(*, application: Application, check_item: ProviderCheck, done_by: User) -> None:
    """A manager records that a check was done (once; a second tick changes nothing)."""
    ApplicationCheck.objects.get_or_create(
        application=application, check_item=check_item, defaults={"done_by": done_by}
    )


@transaction.atomic
def record_supported_person_view(
    *,
    assessment: Assessment,
    person_name: str,
    consent_given: bool,
    answer: str,
    comment: str,
    supporter_name: str,
    recorded_by: User,
) -> SupportedPersonView:
    """Keep the view of the person supported during shadowing, only if they agreed to take
    part: a person who declines has their decision kept and nothing else."""
    return SupportedPersonView.objects.create(
        assessment=assessment,
        person_name=person_name.strip()[:40],
        consent_given=consent_given,
        answer=answer if consent_given else "",
        comment=comment.strip() if consent_given else "",
        supporter_name=supporter_name.strip()[:150],
        recorded_by=recorded_by,
    )


# -- Moving through stages and deciding --------------------------------------------------------


class NoNextStage(ValidationError):
    """The application is at the role's last stage."""

    def __init__(self) -> None:
        super().__init__(
            "This application is at the last stage of the role: record a decision instead."
        )


def next_stage(application: Application) -> Stage | None:
    return application.next_stage()


@transaction.atomic
def move_to_next_stage(*, application: Application, moved_by: User | None) -> Stage:
    """Move an open application on to the next stage of its role, keeping the history of
    stage entries that time-in-stage figures are built from. Refused at the last stage."""
    if not application.is_open:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it cannot move on."
        )
    stage = application.next_stage()
    if stage is None:
        raise NoNextStage
    now = timezone.now()
    application.current_stage = stage
    application.stage_entered_at = now
    application.save(update_fields=["current_stage", "stage_entered_at"])
    StageEntry.objects.create(
        application=application, stage=stage, entered_at=now, moved_by=moved_by
    )
    reports_changed(provider_id=application.provider_id)
    return stage


def experts_view(application: Application) -> str:
    """The experts-by-experience view of an application at its current stage (positive,
    negative, mixed or none), from their submitted scorecards."""
    if application.current_stage_id is None:  # not started: nobody has assessed yet
        return recommendation_view([])
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


DECISION_STATUS: dict[str, str] = {
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
    if kind != Decision.Kind.PROGRESS:  # moving on to the next stage has changed it already
        reports_changed(provider_id=application.provider_id)
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


# PDF candidate summaries. The job row is written first and sent to the broker only after
# the transaction commits; if the broker is unreachable the row stays queued for the sweep.


@transaction.atomic
def request_summary(
    *, application: Application, requested_by: User, batch: SummaryBatch | None = None
) -> SummaryJob:
    """Queue a PDF summary of one application for the person asking."""
    job = SummaryJob.objects.create(
        provider=application.provider,
        application=application,
        requested_by=requested_by,
        batch=batch,
    )
    transaction.on_commit(partial(send_summary_jobs, [job.pk]))
    return job


@transaction.atomic
def request_summary_batch(*, role: Role, stage: Stage, requested_by: User) -> SummaryBatch:
    """Queue summaries for every active candidate at one stage of a role, as one batch."""
    batch = SummaryBatch.objects.create(
        provider=role.provider, role=role, stage=stage, requested_by=requested_by
    )
    applications = role.provider.applications.active().filter(role=role, current_stage=stage)
    jobs = SummaryJob.objects.bulk_create(
        SummaryJob(
            provider=role.provider, application=application, requested_by=requested_by, batch=batch
        )
        for application in applications
    )
    transaction.on_commit(partial(send_summary_jobs, [job.pk for job in jobs]))
    return batch


def send_summary_jobs(job_ids: list[int]) -> int:
    """Hand jobs to the broker; returns how many were sent. Never raises: a job that could
    not be sent stays queued with no `sent_at`, and the sweep sends it later."""
    from vbr.recruitment.tasks import render_summary

    sent = 0
    for job_id in job_ids:
        try:
            render_summary.apply_async((job_id,), queue=settings.PDF_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: summary job %s stays queued", job_id)
            break
        SummaryJob.objects.filter(pk=job_id, status=SummaryJob.Status.QUEUED).update(
            sent_at=timezone.now()
        )
        sent += 1
    return sent


def run_summary_job(*, job_id: int) -> SummaryJob | None:
    """Render one queued job to a file. Safe to call twice for the same job: only the call
    that moves it from queued to rendering does any work."""
    from vbr.recruitment import pdf

    job = (
        SummaryJob.objects.select_related("application__candidate", "requested_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not job.claim():
        return job
    requester = job.requested_by
    if requester is not None and scores_hidden_from(requester, job.application):
        job.fail(
            "You sit on this candidate's panel and have not submitted your own scorecard: "
            "submit it first, then ask for the summary again."
        )
        return job
    try:
        content = pdf.render_summary_pdf(application=job.application, requested_by=requester)
    except Exception:
        logger.exception("Summary job %s failed to render", job.pk)
        job.fail(
            f"The PDF could not be made (job {job.pk}). Try again; if it fails again, tell "
            "your administrator this job number."
        )
        return job
    job.file.save(job.download_name(), ContentFile(content), save=False)
    updated = SummaryJob.objects.filter(pk=job.pk, status=SummaryJob.Status.RENDERING).update(
        status=SummaryJob.Status.READY, file=job.file.name, error="", finished_at=timezone.now()
    )
    if not updated and job.file.name:
        # The job was swept away or erased meanwhile: do not leave an orphan file behind.
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class SweepReport:
    resent: int
    requeued: int
    failed: int


def sweep_summary_jobs(*, now: datetime | None = None) -> SweepReport:
    """Run by celery beat: send again the jobs the broker never delivered, put back jobs
    whose worker died mid-render, and give up (with a reason) after too many attempts."""
    now = now or timezone.now()
    jobs = SummaryJob.objects
    failed = jobs.filter(
        status=SummaryJob.Status.QUEUED, created_at__lt=now - timedelta(hours=1)
    ).update(
        status=SummaryJob.Status.FAILED,
        finished_at=now,
        error="No worker picked this job up for an hour. Try again later.",
    )
    stuck = jobs.filter(
        status=SummaryJob.Status.RENDERING,
        started_at__lt=now - timedelta(seconds=settings.SUMMARY_STUCK_AFTER_SECONDS),
    )
    failed += stuck.filter(attempts__gte=settings.SUMMARY_MAX_ATTEMPTS).update(
        status=SummaryJob.Status.FAILED,
        finished_at=now,
        error=f"The PDF could not be made after {settings.SUMMARY_MAX_ATTEMPTS} attempts.",
    )
    requeued = stuck.update(status=SummaryJob.Status.QUEUED, sent_at=None)
    due = list(
        jobs.filter(status=SummaryJob.Status.QUEUED)
        .filter(
            Q(sent_at__isnull=True)
            | Q(sent_at__lt=now - timedelta(seconds=settings.SUMMARY_RESEND_AFTER_SECONDS))
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    resent = send_summary_jobs(due)
    return SweepReport(resent=resent, requeued=requeued, failed=failed)


@transaction.atomic
def remove_generated_files(*, candidate: Candidate) -> int:
    """Delete every PDF summary made about a candidate, files and rows; called when the
    candidate is anonymised or erased. Returns the number of jobs removed."""
    jobs = SummaryJob.objects.filter(application__candidate=candidate)
    names = [name for name in jobs.values_list("file", flat=True) if name]
    count = jobs.count()
    jobs.delete()
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))
    return count
