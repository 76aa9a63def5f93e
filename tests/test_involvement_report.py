"""The involvement report per service, on a worked example computed by hand: the share of
recruitments decided in the period where people who draw on care took part at each step,
and the hours and payments of the involvement log; small numbers, a manager's scope, the
CSV, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.test_closing_loop import expert, submitted
from vbr.accounts.models import AccessProfile, Membership, Provider, User
from vbr.involvement.models import AdvertReview, ShortlistAnswer, Shortlisting
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Decision,
    Involvement,
    Panellist,
    Role,
    Service,
    Stage,
    SupportedPersonView,
)
from vbr.reports.queries import ReportFilter, involvement_report

Channel = AccessProfile.HearAboutDecisions
EXPERT = Panellist.PanelRole.EXPERT_BY_EXPERIENCE


class Example:
    """Sunrise House: seven applications, five decided in the period (H1–H4, H7); H5 was
    declined before it, H6 only moved on. Sunrise Lodge: two decided (L1, L2)."""

    def __init__(self, sunrise: Provider, bob: User) -> None:
        self.today = timezone.localdate()
        self.sunrise, self.bob = sunrise, bob
        self.dev = expert(sunrise, "dev2", "Dev Raman", Channel.LETTER)
        self.eve = expert(sunrise, "eve", "Eve Adeyemi", Channel.NEXT_VISIT)
        self.fay = expert(sunrise, "fay", "Fay Collins", Channel.LETTER)
        self.house = self.role("Care assistant", "Sunrise House")
        self.lodge = self.role("Night care assistant", "Sunrise Lodge")
        # Dev sent his comments on the House advert: every House recruitment had the advert
        # step. Fay's review of the Lodge advert is not sent: no advert step there.
        AdvertReview.objects.create(
            provider=sunrise,
            vacancy=f.make_vacancy(role=self.house),
            reviewer=self.dev,
            sent_at=timezone.now(),
        )
        AdvertReview.objects.create(
            provider=sunrise, vacancy=f.make_vacancy(role=self.lodge), reviewer=self.fay
        )
        interview, shadowing = self.stages(self.house)
        h1 = self.application(self.house, "H1")
        self.h1_interview = self.assessed(h1, interview, self.dev, "yes")
        self.h1_shadowing = self.assessed(h1, shadowing, self.eve, "yes")
        h2 = self.application(self.house, "H2")
        self.assessed(h2, interview, self.dev, "no")
        shortlisting = Shortlisting.objects.create(provider=sunrise, role=self.house)
        entry = shortlisting.entries.create(application=h2, number=1)
        ShortlistAnswer.objects.create(
            shortlister=shortlisting.shortlisters.create(user=self.eve), entry=entry, answer="no"
        )
        # Bob (staff) shortlisted H3: not a person who draws on care.
        entry3 = shortlisting.entries.create(
            application=(h3 := self.application(self.house, "H3")), number=2
        )
        ShortlistAnswer.objects.create(
            shortlister=shortlisting.shortlisters.create(user=bob), entry=entry3, answer="yes"
        )
        self.assessed(h3, interview, bob, "yes", role=Panellist.PanelRole.CHAIR)
        SupportedPersonView.objects.create(
            assessment=f.make_assessment(application=h3, stage=shadowing),
            person_name="Mrs K",
            consent_given=True,
            answer="yes",
        )
        h4 = self.application(self.house, "H4")
        h5 = self.application(self.house, "H5")
        self.assessed(h5, interview, self.dev, "yes")
        h6 = self.application(self.house, "H6")
        self.assessed(h6, interview, self.dev, "yes")
        h7 = self.application(self.house, "H7")
        self.decide(h1, "offer")
        self.decide(h2, "decline")
        self.decide(h3, "decline")
        self.decide(h4, "hire")
        self.decide(h5, "decline")
        Decision.objects.filter(application=h5).update(
            decided_at=timezone.now() - timedelta(days=60)
        )
        self.decide(h6, "progress")
        self.decide(h7, "decline")
        lodge_interview, _ = self.stages(self.lodge)
        l1 = self.application(self.lodge, "L1")
        self.l1_interview = self.assessed(l1, lodge_interview, self.dev, "yes")
        self.decide(l1, "offer")
        self.decide(self.application(self.lodge, "L2"), "decline")
        # The involvement log.
        self.log(self.dev, self.h1_interview, 90, "payment", "25", "4.50", "10", paid=True)
        self.log(self.eve, self.h1_shadowing, 60, "voucher", "20")
        self.log(self.dev, self.l1_interview, 30, "none", "0", "3")
        self.log(self.fay, None, 120, "payment", "30")
        self.log(self.dev, self.h1_interview, 45, "payment", "99", days_ago=90)

    def role(self, title: str, service: str) -> Role:
        role = f.make_role(provider=self.sunrise, title=title)
        role.service = Service.objects.create(provider=self.sunrise, name=service)
        role.save()
        return role

    def stages(self, role: Role) -> tuple[Stage, Stage]:
        return (
            f.make_stage(role=role, name="Values interview", order=1),
            f.make_stage(role=role, name="Shadowing", kind="shadowing", order=2),
        )

    def application(self, role: Role, name: str) -> Application:
        first = role.stages.order_by("order").first()
        return f.make_application(
            role=role,
            stage=first,
            candidate=f.make_candidate(provider=self.sunrise, first_name=name),
        )

    def assessed(
        self, application: Application, stage: Stage, user: User, said: str, role: str = EXPERT
    ) -> Any:
        assessment = f.make_assessment(application=application, stage=stage)
        submitted(assessment, user, role, said)
        return assessment

    def decide(self, application: Application, kind: str) -> None:
        application.refresh_from_db()
        workflow.record_decision(
            application=application,
            kind=kind,
            reasons="Weighed the evidence.",
            override_reason="The manager's reason.",
            decided_by=self.bob,
        )

    def log(
        self,
        user: User,
        assessment: Any,
        minutes: int,
        kind: str,
        payment: str,
        expenses: str = "0",
        supporter: str = "0",
        *,
        paid: bool = False,
        days_ago: int = 3,
    ) -> None:
        Involvement.objects.create(
            provider=self.sunrise,
            user=user,
            assessment=assessment,
            date=self.today - timedelta(days=days_ago),
            minutes=minutes,
            payment_kind=kind,
            payment_amount=Decimal(payment),
            expenses_amount=Decimal(expenses),
            supporter_expenses=Decimal(supporter),
            paid_on=self.today if paid else None,
        )

    @property
    def period(self) -> ReportFilter:
        return ReportFilter(date_from=self.today - timedelta(days=30), date_to=self.today)


@pytest.fixture
def example(sunrise: Provider, bob: User) -> Example:
    return Example(sunrise, bob)


STEPS_HEADERS = [
    "Service",
    "Recruitments decided",
    "Advert",
    "Advert (%)",
    "Shortlisting",
    "Shortlisting (%)",
    "Interview",
    "Interview (%)",
    "Shadowing",
    "Shadowing (%)",
    "Decision feedback",
    "Decision feedback (%)",
]


def test_the_share_of_recruitments_with_people_who_draw_on_care_at_each_step(
    example: Example, sunrise: Provider
) -> None:
    report = involvement_report(sunrise, example.period)
    steps = report.sections[0].table
    assert steps.headers == STEPS_HEADERS
    assert steps.rows == [
        # H1, H2, H3, H4, H7: the advert for all five (Dev's comments on the House advert);
        # shortlisting H2 (Eve; Bob on H3 is staff); interview H1, H2 (Dev); shadowing H1
        # (Eve) and H3 (Mrs K); told of the decision H1 (Dev, Eve) and H2 (Dev, Eve).
        ["Sunrise House", 5, 5, 100.0, 1, 20.0, 2, 40.0, 2, 40.0, 2, 40.0],
        # L1, L2: fewer than five, so only the counts; Fay's review of the advert not sent.
        ["Sunrise Lodge", 2, 0, None, 0, None, 1, None, 0, None, 1, None],
        # 7 recruitments: 5/7, 1/7, 3/7, 2/7, 3/7.
        ["All services", 7, 5, 71.4, 1, 14.3, 3, 42.9, 2, 28.6, 3, 42.9],
    ]


def test_the_hours_and_payments_of_the_involvement_log_by_service(
    example: Example, sunrise: Provider
) -> None:
    money = involvement_report(sunrise, example.period).sections[1].table
    assert money.headers[1:] == [
        "Times recorded",
        "People",
        "Hours",
        "Payments (£)",
        "Vouchers (£)",
        "Expenses (£)",
        "Supporters' or PAs' costs (£)",
        "Not yet paid (£)",
    ]
    assert money.rows == [
        # Fay's 2 hours for no assessment: £30 unpaid.
        ["Not for one assessment", 1, 1, 2.0, 30.0, 0.0, 0.0, 0.0, 30.0],
        # Dev 90 min (£25 + £4.50 + £10, paid) and Eve 60 min (a £20 voucher, unpaid); Dev's
        # entry of 90 days ago is outside the period.
        ["Sunrise House", 2, 2, 2.5, 25.0, 20.0, 4.5, 10.0, 20.0],
        ["Sunrise Lodge", 1, 1, 0.5, 0.0, 0.0, 3.0, 0.0, 3.0],
        ["All services", 4, None, 5.0, 55.0, 20.0, 7.5, 10.0, 53.0],
    ]


def test_a_manager_sees_only_the_services_of_the_roles_they_manage(
    example: Example, sunrise: Provider, bob: User
) -> None:
    membership = Membership.objects.get(user=bob, provider=sunrise)
    example.house.managers.add(membership)
    scoped = ReportFilter(
        date_from=example.period.date_from,
        date_to=example.period.date_to,
        role_scope=(example.house.pk,),
    )
    report = involvement_report(sunrise, scoped)
    assert [row[0] for row in report.sections[0].table.rows] == ["Sunrise House", "All services"]
    assert [row[0] for row in report.sections[1].table.rows] == ["Sunrise House", "All services"]


def test_the_report_is_listed_and_downloads_as_csv(
    example: Example, as_alice: Client, sunrise: Provider
) -> None:
    index = as_alice.get(reverse("report-index", args=["sunrise"])).content.decode()
    url = reverse("report-detail", args=["sunrise", "involvement"])
    assert "Involvement of people who draw on care" in index and url in index
    query = f"date_from={example.period.date_from}&date_to={example.period.date_to}"
    page = as_alice.get(f"{url}?{query}").content.decode()
    assert "Recruitments where people who draw on care took part, by step" in page
    assert "Sunrise Lodge" in page
    response = as_alice.get(f"{url}?{query}&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert STEPS_HEADERS in rows
    assert [
        "Sunrise House",
        "5",
        "5",
        "100.0",
        "1",
        "20.0",
        "2",
        "40.0",
        "2",
        "40.0",
        "2",
        "40.0",
    ] in rows
    assert ["Sunrise Lodge", "2", "0", "", "0", "", "1", "", "0", "", "1", ""] in rows
    assert ["All services", "4", "", "5.0", "55.0", "20.0", "7.5", "10.0", "53.0"] in rows


def test_a_new_recruitment_is_seen_at_once_in_the_cached_report(
    example: Example, as_alice: Client, sunrise: Provider
) -> None:
    url = reverse("report-detail", args=["sunrise", "involvement"])
    query = f"?date_from={example.period.date_from}&date_to={example.period.date_to}&format=csv"
    before = b"".join(as_alice.get(url + query).streaming_content).decode()
    assert "Sunrise Lodge,2," in before
    example.decide(example.application(example.lodge, "L3"), "decline")
    after = b"".join(as_alice.get(url + query).streaming_content).decode()
    assert "Sunrise Lodge,3," in after


def test_the_report_reads_seven_queries_however_many_recruitments(
    example: Example, sunrise: Provider, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(7):
        involvement_report(sunrise, example.period)
    interview = example.house.stages.get(order=1)
    for number in range(40):
        application = example.application(example.house, f"More{number}")
        example.assessed(application, interview, example.dev, "yes")
        example.decide(application, "offer")
    with django_assert_num_queries(7):
        report = involvement_report(sunrise, example.period)
    assert report.sections[0].table.rows[0][:2] == ["Sunrise House", 45]


def test_no_recruitments_gives_an_empty_report(sunrise: Provider) -> None:
    report = involvement_report(
        sunrise, ReportFilter(date_from=date(2020, 1, 1), date_to=date(2020, 1, 31))
    )
    assert report.sections[0].table.rows == [
        ["All services", 0, 0, None, 0, None, 0, None, 0, None, 0, None]
    ]
    assert report.sections[0].chart == ""
    assert report.sections[1].table.rows == []


def test_the_report_downloads_as_xlsx(example: Example, as_alice: Client) -> None:
    import openpyxl

    url = reverse("report-detail", args=["sunrise", "involvement"])
    query = f"date_from={example.period.date_from}&date_to={example.period.date_to}"
    response = as_alice.get(f"{url}?{query}&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    steps, money = workbook.worksheets
    rows = [[cell.value for cell in row] for row in steps.iter_rows()]
    assert rows[1][:4] == ["Sunrise House", 5, 5, 100]
    assert [cell.value for cell in next(money.iter_rows(min_row=2))][:4] == [
        "Not for one assessment",
        1,
        1,
        2,
    ]
