"""Report calculations checked against figures worked out by hand (and one published value)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vbr.reports import analytics as a


def test_ordinal_alpha_matches_krippendorffs_published_example() -> None:
    # "Computing Krippendorff's Alpha-Reliability" (Krippendorff, 2011): 4 observers, 12 units,
    # values 1–5 with gaps; the ordinal alpha given there is 0.815. Unit 12 has one value only.
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[v for v in unit if v is not None] for unit in zip(*observers, strict=True)]

    result = a.ordinal_alpha(units)

    assert result.alpha == pytest.approx(0.815, abs=0.0005)
    assert result.units == 11
    assert result.pairable == 40


def test_ordinal_alpha_is_one_for_perfect_agreement_and_undefined_without_variation() -> None:
    assert a.ordinal_alpha([[1, 1], [3, 3], [4, 4]]).alpha == pytest.approx(1.0)
    assert a.ordinal_alpha([[2, 2], [2, 2]]).alpha is None


def test_ordinal_alpha_for_two_panellists_worked_by_hand() -> None:
    # Units (1,2) and (2,1): coincidences o12 = o21 = 2, n1 = n2 = 2, n = 4.
    # delta²(1,2) = (n1 + n2 − (n1 + n2)/2)² = 2² = 4.
    # D_o part: 2·2·4 = 16; D_e part: 2·(2·2·4) = 32; alpha = 1 − 3·16/32 = −0.5.
    assert a.ordinal_alpha([[1, 2], [2, 1]]).alpha == pytest.approx(-0.5)


def test_median_and_ninetieth_percentile_of_days() -> None:
    summary = a.summarise_days([1, 2, 3, 4, 10])
    assert summary.median_days == 3
    # Position (5 − 1)·0.9 = 3.6: 4 + 0.6·(10 − 4) = 7.6.
    assert summary.p90_days == pytest.approx(7.6)
    assert a.summarise_days([]).median_days is None


def test_time_in_stage_runs_to_the_next_entry_and_the_current_stage_to_now() -> None:
    day = lambda n: datetime(2026, 1, n, tzinfo=UTC)  # noqa: E731
    entries = [(1, 10, day(1)), (1, 20, day(5)), (2, 10, day(2)), (2, 20, day(3))]
    days = a.time_in_stage(entries, now=day(11))
    assert days == {10: [4.0, 1.0], 20: [6.0, 8.0]}


def test_time_in_stage_ends_when_the_application_was_closed() -> None:
    day = lambda n: datetime(2026, 1, n, tzinfo=UTC)  # noqa: E731
    # Application 1 entered stage 10 on day 1 and was declined on day 15; the report is read
    # 400 days after that: 14 days, not 414. Application 2 moved on on day 5 and withdrew on
    # day 9: 4 days in each stage.
    entries = [(1, 10, day(1)), (2, 10, day(1)), (2, 20, day(5))]
    now = datetime(2027, 2, 19, tzinfo=UTC)
    days = a.time_in_stage(entries, now=now, closed_at={1: day(15), 2: day(9)})
    assert days == {10: [14.0, 4.0], 20: [4.0]}


def test_conversion_is_next_stage_entries_over_this_stage_entries() -> None:
    steps = a.conversions([(1, "Interview"), (2, "Shadowing")], {1: 8, 2: 6})
    assert str(steps[0].moved_on) == "6 of 8 (75%)"
    assert steps[1].moved_on is None


def test_leniency_is_the_mean_difference_from_the_panel_median() -> None:
    units = [{"ann": 4, "ben": 2, "cat": 3}, {"ann": 3, "ben": 3}, {"ann": 4}]
    by_name = {item.panellist: item for item in a.leniency(units)}
    # Unit 1 median 3: ann +1, ben −1, cat 0. Unit 2 median 3: both 0. Unit 3 alone: skipped.
    assert by_name["ann"].mean_difference == pytest.approx(0.5)
    assert by_name["ann"].scores == 2
    assert by_name["ben"].mean_difference == pytest.approx(-0.5)
    assert by_name["cat"].mean_difference == 0


def test_retention_counts_only_hires_who_could_have_reached_each_milestone() -> None:
    today = date(2026, 12, 1)
    hires = [
        a.Hire(date(2025, 1, 1), None, "passed", 3.5),  # stayed 12 months
        a.Hire(date(2025, 6, 1), date(2025, 10, 1), "passed", 3.5),  # left after 4 months
        a.Hire(date(2026, 10, 1), None, "pending", 3.5),  # too recent for any milestone
        a.Hire(date(2025, 3, 1), date(2025, 4, 1), "failed", 2.0),  # left within 3 months
    ]
    rows = {row.band: row for row in a.retention(hires, today=today)}
    high = rows["3.25 and above"]
    assert high.hires == 3
    assert str(high.retained[3]) == "2 of 2 (100%)"
    assert str(high.retained[6]) == "1 of 2 (50%)"
    assert str(high.retained[12]) == "1 of 2 (50%)"
    assert str(rows["below 2.5"].retained[3]) == "0 of 1 (0%)"
    assert str(rows["All hires"].retained[3]) == "2 of 3 (67%)"
    assert high.probation == {"passed": 2, "pending": 1}


def test_values_bands_follow_the_issue() -> None:
    assert a.values_band(2.49) == "below 2.5"
    assert a.values_band(2.5) == "2.5 to 3.25"
    assert a.values_band(3.25) == "3.25 and above"
    assert a.values_band(None) == "no scores"


def test_the_four_fifths_flag_compares_shown_groups_only() -> None:
    rows = {
        row.group: row
        for row in a.pass_through_by_group(
            {"A": (16, 20), "B": (6, 12), "C": (1, 4), "D": (14, 20)}, hidden={"C"}
        )
    }
    assert rows["C"].suppressed and not rows["C"].below_four_fifths
    # Highest 80%: four-fifths of it is 64%. B at 50% is flagged; D at 70% is not.
    assert rows["B"].below_four_fifths
    assert not rows["D"].below_four_fifths
    assert not rows["A"].below_four_fifths
    assert str(rows["B"].rate) == "6 of 12 (50%)"


@pytest.mark.parametrize(
    ("rate", "highest", "flagged"),
    [
        # Exactly four-fifths is not flagged, whatever the counts behind it.
        ((4, 5), (5, 5), False),
        ((4, 6), (5, 6), False),
        ((8, 15), (10, 15), False),
        # Under four-fifths is.
        ((3, 5), (5, 5), True),
        ((3, 6), (5, 6), True),
        ((79, 100), (100, 100), True),
    ],
)
def test_four_fifths_is_decided_in_exact_arithmetic(
    rate: tuple[int, int], highest: tuple[int, int], flagged: bool
) -> None:
    assert a.under_four_fifths(a.Rate(*rate), a.Rate(*highest)) is flagged


def test_turnover_is_leavers_over_hires_in_post_during_the_year() -> None:
    today = date(2026, 12, 1)
    hires = [
        a.Hire(date(2026, 1, 1), date(2026, 6, 1), "passed", None),
        a.Hire(date(2025, 1, 1), None, "passed", None),
        a.Hire(date(2024, 1, 1), date(2025, 1, 1), "passed", None),  # left before the year
    ]
    assert str(a.turnover_last_year(hires, today=today)) == "1 of 2 (50%)"
