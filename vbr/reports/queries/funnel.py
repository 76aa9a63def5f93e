"""The recruitment funnel: how many applications reach each stage, how long they spend in
it (until the next stage, or until the application was closed), how long they wait for a
decision, and how they end (outcomes, withdrawals and the reasons given, sources).

It reads the roles' stages, every stage entry of the filtered applications, their decisions,
and their status, source, current stage and withdrawal reason, so that a provider sees where
candidates are lost and where they wait. Six queries whatever the number of applications; days
are worked out in the database (`DaysBetween`), not from Python datetimes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    Min,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Lead, Least
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Decision, Stage, StageEntry
from vbr.reports import analytics, charts
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, days_cell, rate_cells


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
    # (until the next entry of the application or until it was closed, whichever came first,
    # or until now while it is open); entries per stage from the same rows.
    next_entry = Window(
        Lead("entered_at"),
        partition_by=[F("application_id")],
        order_by=[F("entered_at").asc(), F("pk").asc()],
    )
    closed_at = Case(
        When(
            application__status__in=Application.CLOSED_STATUSES,
            then=F("application__status_changed_at"),
        ),
        output_field=DateTimeField(),
    )
    # Least of a time and NULL is NULL on some databases and the time on others: the
    # Coalesce gives the same answer on both. A stage entered after the application was
    # closed lasted no time, rather than a negative one.
    until = Greatest(
        Coalesce(
            Least(next_entry, closed_at),
            next_entry,
            closed_at,
            Value(now, output_field=DateTimeField()),
        ),
        F("entered_at"),
    )
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
                    *rate_cells(step.moved_on),
                    days_cell(summary.median_days),
                    days_cell(summary.p90_days),
                    summary.count,
                ]
            )
            bars.append(
                charts.Bar(stage.name, step.entered, str(step.entered), group=stage.role.title)
            )
    report.sections.append(
        Section(
            "Applications per stage",
            table,
            charts.bar_chart(
                title="Applications that entered each stage",
                desc="; ".join(f"{b.group}: {b.label}: {b.caption}" for b in bars)
                or "No applications.",
                bars=bars,
            ),
            "Moved on: applications that entered the next stage of the same role. Time in a "
            "stage runs from entering it to entering the next; the stage an application is in "
            "counts until it was hired, declined or withdrawn, or until now while it is open.",
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
            [label, summary.count, days_cell(summary.median_days), days_cell(summary.p90_days)]
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
            [label, *rate_cells(analytics.Rate(statuses.get(value, 0), total))]
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
            source_table.rows.append([label, *rate_cells(analytics.Rate(n, total))])
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
