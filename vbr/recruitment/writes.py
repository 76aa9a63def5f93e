"""Several writes of one step sent to the database together.

A submitted scorecard changes figures kept in six tables (the panel places' flags, the
assessment's progress, the application's value totals, the panel tallies, the audit trail and
the reports' version) with seven writes. On PostgreSQL they go as one statement, each write
a part of its WITH clause, so that a submit waits for the database once instead of seven
times.

PostgreSQL runs every part against the same snapshot, taken when the statement starts: a
part never sees another part's changes. So the parts must not depend on one another: each
counts or reads only what earlier statements of the transaction wrote, and no two parts
write the same row (deleting an assessment's old tallies and inserting its new ones is fine:
the new rows are not there for the delete to see). Other databases run the parts one after
another, in the order they were added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.db.models.sql import DeleteQuery, InsertQuery, UpdateQuery

# Above this many parameters the parts are sent one by one (PostgreSQL takes at most 65,535
# in one statement).
MAX_PARAMS = 30_000


class Writes:
    """Writes gathered by a step, sent by `send`."""

    def __init__(self) -> None:
        self._parts: list[tuple[Callable[[], object], Callable[[], list[tuple[str, Any]]]]] = []

    def update(self, rows: models.QuerySet[Any], **values: Any) -> None:
        """`rows.update(**values)`."""

        def compiled() -> list[tuple[str, Any]]:
            query = rows.query.chain(UpdateQuery)
            assert isinstance(query, UpdateQuery)
            query.add_update_values(values)
            query.annotations = {}
            return [query.get_compiler(rows.db).as_sql()]

        self._parts.append((lambda: rows.update(**values), compiled))

    def delete(self, rows: models.QuerySet[Any]) -> None:
        """Delete `rows` in one statement: for models that nothing refers to and that have no
        signal receivers (the ORM's `delete` would then also be one statement)."""

        def compiled() -> list[tuple[str, Any]]:
            query = rows.query.clone()
            query.__class__ = DeleteQuery
            return [query.get_compiler(rows.db).as_sql()]

        self._parts.append((lambda: rows._raw_delete(rows.db), compiled))

    def insert(
        self,
        objs: Sequence[models.Model],
        *,
        unique_fields: Sequence[str] = (),
        update_fields: Sequence[str] = (),
    ) -> None:
        """`bulk_create(objs)` of new rows of one model; with `unique_fields` and
        `update_fields`, a row already there is updated instead (`update_conflicts`)."""
        if not objs:
            return
        model = type(objs[0])
        manager = model._default_manager

        def run() -> object:
            if unique_fields:
                return manager.bulk_create(
                    objs,
                    update_conflicts=True,
                    unique_fields=unique_fields,
                    update_fields=update_fields,
                )
            return manager.bulk_create(objs)

        def compiled() -> list[tuple[str, Any]]:
            opts = model._meta
            # What bulk_create does to new rows before writing them (their primary keys).
            manager.get_queryset()._prepare_for_bulk_create(objs)  # type: ignore[attr-defined]
            fields = [
                field
                for field in opts.concrete_fields
                if not field.generated and (unique_fields or field is not opts.pk)
            ]
            query = InsertQuery(
                model,
                on_conflict=OnConflict.UPDATE if unique_fields else None,
                update_fields=[opts.get_field(name) for name in update_fields],
                unique_fields=[opts.get_field(name) for name in unique_fields],
            )
            query.insert_values(fields, list(objs))
            return list(query.get_compiler(using=manager.db).as_sql())

        self._parts.append((run, compiled))

    def send(self) -> None:
        """Make the writes: one statement on PostgreSQL, else one statement each."""
        if connection.vendor == "postgresql":
            statements = [statement for _run, compiled in self._parts for statement in compiled()]
            params = [param for _sql, part in statements for param in part]
            if len(statements) > 1 and len(params) <= MAX_PARAMS:
                *first, (last, _params) = statements
                parts = ", ".join(f"w{n} AS ({sql})" for n, (sql, _params) in enumerate(first))
                with connection.cursor() as cursor:
                    cursor.execute(f"WITH {parts} {last}", params)
                self._parts.clear()
                return
        for run, _compiled in self._parts:
            run()
        self._parts.clear()
