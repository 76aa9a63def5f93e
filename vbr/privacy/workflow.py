"""Anonymising and erasing a candidate. Keyword-only, typed, atomic.

Both walk the personal-data register (`register.py`) over the candidate's rows and do what
each field's entry says; neither keeps a list of its own. Anonymising keeps what reports
need — levels, stages, dates, statuses, outcomes — and forgets who the person was and
everything written about them in free text, including the audit trail's summaries,
scorecard history, shadowing notes, what people supported said and stored files.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, User
from vbr.privacy.files import delete_files_after_commit, file_fields
from vbr.privacy.register import Anonymise, Erase, Personal, Table, candidate_tables
from vbr.recruitment.models import Candidate
from vbr.reports.caching import forget_earlier_reports, reports_changed


def scrub_free_text(snapshot: Any, keys: tuple[str, ...]) -> Any:
    """A copy of a JSON snapshot with the text values under `keys` emptied, levels kept."""
    if isinstance(snapshot, dict):
        return {
            key: "" if key in keys and isinstance(value, str) else scrub_free_text(value, keys)
            for key, value in snapshot.items()
        }
    if isinstance(snapshot, list):
        return [scrub_free_text(item, keys) for item in snapshot]
    return snapshot


def _text(text: str) -> models.Value:
    return models.Value(text, output_field=models.CharField())


def _placeholder(entry: Personal) -> models.Expression:
    """The entry's placeholder ("{pk}": the row's id), only where the field had a value."""
    before, marker, after = entry.placeholder.partition("{pk}")
    text: Any = (
        Concat(_text(before), Cast("pk", models.CharField()), _text(after))
        if marker
        else _text(before)
    )
    return models.Case(
        models.When(**{entry.field: ""}, then=_text("")),
        default=text,
        output_field=models.CharField(),
    )


def _anonymise_rows(table: Table, rows: models.QuerySet[Any]) -> None:
    entries = table.personal
    files = file_fields(table)
    if any(entry.anonymise is Anonymise.DELETE_ROW for entry in entries):
        delete_files_after_commit(rows=rows, fields=files)
        rows.delete()
        return
    changes: dict[str, Any] = {}
    for entry in entries:
        if entry.anonymise in (Anonymise.BLANK, Anonymise.DELETE_FILE):
            changes[entry.field] = ""
        elif entry.anonymise is Anonymise.PLACEHOLDER:
            changes[entry.field] = _placeholder(entry)
    delete_files_after_commit(
        rows=rows,
        fields=[name for name in files if changes.get(name) == ""],
    )
    if changes:
        rows.update(**changes)
    scrubbed = [entry for entry in entries if entry.anonymise is Anonymise.SCRUB]
    if scrubbed:
        names = [entry.field for entry in scrubbed]
        for row in rows.only("pk", *names):
            for entry in scrubbed:
                snapshot = getattr(row, entry.field)
                setattr(row, entry.field, scrub_free_text(snapshot, entry.free_text_keys))
            row.save(update_fields=names)


def _erase_rows(table: Table, rows: models.QuerySet[Any]) -> None:
    entries = table.personal
    if any(entry.erase is Erase.DELETE_ROW for entry in entries):
        delete_files_after_commit(rows=rows, fields=file_fields(table))
        rows.delete()
        return
    blanked = {entry.field: "" for entry in entries if entry.erase is Erase.BLANK}
    if blanked:
        rows.update(**blanked)


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
    for table in candidate_tables():
        _anonymise_rows(table, table.candidate_rows(candidate))
    Candidate.objects.filter(pk=candidate.pk).update(anonymised_at=timezone.now())
    # Withdrawal and decline reasons are shown (grouped) in the funnel report: not even the
    # earlier builds of the reports, kept to show while one is rebuilt, may show them again.
    reports_changed(provider_id=candidate.provider_id)
    forget_earlier_reports(provider_id=candidate.provider_id)

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
    application_count = candidate.applications.count()
    provider = candidate.provider
    candidate_id = candidate.pk
    # Children before parents (the candidate's own row last), so that rows found through a
    # parent are still found.
    for table in candidate_tables():
        _erase_rows(table, table.candidate_rows(candidate))
    reports_changed(provider_id=provider.pk)
    forget_earlier_reports(provider_id=provider.pk)
    record(
        provider=provider,
        actor=by,
        action=AuditEvent.Action.DATA_ERASED,
        summary=(
            f"Candidate #{candidate_id} erased on request, with {application_count} application(s)"
        ),
    )
