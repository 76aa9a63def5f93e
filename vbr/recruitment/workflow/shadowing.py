"""Shadowing: the checks needed before it, observers' notes, and the supported person's view.

People who draw on care are not exposed to a candidate whose checks have not been seen, and
the person supported during shadowing has a say only if they agreed to take part.
"""

from __future__ import annotations

from datetime import time

from django.db import transaction

from vbr.accounts.models import User
from vbr.recruitment.models import (
    Application,
    ApplicationCheck,
    Assessment,
    Panellist,
    ProviderCheck,
    ShadowingNote,
    Stage,
    SupportedPersonView,
)
from vbr.recruitment.workflow.scoring import ScorecardLocked, _lock_panel_place


class ShadowingChecksOutstanding(Exception):
    """Shadowing cannot be scheduled until the provider's required checks are ticked off
    and the safer-recruitment file's "before shadowing" checks are verified."""

    def __init__(
        self, outstanding: list[ProviderCheck], file_checks: list[str] | None = None
    ) -> None:
        parts = []
        if outstanding:
            parts.append("tick off: " + ", ".join(check.name for check in outstanding))
        if file_checks:
            parts.append("verify in the safer-recruitment file: " + ", ".join(file_checks))
        super().__init__(f"Before shadowing, {'; '.join(parts)}.")
        self.outstanding = outstanding
        self.file_checks = file_checks or []


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
    draw on care are not exposed to a candidate whose checks have not been seen. Both the
    provider's ticked checks (e.g. "DBS check seen") and the items of its safer-recruitment
    checklist marked "before shadowing" count."""
    if not stage.is_shadowing:
        return
    # The safer-recruitment file's own rule (vbr.compliance), imported here: compliance
    # builds on recruitment, not the other way round.
    from vbr.compliance.workflow import outstanding_before_shadowing

    outstanding = outstanding_shadowing_checks(application)
    file_checks = outstanding_before_shadowing(application)
    if outstanding or file_checks:
        raise ShadowingChecksOutstanding(outstanding, file_checks)


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
