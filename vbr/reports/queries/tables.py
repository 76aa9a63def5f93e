"""What every report is made of: sections, each a table of plain cells with an optional
chart and note. The report pages, the cache and the CSV, XLSX and PDF exports all read these
shapes, so a report only has to build them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from vbr.reports import analytics

Cell = str | int | float | None


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    table: Table
    chart: SafeString | None = None
    note: str = ""


@dataclass
class Report:
    slug: str
    title: str
    summary: str
    sections: list[Section] = field(default_factory=list)


def days_cell(value: float | None) -> float | None:
    """A number of days as shown in a table: to one decimal place."""
    return None if value is None else round(value, 1)


def rate_cells(rate: analytics.Rate | None) -> list[Cell]:
    """A rate as three cells, count, out of, and percent, so that no table shows a share
    without the numbers behind it."""
    if rate is None:
        return [None, None, None]
    percent = None if rate.value is None else round(rate.value * 100, 1)
    return [rate.numerator, rate.denominator, percent]
