"""Candidates coming in and moving through a role's stages.

Every application starts at the role's first stage and each move is kept as a stage entry,
the history that time-in-stage figures are built from.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Candidate, Role, Stage, StageEntry
from vbr.reports.caching import reports_changed


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


class NoNextStage(ValidationError):
    """The application is at the role's last stage."""

    def __init__(self) -> None:
        super().__init__(
            "This application is at the last stage of the role: record a decision instead."
        )


def next_stage(application: Application) -> Stage | None:
    return application.next_stage()


@transaction.atomic
def move_to_next_stage(*, application: Application, moved_by: User | None, site: str = "") -> Stage:
    """Move an open application on to the next stage of its role, keeping the history of
    stage entries that time-in-stage figures are built from. Refused at the last stage.

    The candidate is told ("moved on"), by the notices of the candidate's side; `site` is the
    address VBR is served at, for the link to their own page."""
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
    # Imported here: the candidate's side builds on recruitment, not the other way round.
    from vbr.applicants.models import Notice
    from vbr.applicants.notices import tell_candidate

    tell_candidate(application=application, kind=Notice.Kind.MOVED_ON, site=site)
    return stage
