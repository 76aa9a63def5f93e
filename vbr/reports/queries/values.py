"""Values evidence: how panels scored each value and stage, how often a value was not
observed, and criteria that never tell candidates apart.

It reads only the counts of each level that every assessment stores per criterion when a
scorecard is submitted or amended (`AgreementTally` units, see `vbr.reports.agreement`), and
the names of the criteria and stages: so only submitted scorecards count, and the report costs
four queries however many scores there are (the fourth names the national values each value
evidences).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Sum

from vbr.accounts.models import Provider
from vbr.recruitment.models import Criterion, Stage
from vbr.recruitment.models.library import evidences_by_value
from vbr.recruitment.scoring import LEVEL_LABELS
from vbr.reports import analytics, charts
from vbr.reports.models import AgreementTally
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, rate_cells

LEVEL_SERIES = [f"{level} {label.lower()}" for level, label in LEVEL_LABELS.items()] + [
    "Not observed"
]


def _level_rows(
    grouped: dict[tuple[int, str], list[int]], caption: str, first: str
) -> tuple[Table, list[tuple[str, Sequence[int]]]]:
    table = Table(
        caption,
        [
            first,
            *[f"Level {level}" for level in LEVEL_LABELS],
            "Not observed",
            "Scores",
            "Not observed (%)",
        ],
    )
    chart_rows: list[tuple[str, Sequence[int]]] = []
    for (_order, name), counts in sorted(grouped.items()):
        total = sum(counts)
        table.rows.append([name, *counts, total, rate_cells(analytics.Rate(counts[4], total))[2]])
        chart_rows.append((name, counts))
    return table, chart_rows


def submitted_counts(
    provider: Provider, filters: ReportFilter
) -> list[tuple[int, int, int | None, int]]:
    """(criterion, stage, level or None for not observed, how many) of the submitted answers
    of the filtered applications, summed from the counts each assessment stores per criterion
    when a scorecard is submitted or amended (`AgreementTally`), not read score by score."""
    tallies = AgreementTally.objects.filter(
        application__in=filters.applications(provider), kind=AgreementTally.Kind.UNIT
    )
    if filters.stage_id:
        tallies = tallies.filter(stage_id=filters.stage_id)
    counts = []
    for criterion_id, stage_id, *per_level in (
        tallies.values("criterion_id", "stage_id")
        .annotate(*[Sum(f"n{level}") for level in LEVEL_LABELS], Sum("not_observed"))
        .order_by()
        .values_list(
            "criterion_id",
            "stage_id",
            *[f"n{level}__sum" for level in LEVEL_LABELS],
            "not_observed__sum",
        )
    ):
        for level, n in zip([*LEVEL_LABELS, None], per_level, strict=True):
            if n:
                counts.append((criterion_id, stage_id, level, n))
    return counts


def values_report(provider: Provider, filters: ReportFilter) -> Report:
    report = Report(
        "values",
        "Values evidence",
        "How panels scored each value, how often it was not observed, and criteria that never "
        "tell candidates apart. Submitted scorecards only.",
    )
    # Query 1: counts per criterion, stage and level, from the stored tallies grouped by ids
    # only (grouping by the names would sort every row); queries 2 and 3: the names.
    counts = submitted_counts(provider, filters)
    criteria = {
        row[0]: row[1:]
        for row in Criterion.objects.filter(stage__role__provider=provider).values_list(
            "pk",
            "core_value__order",
            "core_value__name",
            "stage__role__title",
            "stage__order",
            "stage__name",
            "order",
            "prompt",
            "core_value_id",
        )
    }
    stages = {
        pk: (order, f"{role_title}: {name}")
        for pk, order, role_title, name in Stage.objects.filter(
            role__provider=provider
        ).values_list("pk", "order", "role__title", "name")
    }
    by_value: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 5)
    value_ids: dict[tuple[int, str], int] = {}
    by_stage: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 5)
    observed: dict[int, dict[int, int]] = defaultdict(dict)  # criterion → level → scores
    for criterion_id, stage_id, level, n in counts:
        index = 4 if level is None else level - 1
        by_value[criteria[criterion_id][:2]][index] += n
        value_ids[criteria[criterion_id][:2]] = criteria[criterion_id][7]
        by_stage[stages[stage_id]][index] += n
        if level is not None:
            levels = observed[criterion_id]
            levels[level] = levels.get(level, 0) + n
    # Query 4: the national values each value evidences, named beside it.
    evidences = evidences_by_value(provider.core_values.all()) if value_ids else {}
    for grouped, heading, first in (
        (by_value, "Levels per value", "Value"),
        (by_stage, "Levels per stage", "Stage"),
    ):
        table, chart_rows = _level_rows(grouped, heading, first)
        if grouped is by_value and evidences:
            # Only once the provider has mapped a value to a national set.
            table.headers.append("Evidences (national values)")
            for row, key in zip(table.rows, sorted(grouped), strict=True):
                row.append(evidences.get(value_ids[key], ""))
        report.sections.append(
            Section(
                heading,
                table,
                charts.stacked_chart(
                    title=heading,
                    desc="Share of levels 1 to 4 and not observed; "
                    + "; ".join(f"{name}: {', '.join(map(str, c))}" for name, c in chart_rows),
                    series=LEVEL_SERIES,
                    rows=chart_rows,
                ),
            )
        )
    # Criteria whose every observed level is the same (from query 1's counts).
    flat = Table(
        "Criteria that never discriminate (everyone scored got the same level)",
        ["Role", "Stage", "Criterion", "Value", "Level given", "Scores"],
    )
    sort_keys: list[tuple[str, int, int, int]] = []
    for criterion_id, levels in observed.items():
        scored = sum(levels.values())
        if scored >= 2 and len(levels) == 1:
            _order, value, role_title, stage_order, stage, order, prompt, _ = criteria[criterion_id]
            level = next(iter(levels))
            flat.rows.append([role_title, stage, prompt, value, level, scored])
            sort_keys.append((role_title, stage_order, order, criterion_id))
    flat.rows = [row for _key, row in sorted(zip(sort_keys, flat.rows, strict=True))]
    report.sections.append(
        Section(
            "Criteria that never discriminate",
            flat,
            note="A criterion everyone passes at the same level tells the panel nothing: "
            "consider rewording its levels.",
        )
    )
    return report
