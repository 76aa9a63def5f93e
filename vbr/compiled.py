"""Queries the ORM writes once and that are run again with new values.

Building and compiling a queryset costs about a millisecond of Python for a query with a few
joins and a subquery; running it on an index costs a tenth of that. A query that a page runs
on every view with the same shape (the signed-in person and their membership, an application
with its candidate and role) can have its SQL written once per database connection and then
be run with each view's values.

    APPLICATION = CompiledQuery(
        lambda provider_id, pk: Application.objects.filter(provider_id=provider_id, pk=pk)
        .select_related("candidate"),
        provider_id=int,
        pk=int,
    )
    application = APPLICATION.first(provider_id=provider.pk, pk=3)

Values are numbers, text, dates or aware date-times. `build` is called with a stand-in for
each value; the stand-ins are then found among the compiled parameters and replaced by the
real values on every run. So `build` must give the same SQL whatever the values, and depend
on nothing else (not the clock, not a setting that changes): it is compiled twice with
different stand-ins and refused if the SQL or any other parameter differs. A value the ORM
changes on its way into the SQL (a `__contains` pattern, a list of any length) cannot be
found, and is refused too.

What comes back is what the queryset gives: tuples for a `values_list()` queryset (`rows`),
dictionaries for a `values()` one (`dicts`), model instances with their `select_related`
objects and annotations otherwise (`objects`, `first`), with the same conversions from the
database; its `prefetch_related` lookups are then run on the instances as Django runs them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.db.models.query import (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)

# Stand-ins for each kind of value, unlikely to be a constant of a query. The numbers are
# positive and small enough for any integer column: Django leaves a condition out of the SQL
# for a number its column cannot hold. (A constant that happened to equal a stand-in would
# not equal the other stand-in of the two compilations, and the query would be refused.)
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: 32_001 + n,
    str: lambda n: f"\x1fvalue {n}\x1f",
    datetime: lambda n: datetime(2187, 3, 1, 12, 0, n, tzinfo=UTC),
    date: lambda n: date(2187, 3, 1 + n),
}


def _sent_as(connection: Any, kind: type, stand_in: Any, param: Any) -> Callable[[Any], Any] | None:
    """How a value of this kind is sent where the stand-in reached the SQL as `param`, or None
    if `param` is not the stand-in. Dates and times go as the database's operations adapt them
    for a date or date-time column (SQLite takes text); a number as the type Django sent it
    in (psycopg's Int2 for a small integer column on PostgreSQL)."""
    if kind is datetime:
        adapt = connection.ops.adapt_datetimefield_value
    elif kind is date:
        adapt = connection.ops.adapt_datefield_value
    else:
        if not (isinstance(param, kind) and param == stand_in):
            return None
        wrapper: Any = type(param)
        return lambda value: value if type(value) is wrapper else wrapper(value)
    sent = adapt(stand_in)
    return adapt if type(param) is type(sent) and param == sent else None


def _of_kind(value: Any, kind: type) -> bool:
    if kind is date:
        return type(value) is date
    if kind is datetime:  # aware, as Django keeps them
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, kind) and not isinstance(value, bool)


class _Compiled:
    """A queryset's SQL for one connection, where each value goes, and how rows are read."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        connection: Any,
        kinds: dict[str, type],
        stand_ins: dict[str, Any],
    ):
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, list(params)
        # Where each value goes, and how it is sent there.
        self.slots: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {
            name: [] for name in stand_ins
        }
        for position, param in enumerate(params):
            for name, stand_in in stand_ins.items():
                sent_as = _sent_as(connection, kinds[name], stand_in, param)
                if sent_as is not None:
                    self.slots[name].append((position, sent_as))
        missing = [name for name, positions in self.slots.items() if not positions]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} did not reach the SQL as given: this query cannot be "
                "compiled once"
            )
        self.compiler = compiler
        self.width = compiler.col_count
        self.trim = compiler.has_extra_select
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.instances = queryset._iterable_class is ModelIterable
        # For values(): each row's names, as Django's ValuesIterable finds them.
        query = queryset.query
        self.names: list[str] | None = None
        if queryset._iterable_class is ValuesIterable:
            self.names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        self.prefetch = tuple(getattr(queryset, "_prefetch_related_lookups"))  # noqa: B009
        self.db = connection.alias

    def layout(self) -> tuple[str, dict[str, list[int]], list[Any]]:
        """The SQL, where each value goes, and the other parameters: the same for any values
        when the query can be compiled once."""
        where = {name: [position for position, _ in slots] for name, slots in self.slots.items()}
        taken = {position for positions in where.values() for position in positions}
        constants = [param for position, param in enumerate(self.params) if position not in taken]
        return self.sql, where, constants

    def execute(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for name, slots in self.slots.items():
            value = values[name]
            for position, sent_as in slots:
                params[position] = sent_as(value)
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.trim:
            rows = [row[: self.width] for row in rows]
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return list(rows)

    def instances_from(self, rows: list[Any]) -> list[Any]:
        """Model instances as Django's ModelIterable makes them from the same rows."""
        compiler = self.compiler
        select, klass_info = compiler.select, compiler.klass_info
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        # Django 5.2's signature (the type stubs already describe a later one).
        populators = get_related_populators(klass_info, select, self.db)  # type: ignore[call-arg]
        annotations = compiler.annotation_col_map
        objects = []
        for row in rows:
            obj = model.from_db(self.db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        if self.prefetch and objects:
            prefetch_related_objects(objects, *self.prefetch)
        return objects


class CompiledQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[Any]], **kinds: type) -> None:
        unknown = [name for name, kind in kinds.items() if kind not in _STAND_INS]
        if unknown:
            raise TypeError(f"No stand-in for the kind of {', '.join(unknown)}")
        self.build = build
        self.kinds = kinds
        # One compiled form per connection object: its converters are bound to it, and a
        # connection object belongs to one thread.
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _compile(self, connection: Any) -> _Compiled:
        names = list(self.kinds)
        stand_ins = [
            {name: _STAND_INS[self.kinds[name]](2 * n + k) for n, name in enumerate(names)}
            for k in (0, 1)
        ]
        first, second = (self.build(**values) for values in stand_ins)
        for queryset in (first, second):
            if queryset._iterable_class not in (ModelIterable, ValuesIterable, ValuesListIterable):
                raise TypeError("Compile a queryset of model instances, values() or values_list()")
            if getattr(queryset, "_known_related_objects"):  # noqa: B009
                raise TypeError("Start from the model's manager, not from a related manager")
        compiled = _Compiled(first, connection, self.kinds, stand_ins[0])
        again = _Compiled(second, connection, self.kinds, stand_ins[1])
        if compiled.layout() != again.layout():
            raise ValueError(
                "The query is not the same for every value (it depends on something else, "
                "or its shape on a value): it cannot be compiled once"
            )
        return compiled

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(connection)
                if compiled is None:
                    compiled = self._compiled[connection] = self._compile(connection)
        return compiled

    def _run(self, using: str, values: dict[str, Any]) -> tuple[_Compiled, list[Any]]:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Expected values for {', '.join(self.kinds)}")
        # None in particular: the ORM writes "IS NULL" for it, another query.
        wrong = [name for name, value in values.items() if not _of_kind(value, self.kinds[name])]
        if wrong:
            raise TypeError(f"Not of their kind: {', '.join(wrong)}")
        compiled = self.compiled(using)
        return compiled, compiled.execute(values)

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """Every row for these values, as `values_list()` gives them."""
        compiled, rows = self._run(using, values)
        if compiled.instances or compiled.names is not None:
            raise TypeError("This query does not give rows of values_list(): use objects()")
        return [tuple(row) for row in rows]

    def dicts(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[dict[str, Any]]:
        """Every row for these values, as `values()` gives them."""
        compiled, rows = self._run(using, values)
        names = compiled.names
        if names is None:
            raise TypeError("This query does not give rows of values(): use rows() or objects()")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def objects(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """Every model instance for these values, as iterating the queryset gives them."""
        compiled, rows = self._run(using, values)
        if not compiled.instances:
            raise TypeError("This query gives rows of values: use rows() or dicts()")
        return compiled.instances_from(rows)

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        """The first instance, or None. (The query itself should ask for one row at most.)"""
        found = self.objects(using, **values)
        return found[0] if found else None


def remember_related(instance: Model, name: str, objects: Iterable[Model]) -> None:
    """Keep `objects` as what `instance.<name>.all()` gives, the way `prefetch_related` keeps
    what it read: for a relation read through a compiled query, so that the code and
    templates that read the relation read these without a query (and a `filter()` on it asks
    the database, as after a prefetch). `name` is a many-valued relation: the reverse of a
    foreign key, or a many-to-many."""
    manager = getattr(instance, name)
    cache_name = getattr(manager, "prefetch_cache_name", None)
    if cache_name is None:
        cache_name = manager.field.remote_field.cache_name
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[cache_name] = queryset


def columns(model: type[Model], prefix: str = "") -> list[str]:
    """The names of `model`'s own columns, as `values()` takes them after `prefix` (a
    relation's path, "stage__" say), in the order `Model.from_db` takes their values."""
    return [f"{prefix}{field.attname}" for field in model._meta.concrete_fields]


def parts(row: tuple[Any, ...], models: Iterable[type[Model]]) -> list[tuple[Any, ...]]:
    """A row of several models' `columns` in turn, cut into each model's values (for
    `Model.from_db`); what follows the last model's columns comes last."""
    cut, start = [], 0
    for model in models:
        width = len(model._meta.concrete_fields)
        cut.append(row[start : start + width])
        start += width
    cut.append(row[start:])
    return cut
