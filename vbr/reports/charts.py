"""Hand-built SVG charts: drawn on the server so they look the same in the page and the PDF.

Each chart has a <title> and <desc> (read by screen readers, as role="img"), prints its
figures next to the bars, and tells series apart by pattern as well as shade, so that it
reads in black and white. The same figures are always in a table beside the chart.

Charts are narrow, with each label on its own line above its bar rather than beside it: the
page scales a chart to the width it has, and a narrow drawing keeps its text readable on a
phone (about 13 px at 390 px wide) as well as on a laptop and in print. Long labels wrap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vbr.recruitment.charts import text_width, wrap_text

_ids = count(1)
WIDTH = 360
FONT_SIZE = 13
LINE = 16  # height of a line of label text
BAR_HEIGHT = 18
GAP = 12  # between one bar and the next bar's label
GROUP_GAP = 10  # more space above a group's heading
LABEL_LINES = 3
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
    # A heading shared by consecutive bars (e.g. "Care assistant: Values interview" above
    # each group's bar), drawn once above the first of them.
    group: str = ""


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


def _prefix() -> str:
    """Ids unique in the process, so that two charts on one page never share a pattern."""
    return f"chart{next(_ids)}"


def _open(prefix: str, title: str, desc: str, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    )


def _lines(text: str, y: float, *, bold: bool = False) -> tuple[str, float]:
    """`text` wrapped to the chart's width, its first baseline at `y`; and the height used."""
    lines = wrap_text(text, WIDTH, font_size=FONT_SIZE, max_lines=LABEL_LINES, bold=bold)
    weight = ' font-weight="bold"' if bold else ""
    out = "".join(
        f'<text x="0" y="{y + 12 + index * LINE:g}"{weight}>{escape(line)}</text>'
        for index, line in enumerate(lines)
    )
    return out, len(lines) * LINE


def _caption_room(bars: Sequence[Bar]) -> float:
    """Room beside the longest bar for its figure; at most half the chart."""
    widest = max((text_width(bar.caption, FONT_SIZE) for bar in bars), default=0.0)
    return min(widest + 8, WIDTH / 2)


def _rows(
    bars: Sequence[Bar], draw_bar: Callable[[int, Bar, float], str], top: float = 0.0
) -> tuple[list[str], float]:
    """Each bar's group heading (when it changes), label and bar, downwards from `top`;
    and the height used."""
    parts: list[str] = []
    y = top + 4
    group = None
    for index, bar in enumerate(bars):
        if bar.group and bar.group != group:
            if group is not None:
                y += GROUP_GAP
            heading, used = _lines(bar.group, y, bold=True)
            parts.append(heading)
            y += used + 2
        group = bar.group
        label, used = _lines(bar.label, y)
        parts.append(label)
        y += used + 3
        parts.append(draw_bar(index, bar, y))
        y += BAR_HEIGHT + GAP
    return parts, y - GAP + 6


def bar_chart(
    *, title: str, desc: str, bars: Sequence[Bar], maximum: float | None = None
) -> SafeString:
    """Horizontal bars, each under its label, with the figure printed at the end of each bar.

    Nothing to draw gives an empty string: the table beside it says there is nothing.
    """
    if not bars:
        return mark_safe("")
    top = maximum if maximum else max((b.value for b in bars), default=0) or 1
    plot = WIDTH - _caption_room(bars)

    def draw(_index: int, bar: Bar, y: float) -> str:
        length = max(0.0, min(bar.value, top)) / top * plot
        return (
            f'<rect x="0" y="{y:g}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{INK}" stroke="{INK}"/>'
            f'<text x="{length + 6:.1f}" y="{y + 13:g}">{escape(bar.caption)}</text>'
        )

    rows, height = _rows(bars, draw)
    svg = _open(_prefix(), title, desc, height)
    return mark_safe(svg + "".join(rows) + "</svg>")  # noqa: S308 -- every text is escaped


def diverging_chart(
    *,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    below: str,
    above: str,
) -> SafeString:
    """Bars that grow left (negative) or right (positive) of a zero line down the middle,
    each with its figure at its end, so that the sign reads from the side and the size from
    the length. Negative bars are hatched and positive ones solid, for black and white.
    `below` and `above` name the two sides (e.g. "less generous", "more generous").
    """
    if not bars:
        return mark_safe("")
    zero = WIDTH / 2
    half = zero - _caption_room(bars)
    top = max((abs(b.value) for b in bars), default=0) or 1
    prefix = _prefix()

    def draw(_index: int, bar: Bar, y: float) -> str:
        length = abs(bar.value) / top * half
        if bar.value < 0:
            return (
                f'<rect x="{zero - length:.1f}" y="{y:g}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{_fill(prefix, "diagonal")}" stroke="{INK}"/>'
                f'<text x="{zero - length - 6:.1f}" y="{y + 13:g}" text-anchor="end">'
                f"{escape(bar.caption)}</text>"
            )
        return (
            f'<rect x="{zero:g}" y="{y:g}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{INK}" stroke="{INK}"/>'
            f'<text x="{zero + length + 6:.1f}" y="{y + 13:g}">{escape(bar.caption)}</text>'
        )

    # The two sides named above the bars, either side of the zero line.
    axis = (
        f'<text x="{zero - 6:g}" y="14" text-anchor="end">← {escape(below)}</text>'
        f'<text x="{zero + 6:g}" y="14">{escape(above)} →</text>'
    )
    rows, height = _rows(bars, draw, top=LINE + 6)
    zero_line = (
        f'<path d="M{zero:g} 2V{height:g}" stroke="{INK}" stroke-width="1.5" '
        f'stroke-dasharray="3 2"/>'
    )
    svg = _open(prefix, title, desc, height)
    return mark_safe(  # noqa: S308 -- every text is escaped
        svg + _defs(prefix) + axis + zero_line + "".join(rows) + "</svg>"
    )


def stacked_chart(
    *, title: str, desc: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]
) -> SafeString:
    """One 100% bar per row, under its label, split into the series (e.g. levels 1–4 and not
    observed), each part with its own pattern, and a legend above."""
    if not rows:
        return mark_safe("")
    # Legend entries wrap onto another line when they do not fit.
    placed: list[tuple[float, int, str, str]] = []
    x, line = 0.0, 0
    for index, name in enumerate(series):
        width = 26 + text_width(name, FONT_SIZE)
        if x and x + width > WIDTH:
            x, line = 0.0, line + 1
        placed.append((x, line, PATTERNS[index % len(PATTERNS)][0], name))
        x += width
    legend_height = 22 * (line + 1) + 6
    prefix = _prefix()
    legend = []
    for x, line, pattern, name in placed:
        y = 4 + 22 * line
        legend.append(
            f'<rect x="{x:g}" y="{y}" width="14" height="14" fill="{_fill(prefix, pattern)}" '
            f'stroke="{INK}"/><text x="{x + 18:g}" y="{y + 12}">{escape(name)}</text>'
        )
    bars = [Bar(label, 0, "") for label, _counts in rows]

    def draw(index: int, _bar: Bar, y: float) -> str:
        counts = rows[index][1]
        total = sum(counts) or 1
        left, parts = 0.0, []
        for index, value in enumerate(counts):
            share = value / total * WIDTH
            pattern = PATTERNS[index % len(PATTERNS)][0]
            parts.append(
                f'<rect x="{left:.1f}" y="{y:g}" width="{share:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{_fill(prefix, pattern)}" stroke="{INK}"/>'
            )
            left += share
        return "".join(parts)

    drawn_rows, height = _rows(bars, draw, top=legend_height)
    svg = _open(prefix, title, desc, height)
    return mark_safe(  # noqa: S308 -- every text is escaped
        svg + _defs(prefix) + "".join(legend) + "".join(drawn_rows) + "</svg>"
    )
