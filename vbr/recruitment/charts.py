"""Server-side SVG charts for the web pages, and the values profile for print.

The PDF summary shows the application page's values profile drawn in boxes and text
(`values_profile_html`, styled by print.css) rather than SVG, which the PDF renderer lays out
a letter at a time: the same values, bars, figures, scale and key.

Charts must read in black and white and to a screen reader: each stage has its own fill
pattern and every bar carries its figure as text; the SVG has a title and a description
that says everything the picture shows.

They are drawn narrow, each label on a line above its bars: a page scales a chart to the
width it has, and a narrow drawing keeps its text readable on a phone (about 13 px at 390 px
wide) as well as on a laptop and in print. `text_width` and `wrap_text` are shared with the
reports' charts.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vbr.recruitment.scoring import LEVEL_LABELS, NOT_PLANNED, ValueStageGrid

# Fill patterns by stage position after the first (solid): diagonal hatch, dots, cross-hatch.
_PATTERNS = (
    '<rect width="6" height="6" fill="#fff"/><path d="M0 6 L6 0" stroke="#1f1f1f" '
    'stroke-width="1.4"/>',
    '<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.3" fill="#1f1f1f"/>',
    '<rect width="6" height="6" fill="#fff"/><path d="M0 3 H6 M3 0 V6" stroke="#1f1f1f" '
    'stroke-width="1"/>',
)

WIDTH = 360
FONT_SIZE = 13
LINE = 16
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 10
TOP = 24
# Room after a full bar (level 4) for its figure; a cell with no median says why ("No scores
# yet") from the start of its empty bar.
FIGURE_WIDTH = 36
PLOT_WIDTH = WIDTH - FIGURE_WIDTH
LEGEND_LINE = 20
# Half the width of a digit (DejaVu Sans digits are 0.636 em wide).
DIGIT_HALF_WIDTH = 0.318 * FONT_SIZE

# Advance widths of DejaVu Sans (the charts' font) in em, by kind of character: enough to
# wrap labels and leave room for figures without measuring fonts. DejaVu is wider than most
# sans-serif fonts, so text measured by it fits in whichever a browser draws with.
_NARROW = frozenset(" .,:;'!|()[]-fijlrtI")
_WIDE = frozenset("mwMW%—")
BOLD = 1.13


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """About how wide `text` is drawn, in the SVG's units."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _WIDE:
            em += 0.97
        elif char.isupper():
            em += 0.72
        else:
            em += 0.64
    return em * font_size * (BOLD if bold else 1.0)


def wrap_text(
    text: str, width: float, *, font_size: float, max_lines: int = 3, bold: bool = False
) -> list[str]:
    """`text` in lines no wider than `width` (word by word; a word too long for a line is
    cut), at most `max_lines`, the last ending in "…" when something was left out."""

    def fits(line: str) -> bool:
        return text_width(line, font_size, bold=bold) <= width

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while not fits(current):
            cut = len(current) - 1
            while cut > 1 and not fits(current[:cut]):
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


# The key to the levels, as text beside the chart (in its caption) rather than inside it:
# a renderer that lays out SVG text letter by letter draws a line of HTML text far faster,
# and a caption can be selected, searched and read like the rest of the page.
LEVEL_KEY = "Levels: " + ", ".join(f"{k} {v.lower()}" for k, v in LEVEL_LABELS.items()) + "."


def values_profile_svg(grid: ValueStageGrid, *, chart_id: str = "values-profile") -> SafeString:
    """A bar per value and stage: the median level (1–4) from submitted scorecards, each value's
    name on a line above its bars, and each bar's figure (or why it has none, in the words of
    the evidence table: `GridCell.label`) at its end.

    Shared presentation attributes sit on groups, and the gridlines are one path: the markup
    is parsed twice for a PDF (as HTML, then as SVG), so fewer elements and attributes make a
    cheaper summary. Show `LEVEL_KEY` next to it."""
    stages = grid.stages
    fills = ["#1f1f1f"] + [f"url(#{chart_id}-p{i})" for i in range(1, len(stages))]
    scale = PLOT_WIDTH / 4

    description = []
    for row in grid.rows:
        parts = [
            f"{stage.name} {cell.label}"
            for stage, cell in zip(stages, row.cells, strict=True)
            if cell.planned or cell.stats.count
        ]
        description.append(f"{row.core_value.name}: " + (", ".join(parts) or NOT_PLANNED))
    desc_text = (
        "Median level per value at each stage, on a scale of 1 (no evidence shown) to 4 "
        "(strong evidence). " + "; ".join(description) + "."
        if grid.rows
        else "No values are assessed for this role yet."
    )

    names: list[str] = []
    bars: list[str] = []
    figures: list[str] = []
    grid_segments: list[str] = []
    levels_x = [level * scale for level in range(5)]
    block = max(len(stages), 1) * (BAR_HEIGHT + BAR_GAP)
    y = float(TOP)
    for row in grid.rows:
        lines = wrap_text(row.core_value.name, WIDTH, font_size=FONT_SIZE, bold=True)
        for line in lines:
            names.append(f'<text x="0" y="{y + 12:g}">{escape(line)}</text>')
            y += LINE
        y += 2
        grid_segments.extend(f"M{x:g} {y - 2:g}V{y + block:g}" for x in levels_x)
        for i, cell in enumerate(row.cells):
            bar_y = y + i * (BAR_HEIGHT + BAR_GAP)
            median = cell.stats.median
            label_x = 4.0
            if median is not None:
                bar_width = median * scale
                bars.append(
                    f'<rect x="0" y="{bar_y:g}" width="{bar_width:g}" height="{BAR_HEIGHT}" '
                    f'fill="{fills[i]}"/>'
                )
                label_x = bar_width + 5
            figures.append(
                f'<text x="{label_x:g}" y="{bar_y + BAR_HEIGHT - 3:g}">{escape(cell.label)}</text>'
            )
        y += block + ROW_GAP
    if not grid.rows:
        y += 24
    # Legend: pattern swatch and stage name, so the chart reads without colour.
    legend_y = y
    for i, stage in enumerate(stages):
        ly = legend_y + i * LEGEND_LINE
        bars.append(f'<rect x="0" y="{ly:g}" width="24" height="{BAR_HEIGHT}" fill="{fills[i]}"/>')
        name = wrap_text(stage.name, WIDTH - 32, font_size=FONT_SIZE, max_lines=1)[0]
        figures.append(f'<text x="32" y="{ly + BAR_HEIGHT - 3:g}">{escape(name)}</text>')
    height = legend_y + len(stages) * LEGEND_LINE + 4

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="values-profile" role="img" '
        f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" fill="#1f1f1f" '
        f'font-size="{FONT_SIZE}">',
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
    # Axis: level gridlines through each value's bars (one dashed path) and their numbers
    # on top (one text, a position for each digit, each set half a digit left of its line).
    if grid_segments:
        out.append(
            f'<path d="{" ".join(grid_segments)}" fill="none" stroke="#8a8a8a" '
            f'stroke-width="0.6" stroke-dasharray="2 2"/>'
        )
    digits_x = " ".join(f"{max(x - DIGIT_HALF_WIDTH, 0):g}" for x in levels_x)
    out.append(f'<text x="{digits_x}" y="{TOP - 8}">01234</text>')
    if names:
        out.append('<g font-weight="bold">' + "".join(names) + "</g>")
    if bars:
        out.append('<g stroke="#1f1f1f" stroke-width="0.8">' + "".join(bars) + "</g>")
    out.extend(figures)
    out.append("</svg>")
    # Safe: every piece of text above went through escape(); the rest is our own markup.
    return mark_safe("".join(out))  # noqa: S308


# The print stylesheet's class for each stage's fill, by position: the first solid, the others
# the same hatching, dots and cross-hatching as the drawn chart's patterns.
_PRINT_FILLS = ("pv-solid", "pv-hatch", "pv-dots", "pv-cross")
# The bars' outline, as wide as the drawing's stroke; a bar's figure is placed from inside it.
BAR_BORDER = 0.8


def print_bar_class(median: float) -> str:
    """The print stylesheet's class for a bar of this median, counted in half levels: a
    median of levels 1-4 is a level or a half between two, so "pv-m2" to "pv-m8". It sets
    the bar's length and puts its figure after it; a class rather than a style attribute on
    each bar, which the renderer would parse for every summary."""
    return f"pv-m{round(median * 2)}"


def print_bar_geometry(median: float) -> tuple[float, float]:
    """A bar's length and its figure's indent, in ems of the chart's text: what the class of
    `print_bar_class` sets in print.css (a test holds the two together)."""
    bar_width = median * PLOT_WIDTH / 4
    return bar_width / FONT_SIZE, (bar_width + 5 - BAR_BORDER) / FONT_SIZE


def values_profile_html(grid: ValueStageGrid) -> SafeString:
    """The values profile of `values_profile_svg` for a printed summary, drawn with boxes and
    text instead of SVG: the levels' scale, each value's name on a line above its bars, a bar
    per stage as long as the median level with its figure (or why it has none) at its end
    over dashed gridlines, and a key to the stages' fills.

    The same layout, sizes and words as the drawing, the text set as ordinary text: the PDF
    renderer lays out SVG text one letter at a time. print.css draws it (the `.profile`
    rules): one background of gridlines for the whole chart, covered in white behind the
    names, the scale and the key. Show `LEVEL_KEY` next to it, as beside the drawing."""
    stages = grid.stages
    fills = [_PRINT_FILLS[0]] + [
        _PRINT_FILLS[1 + (i - 1) % (len(_PRINT_FILLS) - 1)] for i in range(1, len(stages))
    ]
    # The scale: 0 at the left, then each level's figure centred on its gridline.
    out = ['<div class="profile"><div class="pv-axis">0<span>1 2 3 4</span></div>']
    for row in grid.rows:
        out.append(f'<div class="pv-name">{escape(row.core_value.name)}</div>')
        for i, cell in enumerate(row.cells):
            median = cell.stats.median
            if median is None:
                out.append(f'<div class="pv-bar">{escape(cell.label)}</div>')
                continue
            out.append(
                f'<div class="pv-bar {fills[i]} {print_bar_class(median)}">'
                f"{escape(cell.label)}</div>"
            )
    if stages:
        out.append('<div class="pv-key">')
        out.extend(
            f'<div class="pv-swatch {fills[i]}">{escape(stage.name)}</div>'
            for i, stage in enumerate(stages)
        )
        out.append("</div>")
    out.append("</div>")
    # Safe: every piece of text above went through escape(); the rest is our own markup.
    return mark_safe("".join(out))  # noqa: S308
