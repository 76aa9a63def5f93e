"""Server-side SVG charts: the same markup goes into the web page and into the PDF.

Charts must read in black and white and to a screen reader: each stage has its own fill
pattern and every bar carries its figure as text; the SVG has a title and a description
that says everything the picture shows.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vbr.recruitment.scoring import LEVEL_LABELS, ValueStageGrid

# Fill patterns by stage position after the first (solid): diagonal hatch, dots, cross-hatch.
_PATTERNS = (
    '<rect width="6" height="6" fill="#fff"/><path d="M0 6 L6 0" stroke="#1f1f1f" '
    'stroke-width="1.4"/>',
    '<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.3" fill="#1f1f1f"/>',
    '<rect width="6" height="6" fill="#fff"/><path d="M0 3 H6 M3 0 V6" stroke="#1f1f1f" '
    'stroke-width="1"/>',
)

LABEL_WIDTH = 170
PLOT_WIDTH = 300
FIGURE_WIDTH = 70
BAR_HEIGHT = 11
BAR_GAP = 3
ROW_GAP = 12
TOP = 28
# Half the width of a digit at font-size 9 (DejaVu Sans digits are 0.636 em wide).
DIGIT_HALF_WIDTH = 2.9


def _fmt(median: float | None) -> str:
    if median is None:
        return "no evidence"
    return f"{median:g}"


# The key to the levels, as text beside the chart (in its caption) rather than inside it:
# a renderer that lays out SVG text letter by letter draws a line of HTML text far faster,
# and a caption can be selected, searched and read like the rest of the page.
LEVEL_KEY = "Levels: " + ", ".join(f"{k} {v.lower()}" for k, v in LEVEL_LABELS.items()) + "."


def values_profile_svg(grid: ValueStageGrid, *, chart_id: str = "values-profile") -> SafeString:
    """A bar per value and stage: the median level (1–4) from submitted scorecards.

    Shared presentation attributes sit on groups, and the gridlines are one path: the markup
    is parsed twice for a PDF (as HTML, then as SVG), so fewer elements and attributes make a
    cheaper summary. Show `LEVEL_KEY` next to it."""
    stages = grid.stages
    fills = ["#1f1f1f"] + [f"url(#{chart_id}-p{i})" for i in range(1, len(stages))]
    rows_height = sum(max(len(stages), 1) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP for _ in grid.rows)
    legend_height = 18 * len(stages)
    height = TOP + max(rows_height, 24) + legend_height + 6
    width = LABEL_WIDTH + PLOT_WIDTH + FIGURE_WIDTH
    scale = PLOT_WIDTH / 4

    description = []
    for row in grid.rows:
        parts = [
            f"{stage.name} {_fmt(cell.stats.median)}"
            for stage, cell in zip(stages, row.cells, strict=True)
            if cell.planned or cell.stats.count
        ]
        description.append(f"{row.core_value.name}: " + (", ".join(parts) or "not assessed"))
    desc_text = (
        "Median level per value at each stage, on a scale of 1 (no evidence shown) to 4 "
        "(strong evidence). " + "; ".join(description) + "."
        if grid.rows
        else "No values are assessed for this role yet."
    )

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="values-profile" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" fill="#1f1f1f" font-size="9">',
        f'<title id="{chart_id}-title">Values profile</title>',
        f'<desc id="{chart_id}-desc">{escape(desc_text)}</desc>',
    ]
    if len(stages) > 1:
        out.append("<defs>")
        for i in range(1, len(stages)):
            out.append(
                f'<pattern id="{chart_id}-p{i}" width="6" height="6" '
                f'patternUnits="userSpaceOnUse">{_PATTERNS[(i - 1) % len(_PATTERNS)]}</pattern>'
            )
        out.append("</defs>")
    # Axis: level gridlines (one dashed path) and their numbers (one text, a position for
    # each digit, each digit's start set half a digit left of its line).
    axis_bottom = TOP + max(rows_height, 24) - ROW_GAP / 2
    levels_x = [LABEL_WIDTH + level * scale for level in range(5)]
    gridlines = " ".join(f"M{x:g} {TOP - 6}V{axis_bottom:g}" for x in levels_x)
    out.append(
        f'<path d="{gridlines}" fill="none" stroke="#8a8a8a" stroke-width="0.6" '
        f'stroke-dasharray="2 2"/>'
    )
    digits_x = " ".join(f"{x - DIGIT_HALF_WIDTH:g}" for x in levels_x)
    out.append(f'<text x="{digits_x}" y="{TOP - 10}">01234</text>')

    names, bars, figures = [], [], []
    y = TOP
    for row in grid.rows:
        block = max(len(stages), 1) * (BAR_HEIGHT + BAR_GAP)
        names.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + block / 2 + 3:g}">'
            f"{escape(row.core_value.name)}</text>"
        )
        for i, cell in enumerate(row.cells):
            bar_y = y + i * (BAR_HEIGHT + BAR_GAP)
            median = cell.stats.median
            if median is not None:
                bar_width = median * scale
                bars.append(
                    f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{bar_width:g}" '
                    f'height="{BAR_HEIGHT}" fill="{fills[i]}"/>'
                )
                label_x = LABEL_WIDTH + bar_width + 4
            else:
                label_x = LABEL_WIDTH + 4
            label = _fmt(median) if (cell.planned or cell.stats.count) else "not assessed"
            figures.append(
                f'<text x="{label_x:g}" y="{bar_y + BAR_HEIGHT - 2}">{escape(label)}</text>'
            )
        y += block + ROW_GAP
    # Legend: pattern swatch and stage name, so the chart reads without colour.
    legend_y = TOP + max(rows_height, 24) + 6
    for i, stage in enumerate(stages):
        ly = legend_y + i * 18
        bars.append(
            f'<rect x="{LABEL_WIDTH}" y="{ly}" width="22" height="{BAR_HEIGHT}" fill="{fills[i]}"/>'
        )
        figures.append(
            f'<text x="{LABEL_WIDTH + 28}" y="{ly + BAR_HEIGHT - 2}">{escape(stage.name)}</text>'
        )
    if names:
        out.append(
            '<g font-size="10" font-weight="bold" text-anchor="end">' + "".join(names) + "</g>"
        )
    if bars:
        out.append('<g stroke="#1f1f1f" stroke-width="0.8">' + "".join(bars) + "</g>")
    out.extend(figures)
    out.append("</svg>")
    # Safe: every piece of text above went through escape(); the rest is our own markup.
    return mark_safe("".join(out))  # noqa: S308
