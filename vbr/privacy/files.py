"""Files that hold a candidate's personal data, in one place, so that anonymisation and
erasure leave none behind."""

from __future__ import annotations

from django.db import transaction
from django.db.models.fields.files import FieldFile

from vbr.recruitment.models import Candidate


def _delete_after_commit(files: list[FieldFile]) -> None:
    """Delete stored files only once the database change that forgets them is committed: a
    rolled-back anonymisation must not leave rows pointing at missing files."""
    names = [(f.storage, f.name) for f in files if f and f.name]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def remove_generated_files(*, candidate: Candidate) -> int:
    """Remove every stored file about `candidate`: DBS certificate copies and generated PDF
    summaries (with their job rows). Extend this function, and only this one, when a new
    kind of file about candidates appears.

    Returns how many files will be deleted when the transaction commits.
    """
    from vbr.privacy.models import DbsCheck
    from vbr.recruitment.workflow import remove_generated_files as remove_summaries

    checks = list(DbsCheck.objects.filter(application__candidate=candidate).exclude(certificate=""))
    _delete_after_commit([check.certificate for check in checks])
    DbsCheck.objects.filter(pk__in=[check.pk for check in checks]).update(certificate="")
    return len(checks) + remove_summaries(candidate=candidate)
