"""Anonymising and erasing a candidate. Keyword-only, typed, atomic.

Anonymising keeps what reports need — levels, stages, dates, statuses, outcomes — and
forgets who the person was and everything written about them in free text, including the
audit trail's summaries, scorecard history and stored files.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, User
from vbr.privacy.files import remove_generated_files
from vbr.privacy.models import Consent, DbsCheck
from vbr.recruitment.models import (
    Assessment,
    Candidate,
    Decision,
    Outcome,
    Score,
    Scorecard,
    ScorecardRevision,
)
from vbr.reports.caching import reports_changed

ANONYMISED_TEXT = "(anonymised)"
# Keys of a ScorecardRevision.previous snapshot that hold free text.
FREE_TEXT_KEYS = frozenset({"summary", "evidence", "notes", "reason", "reasons"})


def scrub_free_text(snapshot: Any) -> Any:
    """A copy of a JSON snapshot with every free-text value emptied, levels kept."""
    if isinstance(snapshot, dict):
        return {
            key: "" if key in FREE_TEXT_KEYS and isinstance(value, str) else scrub_free_text(value)
            for key, value in snapshot.items()
        }
    if isinstance(snapshot, list):
        return [scrub_free_text(item) for item in snapshot]
    return snapshot


def _forget_history(*, candidate: Candidate, application_ids: list[int]) -> None:
    """Audit summaries and scorecard snapshots about this candidate keep no personal data."""
    AuditEvent.objects.filter(
        provider=candidate.provider, application_id__in=application_ids
    ).update(summary="")
    AuditEvent.objects.filter(
        provider=candidate.provider, subject_type="candidate", subject_id=candidate.pk
    ).update(summary="")
    revisions = ScorecardRevision.objects.filter(
        scorecard__assessment__application_id__in=application_ids
    )
    for revision in revisions:
        revision.previous = scrub_free_text(revision.previous)
        revision.reason = ANONYMISED_TEXT
        revision.save(update_fields=["previous", "reason"])


@transaction.atomic
def anonymise_candidate(
    *, candidate: Candidate, by: User | None, reason: str = "retention"
) -> bool:
    """Replace a candidate's personal data with placeholders; keep the anonymous scores.

    Returns False when the candidate was already anonymised (the nightly job may meet the
    same person twice), True otherwise.
    """
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.anonymised_at is not None:
        return False
    application_ids = list(candidate.applications.values_list("pk", flat=True))

    remove_generated_files(candidate=candidate)
    candidate.first_name = "Anonymised"
    candidate.last_name = f"candidate #{candidate.pk}"
    candidate.email = ""
    candidate.phone = ""
    candidate.anonymised_at = timezone.now()
    candidate.save()

    candidate.applications.update(withdrawal_reason="")
    Score.objects.filter(scorecard__assessment__application_id__in=application_ids).update(
        evidence=""
    )
    Scorecard.objects.filter(assessment__application_id__in=application_ids).update(summary="")
    Assessment.objects.filter(application_id__in=application_ids).update(notes_for_panel="")
    Decision.objects.filter(application_id__in=application_ids).update(
        reasons=ANONYMISED_TEXT, override_reason=""
    )
    Outcome.objects.filter(application_id__in=application_ids).update(notes="")
    DbsCheck.objects.filter(application_id__in=application_ids).update(certificate_number="")
    # What people supported said about the candidate during shadowing is about the candidate.
    Consent.objects.filter(assessment__application_id__in=application_ids).update(person_label="")
    _forget_history(candidate=candidate, application_ids=application_ids)
    # Withdrawal and decline reasons are shown (grouped) in the funnel report.
    reports_changed(provider_id=candidate.provider_id)

    record(
        provider=candidate.provider,
        actor=by,
        action=AuditEvent.Action.DATA_ANONYMISED,
        subject=candidate,
        summary=(
            "Anonymised after the retention period"
            if reason == "retention"
            else "Anonymised on request"
        ),
    )
    return True


@transaction.atomic
def erase_candidate(*, candidate: Candidate, by: User | None) -> None:
    """Remove a candidate and everything about them, when they ask (right to erasure).

    The audit entry that says it happened names nobody: only counts and the ids that no
    longer point anywhere.
    """
    application_ids = list(candidate.applications.values_list("pk", flat=True))
    provider = candidate.provider
    candidate_id = candidate.pk
    remove_generated_files(candidate=candidate)
    _forget_history(candidate=candidate, application_ids=application_ids)
    # Consent records of people supported hang off the assessments and go with them.
    candidate.delete()
    reports_changed(provider_id=provider.pk)
    record(
        provider=provider,
        actor=by,
        action=AuditEvent.Action.DATA_ERASED,
        summary=(
            f"Candidate #{candidate_id} erased on request, with "
            f"{len(application_ids)} application(s)"
        ),
    )
