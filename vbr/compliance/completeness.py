"""For inspectors: who is missing what, per person, by role, with each verification's
who and when. Two queries whatever the number of files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vbr.compliance.models import Check, SaferRecruitmentFile


@dataclass(frozen=True)
class FileRow:
    file: SaferRecruitmentFile
    person: str
    role: str
    checks: dict[str, Check]  # by item name

    @property
    def missing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check.is_done]

    @property
    def concerns(self) -> list[str]:
        return [n for n, c in self.checks.items() if c.status == Check.Status.CONCERN]

    @property
    def start_date(self) -> date | None:
        return self.file.start_date


@dataclass(frozen=True)
class Completeness:
    items: list[str]  # item names, in checklist order, over every version in use
    rows: list[FileRow]

    @property
    def complete_count(self) -> int:
        return sum(1 for row in self.rows if not row.missing)

    def by_role(self) -> list[tuple[str, list[FileRow]]]:
        grouped: dict[str, list[FileRow]] = defaultdict(list)
        for row in self.rows:
            grouped[row.role].append(row)
        return sorted(grouped.items())


def completeness(files: QuerySet[SaferRecruitmentFile]) -> Completeness:
    loaded = list(
        files.select_related("application__candidate", "application__role").order_by(
            "application__role__title", "application__candidate__last_name", "pk"
        )
    )
    checks = Check.objects.filter(file__in=[f.pk for f in loaded]).select_related(
        "item", "verified_by"
    )
    by_file: dict[int, dict[str, Check]] = defaultdict(dict)
    order: dict[str, tuple[int, int]] = {}
    for check in checks.order_by("item__order", "pk"):
        by_file[check.file_id][check.item.name] = check
        order.setdefault(check.item.name, (check.item.order, check.item.pk))
    rows = [
        FileRow(
            file=file,
            person=file.application.candidate.full_name,
            role=file.application.role.title,
            checks=by_file.get(file.pk, {}),
        )
        for file in loaded
    ]
    return Completeness(items=sorted(order, key=lambda name: order[name]), rows=rows)


def describe(check: Check | None) -> str:
    """A cell: the status, and for a verified check who verified it and when."""
    if check is None:
        return "Not on this file's checklist"
    text = check.get_status_display()
    if check.status == Check.Status.VERIFIED and check.verified_at is not None:
        who = check.verified_by.display_name if check.verified_by else "a former member"
        text += f" {timezone.localtime(check.verified_at):%-d %b %Y} by {who}"
    return text


def csv_headers(report: Completeness) -> Sequence[str]:
    return [
        "Person",
        "Role",
        "Opened",
        "Start date",
        "Conditional start",
        "Complete",
        "Missing",
        "Concerns",
        *report.items,
    ]


def csv_rows(report: Completeness) -> Iterator[Sequence[Any]]:
    for row in report.rows:
        yield [
            row.person,
            row.role,
            timezone.localtime(row.file.opened_at).date().isoformat(),
            row.start_date.isoformat() if row.start_date else "",
            "Yes" if row.file.conditional_start else "No",
            "No" if row.missing else "Yes",
            "; ".join(row.missing),
            "; ".join(row.concerns),
            *(describe(row.checks.get(name)) for name in report.items),
        ]
