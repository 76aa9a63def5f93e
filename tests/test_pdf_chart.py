"""The values profile in a PDF summary: the application page's chart, drawn in boxes and text
(print.css) rather than SVG, with the same values, bars, figures, scale and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from vbr.accounts.models import Provider
from vbr.recruitment import charts
from vbr.recruitment.scoring import value_stage_grid

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"


def words_of(html: str) -> list[str]:
    return re.findall(r">([^<>]+)<", html)


@pytest.mark.django_db
def test_the_printed_profile_gives_each_value_a_bar_per_stage_with_its_figure_and_the_key(
    example: WorkedExample,  # noqa: F811 -- the fixture imported above
) -> None:
    html = charts.values_profile_html(value_stage_grid(example.application))
    # The scale, each value with a line per stage in the evidence table's words, the key.
    assert words_of(html) == [
        "0",
        "1 2 3 4",
        "Compassion",
        "3",
        "Not planned",
        "Dignity and respect",
        "3",
        "2",
        "Values interview",
        "Shadowing",
    ]
    # Bars as long as their medians (in half levels), the first stage solid, the second
    # hatched as in the drawing; no bar where there is no median.
    assert '<div class="pv-bar pv-solid pv-m6">3</div>' in html
    assert '<div class="pv-bar pv-hatch pv-m4">2</div>' in html
    assert '<div class="pv-bar">Not planned</div>' in html
    assert '<div class="pv-swatch pv-solid">Values interview</div>' in html
    assert '<div class="pv-swatch pv-hatch">Shadowing</div>' in html


@pytest.mark.django_db
def test_the_printed_profile_escapes_names(example: WorkedExample, sunrise: Provider) -> None:  # noqa: F811
    value = sunrise.core_values.get(name="Compassion")
    value.name = "Care <script>alert(1)</script>"
    value.save()
    html = charts.values_profile_html(value_stage_grid(example.application))
    assert "<script>" not in html
    assert '<div class="pv-name">Care &lt;script&gt;alert(1)&lt;/script&gt;</div>' in html


def test_the_print_stylesheet_sizes_every_bar_as_the_drawing_does() -> None:
    css = PRINT_CSS.read_text()
    for halves in range(2, 9):
        median = halves / 2
        width, indent = charts.print_bar_geometry(median)
        # A level is 81 of the drawing's 360 units; its text is 13 units high (1 em).
        assert width == pytest.approx(median * 81 / 13)
        rule = re.search(
            rf"^\.{charts.print_bar_class(median)} \{{ width: ([\d.]+)em; "
            r"text-indent: ([\d.]+)em; \}$",
            css,
            re.MULTILINE,
        )
        assert rule, f"no rule for a bar of median {median}"
        assert float(rule[1]) == pytest.approx(width, abs=1e-4)
        assert float(rule[2]) == pytest.approx(indent, abs=1e-4)
