"""The fairness report cannot be undone: hidden groups stay hidden whatever is subtracted from
what, at every stage and in every format, and the four-fifths flag is exact.

The reader knows each candidate's outcome and the funnel's totals per stage; what they must
not learn is anybody's equality-monitoring answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories as f
from tests.test_reports import csv_rows, report_url, table
from vbr.accounts.models import Provider
from vbr.recruitment.models import Stage
from vbr.reports import analytics as a
from vbr.reports.queries.fairness import HIDDEN_RULE

WHITE = "White"
ASIAN = "Asian or Asian British"
MIXED = "Mixed or multiple ethnic groups"
BLACK = "Black, Black British, Caribbean or African"
OTHER = "Another ethnic group"
NOT_SAID = "Prefer not to say"


# The rule, on plain numbers ------------------------------------------------------------


def test_a_group_that_subtraction_would_reveal_is_hidden_with_the_next_smallest() -> None:
    # One stage. C has 3 people: hidden. Were only C hidden, the stage total (35, known from
    # the funnel) minus A and B would give C's 3.
    cells = {"A": [(10, 20)], "B": [(6, 12)], "C": [(1, 3)]}

    hidden = a.suppressed_groups(cells)

    assert hidden == {"B", "C"}
    total = sum(entered for [(_passed, entered)] in cells.values())
    shown = sum(cells[group][0][1] for group in cells if group not in hidden)
    # What subtraction gives is B and C together, which is neither B's 12 nor C's 3.
    assert total - shown == 15
    assert total - shown not in {cells[group][0][1] for group in hidden}


def test_no_passes_among_the_hidden_groups_cannot_be_worked_out() -> None:
    # C and D are small, and none of them passed. With only C and D hidden, the stage's 17
    # passes minus A's 10 and B's 7 would say that none of C and D passed; B is hidden too.
    cells = {"A": [(10, 20)], "B": [(7, 14)], "C": [(0, 3)], "D": [(0, 2)]}

    assert a.suppressed_groups(cells) == {"B", "C", "D"}


@pytest.mark.parametrize("passed", [0, 5])
def test_a_group_of_five_where_everyone_had_the_same_outcome_is_hidden(passed: int) -> None:
    # 0 of 5 or 5 of 5 tells the reader every member's outcome.
    cells = {"A": [(10, 20)], "B": [(8, 16)], "C": [(passed, 5)]}

    assert "C" in a.suppressed_groups(cells)


def test_a_group_hidden_at_one_stage_is_hidden_at_every_stage_of_the_role() -> None:
    # B: 15 of 18 passed the interview, so only 3 did not: hidden. At shadowing its 15 would
    # be large enough, but those who entered shadowing are those who passed the interview,
    # so showing them would give the interview's 3 away. C is the next smallest.
    cells = {
        "A": [(20, 30), (10, 20)],
        "B": [(15, 18), (7, 15)],
        "C": [(12, 20), (6, 12)],
    }

    hidden = a.suppressed_groups(cells)

    assert hidden == {"B", "C"}
    shadowing = a.pass_through_by_group({g: row[1] for g, row in cells.items()}, hidden=hidden)
    assert [(row.group, row.suppressed) for row in shadowing] == [
        ("A", False),
        ("B", True),
        ("C", True),
    ]


def test_nobody_yet_past_the_last_stage_hides_nobody() -> None:
    # A role still recruiting: nobody has been offered the job, so each group's 0 says
    # nothing that the total does not.
    cells = {"A": [(10, 20), (0, 10)], "B": [(6, 12), (0, 6)]}

    assert a.suppressed_groups(cells) == frozenset()


# The report, as a person sees it ---------------------------------------------------------


@pytest.fixture
def answered(sunrise: Provider) -> dict[str, Any]:
    """One role, interview then shadowing; nobody offered the job yet. Everyone answered:

    interview: White 15 of 20 passed, Asian 5 of 12, Mixed 5 of 10, Black 2 of 2, nobody
    else. Black is small; Mixed, the next smallest, is hidden with it, so that the funnel's
    44 minus the groups shown gives Black and Mixed together (12), not Black's 2.
    """
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    now = timezone.now()
    groups = [("white", 20, 15), ("asian", 12, 5), ("mixed", 10, 5), ("black", 2, 2)]
    for group, entered, passed in groups:
        for index in range(entered):
            application = f.make_application(role=role, stage=interview)
            f.make_stage_entry(application=application, stage=interview, entered_at=now)
            if index < passed:
                f.make_stage_entry(application=application, stage=shadowing, entered_at=now)
            f.make_equality_response(application=application, ethnicity=group)
    return {"role": role, "interview": interview, "shadowing": shadowing}


def rows_at(response: Any, stage: str) -> dict[str, list[Any]]:
    return {row[2]: row[3:] for row in table(response, "Pass-through by group") if row[1] == stage}


NOT_SHOWN = ["not shown", None, None, None]


def test_the_fairness_page_hides_a_small_group_and_the_next_smallest_at_every_stage(
    as_alice: Client, sunrise: Provider, answered: dict[str, Any]
) -> None:
    response = as_alice.get(report_url(sunrise, "fairness", characteristic="ethnicity"))

    assert table(response, "Responses") == [[44, 44, 100.0]]
    # Every answer has a row at every stage, in the form's order.
    interview = rows_at(response, "Values interview")
    assert list(interview) == [ASIAN, BLACK, MIXED, WHITE, OTHER, NOT_SAID]
    assert interview[WHITE] == [15, 20, 75.0, "No"]
    # 5 of 12 is under four-fifths of 15 of 20 (41.7 % < 60 %).
    assert interview[ASIAN] == [5, 12, 41.7, "Yes"]
    for group in (BLACK, MIXED, OTHER, NOT_SAID):
        assert interview[group] == NOT_SHOWN
    # Shadowing: Mixed (5) would be large enough on its own, Black (2) would not; both keep
    # their hidden rows. Nobody has passed shadowing yet, which hides nobody.
    shadowing = rows_at(response, "Shadowing")
    assert list(shadowing) == [ASIAN, BLACK, MIXED, WHITE, OTHER, NOT_SAID]
    assert shadowing[WHITE] == [0, 15, 0.0, "No"]
    assert shadowing[ASIAN] == [0, 5, 0.0, "No"]
    assert shadowing[MIXED] == shadowing[BLACK] == NOT_SHOWN

    # The funnel's total minus the groups shown is Black and Mixed together, not one group.
    funnel = as_alice.get(report_url(sunrise, "funnel"))
    entered = next(
        row[2] for row in table(funnel, "Applications per stage") if row[1] == "Values interview"
    )
    assert entered - (20 + 12) == 12

    # What is on the page: the rows, the line under the table, and no bar for a hidden group.
    text = response.text
    assert (
        '<th scope="row">Care assistant</th><td>Values interview</td>'
        f"<td>{MIXED}</td><td>not shown</td><td>—</td><td>—</td><td>—</td>"
    ) in text
    assert (
        '<th scope="row">Care assistant</th><td>Values interview</td>'
        f"<td>{ASIAN}</td><td>5</td><td>12</td><td>41.7</td><td>Yes</td>"
    ) in text
    assert "fewer than 5 of its people entered, passed on or did not" in text
    assert "where one group is hidden, another is hidden too" in text
    assert f"Values interview: {WHITE}" in text
    assert f"Values interview: {MIXED}" not in text and f"Shadowing: {BLACK}" not in text
    assert HIDDEN_RULE.startswith(
        f"A group is not shown for a role if, at any of its stages, fewer than {a.SMALL_GROUP}"
    )


def test_the_fairness_csv_shows_the_same_hidden_rows_and_the_rule(
    as_alice: Client, sunrise: Provider, answered: dict[str, Any]
) -> None:
    rows = csv_rows(as_alice.get(report_url(sunrise, "fairness", format="csv")))

    by_stage_and_group = {
        (row[1], row[2]): row[3:] for row in rows if row[:1] == ["Care assistant"]
    }
    assert by_stage_and_group[("Values interview", WHITE)] == ["15", "20", "75.0", "No"]
    assert by_stage_and_group[("Values interview", MIXED)] == ["not shown", "", "", ""]
    assert by_stage_and_group[("Shadowing", MIXED)] == ["not shown", "", "", ""]
    assert by_stage_and_group[("Shadowing", BLACK)] == ["not shown", "", "", ""]
    assert len(by_stage_and_group) == 12
    assert any(re.search(r"fewer than 5 of its people", cell) for row in rows for cell in row)


def test_choosing_one_stage_does_not_show_a_group_the_whole_table_hides(
    as_alice: Client, sunrise: Provider, answered: dict[str, Any]
) -> None:
    response = as_alice.get(
        report_url(sunrise, "fairness", characteristic="ethnicity", stage=answered["shadowing"].pk)
    )

    shadowing = rows_at(response, "Shadowing")
    assert shadowing[MIXED] == NOT_SHOWN
    assert shadowing[WHITE] == [0, 15, 0.0, "No"]
    assert rows_at(response, "Values interview") == {}
