from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, cast

from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    Count,
    Exists,
    F,
    Field,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET

from vbr.accounts.access import ANY_MEMBER, STAFF, owes_scorecard_among, provider_view
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants.first_contact import DEFAULT_FIRST_CONTACT_HOURS, applied_before_and_untouched
from vbr.applicants.models import Notice, ValuesAnswer
from vbr.compiled import CompiledQuery, columns, parts, remember_related
from vbr.involvement.models import ShortlistEntry
from vbr.involvement.summaries import shortlisting_on_application
from vbr.privacy.models import DbsCheck
from vbr.recruitment import scoring
from vbr.recruitment.charts import LEVEL_KEY, values_profile_svg
from vbr.recruitment.models import (
    Application,
    Assessment,
    CoreValue,
    Criterion,
    Decision,
    DecisionMessage,
    Involvement,
    Outcome,
    Panellist,
    Role,
    Scorecard,
    Stage,
    SummaryJob,
)
from vbr.recruitment.models.assessments import LONDON, london_week
from vbr.recruitment.rows import addresses, dates, person_name
from vbr.recruitment.views.assessments import AssessmentRow, assessment_rows
from vbr.recruitment.workflow.involvement import REMIND_DAYS_BEFORE

APPLICATIONS_PER_PAGE = 50
# Each dashboard list shows this many rows, then a link to the full list.
DASHBOARD_ROWS = 10


@require_GET
@provider_view(ANY_MEMBER)
def provider_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    if not membership.is_staff_member:
        places = (
            Panellist.objects.filter(
                user=membership.user, assessment__application__provider=provider
            )
            .select_related("assessment__stage", "assessment__application__role")
            .order_by("assessment__scheduled_at")
        )
        return render(
            request,
            "recruitment/provider_home_panel.html",
            {
                "places": places,
                # Adverts shared for their views and shortlisting they take part in.
                "advert_reviews": provider.advert_reviews.filter(
                    reviewer=membership.user
                ).select_related("vacancy__role"),
                "shortlist_places": membership.user.shortlister_places.filter(
                    shortlisting__provider=provider
                ).select_related("shortlisting__role"),
            },
        )

    if provider.kind == provider.Kind.INDIVIDUAL_EMPLOYER and "all" not in request.GET:
        # A person employing their own PA starts from their guided path; the full dashboard
        # is one link away from it (?all).
        return redirect("pa-home", provider.slug)
    roles = _ROLES.dicts(provider_id=provider.pk)
    stages = _STAGES.dicts(provider_id=provider.pk)
    active: dict[tuple[int, int | None], int] = {
        (row["role_id"], row["current_stage_id"]): row["count"]
        for row in _ACTIVE_COUNTS.dicts(provider_id=provider.pk)
    }
    active_by_role: dict[int, int] = defaultdict(int)
    for (role_id, _stage_id), count in active.items():
        active_by_role[role_id] += count
    stages_by_role: dict[int, list[StageCount]] = defaultdict(list)
    for stage in stages:
        stages_by_role[stage["role_id"]].append(
            StageCount(
                name=stage["name"], active_count=active.get((stage["role_id"], stage["pk"]), 0)
            )
        )
    role_address = addresses("role-detail", provider.slug)
    role_rows = [
        RoleRow(
            url=role_address(role["pk"]),
            title=role["title"],
            is_open=role["is_open"],
            active_count=active_by_role[role["pk"]],
            stage_counts=tuple(stages_by_role[role["pk"]]),
        )
        for role in roles
    ]
    return render(
        request,
        "recruitment/provider_home.html",
        {
            "roles": role_rows,
            **_dashboard(
                membership,
                role_titles={role["pk"]: role["title"] for role in roles},
                stage_names={stage["pk"]: stage["name"] for stage in stages},
            ),
        },
    )


@dataclasses.dataclass(frozen=True, slots=True)
class StageCount:
    name: str
    active_count: int


@dataclasses.dataclass(frozen=True, slots=True)
class RoleRow:
    """A role on the dashboard with its active applications in all and at each stage."""

    url: str
    title: str
    is_open: bool
    active_count: int
    stage_counts: tuple[StageCount, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class UncontactedRow:
    """An online application still waiting for first contact, ready to show."""

    url: str
    name: str
    role: str
    applied: str
    waited: str


@dataclasses.dataclass(frozen=True, slots=True)
class ScorecardToDoRow:
    """A place on a panel whose scorecard is still to do, ready to show on the dashboard."""

    url: str
    name: str
    role_and_stage: str
    when: str
    panel_role: str


@dataclasses.dataclass(frozen=True, slots=True)
class WaitingRow:
    """An application waiting for a decision, ready to show on the dashboard."""

    pk: int
    url: str
    name: str
    role_and_stage: str
    assessed: str


# The dashboard's queries, written once (see vbr.compiled): the page every manager opens
# first, many times a day. The lists fetch one row more than they show, to know whether to
# offer "see all".
_ROLES: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: (
        Role.objects.filter(provider_id=provider_id)
        .order_by("-is_open", "title")
        .values("pk", "title", "is_open")
    ),
    provider_id=int,
)
_STAGES: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: Stage.objects.filter(role__provider_id=provider_id).values(
        "pk", "role_id", "name"
    ),
    provider_id=int,
)
# Active applications per (role, stage) in one GROUP BY over a covering index: joining roles
# or stages to applications would read every application the provider ever had.
_ACTIVE_COUNTS: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: (
        Application.objects.filter(provider_id=provider_id)
        .active()
        .values("role_id", "current_stage_id")
        .annotate(count=Count("*"))
        .order_by()
    ),
    provider_id=int,
)


def _to_do(user_id: int, provider_id: int) -> QuerySet[Any]:
    """The person's first panel places still to score at the provider, soonest first. The
    places are chosen from the assessments' own provider and time, and only the few shown
    are joined to their applications and candidates (a manager at a large provider has
    about 140 open places)."""
    soonest = (F("assessment__scheduled_at").asc(nulls_last=True), "pk")
    shown = (
        Panellist.objects.filter(user_id=user_id, assessment__provider_id=provider_id)
        .scorecard_to_do()
        .order_by(*soonest)
        .values("pk")[: DASHBOARD_ROWS + 1]
    )
    return (
        Panellist.objects.filter(pk__in=shown)
        .order_by(*soonest)
        .values(
            "assessment_id",
            "panel_role",
            "assessment__scheduled_at",
            "assessment__stage_id",
            "assessment__application__role_id",
            "assessment__application__candidate__first_name",
            "assessment__application__candidate__last_name",
        )
    )


_TO_DO: CompiledQuery[Any] = CompiledQuery(_to_do, user_id=int, provider_id=int)
_THIS_WEEK: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id, start, end: (
        Assessment.objects.filter(provider_id=provider_id)
        .scheduled_between(start, end)
        .order_by("scheduled_at", "pk")
        .values(
            *(
                column
                for column in AssessmentRow.COLUMNS
                if column not in ("stage__name", "application__role__title")
            ),
            "stage_id",
            "application__role_id",
        )[: DASHBOARD_ROWS + 1]
    ),
    provider_id=int,
    start=datetime,
    end=datetime,
)
_WAITING: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: (
        Application.objects.filter(provider_id=provider_id)
        .waiting_for_decision()
        .order_by(F("assessed_at"), "pk")
        .values(
            "pk",
            "role_id",
            "current_stage_id",
            "candidate__first_name",
            "candidate__last_name",
            assessed=F("assessed_at"),
        )[: DASHBOARD_ROWS + 1]
    ),
    provider_id=int,
)
# The provider's time to first contact and the letters about decisions waiting to be
# printed, read together: one query for two small facts.
_FACTS: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: Provider.objects.filter(pk=provider_id).values(
        hours=F("applicant_settings__first_contact_hours"),
        letters=Subquery(
            DecisionMessage.objects.filter(provider=OuterRef("pk"))
            .letters_to_print()
            .values("provider")
            .annotate(count=Count("*"))
            .values("count")
        ),
    ),
    provider_id=int,
)
_UNCONTACTED: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id, cutoff: applied_before_and_untouched(provider_id, cutoff).values(
        "pk", "applied_at", "role_id", "candidate__first_name", "candidate__last_name"
    )[: DASHBOARD_ROWS + 1],
    provider_id=int,
    cutoff=datetime,
)
_TO_PAY: CompiledQuery[Involvement] = CompiledQuery(
    lambda provider_id, day: (
        Involvement.objects.filter(provider_id=provider_id)
        .due_by(day)
        .select_related("user")
        .order_by("pay_by", "pk")[: DASHBOARD_ROWS + 1]
    ),
    provider_id=int,
    day=date,
)


def _dashboard(
    membership: Membership, *, role_titles: dict[int, str], stage_names: dict[int, str]
) -> dict[str, object]:
    """The manager's three lists, each one query, fetching one row more than shown to know
    whether to offer "see all".

    Each row's role and stage come from the lists the page has already read: joining the
    roles and stages tables into these queries made PostgreSQL misjudge their size and scan
    every role once per row (15 of a large provider's 19 ms for "my scorecards to do")."""
    provider = membership.provider
    to_do_values = _TO_DO.dicts(user_id=membership.user_id, provider_id=provider.pk)
    week = london_week(timezone.localtime(timezone=LONDON).date())
    this_week_values = _THIS_WEEK.dicts(provider_id=provider.pk, start=week[0], end=week[1])
    for row in this_week_values:
        row["stage__name"] = stage_names[row["stage_id"]]
        row["application__role__title"] = role_titles[row["application__role_id"]]
    this_week = assessment_rows(provider, this_week_values)
    assessment_address = addresses("assessment-detail", provider.slug)
    panel_roles = dict(Panellist.PanelRole.choices)
    scheduled = dates("D j M, H:i", none="date not set")
    day = dates("j M Y")
    to_do = [
        ScorecardToDoRow(
            url=assessment_address(place["assessment_id"]),
            name=person_name(
                place["assessment__application__candidate__first_name"],
                place["assessment__application__candidate__last_name"],
            ),
            role_and_stage=(
                f"{role_titles[place['assessment__application__role_id']]}: "
                f"{stage_names[place['assessment__stage_id']]}"
            ),
            when=scheduled(place["assessment__scheduled_at"]),
            panel_role=str(panel_roles.get(place["panel_role"], place["panel_role"])).lower(),
        )
        for place in to_do_values
    ]
    application_address = addresses("application-detail", provider.slug)
    waiting = [
        WaitingRow(
            pk=application["pk"],
            url=application_address(application["pk"]),
            name=person_name(
                application["candidate__first_name"], application["candidate__last_name"]
            ),
            role_and_stage=(
                f"{role_titles[application['role_id']]}: "
                f"{stage_names[application['current_stage_id']]}"
            ),
            assessed=day(application["assessed"]),
        )
        for application in _WAITING.dicts(provider_id=provider.pk)
    ]
    facts = _FACTS.dicts(provider_id=provider.pk)[0]
    # Speed to first contact: online applications nobody has answered in the provider's time.
    hours = facts["hours"] or DEFAULT_FIRST_CONTACT_HOURS
    day_and_time = dates("j M Y H:i")
    uncontacted = [
        UncontactedRow(
            url=application_address(application["pk"]),
            name=person_name(
                application["candidate__first_name"], application["candidate__last_name"]
            ),
            role=role_titles[application["role_id"]],
            applied=day_and_time(application["applied_at"]),
            waited=timesince(application["applied_at"]),
        )
        for application in _UNCONTACTED.dicts(
            provider_id=provider.pk, cutoff=timezone.now() - timedelta(hours=hours)
        )
    ]
    # People who draw on care: their payments due soon or overdue (`workflow.due_soon`'s
    # window) and the letters about decisions waiting to be printed for them.
    to_pay = _TO_PAY.objects(
        provider_id=provider.pk, day=timezone.localdate() + timedelta(days=REMIND_DAYS_BEFORE)
    )
    return {
        "to_pay": to_pay[:DASHBOARD_ROWS],
        "more_to_pay": len(to_pay) > DASHBOARD_ROWS,
        "today": timezone.localdate(),
        "letters_to_print": facts["letters"] or 0,
        "first_contact_hours": hours,
        "uncontacted": uncontacted[:DASHBOARD_ROWS],
        "more_uncontacted": len(uncontacted) > DASHBOARD_ROWS,
        "to_do": to_do[:DASHBOARD_ROWS],
        "more_to_do": len(to_do) > DASHBOARD_ROWS,
        "this_week": this_week[:DASHBOARD_ROWS],
        "more_this_week": len(this_week) > DASHBOARD_ROWS,
        "waiting": waiting[:DASHBOARD_ROWS],
        "more_waiting": len(waiting) > DASHBOARD_ROWS,
    }


# The role and its stages, each with its active applications counted, written once (see
# vbr.compiled). Ordered explicitly: Meta.ordering is not applied to a query that groups.
_PIPELINE_ROLE: CompiledQuery[Role] = CompiledQuery(
    lambda provider_id, role_id: Role.objects.filter(provider_id=provider_id, pk=role_id),
    provider_id=int,
    role_id=int,
)
_PIPELINE_STAGES: CompiledQuery[Stage] = CompiledQuery(
    lambda role_id: (
        Stage.objects.filter(role_id=role_id)
        .annotate(active_count=Count("applications", filter=Q(applications__status="active")))
        .order_by("order", "pk")
    ),
    role_id=int,
)


@require_GET
@provider_view(STAFF)
def role_detail(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    provider = membership.provider
    role = _PIPELINE_ROLE.first(provider_id=provider.pk, role_id=role_id)
    if role is None:
        raise Http404
    stages = _PIPELINE_STAGES.objects(role_id=role.pk)
    selected = _selected_stage(request, stages)
    applications = provider.applications.filter(role=role, current_stage=selected).order_by(
        "candidate__last_name", "candidate__first_name", "pk"
    )
    if request.GET.get("status", "active") == "active":
        applications = applications.active()
    paginator = Paginator(applications.values(*PipelineRow.COLUMNS), APPLICATIONS_PER_PAGE)
    # Counted without the candidates the rows show and sort by: the count reads the role's
    # index only (joining every candidate doubled its time at a large provider).
    paginator.count = applications.order_by().count()
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = pipeline_rows(provider, page.object_list)
    return render(
        request,
        "recruitment/role_detail.html",
        {
            "role": role,
            "stages": stages,
            "selected_stage": selected,
            "page": page,
            "show_all": request.GET.get("status") == "all",
        },
    )


@dataclasses.dataclass(frozen=True, slots=True)
class PipelineRow:
    """One row of a stage's applications, ready to show: fifty rows are read as plain
    values and drawn without a model instance, a URL lookup or a filter per row."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "pk",
        "status",
        "applied_at",
        "stage_entered_at",
        "candidate__first_name",
        "candidate__last_name",
    )

    url: str
    name: str
    status: str
    applied: str
    at_stage_since: str


def pipeline_rows(provider: Provider, values: Iterable[dict[str, Any]]) -> list[PipelineRow]:
    address = addresses("application-detail", provider.slug)
    statuses = dict(Application.Status.choices)
    day = dates("j M Y")
    return [
        PipelineRow(
            url=address(row["pk"]),
            name=person_name(row["candidate__first_name"], row["candidate__last_name"]),
            status=str(statuses.get(row["status"], row["status"])),
            applied=day(row["applied_at"]),
            at_stage_since=day(row["stage_entered_at"]),
        )
        for row in values
    ]


def _selected_stage(request: HttpRequest, stages: Sequence[Stage]) -> Stage | None:
    wanted = request.GET.get("stage")
    for stage in stages:
        if wanted and str(stage.pk) == wanted:
            return stage
    for stage in stages:
        if stage.active_count:  # type: ignore[attr-defined]
            return stage
    return stages[0] if stages else None


def _application_page_query(provider_id: int, application_id: int) -> QuerySet[Application]:
    # The role's stages once, for the next stage and the grid's columns.
    # The outcome (one-to-one) joined in: None for an application that has none.
    # What the candidate wrote when they applied online (none: no query for it).
    # The latest PDF summary's progress read with it, so the page shows it at once
    # rather than fetching it in a second request.
    return _with_latest_summary(
        Application.objects.filter(provider_id=provider_id, pk=application_id)
        .select_related("candidate", "role", "current_stage", "outcome", "online")
        # Whether it was shortlisted, has DBS certificates seen or messages sent: where
        # not, no query more for that section.
        .annotate(
            shortlisted=Exists(ShortlistEntry.objects.filter(application=OuterRef("pk"))),
            has_dbs_checks=Exists(DbsCheck.objects.filter(application=OuterRef("pk"))),
            has_notices=Exists(Notice.objects.filter(application=OuterRef("pk"))),
        )
    )


# Written once (see vbr.compiled): the page's queries, read on every view.
_APPLICATION_PAGE: CompiledQuery[Application] = CompiledQuery(
    _application_page_query, provider_id=int, application_id=int
)
# The role's stages in their order, each with its criteria (every version) and their values,
# and what each value evidences: a row per (stage, criterion, national value it evidences),
# or one for a stage without criteria. The stages are the grid's columns and say which is
# next; the criteria are the grid's rows (`scoring.value_stage_grid`).
_STAGE_PARTS: tuple[tuple[type[Model], str], ...] = (
    (Stage, ""),
    (Criterion, "criteria__"),
    (CoreValue, "criteria__core_value__"),
)
_NATIONAL = "criteria__core_value__evidences"
_STAGES_AND_CRITERIA: CompiledQuery[Any] = CompiledQuery(
    lambda role_id: (
        Stage.objects.filter(role_id=role_id)
        .order_by(
            "order",
            "pk",
            "criteria__pk",
            f"{_NATIONAL}__value_set__order",
            f"{_NATIONAL}__order",
            f"{_NATIONAL}__pk",
        )
        .values_list(
            *(name for model, path in _STAGE_PARTS for name in columns(model, path)),
            f"{_NATIONAL}__name",
            f"{_NATIONAL}__value_set__name",
        )
    ),
    role_id=int,
)


def _stages_and_criteria(role_id: int) -> tuple[list[Stage], list[Criterion]]:
    """The role's stages, and its criteria as `scoring.value_stage_grid` reads them: each
    with its value and `evidence_name` and `evidence_set` (a criterion comes once for each
    national value its value evidences)."""
    stages: dict[int, Stage] = {}
    criteria: list[Criterion] = []
    for row in _STAGES_AND_CRITERIA.rows(role_id=role_id):
        stage_values, own, value, (evidence_name, evidence_set) = parts(
            row, (model for model, _ in _STAGE_PARTS)
        )
        if stage_values[0] not in stages:
            stages[stage_values[0]] = Stage.from_db(DEFAULT_DB_ALIAS, columns(Stage), stage_values)
        if own[0] is None:  # no criteria yet
            continue
        criterion = Criterion.from_db(DEFAULT_DB_ALIAS, columns(Criterion), own)
        criterion.core_value = CoreValue.from_db(DEFAULT_DB_ALIAS, columns(CoreValue), value)
        criterion.evidence_name = evidence_name  # type: ignore[attr-defined]
        criterion.evidence_set = evidence_set  # type: ignore[attr-defined]
        criteria.append(criterion)
    return list(stages.values()), criteria


_ANSWERS: CompiledQuery[ValuesAnswer] = CompiledQuery(
    lambda online_application_id: ValuesAnswer.objects.filter(
        online_application_id=online_application_id
    ),
    online_application_id=int,
)
# Its assessments, each with its stage and every panel place (the person, their scorecard if
# any) in one query: a row per place, or one for an assessment with no panel yet.
_PANEL_PARTS: tuple[tuple[type[Model], str], ...] = (
    (Assessment, ""),
    (Stage, "stage__"),
    (Panellist, "panellists__"),
    (User, "panellists__user__"),
    (Scorecard, "panellists__scorecard__"),
)
_ASSESSMENTS_AND_PANELS: CompiledQuery[Any] = CompiledQuery(
    lambda application_id: (
        Assessment.objects.filter(application_id=application_id)
        .order_by("scheduled_at", "pk", "panellists__panel_role", "panellists__pk")
        .values_list(*(name for model, path in _PANEL_PARTS for name in columns(model, path)))
    ),
    application_id=int,
)


def _assessments_and_panels(application_id: int) -> list[Assessment]:
    """The application's assessments in their order, each with its stage and its panel
    (`panel`: the places in their order, each with its person and scorecard)."""
    found: dict[int, Assessment] = {}
    for row in _ASSESSMENTS_AND_PANELS.rows(application_id=application_id):
        own, stage, place, user, card, _ = parts(row, (model for model, _ in _PANEL_PARTS))
        assessment = found.get(own[0])
        if assessment is None:
            assessment = Assessment.from_db(DEFAULT_DB_ALIAS, columns(Assessment), own)
            assessment.stage = Stage.from_db(DEFAULT_DB_ALIAS, columns(Stage), stage)
            assessment.panel = []  # type: ignore[attr-defined]
            found[assessment.pk] = assessment
        if place[0] is None:  # no panel yet
            continue
        panellist = Panellist.from_db(DEFAULT_DB_ALIAS, columns(Panellist), place)
        panellist.assessment = assessment
        panellist.user = User.from_db(DEFAULT_DB_ALIAS, columns(User), user)
        if card[0] is None:
            Panellist.scorecard.related.set_cached_value(panellist, None)
        else:
            panellist.scorecard = Scorecard.from_db(DEFAULT_DB_ALIAS, columns(Scorecard), card)
        assessment.panel.append(panellist)  # type: ignore[attr-defined]
    return list(found.values())


_DECISIONS: CompiledQuery[Decision] = CompiledQuery(
    lambda application_id: Decision.objects.filter(application_id=application_id).select_related(
        "decided_by"
    ),
    application_id=int,
)


@require_GET
@provider_view(STAFF)
def application_detail(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    provider = membership.provider
    application = _APPLICATION_PAGE.first(provider_id=provider.pk, application_id=application_id)
    if application is None:
        raise Http404
    application.provider = provider
    # The role's stages, for the next stage and the grid's columns, and what the candidate
    # wrote if they applied online.
    stages, criteria = _stages_and_criteria(application.role_id)
    remember_related(application.role, "stages", stages)
    # None when they did not (Django's "does not exist" for a one-to-one is an AttributeError).
    online = getattr(application, "online", None)
    if online is not None:
        remember_related(online, "answers", _ANSWERS.objects(online_application_id=online.pk))
    assessments = _assessments_and_panels(application.pk)
    own_places = {
        p.assessment_id: p
        for assessment in assessments
        for p in assessment.panel  # type: ignore[attr-defined]
        if p.user_id == membership.user_id
    }
    # Independence: while you have a scorecard to submit here, no one else's scores.
    hidden = owes_scorecard_among(membership, own_places.values())
    grid = None if hidden else scoring.value_stage_grid(application, assessments, criteria)
    decisions = _DECISIONS.objects(application_id=application.pk)
    _label_progress(assessments, decisions)
    return render(
        request,
        "recruitment/application_detail.html",
        {
            "application": application,
            "next_stage": application.next_stage(),
            "assessments": assessments,
            "own_places": own_places,
            "scores_hidden": hidden,
            "grid": grid,
            # The values profile, the same chart as in the PDF summary, once there is evidence.
            "chart": (
                values_profile_svg(grid)
                if grid and any(row.overall.count for row in grid.rows)
                else None
            ),
            "level_key": LEVEL_KEY,
            # The chart's key to what each value evidences, from the grid already built.
            "evidence_key": [row for row in grid.rows if row.evidences] if grid else [],
            "summary_job": _latest_summary(application),
            "decisions": decisions,
            "outcome": _outcome_of(application),
            # The messages sent to the candidate, if any.
            "notices": list(application.notices.all())
            if getattr(application, "has_notices", True)
            else [],
            # Shortlisting answers, as independence lets this reader see them.
            "shortlisting_rows": (
                shortlisting_on_application(membership, application)
                if getattr(application, "shortlisted", False)
                else []
            ),
        },
    )


# What the page's PDF summary area shows of the latest summary (see summary_progress.html).
SUMMARY_FIELDS = ("pk", "status", "error", "finished_at")


def _with_latest_summary(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Each application with its latest summary's SUMMARY_FIELDS as `summary_<field>`.

    Written as plain SQL: four ORM subqueries cost more to build (about a millisecond of
    the page) than to run; these read the (application, -created_at) index."""
    quote = connection.ops.quote_name
    jobs = quote(SummaryJob._meta.db_table)
    application_id = f"{quote(Application._meta.db_table)}.{quote('id')}"
    latest = {}
    for name in SUMMARY_FIELDS:
        field = cast("Field[Any, Any]", SummaryJob._meta.get_field("id" if name == "pk" else name))
        # Only our own table and column names, quoted: nothing from the request.
        latest[f"summary_{name}"] = RawSQL(  # noqa: S611
            f"SELECT {quote(str(field.column))} FROM {jobs} "  # noqa: S608
            f"WHERE {quote('application_id')} = {application_id} "
            f"ORDER BY {quote('created_at')} DESC, {quote('id')} DESC LIMIT 1",
            (),
            output_field=field,
        )
    return applications.annotate(**latest)


def _latest_summary(application: Application) -> SummaryJob | None:
    """The latest summary as far as the progress area needs it (see `_with_latest_summary`)."""
    fields = {name: getattr(application, f"summary_{name}") for name in SUMMARY_FIELDS}
    if fields["pk"] is None:
        return None
    return SummaryJob(application=application, provider_id=application.provider_id, **fields)


def _label_progress(assessments: Sequence[Assessment], decisions: Sequence[Decision]) -> None:
    """Set each assessment's `progress` in words: how far scoring has got, and the decision
    made at its stage, if any (the latest; `decisions` come newest first)."""
    latest: dict[int | None, Decision] = {}
    for decision in decisions:
        latest.setdefault(decision.stage_id, decision)
    for assessment in assessments:
        progress = assessment.progress_label
        decided = latest.get(assessment.stage_id)
        if decided is not None and assessment.status != Assessment.Status.CANCELLED:
            progress += f"; decided: {decided.get_kind_display().lower()}"
        assessment.progress = progress  # type: ignore[attr-defined]


def _outcome_of(application: Application) -> Outcome | None:
    try:
        return application.outcome
    except Outcome.DoesNotExist:
        return None
