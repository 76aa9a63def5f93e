"""Fairness: how many candidates answered the optional equality-monitoring questions, and
pass-through rates per stage by group for one characteristic at a time.

It reads the stage entries of the filtered applications, joined inside the database to the
candidate's answer by the opaque monitoring key only, and counts them per stage and group; no
query here returns one person's answer. Which groups are hidden is decided per role, over all
of its stages, in `vbr.reports.analytics.suppressed_groups`, and low rates are flagged in
`vbr.reports.analytics.pass_through_by_group`. Three queries: the counts per stage and group,
and how many were invited and how many answered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, StageEntry
from vbr.reports import analytics, charts
from vbr.reports.models import EqualityResponse, MonitoringInvite
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, rate_cells

# The plain line under the table: how groups are hidden (analytics.suppressed_groups).
HIDDEN_RULE = (
    "A group is not shown for a role if, at any of its stages, fewer than "
    f"{analytics.SMALL_GROUP} of its people entered, passed on or did not (unless nobody at all "
    "did); and where one group is hidden, another is hidden too, so that no hidden number can "
    "be worked out from the others."
)


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
        "Pass-through rates by group, from the optional equality-monitoring answers. Small "
        f"numbers (under {analytics.SMALL_GROUP}) are not shown, and a group whose rate is under "
        "four-fifths of the highest shown group's is flagged for a closer look — a flag is not "
        "proof of unfairness.",
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
    # Every stage of the roles, whatever stage is chosen: which groups are hidden is decided
    # over all of a role's stages, so that choosing one stage at a time cannot show a group
    # that the whole table hides. The chosen stage's figures are the same either way.
    entries = StageEntry.objects.filter(
        application__in=replace(filters, stage_id=None).applications(provider)
    )
    # Query 1: per stage and group, applications that entered and that passed on.
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    # Per role (title, id), its stages (order, id, name) that anybody who answered entered.
    stages: dict[tuple[str, int], set[tuple[int, int, str]]] = defaultdict(set)
    for role, role_id, order, stage_id, stage, group, entered, moved in (
        entries.annotate(group=answer)
        .exclude(group__isnull=True)
        .exclude(group="")
        .values(
            "stage__role__title",
            "stage__role_id",
            "stage__order",
            "stage_id",
            "stage__name",
            "group",
        )
        .annotate(
            entered=Count("application_id", distinct=True),
            moved=Count("application_id", distinct=True, filter=passed),
        )
        .values_list(
            "stage__role__title",
            "stage__role_id",
            "stage__order",
            "stage_id",
            "stage__name",
            "group",
            "entered",
            "moved",
        )
    ):
        counts[(stage_id, group)] = (moved, entered)
        stages[(role, role_id)].add((order, stage_id, stage))
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
    # Every answer that could have been given is a row at every stage of every role, hidden
    # or not, so that neither a row's presence nor its absence says anything.
    groups = list(labels)
    groups += sorted({group for _stage_id, group in counts} - set(groups))
    bars = []
    for (role, _role_id), role_stages in sorted(stages.items()):
        ordered = sorted(role_stages)
        cells = {
            group: [counts.get((stage_id, group), (0, 0)) for _order, stage_id, _name in ordered]
            for group in groups
        }
        hidden = analytics.suppressed_groups(cells)
        for index, (_order, stage_id, stage) in enumerate(ordered):
            if filters.stage_id and stage_id != filters.stage_id:
                continue
            rates = analytics.pass_through_by_group(
                {group: row[index] for group, row in cells.items()}, hidden=hidden
            )
            for item in rates:
                label = str(labels.get(item.group, item.group))
                if item.rate is None:
                    table.rows.append([role, stage, label, "not shown", None, None, None])
                    continue
                table.rows.append(
                    [
                        role,
                        stage,
                        label,
                        *rate_cells(item.rate),
                        "Yes" if item.below_four_fifths else "No",
                    ]
                )
                flag = " — under four-fifths" if item.below_four_fifths else ""
                bars.append(
                    charts.Bar(
                        label,
                        (item.rate.value or 0) * 100,
                        f"{item.rate}{flag}",
                        group=f"{role}: {stage}",
                    )
                )
    report.sections.append(
        Section(
            "Pass-through by group",
            table,
            charts.bar_chart(
                title=f"Pass-through by {question.lower()}",
                desc="; ".join(f"{b.group}: {b.label}: {b.caption}" for b in bars)
                or "No groups large enough to show.",
                bars=bars,
                maximum=100,
            ),
            f"Passed on: went on to a later stage, or was offered the job or hired. {HIDDEN_RULE}",
        )
    )
    return report
