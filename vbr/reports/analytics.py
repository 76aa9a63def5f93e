"""Report calculations: pure, typed functions over plain values (no database access).

Every rate carries its counts (`Rate`), so that a page never shows "100 %" without saying
"of 2". Nothing here tests significance: the figures are descriptive, and small numbers are
shown as small numbers.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

SMALL_GROUP = 5
FOUR_FIFTHS = Fraction(4, 5)
RETENTION_MONTHS = (3, 6, 12)
# Values-score bands at hiring: mean of the hire's submitted levels (1–4).
BANDS: tuple[tuple[str, float, float], ...] = (
    ("below 2.5", -math.inf, 2.5),
    ("2.5 to 3.25", 2.5, 3.25),
    ("3.25 and above", 3.25, math.inf),
)
NO_SCORES_BAND = "no scores"


@dataclass(frozen=True)
class Rate:
    """A share with the counts behind it; `value` is None when there is nothing to divide."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.0f}%"

    def __str__(self) -> str:
        return f"{self.numerator} of {self.denominator} ({self.percent})"


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (the common "type 7" definition).

    With 10 values the 90th percentile lies nine-tenths of the way from the smallest to the
    largest rank, so it is never more extreme than the data.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class DurationSummary:
    """Days spent, summarised: median and 90th percentile, with how many there were."""

    count: int
    median_days: float | None
    p90_days: float | None


def summarise_days(days: Sequence[float]) -> DurationSummary:
    return DurationSummary(
        count=len(days),
        median_days=statistics.median(days) if days else None,
        p90_days=percentile(days, 0.9),
    )


def days_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(days=1)


def time_in_stage(
    entries: Iterable[tuple[int, int, datetime]],
    *,
    now: datetime,
    closed_at: Mapping[int, datetime] | None = None,
) -> dict[int, list[float]]:
    """Days each application spent in each stage, from its stage entries.

    `entries` are (application_id, stage_id, entered_at) ordered by application then time;
    `closed_at` gives, per closed application (hired, declined, withdrawn), when it closed.
    Time in a stage ends at the next entry or when the application closed, whichever came
    first (never before it began); the stage an open application is in counts until `now`.
    The funnel report works out the same in the database.
    """
    closed_at = closed_at or {}
    days: dict[int, list[float]] = defaultdict(list)
    entries = list(entries)
    for index, (application_id, stage_id, entered_at) in enumerate(entries):
        ends = [closed_at[application_id]] if application_id in closed_at else []
        following = entries[index + 1] if index + 1 < len(entries) else None
        if following is not None and following[0] == application_id:
            ends.append(following[2])
        end = min(ends) if ends else now
        days[stage_id].append(days_between(entered_at, max(end, entered_at)))
    return dict(days)


@dataclass(frozen=True)
class StageConversion:
    stage_id: int
    label: str
    entered: int
    moved_on: Rate | None  # None for the last stage of a role


def conversions(
    stages: Sequence[tuple[int, str]], entered: Mapping[int, int]
) -> list[StageConversion]:
    """Conversion from each stage to the next, in the order given (one role's stages).

    The rate is "entered the next stage" over "entered this stage".
    """
    result = []
    for index, (stage_id, label) in enumerate(stages):
        count = entered.get(stage_id, 0)
        moved_on = None
        if index + 1 < len(stages):
            moved_on = Rate(entered.get(stages[index + 1][0], 0), count)
        result.append(StageConversion(stage_id, label, count, moved_on))
    return result


# Krippendorff's alpha for ordinal data -------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Krippendorff's alpha with what it rests on: units with at least two levels, and the
    number of pairable levels behind the coincidence matrix."""

    alpha: float | None
    units: int
    pairable: int


def ordinal_alpha(units: Iterable[Sequence[int]]) -> Agreement:
    """Krippendorff's alpha with the ordinal difference function.

    Each unit (one criterion scored at one assessment) lists the levels its panellists gave;
    units with fewer than two levels cannot be paired and are left out. The coincidence
    matrix counts every ordered pair of levels within a unit, weighted 1/(m−1) for a unit of
    m levels. The ordinal distance between levels c ≤ k is the squared count of pairable
    values from c to k, less half of the two ends. alpha = 1 − (n−1)·D_o / D_e.
    alpha is undefined (None) when every level given is the same.
    """
    return ordinal_alpha_of_counts((Counter(unit), 1) for unit in units)


def ordinal_alpha_of_counts(units: Iterable[tuple[Mapping[int, int], int]]) -> Agreement:
    """`ordinal_alpha` from each kind of unit: how many of each level it holds, and how many
    units were like that. Units depend on their levels only through these counts (a unit
    with n_c levels c pairs c with k n_c·n_k times, or n_c·(n_c−1) times when c = k), so the
    database can group a large provider's units into a few rows.
    """
    coincidences: dict[tuple[int, int], float] = defaultdict(float)
    pairable_units = 0
    for counts, times in units:
        m = sum(counts.values())
        if m < 2:
            continue
        pairable_units += times
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[(c, k)] += times * pairs / (m - 1)
    totals: dict[int, float] = defaultdict(float)
    for (c, _k), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    categories = sorted(totals)
    if len(categories) < 2:
        return Agreement(None, pairable_units, round(n))

    def distance(c: int, k: int) -> float:
        low, high = min(c, k), max(c, k)
        between = sum(totals[g] for g in categories if low <= g <= high)
        return (between - (totals[low] + totals[high]) / 2) ** 2

    observed = sum(weight * distance(c, k) for (c, k), weight in coincidences.items())
    expected = sum(totals[c] * totals[k] * distance(c, k) for c in categories for k in categories)
    alpha = 1 - (n - 1) * observed / expected
    return Agreement(alpha, pairable_units, round(n))


# Leniency ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leniency:
    panellist: Hashable
    mean_difference: float
    scores: int


def leniency(units: Iterable[Mapping[Any, int]]) -> list[Leniency]:
    """Per panellist, the mean of (their level − the panel's median level) over the units
    they scored with at least one other panellist. Positive: more lenient than their panels.
    (The panel report sums the same differences stored per assessment, `AgreementTally`.)
    """
    totals: dict[Hashable, list[float]] = {}
    for unit in units:
        if len(unit) < 2:
            continue
        median = statistics.median(unit.values())
        for panellist, level in unit.items():
            total = totals.setdefault(panellist, [0.0, 0])
            total[0] += level - median
            total[1] += 1
    return [
        Leniency(panellist, difference / scores_compared, int(scores_compared))
        for panellist, (difference, scores_compared) in totals.items()
    ]


# Values evidence -----------------------------------------------------------------------


def never_discriminating(levels_by_criterion: Mapping[Hashable, Sequence[int]]) -> list[Hashable]:
    """Criteria where everybody who was scored got the same level (at least two scores)."""
    return [
        criterion
        for criterion, levels in levels_by_criterion.items()
        if len(levels) >= 2 and len(set(levels)) == 1
    ]


# Retention -----------------------------------------------------------------------------


def values_band(mean_level: float | None) -> str:
    if mean_level is None:
        return NO_SCORES_BAND
    for label, low, high in BANDS:
        if low <= mean_level < high:
            return label
    return NO_SCORES_BAND


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class Hire:
    start_date: date | None
    left_on: date | None
    probation: str
    mean_level: float | None
    source: str = ""  # where the application came from (Application.Source), "" not recorded


@dataclass(frozen=True)
class RetentionRow:
    band: str
    hires: int
    probation: dict[str, int]
    retained: dict[int, Rate]  # months → stayed of those who could have reached it


def retention(hires: Sequence[Hire], *, today: date) -> list[RetentionRow]:
    """Retention at 3, 6 and 12 months by values band, plus an "All hires" row.

    Only hires who started at least that many months ago count in a month's denominator: a
    person hired last month has not yet had the chance to stay three months.
    """
    groups: dict[str, list[Hire]] = defaultdict(list)
    for hire in hires:
        groups[values_band(hire.mean_level)].append(hire)
    order = [label for label, _low, _high in BANDS] + [NO_SCORES_BAND]
    rows = [_retention_row(band, groups[band], today) for band in order if groups[band]]
    rows.append(_retention_row("All hires", list(hires), today))
    return rows


@dataclass(frozen=True)
class SourceRetention:
    source: str
    hires: int | None  # None: the source is hidden (see `retention_by_source`)
    # Months → stayed of those who could have reached it; None for a month fewer than
    # SMALL_GROUP hires of the source could have reached yet.
    retained: dict[int, Rate | None]

    @property
    def hidden(self) -> bool:
        return self.hires is None


def retention_by_source(hires: Sequence[Hire], *, today: date) -> list[SourceRetention]:
    """Retention at 3, 6 and 12 months by where the hire's application came from, with small
    numbers hidden, so that a provider can test whether, say, referred hires stay longer.

    Only sources with hires are rows. The provider already knows who it hired from where and
    who left; what must not happen is a pattern read into a handful of people. So a source
    with fewer than SMALL_GROUP hires is hidden, by `suppressed_groups` as in the fairness
    tables (its hires as the one column, everyone "passing"): with one source hidden another
    is too, since the "All hires" row would give its figures away. A shown source's month is
    left out while fewer than SMALL_GROUP of its hires could have reached it.
    """
    groups: dict[str, list[Hire]] = defaultdict(list)
    for hire in hires:
        groups[hire.source].append(hire)
    rows = {source: _retention_row(source, group, today) for source, group in groups.items()}
    hidden = suppressed_groups({source: [(row.hires, row.hires)] for source, row in rows.items()})
    return [
        SourceRetention(source, None, dict.fromkeys(RETENTION_MONTHS))
        if source in hidden
        else SourceRetention(
            source,
            row.hires,
            {
                months: rate if rate.denominator >= SMALL_GROUP else None
                for months, rate in row.retained.items()
            },
        )
        for source, row in rows.items()
    ]


def _retention_row(band: str, hires: Sequence[Hire], today: date) -> RetentionRow:
    retained = {}
    for months in RETENTION_MONTHS:
        eligible = stayed = 0
        for hire in hires:
            if hire.start_date is None:
                continue
            milestone = add_months(hire.start_date, months)
            if milestone > today:
                continue
            eligible += 1
            if hire.left_on is None or hire.left_on >= milestone:
                stayed += 1
        retained[months] = Rate(stayed, eligible)
    return RetentionRow(band, len(hires), dict(Counter(h.probation for h in hires)), retained)


def turnover_last_year(hires: Sequence[Hire], *, today: date) -> Rate:
    """Leavers in the last 12 months over hires in post at any time in those 12 months."""
    since = add_months(today, -12)
    in_post = [
        h
        for h in hires
        if h.start_date is not None
        and h.start_date <= today
        and (h.left_on is None or h.left_on >= since)
    ]
    leavers = [h for h in in_post if h.left_on is not None and since <= h.left_on <= today]
    return Rate(len(leavers), len(in_post))


# Fairness ------------------------------------------------------------------------------
#
# Who reads these tables already knows each candidate's outcome at each stage (it is their
# own recruitment); what they must not learn is a candidate's equality-monitoring answer.
# So the stage totals are treated as known (the funnel prints them for all applicants, and
# they are the same when everyone answered), and no figure may be shown from which a small
# number of people, or one hidden group's figure, can be read or worked out.


@dataclass(frozen=True)
class GroupRate:
    group: str
    rate: Rate | None  # None: suppressed (see `suppressed_groups`)
    below_four_fifths: bool

    @property
    def suppressed(self) -> bool:
        return self.rate is None


def _safe(count: int, total: int) -> bool:
    """A count may be shown when it is at least SMALL_GROUP, or when it is 0 because nobody
    at all is counted there. A 0 beside people who are (none of a group passed, while others
    did) tells the reader that every one of those people is outside the group."""
    return count >= SMALL_GROUP or count == total == 0


def _disclosive(cells: Sequence[tuple[int, int]], totals: Sequence[tuple[int, int]]) -> bool:
    """Whether one row of (passed, entered) per stage shows a number it must not: an
    entered, passed or not-passed count that is not `_safe` against that stage's total."""
    for (passed, entered), (all_passed, all_entered) in zip(cells, totals, strict=True):
        if not (
            _safe(entered, all_entered)
            and _safe(passed, all_passed)
            and _safe(entered - passed, all_entered - all_passed)
        ):
            return True
    return False


def _sum_rows(rows: Iterable[Sequence[tuple[int, int]]], stages: int) -> list[tuple[int, int]]:
    sums = [(0, 0)] * stages
    for row in rows:
        sums = [(p + q, e + f) for (p, e), (q, f) in zip(sums, row, strict=True)]
    return sums


def suppressed_groups(table: Mapping[str, Sequence[tuple[int, int]]]) -> frozenset[str]:
    """The groups to hide in one role's pass-through table, at every one of its stages.

    `table` gives, per group, (passed, entered) at each of the role's stages in order (0, 0
    where none of the group were there); list every group that could have answered, not
    only those present, so that a hidden row does not say that somebody is in it.

    1. A group is hidden when, at any stage, the number of its people who entered, who
       passed on or who did not is under SMALL_GROUP (a 0 only when others are counted
       there). Any stage, because the stages are linked: those who passed on at one stage
       are those who entered the next, so a group shown at the stages either side of a
       hidden one would give its figures away.
    2. Complementary suppression: the reader can work out the hidden groups' figures taken
       together (stage totals minus the shown groups), so while only one group is hidden, or
       the hidden groups together would themselves be hidden under rule 1, the shown group
       with the fewest entries is hidden too. Then no hidden group's figure can be worked
       out, and no small number about them together either. When every group is hidden,
       what is left is the stage totals, which are known anyway.
    """
    stages = len(next(iter(table.values()), ()))
    totals = _sum_rows(table.values(), stages)
    hidden = {group for group, row in table.items() if _disclosive(row, totals)}
    while hidden and len(hidden) < len(table):
        together = _sum_rows((table[group] for group in hidden), stages)
        if len(hidden) > 1 and not _disclosive(together, totals):
            break
        hidden.add(
            min(
                (group for group in table if group not in hidden),
                key=lambda group: (sum(entered for _passed, entered in table[group]), group),
            )
        )
    return frozenset(hidden)


def under_four_fifths(rate: Rate, highest: Rate) -> bool:
    """Whether `rate` is under four-fifths of `highest`, in exact arithmetic: 4 of 5 against
    5 of 5 is exactly four-fifths and is not flagged (in floating point 0.8 × 1.0 is not
    exactly 4/5, and the same ratio could be flagged or not depending on the counts)."""
    if rate.denominator == 0 or highest.denominator == 0:
        return False
    return Fraction(rate.numerator, rate.denominator) < FOUR_FIFTHS * Fraction(
        highest.numerator, highest.denominator
    )


def pass_through_by_group(
    counts: Mapping[str, tuple[int, int]], *, hidden: Collection[str] | None = None
) -> list[GroupRate]:
    """Per group at one stage, (passed, entered) → rate, in the order given, with the groups
    in `hidden` suppressed (by default, `suppressed_groups` of this stage alone); a shown
    group whose rate is under four-fifths of the highest shown group's rate is flagged.

    Suppressed groups are left out of the comparison: their rate is not shown, so it must not
    be inferable from a flag either.
    """
    if hidden is None:
        hidden = suppressed_groups({group: [cell] for group, cell in counts.items()})
    shown = {g: Rate(p, e) for g, (p, e) in counts.items() if g not in hidden}
    rated = [rate for rate in shown.values() if rate.denominator]
    highest = max(rated, key=lambda r: Fraction(r.numerator, r.denominator), default=None)
    return [
        GroupRate(
            group,
            shown.get(group),
            group in shown and highest is not None and under_four_fifths(shown[group], highest),
        )
        for group in counts
    ]
