"""Steps that touch several models. Keyword-only, typed, atomic."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    CoreValue,
    Indicator,
    Panellist,
    Role,
    Stage,
    StageEntry,
)
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
def move_to_next_stage(*, application: Application, moved_by: User) -> Stage:
    """Move an active application on to the next stage of its role, keeping the history of
    stage entries that time-in-stage figures are built from. Refused at the last stage."""
    if application.status != Application.Status.ACTIVE:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: "
            "only active applications move on."
        )
    next_stage = application.next_stage()
    if next_stage is None:
        raise ValidationError(
            "This application is at the last stage of the role: record a decision instead."
        )
    now = timezone.now()
    application.current_stage = next_stage
    application.stage_entered_at = now
    application.save(update_fields=["current_stage", "stage_entered_at"])
    StageEntry.objects.create(
        application=application, stage=next_stage, entered_at=now, moved_by=moved_by
    )
    return next_stage


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
            return Panellist.objects.create(
                assessment=assessment, user_id=membership.user_id, panel_role=panel_role
            )
    except IntegrityError:
        raise duplicate from None


@transaction.atomic
def remove_panellist(*, panellist: Panellist) -> None:
    """Take somebody off a panel, only while they have not started a scorecard: once they
    have, their work is part of the record."""
    if Panellist.objects.filter(pk=panellist.pk, scorecard__isnull=False).exists():
        raise ValidationError(
            f"{panellist.user.display_name} has started a scorecard: they stay on the panel."
        )
    panellist.delete()
