"""Stored files that hold personal data: which they are comes from the register (its file
fields); deleting them waits for the database change that forgets them."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from vbr.privacy.register import Table


def file_fields(table: Table) -> list[str]:
    """The table's personal fields that are stored files."""
    model = table.model_class
    return [
        entry.field
        for entry in table.personal
        if isinstance(model._meta.get_field(entry.field), models.FileField)
    ]


def delete_files_after_commit(*, rows: models.QuerySet[Any], fields: list[str]) -> int:
    """Delete the files stored in `fields` of `rows` once the transaction commits: a rolled
    back anonymisation or erasure must not leave rows pointing at missing files. Call it
    before the rows are deleted or the fields blanked. Returns how many files will go."""
    if not fields:
        return 0
    found = []
    for row in rows.only("pk", *fields):
        for name in fields:
            stored = getattr(row, name)
            if stored and stored.name:
                found.append((stored.storage, stored.name))

    def delete() -> None:
        for storage, name in found:
            storage.delete(name)

    if found:
        transaction.on_commit(delete)
    return len(found)
