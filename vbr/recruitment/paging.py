"""Keyset pages of applications, newest first.

A page number makes the database count and skip every earlier row, which grows with a large
provider's history; a keyset page asks for "the 50 applied before this one" through the
index on (provider, applied_at, id), as fast on the last page as on the first. The total is
counted only up to `COUNT_UP_TO`: beyond that, people search or filter rather than page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from vbr.recruitment.models import Application

PER_PAGE = 50
COUNT_UP_TO = 1000


@dataclass(frozen=True)
class ApplicationPage:
    # Applications, or rows of them (a `values()` queryset's dicts, or rows made from those).
    object_list: list[Any]
    total: int  # capped at COUNT_UP_TO + 1
    older: int | None  # cursor for the page of older applications, if any
    newer: int | None  # cursor for the page of newer applications, if any

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_UP_TO

    @property
    def count_up_to(self) -> int:
        return COUNT_UP_TO


def _pk(row: Any) -> int:
    return int(row["pk"] if isinstance(row, dict) else row.pk)


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
) -> ApplicationPage:
    """One page of `applications`, newest first: those applied before the application
    `before`, or (going back) those after `after`. Cursors are looked up in
    `all_applications` (the provider's), so that a row which no longer matches the filters
    still marks the place."""
    total = applications.order_by()[: COUNT_UP_TO + 1].count()
    if cursor := _cursor(all_applications, before):
        applied_at, pk = cursor
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
    if cursor := _cursor(all_applications, after):
        applied_at, pk = cursor
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
    fetched = list(applications.order_by("-applied_at", "-pk")[: per_page + 1])
    page = fetched[:per_page]
    return ApplicationPage(
        page, total, older=_pk(page[-1]) if len(fetched) > per_page else None, newer=None
    )
