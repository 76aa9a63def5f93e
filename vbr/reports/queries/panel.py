"""Panel involvement and agreement: whether people who draw on care (experts by experience)
sat on panels, how far panellists agreed, who scores more generously than their panels, and
how often the decision went against the experts' view.

It reads the assessments that have a submitted scorecard and their panellists' roles, the
tallies each assessment stores when a scorecard is submitted or amended (agreement units,
scorecards behind them, and each panellist's differences from the panel median; see
`vbr.reports.agreement`), the experts' recommendations on submitted scorecards per stage, and
the latest decision on each application with its stage. Four queries whatever the number of
scores.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum

from vbr.accounts.models import Provider, User
from vbr.recruitment import rules
from vbr.recruitment.models import (
    Assessment,
    CoreValue,
    Decision,
    Panellist,
    Role,
    Scorecard,
    Stage,
)
from vbr.reports import analytics, charts
from vbr.reports.models import AgreementTally
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, rate_cells


def _agreement_rows(provider: Provider, filters: ReportFilter) -> list[tuple[Any, ...]]:
    """The panel report's agreement and leniency inputs in one query: the tallies each
    assessment stores when a scorecard is submitted or amended (`AgreementTally`), summed
    over the filtered applications by kind, value, stage, panellist and level counts (ids
    only, so that the database groups integers), then named: a few rows whatever the number
    of scores. Rows: (kind, value name, role title, stage name, panellist id, full name,
    username, n1, n2, n3, n4, count, difference).
    """
    tallies = AgreementTally.objects.filter(application__in=filters.applications(provider))
    if filters.stage_id:
        tallies = tallies.filter(stage_id=filters.stage_id)
    grouped = (
        tallies.values("kind", "core_value_id", "stage_id", "user_id", "n1", "n2", "n3", "n4")
        .annotate(total=Sum("count"), difference_total=Sum("difference"))
        .order_by()
    )
    inner, params = grouped.query.sql_with_params()
    value_table = CoreValue._meta.db_table
    stage_table = Stage._meta.db_table
    role_table = Role._meta.db_table
    user_table = User._meta.db_table
    sql = f"""
        SELECT g.kind, v.name, r.title, st.name, g.user_id, u.full_name, u.username,
            g.n1, g.n2, g.n3, g.n4, g.total, g.difference_total
        FROM ({inner}) g
        JOIN {stage_table} st ON st.id = g.stage_id
        JOIN {role_table} r ON r.id = st.role_id
        LEFT JOIN {value_table} v ON v.id = g.core_value_id
        LEFT JOIN {user_table} u ON u.id = g.user_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def panel_report(provider: Provider, filters: ReportFilter) -> Report:
    applications = filters.applications(provider)
    report = Report(
        "panel",
        "Panel involvement and agreement",
        "Whether people who draw on care sat on panels, how far panellists agreed, and who "
        "scores more generously than their panels.",
    )
    assessments = Assessment.objects.filter(
        application__in=applications,
        pk__in=Scorecard.objects.submitted().values("assessment_id"),
    )
    if filters.stage_id:
        assessments = assessments.filter(stage_id=filters.stage_id)
    expert = Panellist.objects.filter(
        assessment_id=OuterRef("pk"), panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    # Query 1: assessments with a submitted scorecard, and how many had an expert.
    counts = assessments.aggregate(
        total=Count("pk"), with_expert=Count("pk", filter=Exists(expert))
    )
    share = analytics.Rate(counts["with_expert"] or 0, counts["total"] or 0)
    involvement = Table(
        "Assessments whose panel included an expert by experience",
        ["Assessments", "Of", "Share (%)"],
    )
    involvement.rows.append(rate_cells(share))
    report.sections.append(Section("Experts by experience on panels", involvement))

    # Query 2: the stored tallies of agreement units (one criterion at one assessment) by
    # their counts of each level, per value and per stage, the scorecards behind them, and
    # each panellist's differences from their panels' medians (see `_agreement_rows`).
    by_value: dict[str, dict[tuple[int, ...], int]] = defaultdict(lambda: defaultdict(int))
    by_stage: dict[str, dict[tuple[int, ...], int]] = defaultdict(lambda: defaultdict(int))
    cards: dict[tuple[str, str], int] = defaultdict(int)
    differences: dict[int, list[float]] = {}
    names: dict[int, str] = {}
    for (
        kind,
        value_name,
        role_title,
        stage_name,
        user_id,
        full_name,
        username,
        *level_counts,
        times,
        difference,
    ) in _agreement_rows(provider, filters):
        stage_label = f"{role_title}: {stage_name}"
        if kind == AgreementTally.Kind.UNIT:
            vector = tuple(level_counts)
            if not any(vector):
                continue  # only "not observed": nothing to agree on
            by_value[value_name][vector] += times
            by_stage[stage_label][vector] += times
        elif kind == AgreementTally.Kind.VALUE_CARDS:
            cards[("value_cards", value_name)] += times
        elif kind == AgreementTally.Kind.STAGE_CARDS:
            cards[("stage_cards", stage_label)] += times
        else:
            total = differences.setdefault(user_id, [0.0, 0])
            total[0] += difference
            total[1] += times
            names[user_id] = full_name or username
    agreement = Table(
        "Agreement between panellists (Krippendorff's alpha, ordinal)",
        ["By", "Name", "Alpha", "Criteria scored by two or more", "Scorecards"],
    )
    for label, grouped, kind in (
        ("Value", by_value, "value_cards"),
        ("Stage", by_stage, "stage_cards"),
    ):
        for name in sorted(grouped):
            result = analytics.ordinal_alpha_of_counts(
                (
                    {level: n for level, n in enumerate(vector, start=1) if n},
                    times,
                )
                for vector, times in grouped[name].items()
            )
            alpha = None if result.alpha is None else round(result.alpha, 3)
            agreement.rows.append([label, name, alpha, result.units, cards.get((kind, name), 0)])
    report.sections.append(
        Section(
            "Agreement",
            agreement,
            note="1 is perfect agreement, 0 is no better than chance. With few scorecards the "
            "figure moves a lot: read it with the count beside it. A dash: everyone gave the "
            "same level, so agreement cannot be measured.",
        )
    )
    lenient = [
        analytics.Leniency(user_id, difference / compared, int(compared))
        for user_id, (difference, compared) in differences.items()
    ]
    lenient.sort(key=lambda item: (-item.mean_difference, names.get(int(item.panellist), "")))  # type: ignore[call-overload]
    leniency_table = Table(
        "Leniency: mean difference from the panel median (positive is more generous)",
        ["Panellist", "Mean difference (levels)", "Scores compared"],
    )
    bars = []
    for item in lenient:
        name = names.get(int(item.panellist), "")  # type: ignore[call-overload]
        leniency_table.rows.append([name, round(item.mean_difference, 2), item.scores])
        bars.append(
            charts.Bar(name, item.mean_difference, f"{item.mean_difference:+.2f} ({item.scores})")
        )
    report.sections.append(
        Section(
            "Leniency",
            leniency_table,
            # Around zero: a harsh panellist's bar goes left, a generous one's right.
            charts.diverging_chart(
                title="Panellists' mean difference from their panels' median",
                desc="Levels above (+) or below (−) the panel median, with the number of "
                "scores compared: "
                + ("; ".join(f"{b.label}: {b.caption}" for b in bars) or "no scores")
                + ".",
                bars=bars,
                below="less generous",
                above="more generous",
            ),
        )
    )

    # Query 3: the experts' view per application and stage, counted in the database; query 4:
    # the latest decision on each application and the stage it was made at. A decision is
    # weighed against the experts' view at its own stage, as the decision page weighed it.
    views = rules.experts_views(Scorecard.objects.filter(assessment__application__in=applications))
    latest: dict[int, tuple[int | None, str]] = {}
    for application_id, stage_id, kind in (
        Decision.objects.filter(application__in=applications)
        .order_by("decided_at", "pk")
        .values_list("application_id", "stage_id", "kind")
        .iterator(chunk_size=5000)
    ):
        latest[application_id] = (stage_id, kind)
    against = followed = 0
    for application_id, (decided_at_stage, kind) in latest.items():
        view = (
            "none"
            if decided_at_stage is None
            else views.get((application_id, decided_at_stage), "none")
        )
        if rules.goes_against_experts(view=view, kind=kind):
            against += 1
        elif rules.follows_experts(view=view, kind=kind):
            followed += 1
    overruled = Table(
        "Decisions that went against the experts-by-experience view",
        ["Decisions", "Of decisions with a clear expert view", "Share (%)"],
    )
    overruled.rows.append(rate_cells(analytics.Rate(against, against + followed)))
    report.sections.append(
        Section(
            "Decisions against the experts' view",
            overruled,
            note="The latest decision on each application, compared with the experts' "
            "recommendations at the stage it was made, where they were all for or all against.",
        )
    )
    return report
