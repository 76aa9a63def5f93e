"""Hand-built SVG charts: drawn on the server so they look the same in the page and the PDF.

Each chart has a <title> and <desc> (read by screen readers, as role="img"), prints its
figures next to the bars, and tells series apart by pattern as well as shade, so that it
reads in black and white. The same figures are always in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)
WIDTH = 760
LABEL_WIDTH = 300
LABEL_CHARS = 46
BAR_HEIGHT = 22
GAP = 8
INK = "#1f2a44"
# Fills from dark to light, each with its own pattern for black-and-white printing.
PATTERNS = (
    ("solid", "#1f2a44", ""),
    ("diagonal", "#5b6b8c", '<path d="M0,6 L6,0" stroke="#ffffff" stroke-width="1.5"/>'),
    ("dots", "#9aa7c2", '<circle cx="3" cy="3" r="1.3" fill="#1f2a44"/>'),
    ("cross", "#d6dcea", '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#1f2a44" stroke-width="0.8"/>'),
    ("plain", "#ffffff", ""),
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    caption: str  # the figure printed next to the bar, e.g. "12 (40%)"


def _fill(prefix: str, pattern: str) -> str:
    """A plain colour for the solid series (patterns tile with seams in some renderers)."""
    return INK if pattern == "solid" else f"url(#{prefix}-{pattern})"


def _defs(prefix: str) -> str:
    parts = []
    for name, fill, mark in PATTERNS:
        parts.append(
            f'<pattern id="{prefix}-{name}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{fill}"/>{mark}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _open(title: str, desc: str, height: int) -> tuple[str, str]:
    prefix = f"chart{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="DejaVu Sans, sans-serif" '
        f'font-size="12">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    )
    return prefix, head


def bar_chart(
    *, title: str, desc: str, bars: Sequence[Bar], maximum: float | None = None
) -> SafeString:
    """Horizontal bars, one per label, with the figure printed at the end of each bar.

    Nothing to draw gives an empty string: the table beside it says there is nothing.
    """
    if not bars:
        return mark_safe("")
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP) + GAP
    prefix, svg = _open(title, desc, height)
    top = maximum if maximum else max((b.value for b in bars), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 90
    parts = [svg, _defs(prefix)]
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = max(0.0, bar.value) / top * plot
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(bar.label[:LABEL_CHARS])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{INK}" stroke="{INK}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" fill="{INK}">'
            f"{escape(bar.caption)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


def stacked_chart(
    *, title: str, desc: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]
) -> SafeString:
    """One 100% bar per row, split into the series (e.g. levels 1–4 and not observed), each
    part with its own pattern, and a legend above."""
    if not rows:
        return mark_safe("")
    # Legend entries wrap onto a second line when they do not fit.
    placed: list[tuple[int, int, str, str]] = []
    x, line = 0, 0
    for index, name in enumerate(series):
        width = 30 + 7 * len(name)
        if x + width > WIDTH:
            x, line = 0, line + 1
        placed.append((x, line, PATTERNS[index % len(PATTERNS)][0], name))
        x += width
    legend_height = 24 * (line + 1) + 4
    height = legend_height + max(1, len(rows)) * (BAR_HEIGHT + GAP) + GAP
    prefix, svg = _open(title, desc, height)
    parts = [svg, _defs(prefix)]
    for x, line, pattern, name in placed:
        y = 6 + 24 * line
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{_fill(prefix, pattern)}" '
            f'stroke="{INK}"/><text x="{x + 18}" y="{y + 12}" fill="{INK}">{escape(name)}</text>'
        )
    plot = WIDTH - LABEL_WIDTH - 10
    for row_index, (label, counts) in enumerate(rows):
        y = legend_height + GAP + row_index * (BAR_HEIGHT + GAP)
        total = sum(counts) or 1
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(label[:LABEL_CHARS])}</text>"
        )
        left = float(LABEL_WIDTH)
        for index, value in enumerate(counts):
            share = value / total * plot
            pattern = PATTERNS[index % len(PATTERNS)][0]
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{share:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{_fill(prefix, pattern)}" stroke="{INK}"/>'
            )
            left += share
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
