"""Assessments and their panels: scheduling, cancelling, and who sits on each panel.

Submitted scores are evidence, so an assessment or a panel place that has them stays; the
stored scoring progress is refreshed whenever a panel changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from vbr.accounts.models import Membership
from vbr.recruitment.models import Application, Assessment, Panellist, Stage
from vbr.recruitment.workflow._locks import lock_assessment, lock_panel_place
from vbr.recruitment.workflow.shadowing import ShadowingChecksOutstanding, ensure_can_schedule
from vbr.reports.caching import reports_changed


def default_panel_role(membership: Membership) -> str:
    """The seat a member usually takes on a panel, so that nobody has to choose it each time:
    experts by experience sit as experts by experience, hiring managers and admins as
    managers, other panel members as staff peers. The chair is always chosen by a person."""
    if membership.is_expert_by_experience:
        return Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    if membership.is_staff_member:
        return Panellist.PanelRole.MANAGER
    return Panellist.PanelRole.STAFF_PEER


@transaction.atomic
def schedule_assessment(
    *,
    application: Application,
    stage: Stage,
    scheduled_at: datetime,
    place: str = "",
    notes_for_panel: str = "",
    panel: Sequence[tuple[Membership, str]] = (),
) -> Assessment:
    """Schedule an application's assessment at one stage of its role, with its panel: each
    member with the panel role they take (their usual one when it is "").

    The stage's current criteria version is frozen on the assessment, so that later changes
    to the criteria do not change what this panel scores against. Nothing is kept when any
    of it is refused.
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
            assessment = Assessment.objects.create(
                application=application,
                stage=stage,
                criteria_version=stage.criteria_version,
                scheduled_at=scheduled_at,
                place=place,
                notes_for_panel=notes_for_panel,
            )
    except IntegrityError:
        raise duplicate from None
    for membership, panel_role in panel:
        _seat(assessment=assessment, membership=membership, panel_role=panel_role)
    if panel:
        _panel_changed(assessment, provider_id=application.provider_id)
    return assessment


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
    """Put a member of the provider on an assessment's panel, once, in the panel role chosen
    or else their usual one (`default_panel_role`)."""
    lock_assessment(assessment.pk)  # the panel's size is counted after any submit in progress
    panellist = _seat(assessment=assessment, membership=membership, panel_role=panel_role)
    _panel_changed(assessment, provider_id=membership.provider_id)
    return panellist


def _seat(*, assessment: Assessment, membership: Membership, panel_role: str) -> Panellist:
    if membership.provider_id != assessment.application.provider_id:
        raise ValidationError({"member": "Choose a member of this provider."})
    panel_role = panel_role or default_panel_role(membership)
    if panel_role not in Panellist.PanelRole.values:
        raise ValidationError({"panel_role": "Choose a panel role."})
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


def _panel_changed(assessment: Assessment, *, provider_id: int) -> None:
    Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
    # An expert joining a panel that has scored changes the panel report's involvement.
    reports_changed(provider_id=provider_id)


@transaction.atomic
def remove_panellist(*, panellist: Panellist) -> None:
    """Take somebody off a panel, only while they have not started a scorecard: once they
    have, their work is part of the record."""
    # In the one order (`_locks`): a first draft being saved on this place is seen below.
    lock_assessment(panellist.assessment_id)
    lock_panel_place(panellist.pk)
    if Panellist.objects.filter(pk=panellist.pk, scorecard__isnull=False).exists():
        raise ValidationError(
            f"{panellist.user.display_name} has started a scorecard: they stay on the panel."
        )
    panellist.delete()
    Assessment.objects.filter(pk=panellist.assessment_id).refresh_scoring_progress()
    reports_changed(provider_id=panellist.assessment.application.provider_id)
