"""Gaps in an employment history: the periods between jobs longer than the provider allows
without a written explanation. Pure functions over dates, so that worked examples test them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Gap:
    """Days covered by no job, first and last day included."""

    starts_on: date
    ends_on: date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def describe(self) -> str:
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"


def find_gaps(
    spells: Iterable[tuple[date, date | None]], *, longer_than_months: int, until: date
) -> list[Gap]:
    """The gaps longer than `longer_than_months` between the jobs given as (start, end) —
    an end of None means the job goes on — and from the last job to `until` (the day the
    file was opened). Overlapping jobs cover each other; nothing before the first job counts.

    "Longer than 3 months": from 1 February to 30 April is exactly three months and is not
    flagged; to 1 May it is.
    """
    ordered = sorted(spells, key=lambda spell: spell[0])
    gaps: list[Gap] = []
    covered_until: date | None = None  # the last day covered so far
    ongoing = False
    for started_on, ended_on in ordered:
        if covered_until is not None and not ongoing:
            gap = _gap(covered_until + timedelta(days=1), started_on - timedelta(days=1))
            if gap and _longer_than(gap, longer_than_months):
                gaps.append(gap)
        if ended_on is None:
            ongoing = True
        elif covered_until is None or ended_on > covered_until:
            covered_until = ended_on
    if covered_until is not None and not ongoing:
        gap = _gap(covered_until + timedelta(days=1), until)
        if gap and _longer_than(gap, longer_than_months):
            gaps.append(gap)
    return gaps


def _gap(first_day: date, last_day: date) -> Gap | None:
    return Gap(first_day, last_day) if last_day >= first_day else None


def _longer_than(gap: Gap, months: int) -> bool:
    longest: date = gap.starts_on + relativedelta(months=months)
    return gap.ends_on + timedelta(days=1) > longest
