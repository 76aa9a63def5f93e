"""The manager's dashboard: scorecards to do, this week's assessments, decisions waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.devtools.benchmark import plans_for_values_and_any
from vbr.recruitment import workflow
from vbr.recruitment.models import Application, Assessment, Candidate, Role, Stage
from vbr.recruitment.models.assessments import london_week

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def care_assistant(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    return role


def home(client: Client, provider: Provider):  # type: ignore[no-untyped-def]
    response = client.get(reverse("provider-home", args=[provider.slug]))
    assert response.status_code == 200
    return response


def this_week() -> tuple[datetime, datetime]:
    return london_week(timezone.localtime(timezone=LONDON).date())


def application_of(role: Role, first_name: str, stage: Stage | None = None) -> Application:
    return f.make_application(
        role=role,
        stage=stage or role.stages.first(),
        candidate=f.make_candidate(provider=role.provider, first_name=first_name, last_name="Lee"),
    )


def test_the_london_week_runs_monday_to_monday_across_the_clock_change() -> None:
    # The clocks go forward on Sunday 29 March 2026: that week is an hour short.
    start, end = london_week(date(2026, 3, 25))
    assert start == datetime(2026, 3, 23, 0, 0, tzinfo=LONDON)
    assert end == datetime(2026, 3, 30, 0, 0, tzinfo=LONDON)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=167)
    assert london_week(date(2026, 3, 29)) == (start, end)
    assert london_week(date(2026, 3, 23)) == (start, end)


def test_my_scorecards_to_do_lists_my_unsubmitted_places_soonest_first(
    as_bob: Client, bob: User, alice: User, sunrise: Provider, care_assistant: Role
) -> None:
    now = timezone.now()
    interview = care_assistant.stages.first()

    def place_for(first_name: str, when: datetime, user: User = bob) -> Assessment:
        assessment = f.make_assessment(
            application=application_of(care_assistant, first_name),
            stage=interview,
            scheduled_at=when,
        )
        f.make_panellist(assessment=assessment, user=user)
        return assessment

    place_for("Later", now + timedelta(days=9))
    draft = place_for("Sooner", now + timedelta(days=1))
    f.make_scorecard(panellist=draft.panellists.get())
    done = place_for("Submitted", now - timedelta(days=1))
    f.make_scorecard(panellist=done.panellists.get(), submitted=True)
    cancelled = place_for("Cancelled", now + timedelta(days=2))
    Assessment.objects.filter(pk=cancelled.pk).update(status=Assessment.Status.CANCELLED)
    place_for("Alices", now + timedelta(days=1), user=alice)

    response = home(as_bob, sunrise)

    names = [row.name for row in response.context["to_do"]]
    assert names == ["Sooner Lee", "Later Lee"]
    section = response.text.split("My scorecards to do")[1].split("Assessments this week")[0]
    assert "Sooner Lee" in section and "Later Lee" in section
    assert "Submitted Lee" not in section and "Alices Lee" not in section
    # Each row names the role and stage (read with the page's roles and stages, not joined).
    assert section.count("Care assistant: Values interview") == 2
    sooner = timezone.localtime(now + timedelta(days=1))
    assert f"— {sooner:%a} {sooner.day} {sooner:%b, %H:%M}" in section
    assert f'<a href="/p/{sunrise.slug}/assessments/{draft.pk}/">Sooner Lee</a>' in section
    assert "(you sit as manager)" in section


def test_my_places_at_another_provider_are_not_on_this_providers_dashboard(
    as_bob: Client, bob: User, sunrise: Provider, hillside: Provider, care_assistant: Role
) -> None:
    Membership.objects.create(user=bob, provider=hillside, role=Membership.Role.MANAGER)
    soon = timezone.now() + timedelta(days=1)
    theirs = f.make_role(provider=hillside, title="Night carer")
    stage = f.make_stage(role=theirs, name="Interview")
    elsewhere = f.make_assessment(
        application=application_of(theirs, "Elsewhere", stage), stage=stage, scheduled_at=soon
    )
    f.make_panellist(assessment=elsewhere, user=bob)
    here = f.make_assessment(
        application=application_of(care_assistant, "Here"),
        stage=care_assistant.stages.first(),
        scheduled_at=soon,
    )
    f.make_panellist(assessment=here, user=bob)

    assert [row.name for row in home(as_bob, sunrise).context["to_do"]] == ["Here Lee"]
    assert [row.name for row in home(as_bob, hillside).context["to_do"]] == ["Elsewhere Lee"]


def test_assessments_this_week_run_monday_to_sunday(
    as_bob: Client, sunrise: Provider, hillside: Provider, care_assistant: Role
) -> None:
    start, end = this_week()
    interview = care_assistant.stages.first()

    def assessment_at(first_name: str, when: datetime) -> Assessment:
        return f.make_assessment(
            application=application_of(care_assistant, first_name),
            stage=interview,
            scheduled_at=when,
        )

    assessment_at("Monday", start)
    assessment_at("Sunday", end - timedelta(minutes=1))
    assessment_at("LastWeek", start - timedelta(minutes=1))
    assessment_at("NextWeek", end)
    cancelled = assessment_at("Cancelled", start + timedelta(hours=10))
    Assessment.objects.filter(pk=cancelled.pk).update(status=Assessment.Status.CANCELLED)
    elsewhere = f.make_role(provider=hillside)
    f.make_assessment(
        application=f.make_application(role=elsewhere),
        stage=f.make_stage(role=elsewhere),
        scheduled_at=start + timedelta(hours=10),
    )

    response = home(as_bob, sunrise)

    names = [row.name for row in response.context["this_week"]]
    assert names == ["Monday Lee", "Sunday Lee"]
    assert "Monday Lee" in response.text and "NextWeek Lee" not in response.text


def test_waiting_for_a_decision_worked_example(
    as_bob: Client, bob: User, dev: User, alice: User, care_assistant: Role, sunrise: Provider
) -> None:
    interview, shadowing = care_assistant.stages.all()
    last_week = timezone.now() - timedelta(days=7)

    def assessed(
        first_name: str,
        *,
        submitted: tuple[bool, ...] = (True, True),
        stage: Stage = interview,
        status: str = Assessment.Status.SCHEDULED,
        application_status: str = Application.Status.ACTIVE,
    ) -> Application:
        application = application_of(care_assistant, first_name, stage=stage)
        Application.objects.filter(pk=application.pk).update(status=application_status)
        assessment = f.make_assessment(
            application=application, stage=interview, scheduled_at=last_week
        )
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        for user, done in zip([bob, dev, alice], submitted, strict=False):
            f.make_scorecard(
                panellist=f.make_panellist(assessment=assessment, user=user), submitted=done
            )
        return application

    assessed("Ann")  # everybody submitted, no decision: waiting
    assessed("Ben", submitted=(True, False))  # Dev has not submitted: not yet
    assessed("Cat", submitted=(True, False), status=Assessment.Status.CLOSED)  # closed: waiting
    dan = assessed("Dan")
    f.make_decision(application=dan, decided_at=last_week + timedelta(hours=2))  # decided
    eve = assessed("Eve")
    f.make_decision(application=eve, decided_at=last_week - timedelta(days=3))  # before: waiting
    assessed("Fay", stage=shadowing)  # moved on to shadowing, not assessed there yet
    assessed("Gus", application_status=Application.Status.WITHDRAWN)
    assessed("Hal", status=Assessment.Status.CANCELLED)
    assessed("Ivy", submitted=())  # nobody on the panel

    response = home(as_bob, sunrise)

    names = sorted(row.name for row in response.context["waiting"])
    assert names == ["Ann Lee", "Cat Lee", "Eve Lee"]
    assert "Waiting for a decision" in response.text
    assert "Ann Lee" in response.text and "Ben Lee" not in response.text
    section = response.text.split("Waiting for a decision")[1].split("New role")[0]
    assert section.count("Care assistant: Values interview") == 3
    assessed_on = timezone.localtime(last_week)
    assert f"— assessed {assessed_on.day} {assessed_on:%b %Y}" in section

    # The same set is behind "see all".
    listed = as_bob.get(reverse("application-list", args=[sunrise.slug]), {"waiting": "on"})
    # The list's rows are ready-made (ApplicationRow): the same applications, by id.
    assert sorted(row.pk for row in listed.context["page"].object_list) == sorted(
        row.pk for row in response.context["waiting"]
    )


def generic_plan(cursor: Any, queryset: QuerySet[Any]) -> str:
    """The plan PostgreSQL may keep for a prepared statement of this query, made for any
    values, as the benchmark's `--explain` reads it."""
    sql, params = queryset.query.sql_with_params()
    return plans_for_values_and_any(cursor, sql, tuple(params))[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction
def test_on_postgresql_waiting_for_a_decision_is_read_from_indexes_alone(
    bob: User, dev: User, care_assistant: Role, sunrise: Provider, hillside: Provider
) -> None:
    """The dashboard's walk of every active application, the assessment at each one's stage
    and the decisions since: each an index-only scan, so a column added to the query without
    adding it to its index shows here, not as a slower dashboard at a large provider.

    Planned as a prepared statement is after a few runs, once for any parameters: the list
    of those waiting ("see all") read every application of the provider that way until
    "active" was written into the SQL, as the partial index needs."""
    from vbr.recruitment.views.candidates import ApplicationRow
    from vbr.recruitment.views.pipeline import _WAITING

    interview = care_assistant.stages.first()
    assert interview is not None
    for name in ("Ann", "Ben", "Cat"):
        application = application_of(care_assistant, name)
        assessment = f.make_assessment(application=application, stage=interview)
        for user in (bob, dev):
            place = f.make_panellist(assessment=assessment, user=user)
            f.make_scorecard(panellist=place, submitted=True)
        if name == "Cat":
            f.make_decision(application=application)
    # Another provider's applications, as many as a small care group's and most of them
    # ended, as anywhere: the planner then walks this provider's few active ones, as it does
    # a large provider's among the rest.
    role = f.make_role(provider=hillside)
    stage = f.make_stage(role=role)
    candidates = Candidate.objects.bulk_create(
        Candidate(provider=hillside, first_name=f"P{n}", last_name="Lee") for n in range(2000)
    )
    others = Application.objects.bulk_create(
        Application(
            provider=hillside,
            role=role,
            candidate=c,
            current_stage=stage,
            status=Application.Status.ACTIVE if n % 40 == 0 else Application.Status.DECLINED,
        )
        for n, c in enumerate(candidates)
    )
    Assessment.objects.bulk_create(
        Assessment(application=a, provider=hillside, stage=stage, status="closed") for a in others
    )
    tables = ["recruitment_application", "recruitment_assessment", "recruitment_decision"]
    dashboard = _WAITING.build(provider_id=sunrise.pk)
    listed = sunrise.applications.waiting_for_decision().values(*ApplicationRow.COLUMNS)
    with connection.cursor() as cursor:
        # An index-only scan is chosen where the visibility map says the table's pages have
        # not changed since the last VACUUM, as on a provider's settled data; tables this
        # small are otherwise read whole by choice.
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        try:
            plan, list_plan = (generic_plan(cursor, query) for query in (dashboard, listed))
        finally:
            cursor.execute("RESET ALL")
        # A row changed since the last VACUUM is read from the table after all: these
        # tables are vacuumed after 1 % of their rows change, not 20 %.
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = dict(cursor.fetchall())
    for index in ("application_active_by_stage", "assessment_at_stage", "decision_by_time"):
        assert f"Index Only Scan using {index} " in plan, plan
    # Run with the values given (EXPLAIN ANALYZE): Ann and Ben are waiting, Cat is decided.
    assert " rows=2 loops=1)" in plan.splitlines()[0], plan
    # The list of those waiting walks the same index alone (it carries the list's date and
    # status too), which it can only do with "active" written into its SQL.
    assert "Index Only Scan using application_active_by_stage " in list_plan, list_plan
    assert options.keys() == set(tables)
    for table, table_options in options.items():
        assert set(table_options or ()) >= {
            "autovacuum_vacuum_scale_factor=0.01",
            "autovacuum_vacuum_insert_scale_factor=0.01",
        }, table


def test_each_list_shows_ten_then_a_link_to_see_all(
    as_bob: Client, bob: User, sunrise: Provider, care_assistant: Role
) -> None:
    start, _ = this_week()
    for i in range(11):
        assessment = f.make_assessment(
            application=application_of(care_assistant, f"P{i:02}"),
            stage=care_assistant.stages.first(),
            scheduled_at=start + timedelta(hours=i),
        )
        f.make_panellist(assessment=assessment, user=bob)

    response = home(as_bob, sunrise)

    assert len(response.context["to_do"]) == 10
    assert len(response.context["this_week"]) == 10
    assessments = reverse("assessment-list", args=[sunrise.slug])
    assert f'href="{assessments}?show=todo"' in response.text
    assert f'href="{assessments}?show=week"' in response.text
    assert "See all waiting for a decision" not in response.text
    everything = as_bob.get(assessments, {"show": "todo"})
    assert len(everything.context["page"].object_list) == 11
    week = as_bob.get(assessments, {"show": "week"})
    assert len(week.context["page"].object_list) == 11


@pytest.mark.parametrize("n", [1, 50])
def test_the_dashboard_runs_the_same_queries_for_one_or_fifty_rows(
    as_bob: Client,
    bob: User,
    dev: User,
    sunrise: Provider,
    care_assistant: Role,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    n: int,
) -> None:
    start, _ = this_week()
    interview = care_assistant.stages.first()
    for i in range(n):
        # One to score this week for Bob, and one scored by Dev and waiting for a decision.
        mine = f.make_assessment(
            application=application_of(care_assistant, f"Mine{i}"),
            stage=interview,
            scheduled_at=start + timedelta(hours=1),
        )
        f.make_panellist(assessment=mine, user=bob)
        scored = f.make_assessment(
            application=application_of(care_assistant, f"Scored{i}"),
            stage=interview,
            scheduled_at=start - timedelta(days=3),
        )
        f.make_scorecard(panellist=f.make_panellist(assessment=scored, user=dev), submitted=True)
    # the signed-in person with their membership, my scorecards to do, assessments this week,
    # waiting for a decision, safer-recruitment deadlines, the provider's time to first
    # contact read with the count of letters about decisions to print, the applications
    # waiting for first contact, roles, stages, active counts per role and stage, panel
    # members' payments due
    with django_assert_num_queries(11):
        response = home(as_bob, sunrise)
    shown = min(n, 10)
    assert len(response.context["to_do"]) == shown
    assert len(response.context["this_week"]) == shown
    assert len(response.context["waiting"]) == shown


def test_stored_scoring_progress_follows_the_workflow(
    as_bob: Client, bob: User, dev: User, sunrise: Provider, care_assistant: Role
) -> None:
    """Panel size, scorecards submitted and each place's "submitted" are stored by the
    workflow; the dashboard's lists read them. Each step changes what the manager sees."""
    interview = care_assistant.stages.first()
    criterion = f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    application = application_of(care_assistant, "Ann")
    assessment = f.make_assessment(
        application=application, stage=interview, scheduled_at=timezone.now()
    )
    members = {m.user_id: m for m in sunrise.memberships.all()}

    def shown() -> tuple[list[str], list[str], str]:
        page = home(as_bob, sunrise)
        to_do = [row.name.removesuffix(" Lee") for row in page.context["to_do"]]
        waiting = [row.name.removesuffix(" Lee") for row in page.context["waiting"]]
        week = page.text.split("Assessments this week")[1].split("Waiting for a decision")[0]
        return to_do, waiting, week

    def submit(user: User) -> None:
        workflow.submit_scorecard(
            panellist=assessment.panellists.get(user=user),
            answers={criterion.pk: workflow.Answer(level=3, evidence="Listened well")},
            recommendation="yes",
            summary="Kind and clear.",
        )

    bob_place = workflow.add_panellist(
        assessment=assessment, membership=members[bob.pk], panel_role="chair"
    )
    dev_place = workflow.add_panellist(assessment=assessment, membership=members[dev.pk])
    assessment.refresh_from_db()
    assert (assessment.panel_size, assessment.submitted_count) == (2, 0)
    to_do, waiting, week = shown()
    assert to_do == ["Ann"] and waiting == [] and "0 of 2" in week

    workflow.remove_panellist(panellist=dev_place)
    assessment.refresh_from_db()
    assert (assessment.panel_size, assessment.submitted_count) == (1, 0)
    assert "0 of 1" in shown()[2]

    dev_place = workflow.add_panellist(assessment=assessment, membership=members[dev.pk])
    submit(bob)
    assessment.refresh_from_db()
    bob_place.refresh_from_db()
    dev_place.refresh_from_db()
    assert (assessment.panel_size, assessment.submitted_count) == (2, 1)
    assert bob_place.scorecard_submitted and not dev_place.scorecard_submitted
    to_do, waiting, week = shown()
    assert to_do == [] and waiting == [] and "1 of 2" in week

    submit(dev)
    to_do, waiting, week = shown()
    assert to_do == [] and waiting == ["Ann"] and "2 of 2" in week


def test_an_application_waiting_for_first_contact_shows_its_link_role_and_wait(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    interview = care_assistant.stages.first()
    applied = timezone.now() - timedelta(days=2, hours=3)
    candidate = f.make_candidate(provider=sunrise, first_name="Oldest", last_name="Jones")
    application = f.make_application(role=care_assistant, stage=interview, candidate=candidate)
    Application.objects.filter(pk=application.pk).update(
        applied_at=applied, stage_entered_at=applied
    )
    f.make_online_application(application=application)

    response = home(as_bob, sunrise)

    start = response.text.index('id="first-contact-heading"')
    section = response.text[start : response.text.index("</section>", start)]
    link = f'<a href="/p/{sunrise.slug}/applications/{application.pk}/">Oldest Jones</a>'
    assert f"{link}, Care assistant" in section
    local = timezone.localtime(applied)
    assert f"— applied {local.day} {local:%b %Y %H:%M} (2\xa0days, 3\xa0hours ago)" in section
