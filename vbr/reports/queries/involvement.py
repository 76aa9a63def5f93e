"""Involvement of people who draw on care, per service: the evidence an inspector asks for
(CQC's "people's experience", Scotland's Health and Social Care Standard 4.9: "I can take
part in recruiting and training people if possible").

A recruitment here is an application decided in the period: offered the job, hired or
declined (moving on to a next stage, or a hold, does not end it), counted once however many
such decisions it had. The dates of the filters choose when that decision was made; the
other filters (role, stage, and who is looking) narrow the applications as in every report.
For each service (the role's), the share of those recruitments where people who draw on
care took part at each step:

- advert: an expert by experience sent their comments on the role's advert;
- shortlisting: an expert by experience gave a shortlisting answer on the application;
- interview: an expert by experience submitted a scorecard at a stage other than shadowing;
- shadowing: an expert by experience submitted a scorecard at shadowing, or a person
  supported gave their view of the candidate there;
- decision feedback: an expert by experience was told the decision (`DecisionMessage`).

Then the hours and payments of the involvement log in the period, by the service of the
assessment each entry was for (entries for no assessment are listed apart, for admins only:
they belong to no role a hiring manager manages).

Small numbers: every share is shown with its counts; a share of fewer than SMALL_GROUP
recruitments is not worked out (the counts are shown), since one recruitment would move it
by 20 points or more. Seven queries whatever the number of applications.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from vbr.accounts.models import Membership, Provider
from vbr.involvement.models import AdvertReview, ShortlistAnswer
from vbr.recruitment.models import (
    Application,
    Decision,
    DecisionMessage,
    Involvement,
    Panellist,
    Scorecard,
    Stage,
    SupportedPersonView,
)
from vbr.reports import analytics, charts
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Cell, Report, Section, Table

NO_SERVICE = "No service set"
ALL_SERVICES = "All services"
NOT_FOR_A_RECRUITMENT = "Not for one assessment"
STEPS = ("Advert", "Shortlisting", "Interview", "Shadowing", "Decision feedback")
FINAL = (Decision.Kind.OFFER, Decision.Kind.HIRE, Decision.Kind.DECLINE)


def _decided(provider: Provider, filters: ReportFilter) -> QuerySet[Decision]:
    """Final decisions in the period on the applications the filters and reader allow."""
    undated = dataclasses.replace(filters, date_from=None, date_to=None)
    decisions = Decision.objects.filter(
        application__in=undated.applications(provider), kind__in=FINAL
    )
    if filters.date_from:
        decisions = decisions.filter(decided_at__date__gte=filters.date_from)
    if filters.date_to:
        decisions = decisions.filter(decided_at__date__lte=filters.date_to)
    return decisions


def _share_cells(count: int, of: int) -> list[Cell]:
    """A step's count and its share in percent; no share below SMALL_GROUP recruitments."""
    if of < analytics.SMALL_GROUP:
        return [count, None]
    return [count, round(count / of * 100, 1)]


def _experts_of(provider: Provider) -> QuerySet[Membership]:
    return Membership.objects.filter(provider=provider, is_expert_by_experience=True)


def _advert_ids(provider: Provider, applications: QuerySet[Application]) -> set[int]:
    """Applications whose role's advert an expert by experience sent comments on."""
    reviewed = AdvertReview.objects.filter(
        vacancy__role_id=OuterRef("role_id"),
        sent_at__isnull=False,
        reviewer_id__in=_experts_of(provider).values("user_id"),
    )
    return set(applications.filter(Exists(reviewed)).values_list("pk", flat=True))


def _shortlisting_ids(provider: Provider, applications: QuerySet[Application]) -> set[int]:
    """Applications an expert by experience gave a shortlisting answer on."""
    return set(
        ShortlistAnswer.objects.filter(
            entry__application__in=applications,
            shortlister__user_id__in=_experts_of(provider).values("user_id"),
        )
        .values_list("entry__application_id", flat=True)
        .distinct()
    )


def _ids(rows: Iterable[int]) -> set[int]:
    return set(rows)


def involvement_report(provider: Provider, filters: ReportFilter) -> Report:
    report = Report(
        "involvement",
        "Involvement of people who draw on care",
        "For each service, the share of recruitments decided in the period where people who "
        "draw on care took part at each step, and the hours and payments of the involvement "
        "log. The dates choose when the decision (offer, hire or decline) was made.",
    )
    decided = _decided(provider, filters)
    # Query 1: each recruitment decided in the period, with its service.
    services: dict[int, str] = {
        application_id: service or NO_SERVICE
        for application_id, service in decided.values_list(
            "application_id", "application__role__service__name"
        )
        .order_by()
        .distinct()
    }
    applications = Application.objects.filter(pk__in=decided.values("application_id"))
    experts = Scorecard.objects.filter(
        assessment__application__in=applications,
        submitted_at__isnull=False,
        panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    )
    # Query 2: the applications with an expert's scorecard, by kind of stage.
    interview: set[int] = set()
    shadowing: set[int] = set()
    for application_id, kind in (
        experts.values_list("assessment__application_id", "assessment__stage__kind")
        .order_by()
        .distinct()
    ):
        (shadowing if kind == Stage.Kind.SHADOWING else interview).add(application_id)
    # Query 3: a person supported gave their view during shadowing.
    shadowing |= _ids(
        SupportedPersonView.objects.filter(
            assessment__application__in=applications, consent_given=True
        )
        .values_list("assessment__application_id", flat=True)
        .distinct()
    )
    # Query 4: an expert was told a decision on the application.
    told = _ids(
        DecisionMessage.objects.filter(decision__application__in=applications)
        .values_list("decision__application_id", flat=True)
        .distinct()
    )
    steps = {
        "Advert": _advert_ids(provider, applications),
        "Shortlisting": _shortlisting_ids(provider, applications),
        "Interview": interview,
        "Shadowing": shadowing,
        "Decision feedback": told,
    }
    by_service: dict[str, list[int]] = defaultdict(list)
    for application_id, service in services.items():
        by_service[service].append(application_id)

    table = Table(
        "Recruitments where people who draw on care took part, by step",
        [
            "Service",
            "Recruitments decided",
            *[part for step in STEPS for part in (step, f"{step} (%)")],
        ],
    )

    def row(label: str, ids: list[int]) -> list[Cell]:
        counts = [len(steps[step].intersection(ids)) for step in STEPS]
        return [
            label,
            len(ids),
            *[cell for count in counts for cell in _share_cells(count, len(ids))],
        ]

    for service in sorted(by_service):
        table.rows.append(row(service, by_service[service]))
    everything = list(services)
    table.rows.append(row(ALL_SERVICES, everything))
    bars = []
    for step in STEPS:
        count = len(steps[step].intersection(everything))
        rate = analytics.Rate(count, len(everything))
        shown = len(everything) >= analytics.SMALL_GROUP
        bars.append(
            charts.Bar(
                step,
                (rate.value or 0) * 100 if shown else 0,
                f"{count} of {len(everything)}" + (f" ({rate.percent})" if shown else ""),
            )
        )
    report.sections.append(
        Section(
            "Taking part at each step",
            table,
            charts.bar_chart(
                title="Recruitments where people who draw on care took part, all services",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars),
                bars=bars if everything else [],
                maximum=100,
            ),
            f"A share is worked out from {analytics.SMALL_GROUP} recruitments up: below "
            "that, only the counts are shown. Advert: experts commented on the draft advert. "
            "Shortlisting: an expert shortlisted the application. Interview: an expert sent a "
            "scorecard at a stage other than shadowing. Shadowing: an expert sent a scorecard "
            "there, or a person supported gave their view. Decision feedback: an expert was "
            "told what was decided.",
        )
    )
    report.sections.append(_time_and_payments(provider, filters))
    return report


def _time_and_payments(provider: Provider, filters: ReportFilter) -> Section:
    """The involvement log in the period, by service (one query)."""
    entries = provider.involvements.all()
    if filters.date_from:
        entries = entries.filter(date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(date__lte=filters.date_to)
    undated = dataclasses.replace(filters, date_from=None, date_to=None)
    allowed = undated.applications(provider)
    linked = Q(assessment__application__in=allowed)
    narrowed = (
        filters.role_scope is not None
        or filters.role_id
        or filters.stage_id
        or bool(filters.withheld)
    )
    # Entries for no assessment belong to no role: only a report of the whole provider has them.
    entries = entries.filter(linked if narrowed else linked | Q(assessment__isnull=True))
    owed = F("payment_amount") + F("expenses_amount") + F("supporter_expenses")
    rows = (
        entries.annotate(
            for_assessment=Case(
                When(assessment__isnull=True, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .values("assessment__application__role__service__name", "for_assessment")
        .order_by()
        .annotate(
            times=Count("pk"),
            people=Count("user_id", distinct=True),
            minutes=Sum("minutes"),
            payments=Sum("payment_amount", filter=Q(payment_kind=Involvement.PaymentKind.PAYMENT)),
            vouchers=Sum("payment_amount", filter=Q(payment_kind=Involvement.PaymentKind.VOUCHER)),
            expenses=Sum("expenses_amount"),
            supporters=Sum("supporter_expenses"),
            unpaid=Sum(owed, filter=Q(paid_on__isnull=True)),
        )
    )
    table = Table(
        "Time given and payments, from the involvement log",
        [
            "Service",
            "Times recorded",
            "People",
            "Hours",
            "Payments (£)",
            "Vouchers (£)",
            "Expenses (£)",
            "Supporters' or PAs' costs (£)",
            "Not yet paid (£)",
        ],
    )
    totals: list[int | Decimal] = [0, 0, *[Decimal(0)] * 6]
    found = []
    for item in rows:
        service = item["assessment__application__role__service__name"]
        label = service or (NO_SERVICE if item["for_assessment"] else NOT_FOR_A_RECRUITMENT)
        found.append((label, item))
    for label, item in sorted(found, key=lambda pair: pair[0]):
        values = [
            item["times"],
            item["people"],
            Decimal(item["minutes"] or 0) / 60,
            item["payments"] or Decimal(0),
            item["vouchers"] or Decimal(0),
            item["expenses"] or Decimal(0),
            item["supporters"] or Decimal(0),
            item["unpaid"] or Decimal(0),
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.rows.append([label, *_money_cells(values)])
    if found:
        # People who gave time to several services are counted once in each: no total.
        table.rows.append([ALL_SERVICES, int(totals[0]), None, *_money_cells(totals)[2:]])
    return Section(
        "Time and payments",
        table,
        note="Hours and amounts of the involvement entries dated in the period. People are "
        "counted in each service they gave time to, so the total leaves them out.",
    )


def _money_cells(values: list[int | Decimal]) -> list[Cell]:
    """Hours and pounds to two decimal places; counts as they are."""
    return [float(round(value, 2)) if isinstance(value, Decimal) else value for value in values]
