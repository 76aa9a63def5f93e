"""Keyset pages of applications, newest first.

A page number makes the database count and skip every earlier row, which grows with a large
provider's history; a keyset page asks for "the 50 applied before this one" through the
index on (provider, applied_at, id), as fast on the last page as on the first. The total is
counted only up to `COUNT_UP_TO`: beyond that, people search or filter rather than page. A
first page that holds every match is its own count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Window

from vbr.recruitment.models import Application

PER_PAGE = 50
COUNT_UP_TO = 1000


@dataclass(frozen=True)
class ApplicationPage:
    # Applications, or rows of them (a `values()` queryset's dicts, or rows made from those).
    object_list: list[Any]
    total: int  # how many match; a count of its own stops at COUNT_UP_TO + 1
    older: int | None  # cursor for the page of older applications, if any
    newer: int | None  # cursor for the page of newer applications, if any

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_UP_TO

    @property
    def count_up_to(self) -> int:
        return COUNT_UP_TO


def _number(row: Any, name: str) -> int:
    """A column of a row: a `values()` dict's key or a model's attribute."""
    return int(row[name] if isinstance(row, dict) else getattr(row, name))


def _pk(row: Any) -> int:
    return _number(row, "pk")


def _count(applications: QuerySet[Any]) -> int:
    """How many match, counted up to `COUNT_UP_TO` + 1."""
    return applications.order_by()[: COUNT_UP_TO + 1].count()


def _cursor(all_applications: QuerySet[Application], value: str | None) -> tuple[Any, ...] | None:
    """(applied_at, pk) of the application named by a cursor, or None to start at the top."""
    if not value or not value.isdigit():
        return None
    return all_applications.filter(pk=int(value)).values_list("applied_at", "pk").first()


def newest_first(
    applications: QuerySet[Any],
    *,
    all_applications: QuerySet[Application],
    before: str | None = None,
    after: str | None = None,
    per_page: int = PER_PAGE,
    counted_in_the_walk: bool = False,
) -> ApplicationPage:
    """One page of `applications`, newest first: those applied before the application
    `before`, or (going back) those after `after`. Cursors are looked up in
    `all_applications` (the provider's), so that a row which no longer matches the filters
    still marks the place.

    The first page counts nothing when it holds them all: a search for one person, or a
    short filtered list, is walked once, not twice.

    `counted_in_the_walk`: the filters leave the database no index that gives the rows in
    their order (those waiting for a decision are found by joins), so the first page reads
    every match to sort them anyway; they are counted in that same walk instead of a second
    one. Never for the plain list, which its index gives newest first a page at a time."""
    # A cursor of another provider, or nonsense, is no cursor: the page starts at the top.
    older_than = _cursor(all_applications, before)
    cursor = older_than or _cursor(all_applications, after)
    if cursor is None:
        newest = applications.order_by("-applied_at", "-pk")
        if counted_in_the_walk:
            newest = newest.annotate(matching=Window(Count("pk")))
        fetched = list(newest[: per_page + 1])
        page = fetched[:per_page]
        if len(fetched) <= per_page:
            return ApplicationPage(page, len(page), older=None, newer=None)
        total = _number(fetched[0], "matching") if counted_in_the_walk else _count(applications)
        return ApplicationPage(page, total, older=_pk(page[-1]), newer=None)
    total = _count(applications)
    applied_at, pk = cursor
    if older_than:
        rows = applications.filter(
            Q(applied_at__lt=applied_at) | Q(applied_at=applied_at, pk__lt=pk)
        ).order_by("-applied_at", "-pk")
        fetched = list(rows[: per_page + 1])
        page = fetched[:per_page]
        return ApplicationPage(
            page,
            total,
            older=_pk(page[-1]) if len(fetched) > per_page else None,
            newer=_pk(page[0]) if page else None,
        )
    rows = applications.filter(
        Q(applied_at__gt=applied_at) | Q(applied_at=applied_at, pk__gt=pk)
    ).order_by("applied_at", "pk")
    fetched = list(rows[: per_page + 1])
    page = fetched[:per_page][::-1]
    return ApplicationPage(
        page,
        total,
        older=_pk(page[-1]) if page else None,
        newer=_pk(page[0]) if len(fetched) > per_page else None,
    )
