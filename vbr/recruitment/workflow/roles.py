"""Setting up a role: its stages, their order, and the versions of the criteria they score.

Criteria are versioned because scorecards must keep what they were scored against; a role
copied from another starts its own history at version 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Membership
from vbr.recruitment.models import CoreValue, Criterion, Role, Stage
from vbr.recruitment.starter_values import (
    STARTER_BEHAVIOURS,
    STARTER_QUESTIONS,
    STARTER_VALUES,
    StarterCriterion,
)
from vbr.recruitment.workflow._ordering import move_among
from vbr.recruitment.workflow.values import _create_starter_value, next_value_order
from vbr.reports.caching import reports_changed


@transaction.atomic
def move_stage(*, stage: Stage, up: bool, actor: Any) -> bool:
    """Move a stage one place earlier or later in its role's process."""
    siblings = list(stage.role.stages.select_for_update().order_by("order", "pk"))
    moved = move_among(siblings, stage, up=up)
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
                prompt_easy_read=criterion.prompt_easy_read,
                level_1_easy_read=criterion.level_1_easy_read,
                level_2_easy_read=criterion.level_2_easy_read,
                level_3_easy_read=criterion.level_3_easy_read,
                level_4_easy_read=criterion.level_4_easy_read,
                bank_item_id=criterion.bank_item_id,
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
class StartersAdded:
    added: tuple[Criterion, ...]
    values_created: tuple[CoreValue, ...]
    # Criteria left out because the provider has retired the value they evidence.
    skipped_retired: tuple[str, ...]


@transaction.atomic
def add_starter_behaviours(*, stage: Stage, actor: Any) -> StartersAdded:
    """Add the starter set's observed behaviours to a shadowing stage's current criteria."""
    return _add_starters(
        stage=stage, starters=STARTER_BEHAVIOURS, actor=actor, what="observed behaviours"
    )


@transaction.atomic
def add_starter_questions(*, stage: Stage, actor: Any) -> StartersAdded:
    """Add the starter set's interview questions, one per starter value, to a values
    interview's current criteria, so that an interview starts with questions as shadowing
    starts with behaviours."""
    return _add_starters(
        stage=stage, starters=STARTER_QUESTIONS, actor=actor, what="interview questions"
    )


def _add_starters(
    *, stage: Stage, starters: Sequence[StarterCriterion], actor: Any, what: str
) -> StartersAdded:
    """Add starter criteria after a stage's current ones, in the starter set's order.

    Each evidences the provider's own value of the same name, created from the starter set
    when the provider does not have it. A prompt the stage already has is not added twice;
    one whose value the provider retired is left out.
    """
    stage = Stage.objects.select_for_update().select_related("role__provider").get(pk=stage.pk)
    if stage.criteria_frozen():
        raise CriteriaFrozen
    provider = stage.role.provider
    values = {value.name: value for value in provider.core_values.all()}
    starter_values = {starter.name: starter for starter in STARTER_VALUES}
    existing_prompts = set(stage.current_criteria().values_list("prompt", flat=True))
    next_order = (stage.current_criteria().aggregate(top=models.Max("order"))["top"] or 0) + 1
    value_order = next_value_order(provider)
    added: list[Criterion] = []
    created: list[CoreValue] = []
    skipped: list[str] = []
    for starter in starters:
        if starter.prompt in existing_prompts:
            continue
        core_value = values.get(starter.value)
        if core_value is None:
            core_value = _create_starter_value(
                provider=provider, starter=starter_values[starter.value], order=value_order
            )
            value_order += 1
            values[core_value.name] = core_value
            created.append(core_value)
        if core_value.is_retired:
            skipped.append(starter.name)
            continue
        level_1, level_2, level_3, level_4 = starter.levels
        easy_1, easy_2, easy_3, easy_4 = starter.levels_easy_read
        added.append(
            Criterion.objects.create(
                stage=stage,
                core_value=core_value,
                version=stage.criteria_version,
                order=next_order,
                prompt=starter.prompt,
                level_1=level_1,
                level_2=level_2,
                level_3=level_3,
                level_4=level_4,
                prompt_easy_read=starter.prompt_easy_read,
                level_1_easy_read=easy_1,
                level_2_easy_read=easy_2,
                level_3_easy_read=easy_3,
                level_4_easy_read=easy_4,
            )
        )
        next_order += 1
    if added:
        audit.record(
            provider=provider,
            actor=actor,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=stage,
            summary=f"Added {len(added)} {what} from the starter set",
        )
    return StartersAdded(
        added=tuple(added), values_created=tuple(created), skipped_retired=tuple(skipped)
    )


@transaction.atomic
def move_criterion(*, criterion: Criterion, up: bool, actor: Any) -> bool:
    """Move a criterion one place earlier or later among its stage's current criteria: the
    order a panel asks or looks for them in. Refused once the criteria are frozen, since the
    order is part of what was scored against."""
    stage = (
        Stage.objects.select_for_update()
        .select_related("role__provider")
        .get(pk=criterion.stage_id)
    )
    if stage.criteria_frozen():
        raise CriteriaFrozen
    siblings = list(stage.current_criteria().order_by("order", "pk"))
    moved = move_among(siblings, criterion, up=up)
    if moved:
        audit.record(
            provider=stage.role.provider,
            actor=actor,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=stage,
            summary=f"Moved criterion {criterion.pk} {'earlier' if up else 'later'}",
        )
    return moved


def next_criterion_order(stage: Stage) -> int:
    """Where a new criterion goes: after the stage's current ones."""
    return (stage.current_criteria().aggregate(top=models.Max("order"))["top"] or 0) + 1
