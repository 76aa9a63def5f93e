"""Fairness: how many candidates answered the optional equality-monitoring questions, and
pass-through rates per stage by group for one characteristic at a time.

It reads the stage entries of the filtered applications, joined inside the database to the
candidate's answer by the opaque monitoring key only, and counts them per stage and group; no
query here returns one person's answer. Small groups are suppressed and low rates flagged in
`vbr.reports.analytics.pass_through_by_group`. Three queries: the counts per stage and group,
and how many were invited and how many answered.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, StageEntry
from vbr.reports import analytics, charts
from vbr.reports.models import EqualityResponse, MonitoringInvite
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, rate_cells


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
    response.rows.append(rate_cells(analytics.Rate(answered, invited)))
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
                    *rate_cells(item.rate),
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
