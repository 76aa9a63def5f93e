"""The five reports: database queries (aggregated in the database where possible, a constant
number per report whatever the number of applications) assembled into tables and charts.

Every report starts from the provider and honours the same filters. Only submitted
scorecards feed any figure: the values and panel reports sum the tallies each assessment
stores when a scorecard is submitted or amended (`vbr.reports.agreement`), and retention reads
each application's stored per-value totals. Pages cache what these build
(`vbr.reports.caching`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Lead
from django.utils import timezone
from django.utils.safestring import SafeString

from vbr.accounts.models import Provider, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    CoreValue,
    Criterion,
    Decision,
    Outcome,
    Panellist,
    Role,
    Scorecard,
    Stage,
    StageEntry,
)
from vbr.recruitment.scoring import LEVEL_LABELS, NEGATIVE, POSITIVE, view_of_counts
from vbr.reports import analytics, charts
from vbr.reports.models import AgreementTally, EqualityResponse, MonitoringInvite

Cell = str | int | float | None


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers. Applications are counted by when they applied.

    `role_scope` is who is looking, not a choice: None for an admin (every role), otherwise
    the ids of the roles a hiring manager manages. Every report and export narrows through
    `applications()` or `stages()`, so the scope cannot be forgotten by one of them.
    """

    role_id: int | None = None
    stage_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    characteristic: str = "ethnicity"
    role_scope: tuple[int, ...] | None = None

    def applications(self, provider: Provider) -> QuerySet[Application]:
        applications = provider.applications.all()
        if self.role_scope is not None:
            applications = applications.filter(role_id__in=self.role_scope)
        if self.role_id:
            applications = applications.filter(role_id=self.role_id)
        if self.stage_id:
            applications = applications.filter(
                Exists(
                    StageEntry.objects.filter(application_id=OuterRef("pk"), stage_id=self.stage_id)
                )
            )
        if self.date_from:
            applications = applications.filter(applied_at__date__gte=self.date_from)
        if self.date_to:
            applications = applications.filter(applied_at__date__lte=self.date_to)
        return applications

    def stages(self, provider: Provider) -> QuerySet[Stage]:
        stages = Stage.objects.filter(role__provider=provider)
        if self.role_scope is not None:
            stages = stages.filter(role_id__in=self.role_scope)
        if self.role_id:
            stages = stages.filter(role_id=self.role_id)
        return stages

    def as_dict(self) -> dict[str, Any]:
        return {
            "roles_in_scope": None if self.role_scope is None else list(self.role_scope),
            "role": str(self.role_id or ""),
            "stage": str(self.stage_id or ""),
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "characteristic": self.characteristic,
        }


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    table: Table
    chart: SafeString | None = None
    note: str = ""


@dataclass
class Report:
    slug: str
    title: str
    summary: str
    sections: list[Section] = field(default_factory=list)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rate_cells(rate: analytics.Rate | None) -> list[Cell]:
    if rate is None:
        return [None, None, None]
    percent = None if rate.value is None else round(rate.value * 100, 1)
    return [rate.numerator, rate.denominator, percent]


class DaysBetween(Func):
    """Days from `start` to `end` as a float, computed by the database, so that a report
    does not turn every time into a Python datetime only to subtract two of them."""

    output_field = FloatField()
    template = "(julianday(%(expressions)s))"
    arg_joiner = ") - julianday("

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400)::float8",
            arg_joiner=" - ",
            **extra_context,
        )


# Funnel --------------------------------------------------------------------------------


def funnel_report(provider: Provider, filters: ReportFilter) -> Report:
    applications = filters.applications(provider)
    now = timezone.now()
    report = Report(
        "funnel",
        "Recruitment funnel",
        "How many applications reach each stage, how long they spend there, and how they end.",
    )
    # Query 1: the stages, in each role's order.
    stages = filters.stages(provider).select_related("role")
    stage_list = list(stages.order_by("role__title", "role_id", "order", "pk"))
    # Query 2: every stage entry with its days in the stage, worked out in the database
    # (until the next entry of the application, or until now); entries per stage from the
    # same rows.
    next_entry = Window(
        Lead("entered_at"),
        partition_by=[F("application_id")],
        order_by=[F("entered_at").asc(), F("pk").asc()],
    )
    until = Coalesce(next_entry, Value(now, output_field=DateTimeField()))
    days: dict[int, list[float]] = defaultdict(list)
    entrants: dict[int, set[int]] = defaultdict(set)
    for application_id, stage_id, in_stage in (
        StageEntry.objects.filter(application__in=applications)
        .order_by()
        .values_list("application_id", "stage_id", DaysBetween(until, F("entered_at")))
        .iterator(chunk_size=5000)
    ):
        days[stage_id].append(in_stage)
        entrants[stage_id].add(application_id)
    entered = {stage_id: len(ids) for stage_id, ids in entrants.items()}
    by_role: dict[int, list[Stage]] = defaultdict(list)
    for stage in stage_list:
        by_role[stage.role_id].append(stage)
    table = Table(
        "Applications per stage, moving on, and days in stage",
        [
            "Role",
            "Stage",
            "Entered",
            "Moved on",
            "Of",
            "Moved on (%)",
            "Days in stage (median)",
            "Days in stage (90th percentile)",
            "Times measured",
        ],
    )
    bars = []
    for role_stages in by_role.values():
        steps = analytics.conversions([(s.pk, s.name) for s in role_stages], entered)
        for stage, step in zip(role_stages, steps, strict=True):
            summary = analytics.summarise_days(days.get(stage.pk, []))
            table.rows.append(
                [
                    stage.role.title,
                    stage.name,
                    step.entered,
                    *_rate_cells(step.moved_on),
                    _days(summary.median_days),
                    _days(summary.p90_days),
                    summary.count,
                ]
            )
            bars.append(
                charts.Bar(f"{stage.role.title}: {stage.name}", step.entered, str(step.entered))
            )
    report.sections.append(
        Section(
            "Applications per stage",
            table,
            charts.bar_chart(
                title="Applications that entered each stage",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars) or "No applications.",
                bars=bars,
            ),
            "Moved on: applications that entered the next stage of the same role. Time in a "
            "stage runs from entering it to entering the next; the current stage counts until now.",
        )
    )

    # Query 3: per application, days from applying to its first decision (offer, hire or
    # decline) and to its hire, from the earliest of each, all worked out in the database.
    first_decision: list[float] = []
    hire_days: list[float] = []
    decided = [Decision.Kind.DECLINE, Decision.Kind.OFFER, Decision.Kind.HIRE]
    for to_decision, to_hire in (
        applications.annotate(
            first=Min("decisions__decided_at", filter=Q(decisions__kind__in=decided)),
            hired=Min("decisions__decided_at", filter=Q(decisions__kind=Decision.Kind.HIRE)),
        )
        .filter(first__isnull=False)
        .order_by()
        .values_list(
            DaysBetween(F("first"), F("applied_at")), DaysBetween(F("hired"), F("applied_at"))
        )
        .iterator(chunk_size=5000)
    ):
        first_decision.append(to_decision)
        if to_hire is not None:
            hire_days.append(to_hire)
    timing = Table(
        "Days from applying", ["Measure", "Applications", "Median days", "90th percentile days"]
    )
    for label, values in (
        ("To a decision (offer, hire or decline)", first_decision),
        ("To hire", hire_days),
    ):
        summary = analytics.summarise_days(values)
        timing.rows.append(
            [label, summary.count, _days(summary.median_days), _days(summary.p90_days)]
        )
    report.sections.append(Section("Time to decision and to hire", timing))

    # Query 4: applications per status, source, role and current stage: how they ended,
    # where they came from, and the stage withdrawn candidates had reached.
    statuses: dict[str, int] = defaultdict(int)
    sources: dict[str, int] = defaultdict(int)
    withdrawn_at: dict[tuple[str, int | None, str | None], int] = defaultdict(int)
    for status, source, role_title, stage_order, stage_name, n in (
        applications.values(
            "status", "source", "role__title", "current_stage__order", "current_stage__name"
        )
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(
            "status",
            "source",
            "role__title",
            "current_stage__order",
            "current_stage__name",
            "n",
        )
    ):
        statuses[status] += n
        sources[source] += n
        if status == Application.Status.WITHDRAWN:
            withdrawn_at[(role_title, stage_order, stage_name)] += n
    total = sum(statuses.values())
    status_table = Table(
        "Applications by where they are now", ["Status", "Applications", "Of", "Share (%)"]
    )
    for value, label in Application.Status.choices:
        status_table.rows.append(
            [label, *_rate_cells(analytics.Rate(statuses.get(value, 0), total))]
        )
    report.sections.append(
        Section("Outcomes and withdrawals", status_table, note="Withdrawn: the candidate withdrew.")
    )

    where = Table(
        "Withdrawals by the stage the candidate had reached", ["Role", "Stage", "Withdrawals"]
    )
    # By role, then stage order; before any stage last.
    for (title, _order, reached), n in sorted(
        withdrawn_at.items(),
        key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0, item[0][2] or ""),
    ):
        where.rows.append([title, reached or "Before any stage", n])
    # Query 5: withdrawal reasons (identical texts grouped).
    withdrawn = applications.filter(status=Application.Status.WITHDRAWN)
    why = Table("Most frequent withdrawal reasons", ["Reason", "Withdrawals"])
    for text, n in (
        withdrawn.values("withdrawal_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "withdrawal_reason")
        .values_list("withdrawal_reason", "n")[:15]
    ):
        why.rows.append([text or "No reason given", n])
    report.sections.append(Section("Withdrawals", where))
    report.sections.append(Section("Withdrawal reasons", why))

    # Query 6: the most frequent decline reasons (as written; identical texts grouped).
    reasons = Table("Most frequent decline reasons", ["Reason", "Declines"])
    for text, n in (
        Decision.objects.filter(application__in=applications, kind=Decision.Kind.DECLINE)
        .values("reasons")
        .annotate(n=Count("pk"))
        .order_by("-n", "reasons")
        .values_list("reasons", "n")[:15]
    ):
        reasons.rows.append([text, n])
    report.sections.append(Section("Decline reasons", reasons))

    source_table = Table("Applications by source", ["Source", "Applications", "Of", "Share (%)"])
    source_bars = []
    for value, label in [*Application.Source.choices, ("", "Not recorded")]:
        n = sources.get(value, 0)
        if n or value:
            source_table.rows.append([label, *_rate_cells(analytics.Rate(n, total))])
            source_bars.append(charts.Bar(label, n, str(n)))
    report.sections.append(
        Section(
            "Sources",
            source_table,
            charts.bar_chart(
                title="Applications by source",
                desc="; ".join(f"{b.label}: {b.caption}" for b in source_bars),
                bars=source_bars,
            ),
        )
    )
    return report


# Values evidence -----------------------------------------------------------------------


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
        table.rows.append([name, *counts, total, _rate_cells(analytics.Rate(counts[4], total))[2]])
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
        )
    }
    stages = {
        pk: (order, f"{role_title}: {name}")
        for pk, order, role_title, name in Stage.objects.filter(
            role__provider=provider
        ).values_list("pk", "order", "role__title", "name")
    }
    by_value: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 5)
    by_stage: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 5)
    observed: dict[int, dict[int, int]] = defaultdict(dict)  # criterion → level → scores
    for criterion_id, stage_id, level, n in counts:
        index = 4 if level is None else level - 1
        by_value[criteria[criterion_id][:2]][index] += n
        by_stage[stages[stage_id]][index] += n
        if level is not None:
            levels = observed[criterion_id]
            levels[level] = levels.get(level, 0) + n
    for grouped, heading, first in (
        (by_value, "Levels per value", "Value"),
        (by_stage, "Levels per stage", "Stage"),
    ):
        table, chart_rows = _level_rows(grouped, heading, first)
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
            _order, value, role_title, stage_order, stage, order, prompt = criteria[criterion_id]
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


# Panel involvement and agreement -------------------------------------------------------


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
        return cursor.fetchall()


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
    involvement.rows.append(_rate_cells(share))
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
            charts.Bar(
                name, abs(item.mean_difference), f"{item.mean_difference:+.2f} ({item.scores})"
            )
        )
    report.sections.append(
        Section(
            "Leniency",
            leniency_table,
            charts.bar_chart(
                title="Panellists' distance from their panels' median",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars) or "No scores.",
                bars=bars,
            ),
        )
    )

    # Query 3: experts' recommendations for and against, counted per application in the
    # database; query 4: the latest decisions.
    expert_views: dict[int, str] = {
        application_id: view_of_counts(positive=positive, negative=negative)
        for application_id, positive, negative in (
            Scorecard.objects.submitted()
            .filter(
                assessment__application__in=applications,
                panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
            )
            .values("assessment__application_id")
            .annotate(
                positive=Count("pk", filter=Q(recommendation__in=POSITIVE)),
                negative=Count("pk", filter=Q(recommendation__in=NEGATIVE)),
            )
            .order_by()
            .values_list("assessment__application_id", "positive", "negative")
            .iterator(chunk_size=5000)
        )
    }
    latest: dict[int, str] = {}
    for application_id, kind in (
        Decision.objects.filter(application__in=applications)
        .order_by("decided_at", "pk")
        .values_list("application_id", "kind")
        .iterator(chunk_size=5000)
    ):
        latest[application_id] = kind
    against = followed = 0
    for application_id, kind in latest.items():
        verdict = analytics.goes_against_experts(expert_views.get(application_id, "none"), kind)
        if verdict is True:
            against += 1
        elif verdict is False:
            followed += 1
    overruled = Table(
        "Decisions that went against the experts-by-experience view",
        ["Decisions", "Of decisions with a clear expert view", "Share (%)"],
    )
    overruled.rows.append(_rate_cells(analytics.Rate(against, against + followed)))
    report.sections.append(
        Section(
            "Decisions against the experts' view",
            overruled,
            note="The latest decision on each application, compared with the experts' "
            "recommendations where they were all for or all against.",
        )
    )
    return report


# Retention and outcomes ----------------------------------------------------------------


def hires(provider: Provider, filters: ReportFilter) -> list[analytics.Hire]:
    """Hires with their outcome and the mean of their submitted levels, in one query.

    The mean is the sum over values of the per-value totals each application stores when a
    scorecard is submitted or amended (`Application.value_levels`: sum, count, mean), over
    their count: the same figure as averaging every submitted level, without reading them.
    """
    rows = (
        filters.applications(provider)
        .filter(status=Application.Status.HIRED)
        .values_list(
            "outcome__start_date", "outcome__left_on", "outcome__probation", "value_levels"
        )
    )
    hired = []
    for start, left, probation, value_levels in rows:
        total = sum(levels[0] for levels in value_levels.values())
        count = sum(levels[1] for levels in value_levels.values())
        mean = total / count if count else None
        hired.append(analytics.Hire(start, left, probation or "", mean))
    return hired


def retention_report(provider: Provider, filters: ReportFilter) -> Report:
    today = timezone.localdate()
    hired = hires(provider, filters)
    report = Report(
        "retention",
        "Retention and outcomes",
        "Whether hires stay, by their values score at hiring. These are counts, not proof: "
        "small groups can differ by chance.",
    )
    probation_labels = [*Outcome.Probation.choices, ("", "No outcome recorded")]
    table = Table(
        "Probation and retention by values score at hiring (mean submitted level)",
        [
            "Values score band",
            "Hires",
            *[label for _value, label in probation_labels],
            *[
                part
                for months in analytics.RETENTION_MONTHS
                for part in (f"Stayed {months} months", "Of", f"Stayed {months} months (%)")
            ],
        ],
    )
    bars = []
    for row in analytics.retention(hired, today=today):
        table.rows.append(
            [
                row.band,
                row.hires,
                *[row.probation.get(value, 0) for value, _label in probation_labels],
                *[
                    cell
                    for months in analytics.RETENTION_MONTHS
                    for cell in _rate_cells(row.retained[months])
                ],
            ]
        )
        twelve = row.retained[12]
        bars.append(charts.Bar(row.band, (twelve.value or 0) * 100, str(twelve)))
    report.sections.append(
        Section(
            "Retention by values score",
            table,
            charts.bar_chart(
                title="Stayed 12 months, by values score at hiring",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars),
                bars=bars,
                maximum=100,
            ),
            "Only hires who started long enough ago count towards each month's figure.",
        )
    )
    turnover = analytics.turnover_last_year(hired, today=today)
    turnover_table = Table(
        "Turnover of hires in the last 12 months",
        ["Left", "Of hires in post in the period", "Turnover (%)"],
    )
    turnover_table.rows.append(_rate_cells(turnover))
    report.sections.append(Section("Turnover", turnover_table))
    return report


# Fairness ------------------------------------------------------------------------------


def characteristic_choices() -> list[tuple[str, str]]:
    return [
        (name, str(getattr(EqualityResponse._meta.get_field(name), "verbose_name", name)))
        for name in EqualityResponse.CHARACTERISTICS
    ]


def fairness_report(provider: Provider, filters: ReportFilter) -> Report:
    characteristic = filters.characteristic
    if characteristic not in EqualityResponse.CHARACTERISTICS:
        characteristic = "ethnicity"
    labels = dict(getattr(EqualityResponse._meta.get_field(characteristic), "choices", None) or [])
    applications = filters.applications(provider)
    report = Report(
        "fairness",
        "Fairness",
        "Pass-through rates by group, from the optional equality-monitoring answers. Groups of "
        "fewer than 5 people are not shown, and a group whose rate is under four-fifths of the "
        "highest group's is flagged for a closer look — a flag is not proof of unfairness.",
    )
    # The answer of the application's candidate, joined by the opaque key only, inside the
    # database and only ever counted: no query here returns one person's answer.
    answer = Subquery(
        EqualityResponse.objects.filter(
            provider=provider, key=OuterRef("application__monitoring_invite__key")
        ).values(characteristic)[:1]
    )
    later = StageEntry.objects.filter(
        application_id=OuterRef("application_id"), stage__order__gt=OuterRef("stage__order")
    )
    passed = Q(Exists(later)) | Q(
        application__status__in=[Application.Status.OFFERED, Application.Status.HIRED]
    )
    entries = StageEntry.objects.filter(application__in=applications)
    if filters.stage_id:
        entries = entries.filter(stage_id=filters.stage_id)
    # Query 1: per stage and group, applications that entered and that passed on.
    counts: dict[tuple[str, int, str, str], tuple[int, int]] = {}
    for role, order, stage, group, entered, moved in (
        entries.annotate(group=answer)
        .exclude(group__isnull=True)
        .exclude(group="")
        .values("stage__role__title", "stage__order", "stage__name", "group")
        .annotate(
            entered=Count("application_id", distinct=True),
            moved=Count("application_id", distinct=True, filter=passed),
        )
        .values_list(
            "stage__role__title", "stage__order", "stage__name", "group", "entered", "moved"
        )
    ):
        counts[(role, order, stage, group)] = (moved, entered)
    # Queries 2 and 3: how many were invited and how many answered (no join between them).
    invited = MonitoringInvite.objects.filter(application__in=applications).count()
    answered = EqualityResponse.objects.filter(
        provider=provider,
        key__in=MonitoringInvite.objects.filter(application__in=applications).values("key"),
    ).count()
    response = Table(
        "Equality monitoring responses", ["Answered", "Of invited", "Response rate (%)"]
    )
    response.rows.append(_rate_cells(analytics.Rate(answered, invited)))
    report.sections.append(Section("Responses", response))

    question = dict(characteristic_choices())[characteristic]
    table = Table(
        f"Pass-through by {question.lower()}",
        [
            "Role",
            "Stage",
            "Group",
            "Passed on",
            "Of",
            "Pass-through (%)",
            "Under four-fifths of highest",
        ],
    )
    stages = sorted({key[:3] for key in counts})
    bars = []
    for role, order, stage in stages:
        groups = {
            labels.get(group, group): value
            for (r, o, s, group), value in counts.items()
            if (r, o, s) == (role, order, stage)
        }
        for item in analytics.pass_through_by_group(groups):
            if item.rate is None:
                table.rows.append([role, stage, item.group, "fewer than 5", None, None, None])
                continue
            table.rows.append(
                [
                    role,
                    stage,
                    item.group,
                    *_rate_cells(item.rate),
                    "Yes" if item.below_four_fifths else "No",
                ]
            )
            flag = " — under four-fifths" if item.below_four_fifths else ""
            bars.append(
                charts.Bar(
                    f"{stage}: {item.group}", (item.rate.value or 0) * 100, f"{item.rate}{flag}"
                )
            )
    report.sections.append(
        Section(
            "Pass-through by group",
            table,
            charts.bar_chart(
                title=f"Pass-through by {question.lower()}",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars)
                or "No groups large enough to show.",
                bars=bars,
                maximum=100,
            ),
            "Passed on: went on to a later stage, or was offered the job or hired.",
        )
    )
    return report


REPORTS = {
    "funnel": funnel_report,
    "values": values_report,
    "panel": panel_report,
    "retention": retention_report,
    "fairness": fairness_report,
}
REPORT_TITLES = {
    "funnel": "Recruitment funnel",
    "values": "Values evidence",
    "panel": "Panel involvement and agreement",
    "retention": "Retention and outcomes",
    "fairness": "Fairness",
}


def build_report(slug: str, provider: Provider, filters: ReportFilter) -> Report:
    return REPORTS[slug](provider, filters)
