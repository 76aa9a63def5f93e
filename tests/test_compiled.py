"""Queries written once and run again with new values (vbr/compiled.py), and the signed-in
person's membership read through one (`access.read_membership`): the same rows and objects
as the ORM gives for the same queryset."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Exists, F, OuterRef, QuerySet

from tests import factories as f
from vbr.accounts.access import memberships_of, read_membership
from vbr.accounts.models import Membership, Provider, User
from vbr.compiled import CompiledQuery
from vbr.recruitment.models import Application, Assessment

pytestmark = pytest.mark.django_db


def applications_of(provider_id: int, status: str) -> QuerySet[Any]:
    """Dates, JSON, a boolean subquery and a join: each needs its conversion."""
    return (
        Application.objects.filter(provider_id=provider_id, status=status)
        .annotate(assessed=Exists(Assessment.objects.filter(application=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "applied_at", "value_levels", "assessed", "candidate__last_name")
    )


@pytest.fixture
def two_providers() -> list[Provider]:
    providers = []
    for _ in range(2):
        role = f.make_role(provider=f.make_provider())
        stage = f.make_stage(role=role)
        first = f.make_application(role=role)
        Application.objects.filter(pk=first.pk).update(value_levels={"3": 2.5})
        f.make_assessment(application=first, stage=stage)
        f.make_application(role=role)
        f.make_application(role=role, status=Application.Status.WITHDRAWN)
        providers.append(role.provider)
    return providers


def test_rows_are_what_the_queryset_gives_for_each_set_of_values(
    two_providers: list[Provider],
) -> None:
    built = []

    def build(provider_id: int, status: str) -> QuerySet[Any]:
        built.append((provider_id, status))
        return applications_of(provider_id, status)

    query = CompiledQuery(build, provider_id=int, status=str)
    for provider in two_providers:
        for status in (Application.Status.ACTIVE, Application.Status.WITHDRAWN, "nothing"):
            expected = list(applications_of(provider.pk, status))
            assert query.rows(provider_id=provider.pk, status=status) == expected
    active = query.rows(provider_id=two_providers[0].pk, status=Application.Status.ACTIVE)
    assert [type(value).__name__ for value in active[0]] == [
        "int",
        "datetime",
        "dict",
        "bool",
        "str",
    ]
    assert active[0][2] == {"3": 2.5} and active[0][3] is True and active[1][3] is False
    as_dicts = CompiledQuery(
        lambda provider_id, status: applications_of(provider_id, status).values(
            "pk", "value_levels", "assessed", last_name=F("candidate__last_name")
        ),
        provider_id=int,
        status=str,
    )
    for provider in two_providers:
        expected_dicts = list(
            applications_of(provider.pk, "active").values(
                "pk", "value_levels", "assessed", last_name=F("candidate__last_name")
            )
        )
        assert as_dicts.dicts(provider_id=provider.pk, status="active") == expected_dicts
        assert len(expected_dicts) == 2 and expected_dicts[0]["assessed"] is True
    # Written once (twice with stand-ins, to see that its SQL is the same for any values);
    # every run after that only sends the values.
    assert len(built) == 2 and not {pk for pk, _ in built} & {p.pk for p in two_providers}


def test_a_value_the_orm_changes_on_its_way_into_the_sql_is_refused() -> None:
    query = CompiledQuery(
        lambda name: Provider.objects.filter(name__icontains=name).values_list("pk"), name=str
    )
    with pytest.raises(ValueError, match="name did not reach the SQL"):
        query.rows(name="Sunrise")


def test_a_query_that_depends_on_more_than_its_values_is_refused() -> None:
    from django.utils import timezone

    by_clock = CompiledQuery(
        lambda pk: Application.objects.filter(pk=pk, applied_at__lt=timezone.now()).values_list(
            "pk"
        ),
        pk=int,
    )
    with pytest.raises(ValueError, match="not the same for every value"):
        by_clock.rows(pk=1)
    by_shape = CompiledQuery(
        lambda pk: Application.objects.filter(pk=pk, **({"status": "active"} if pk % 2 else {})),
        pk=int,
    )
    with pytest.raises(ValueError, match="not the same for every value"):
        by_shape.objects(pk=1)


def test_what_is_asked_for_must_fit_what_is_compiled(sunrise: Provider) -> None:
    instances = CompiledQuery(lambda pk: Provider.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError, match="use objects"):
        instances.rows(pk=1)
    with pytest.raises(TypeError, match="use rows"):
        instances.dicts(pk=1)
    listed = CompiledQuery(lambda pk: Provider.objects.filter(pk=pk).values_list("pk"), pk=int)
    with pytest.raises(TypeError, match="use rows"):
        listed.objects(pk=1)
    with pytest.raises(TypeError, match="Expected values for pk"):
        listed.rows(slug="x")
    with pytest.raises(TypeError, match="Not of their kind: pk"):
        listed.rows(pk=None)
    with pytest.raises(TypeError, match="kind of when"):
        CompiledQuery(lambda when: Provider.objects.values_list("pk"), when=float)
    dicts = CompiledQuery(lambda pk: Provider.objects.filter(pk=pk).values("pk"), pk=int)
    with pytest.raises(TypeError, match="use objects"):
        dicts.rows(pk=1)
    flat = CompiledQuery(
        lambda pk: Provider.objects.filter(pk=pk).values_list("pk", flat=True), pk=int
    )
    with pytest.raises(TypeError, match="model instances, values"):
        flat.rows(pk=1)
    related = CompiledQuery(lambda pk: sunrise.roles.filter(pk=pk), pk=int)
    with pytest.raises(TypeError, match="related manager"):
        related.objects(pk=1)


def test_instances_are_what_iterating_the_queryset_gives(
    two_providers: list[Provider], django_assert_num_queries: Any
) -> None:
    def build(provider_id: int) -> QuerySet[Application]:
        return (
            Application.objects.filter(provider_id=provider_id)
            .select_related("candidate", "role", "current_stage")
            .prefetch_related("role__stages", "assessments")
            .annotate(assessed=Exists(Assessment.objects.filter(application=OuterRef("pk"))))
            .order_by("pk")
        )

    query: CompiledQuery[Application] = CompiledQuery(build, provider_id=int)
    for provider in two_providers:
        expected = list(build(provider.pk))
        got = query.objects(provider_id=provider.pk)
        assert [a.pk for a in got] == [a.pk for a in expected] and len(got) == 3
        for mine, theirs in zip(got, expected, strict=True):
            assert same_row(mine, theirs) and mine.assessed is theirs.assessed  # type: ignore[attr-defined]
            assert same_row(mine.candidate, theirs.candidate)
            assert mine.current_stage is None and theirs.current_stage is None
        with django_assert_num_queries(0):  # joined and prefetched, as by the ORM
            assert [a.role.title for a in got] == [a.role.title for a in expected]
            assert [len(a.role.stages.all()) for a in got] == [1, 1, 1]
            assert [len(a.assessments.all()) for a in got] == [1, 0, 0]
    assert query.first(provider_id=-1) is None
    first = query.first(provider_id=two_providers[1].pk)
    assert first is not None and first.value_levels == {"3": 2.5}


def same_row(one: Any, other: Any) -> bool:
    return type(one) is type(other) and all(
        getattr(one, field.attname) == getattr(other, field.attname)
        for field in one._meta.concrete_fields
    )


@pytest.mark.parametrize("owes", [False, True])
def test_the_membership_read_once_is_the_membership_the_orm_reads(
    sunrise: Provider, bob: User, owes: bool
) -> None:
    if owes:
        application = f.make_application(role=f.make_role(provider=sunrise))
        stage = f.make_stage(role=application.role)
        assessment = f.make_assessment(application=application, stage=stage)
        f.make_panellist(assessment=assessment, user=bob)
    orm = memberships_of(bob.pk, sunrise.slug).get()
    read = read_membership(str(bob.pk), sunrise.slug)  # as the session holds it
    assert read is not None
    assert same_row(read, orm) and read.pk is not None and not read._state.adding
    assert same_row(read.user, orm.user) and same_row(read.provider, orm.provider)
    assert read.owes_scorecard is orm.owes_scorecard is owes  # type: ignore[attr-defined]
    assert read.user.memberships.get() == read  # a saved object, usable as any other
    read.role = Membership.Role.ADMIN
    read.save(update_fields=["role"])
    assert Membership.objects.get(pk=read.pk).role == Membership.Role.ADMIN


def test_no_membership_is_none(bob: User, hillside: Provider) -> None:
    assert read_membership(bob.pk, hillside.slug) is None
    assert read_membership(bob.pk, "no-such-provider") is None
    assert read_membership("not a number", hillside.slug) is None


def test_an_assessments_criteria_in_order_are_its_criteria_in_order(sunrise: Provider) -> None:
    """Filtered on a small positive number (the criteria's version): a stand-in its column
    could not hold would have been left out of the SQL by Django."""
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    value = f.make_value(provider=sunrise)
    made = [f.make_criterion(stage=stage, core_value=value) for _ in range(3)]
    assessment = f.make_assessment(application=f.make_application(role=role), stage=stage)
    expected = list(assessment.criteria().order_by("order", "pk"))
    got = assessment.criteria_in_order()
    assert [c.pk for c in got] == [c.pk for c in expected] and len(got) == len(made)
    assert all(same_row(c.core_value, value) for c in got)


def test_what_a_stages_values_evidence_is_what_those_values_evidence(sunrise: Provider) -> None:
    """A value used by two criteria comes once; one that evidences two national values says
    both, in the value sets' order; a value of another version or stage is not read."""
    from vbr.recruitment import workflow
    from vbr.recruitment.models import NationalValue
    from vbr.recruitment.models.library import evidences_by_value, evidences_of_criteria

    workflow.load_value_sets()
    national = list(NationalValue.objects.order_by("value_set__order", "order", "pk"))
    role = f.make_role(provider=sunrise)
    stage, other_stage = f.make_stage(role=role), f.make_stage(role=role)
    kindness, humour, courage = (f.make_value(provider=sunrise) for _ in range(3))
    kindness.evidences.add(national[0], national[-1])
    humour.evidences.add(national[1])
    courage.evidences.add(national[2])
    for value in (kindness, kindness, humour):
        f.make_criterion(stage=stage, core_value=value)
    f.make_criterion(stage=other_stage, core_value=courage)
    got = evidences_of_criteria(stage.pk, 1)
    assert got == evidences_by_value([kindness.pk, humour.pk])
    assert got[kindness.pk] == f"{national[0].label}; {national[-1].label}"
    assert evidences_of_criteria(stage.pk, 2) == {}


def test_dates_and_times_go_in_as_the_database_takes_them(
    two_providers: list[Provider],
) -> None:
    """SQLite takes dates and times as text, PostgreSQL as they are: the same rows as the ORM
    for any moment and day."""
    from datetime import date, timedelta

    from django.utils import timezone

    from vbr.privacy.models import DbsCheck

    provider = two_providers[0]
    applications = list(Application.objects.filter(provider=provider).order_by("pk"))
    now = timezone.now()
    for days, application in enumerate(applications):
        Application.objects.filter(pk=application.pk).update(
            applied_at=now - timedelta(days=days, minutes=1)
        )
        DbsCheck.objects.create(
            provider=provider,
            application=application,
            certificate_number=f"00123456789{days}",
            issued_on=date(2026, 1, 1) + timedelta(days=days),
            level=DbsCheck.Level.ENHANCED,
        )

    def since(provider_id: int, moment: datetime, day: date) -> QuerySet[Any]:
        return (
            Application.objects.filter(
                provider_id=provider_id, applied_at__gte=moment, dbs_checks__issued_on__lte=day
            )
            .order_by("pk")
            .values_list("pk", flat=False)
        )

    query = CompiledQuery(since, provider_id=int, moment=datetime, day=date)
    # Each moment on either side of when one of them applied, written in another time zone.
    sydney = ZoneInfo("Australia/Sydney")
    moments = [
        (now - timedelta(days=days, minutes=1) + timedelta(seconds=side)).astimezone(sydney)
        for days in range(3)
        for side in (-1, 1)
    ]
    for moment in moments:
        for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2), date(2027, 1, 1)):
            expected = list(since(provider.pk, moment, day))
            assert query.rows(provider_id=provider.pk, moment=moment, day=day) == expected
    assert (
        len(
            query.rows(
                provider_id=provider.pk, moment=now - timedelta(days=5), day=date(2027, 1, 1)
            )
        )
        == 3
    )
    with pytest.raises(TypeError, match="Not of their kind: moment, day"):
        query.rows(provider_id=provider.pk, moment=now.replace(tzinfo=None), day=now)


def test_related_objects_read_elsewhere_are_what_the_relation_gives(
    two_providers: list[Provider], django_assert_num_queries: Any
) -> None:
    from vbr.compiled import remember_related

    application = Application.objects.filter(provider=two_providers[0]).order_by("pk").first()
    assert application is not None
    assessments = list(Assessment.objects.filter(application=application))
    value = f.make_value(provider=two_providers[0])
    remember_related(application, "assessments", assessments)
    remember_related(value, "evidences", [])  # a many-to-many
    with django_assert_num_queries(0):
        assert list(application.assessments.all()) == assessments and len(assessments) == 1
        assert list(value.evidences.all()) == []
    with django_assert_num_queries(1):  # anything more is asked of the database, as usual
        assert application.assessments.filter(pk=-1).count() == 0


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_its_own_compiled_form_on_its_own_connection() -> None:
    """As under gunicorn's threads: each thread has its own connection, and the query is
    compiled for it (its conversions belong to that connection)."""
    import threading

    from django.db import connection, connections

    sunrise = f.make_provider(slug="sunrise-threads")
    bob = f.make_member(provider=sunrise, username="bob-threads")
    query = CompiledQuery(
        lambda pk: Provider.objects.filter(pk=pk).values_list("slug", "created_at"), pk=int
    )
    here = query.rows(pk=sunrise.pk)
    seen: dict[str, Any] = {}

    def elsewhere() -> None:
        try:
            seen["rows"] = query.rows(pk=sunrise.pk)
            seen["membership"] = read_membership(bob.pk, sunrise.slug)
            seen["connection"] = connections["default"]
            seen["compiled"] = query.compiled()
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen["rows"] == here == [("sunrise-threads", sunrise.created_at)]
    assert seen["membership"].user == bob and seen["membership"].provider == sunrise
    assert seen["connection"] is not connection
    assert seen["compiled"] is not query.compiled()
