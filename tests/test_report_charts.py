"""What the reports' and the application page's charts show, read from the drawing itself:
the leniency chart diverges around zero on the page and in the report pack, the fairness
chart names the role, labels wrap rather than run off the drawing, the values profile and
its table use the same words, and the "Group by" filter shows the grouping in use."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import Panellist, Stage
from vbr.reports import charts
from vbr.reports.documents import report_pack_html, report_pack_pdf
from vbr.reports.queries import ReportFilter

SVG = "{http://www.w3.org/2000/svg}"


def drawing(html: str, title: str) -> ET.Element:
    """The SVG chart titled `title` in a page, parsed."""
    for match in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        svg = ET.fromstring(match.group(0))  # noqa: S314 -- our own markup, in a test
        if svg.findtext(f"{SVG}title") == title:
            return svg
    raise AssertionError(f"No chart titled {title!r}")


def marks(svg: ET.Element) -> list[tuple[str, dict[str, str], str]]:
    """The chart's texts and bars in drawing order (pattern tiles left out)."""
    out = []
    for element in svg.iter():
        tag = element.tag.removeprefix(SVG)
        if tag in ("text", "rect") and element not in svg.iterfind(f".//{SVG}pattern/*"):
            out.append((tag, element.attrib, element.text or ""))
    return out


def bars_under_labels(svg: ET.Element) -> dict[str, dict[str, float]]:
    """Each label's bar (the first bar drawn after it) and the figure printed beside it."""
    found: dict[str, dict[str, float]] = {}
    label = None
    pending: dict[str, Any] = {}
    for tag, attrib, text in marks(svg):
        if tag == "text" and label is None:
            label = text
        elif tag == "rect" and label is not None and "x" not in pending:
            pending = {"x": float(attrib["x"]), "width": float(attrib["width"])}
        elif tag == "text" and label is not None:
            pending["caption"] = text
            pending["anchor_x"] = float(attrib["x"])
            found[label] = pending
            label, pending = None, {}
    return found


# Leniency: around zero ------------------------------------------------------------------


@pytest.fixture
def harsh_and_generous(sunrise: Provider, bob: User, dev: User) -> dict[str, Any]:
    """One interview, two questions, three panellists. Medians 3 and 3: Bob gave 2 and 1
    (−1, −2: mean −1.5, the harshest), Dev 4 and 3 (+1, 0: +0.5), Carol 3 and 3 (0)."""
    carol = f.make_member(
        provider=sunrise, role=Membership.Role.MANAGER, username="carol", full_name="Carol Singh"
    )
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview")
    value = f.make_value(provider=sunrise, name="Compassion")
    first = f.make_criterion(stage=interview, core_value=value, prompt="Upset", order=1)
    second = f.make_criterion(stage=interview, core_value=value, prompt="Dignity", order=2)
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=interview), stage=interview
    )
    for user, levels, panel_role in (
        (bob, (2, 1), Panellist.PanelRole.CHAIR),
        (dev, (4, 3), Panellist.PanelRole.EXPERT_BY_EXPERIENCE),
        (carol, (3, 3), Panellist.PanelRole.STAFF_PEER),
    ):
        panellist = f.make_panellist(assessment=assessment, user=user, panel_role=panel_role)
        f.make_scorecard(
            panellist=panellist, levels={first: levels[0], second: levels[1]}, submitted=True
        )
    return {"role": role}


LENIENCY = "Panellists' mean difference from their panels' median"


def assert_leniency_diverges(svg: ET.Element) -> None:
    zero = float(svg.get("viewBox", "0 0 0 0").split()[2]) / 2
    bars = bars_under_labels(svg)
    bob, dev, carol = bars["Bob Okafor"], bars["Dev Raman"], bars["Carol Singh"]
    # The harshest panellist's bar grows left from zero, the generous one's right, each as
    # long as its size (1.5 against 0.5), with its signed figure at its far end.
    assert bob["x"] + bob["width"] == pytest.approx(zero, abs=0.1)
    assert bob["caption"] == "-1.50 (2)" and bob["anchor_x"] < bob["x"]
    assert dev["x"] == pytest.approx(zero)
    assert dev["caption"] == "+0.50 (2)" and dev["anchor_x"] > dev["x"] + dev["width"]
    assert bob["width"] == pytest.approx(3 * dev["width"], rel=0.01)
    assert carol["width"] == 0
    texts = [text for tag, _attrib, text in marks(svg) if tag == "text"]
    assert "← less generous" in texts and "more generous →" in texts


def test_the_leniency_chart_draws_the_harshest_panellist_left_of_zero(
    as_alice: Client, sunrise: Provider, harsh_and_generous: dict[str, Any]
) -> None:
    response = as_alice.get(reverse("report-detail", args=[sunrise.slug, "panel"]))

    svg = drawing(response.text, LENIENCY)

    assert_leniency_diverges(svg)
    description = svg.findtext(f"{SVG}desc") or ""
    assert "Bob Okafor: -1.50 (2)" in description and "Dev Raman: +0.50 (2)" in description


def test_the_report_pack_draws_the_same_diverging_leniency_chart(
    sunrise: Provider, harsh_and_generous: dict[str, Any]
) -> None:
    html = report_pack_html(provider=sunrise, filters=ReportFilter())

    assert_leniency_diverges(drawing(html, LENIENCY))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_report_pack_pdf_prints_the_leniency_chart_with_its_sides_named(
    sunrise: Provider, harsh_and_generous: dict[str, Any]
) -> None:
    content = report_pack_pdf(provider=sunrise, filters=ReportFilter())
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()

    assert "less generous" in text and "more generous" in text
    line = next(line for line in text.splitlines() if "-1.50 (2)" in line)
    assert "+0.50" not in line  # each figure on its own bar's line


# Fairness: the role in every label ------------------------------------------------------


@pytest.fixture
def two_roles_answered(sunrise: Provider) -> None:
    """Two roles, each with a "Values interview": 20 White candidates (12 passed on) and 12
    Asian (6 passed on) at each, everyone answering; White is large enough to be shown."""
    now = timezone.now()
    for title in ("Care assistant", "Night care assistant"):
        role = f.make_role(provider=sunrise, title=title)
        interview = f.make_stage(role=role, name="Values interview", order=1)
        shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
        for group, entered, passed in (("white", 20, 12), ("asian", 12, 6)):
            for index in range(entered):
                application = f.make_application(role=role, stage=interview)
                f.make_stage_entry(application=application, stage=interview, entered_at=now)
                if index < passed:
                    f.make_stage_entry(application=application, stage=shadowing, entered_at=now)
                f.make_equality_response(application=application, ethnicity=group)


def test_the_fairness_chart_names_the_role_and_stage_above_each_group(
    as_alice: Client, sunrise: Provider, two_roles_answered: None
) -> None:
    response = as_alice.get(reverse("report-detail", args=[sunrise.slug, "fairness"]))

    svg = drawing(response.text, "Pass-through by ethnic group")

    headings = [
        text for tag, attrib, text in marks(svg) if tag == "text" and attrib.get("font-weight")
    ]
    assert headings == [
        "Care assistant: Values interview",
        "Care assistant: Shadowing",
        "Night care assistant: Values interview",
        "Night care assistant: Shadowing",
    ]
    texts = [text for tag, _attrib, text in marks(svg) if tag == "text"]
    # Under each heading, the groups shown there with their figures.
    first = texts.index("Care assistant: Values interview")
    second = texts.index("Night care assistant: Values interview")
    assert texts[first + 1 : first + 3] == ["White", "12 of 20 (60%)"]
    assert "White" in texts[second:]
    assert "Care assistant: Values interview: White: 12 of 20" in (svg.findtext(f"{SVG}desc") or "")


def test_a_long_label_wraps_onto_lines_that_fit_the_drawing() -> None:
    label = "Night care assistant (waking nights, Llanfairpwllgwyngyll): Values interview"
    chart = charts.bar_chart(title="T", desc="D", bars=[charts.Bar(label, 3, "3", group=label)])
    svg = ET.fromstring(chart)  # noqa: S314 -- our own markup, in a test
    lines = [element.text or "" for element in svg.iter(f"{SVG}text")][:-1]

    assert len(lines) >= 4  # two lines of heading, two of label
    assert " ".join(lines[: len(lines) // 2]) == label  # nothing cut
    width = float(svg.get("viewBox", "").split()[2])
    for line in lines:
        assert charts.text_width(line, charts.FONT_SIZE, bold=True) <= width


# Group by -------------------------------------------------------------------------------


def selected_grouping(html: str) -> list[str]:
    select = re.search(r'<select name="characteristic".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]+)" selected>', select.group(0))


def test_group_by_shows_the_grouping_in_use_when_other_filters_are_chosen(
    as_alice: Client, sunrise: Provider, two_roles_answered: None
) -> None:
    role = sunrise.roles.get(title="Care assistant")
    url = reverse("report-detail", args=[sunrise.slug, "fairness"])

    by_role = as_alice.get(url, {"role": role.pk})

    # The report groups by ethnic group, and the form says so (and sends it again).
    assert "Pass-through by ethnic group" in by_role.text
    assert selected_grouping(by_role.text) == ["ethnicity"]
    by_sex = as_alice.get(url, {"role": role.pk, "characteristic": "sex"})
    assert selected_grouping(by_sex.text) == ["sex"]
    assert "Pass-through by sex" in by_sex.text
    index = as_alice.get(reverse("report-index", args=[sunrise.slug]), {"role": role.pk})
    assert selected_grouping(index.text) == ["ethnicity"]


# The values profile and its table -------------------------------------------------------


def test_the_values_profile_and_its_table_say_the_same_words(
    as_bob: Client, sunrise: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    compassion = f.make_value(provider=sunrise, name="Compassion", order=1)
    dignity = f.make_value(provider=sunrise, name="Dignity", order=2)
    asked = f.make_criterion(stage=interview, core_value=compassion, prompt="Upset")
    f.make_criterion(stage=shadowing, core_value=dignity, prompt="Knocks")
    application = f.make_application(role=role, stage=interview)
    assessment = f.make_assessment(application=application, stage=interview)
    panellist = f.make_panellist(assessment=assessment, user=bob)
    f.make_scorecard(panellist=panellist, levels={asked: 3}, submitted=True)

    page = as_bob.get(reverse("application-detail", args=[sunrise.slug, application.pk])).text

    table = page[page.index('<table class="table table-bordered') : page.index("</table>")]
    cells = re.findall(r"<td>(.*?)</td>", table, re.S)
    words = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    # Compassion: 3 at interview, not planned at shadowing; Dignity the other way round, with
    # no scores yet at shadowing.
    assert words[:2] == ["3 (1)", "Not planned"] and words[3:5] == ["Not planned", "No scores yet"]
    svg = drawing(page, "Values profile")
    figures = [text for tag, _attrib, text in marks(svg) if tag == "text"]
    assert "Not planned" in figures and "No scores yet" in figures
    assert "no evidence" not in " ".join(figures) and "not assessed" not in " ".join(figures)
    assert "Dignity: Shadowing No scores yet" in (svg.findtext(f"{SVG}desc") or "")
