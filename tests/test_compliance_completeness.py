"""The completeness page's stored figures per role: after every kind of change they equal a
recount from the checks themselves, and the page shows them."""

from __future__ import annotations

import importlib
import io
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories as f
from tests.outages import free_port, private_redis, redis_cache
from vbr.accounts.models import Provider, User
from vbr.compliance import completeness, workflow
from vbr.compliance.models import Check, MissingCount, RoleCompleteness, SaferRecruitmentFile
from vbr.devtools.benchmark import safer_recruitment_files
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment.models import Application, Role, Service


def offered_file(role: Role, by: User, first_name: str) -> SaferRecruitmentFile:
    candidate = f.make_candidate(provider=role.provider, first_name=first_name, last_name="Test")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    return workflow.open_file(application=application, by=by)


def set_status(file: SaferRecruitmentFile, by: User, status: str, *, key: str = "") -> None:
    """Through the workflow, as the file page does: every check, or the one item `key`."""
    checks = file.checks.select_related("item", "file__provider")
    for check in checks.filter(item__key=key) if key else checks:
        workflow.record_check(check=check, by=by, status=status)


def stored(provider: Provider) -> list[completeness.Group]:
    roles = list(Role.objects.filter(provider=provider).select_related("service"))
    return completeness.stored_groups(provider.pk, roles, completeness.Filters())


def assert_stored_equals_a_recount(provider: Provider) -> list[completeness.Group]:
    figures = stored(provider)
    assert figures == completeness.count_groups(provider.safer_recruitment_files.all())
    return figures


def figures_of(groups: list[completeness.Group]) -> dict[str, tuple[int, int, int]]:
    return {group.role: (group.files, group.complete, group.conditional) for group in groups}


def test_opening_files_and_changing_checks_keep_the_figures_equal_to_a_recount(
    sunrise: Provider, alice: User
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    amira = offered_file(carers, alice, "Amira")
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 0, 0)}
    ben = offered_file(carers, alice, "Ben")
    offered_file(cooks, alice, "Cai")
    groups = assert_stored_equals_a_recount(sunrise)
    assert figures_of(groups) == {"Care assistant": (2, 0, 0), "Cook": (1, 0, 0)}
    assert ("Right to work in the UK", 2) in groups[0].missing
    set_status(amira, alice, Check.Status.NOT_APPLICABLE)
    groups = assert_stored_equals_a_recount(sunrise)
    assert figures_of(groups)["Care assistant"] == (2, 1, 0)
    assert ("Right to work in the UK", 1) in groups[0].missing
    set_status(amira, alice, Check.Status.CONCERN, key="health")
    set_status(ben, alice, Check.Status.REQUESTED, key="identity")
    groups = assert_stored_equals_a_recount(sunrise)
    assert figures_of(groups)["Care assistant"] == (2, 0, 0)
    assert ("Health information relevant to the role", 2) in groups[0].missing


def test_a_conditional_start_is_counted_until_the_file_is_complete(
    sunrise: Provider, alice: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    file = offered_file(role, alice, "Amira")
    workflow.record_conditional_start(
        file=file,
        by=alice,
        reason="Short-staffed on nights",
        supervisor="Sam Senior",
        risk_assessment="Shadowed on every shift.",
        barred_list_reference="AF-123",
    )
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 0, 1)}
    set_status(file, alice, Check.Status.NOT_APPLICABLE)
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 1, 0)}


def test_a_new_checklist_version_is_counted_for_the_files_opened_with_it(
    sunrise: Provider, alice: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    offered_file(role, alice, "Amira")
    workflow.add_checklist_item(
        provider=sunrise, name="Driving licence", regulation="", before_shadowing=False
    )
    assert_stored_equals_a_recount(sunrise)
    offered_file(role, alice, "Ben")
    (group,) = assert_stored_equals_a_recount(sunrise)
    assert ("Driving licence", 1) in group.missing
    # Items of both versions with one name count together.
    assert ("Right to work in the UK", 2) in group.missing


def test_erasure_and_anonymisation_keep_the_figures_equal_to_a_recount(
    sunrise: Provider, alice: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    amira = offered_file(role, alice, "Amira")
    ben = offered_file(role, alice, "Ben")
    set_status(ben, alice, Check.Status.NOT_APPLICABLE)
    anonymise_candidate(candidate=amira.application.candidate, by=None)
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (2, 1, 0)}
    erase_candidate(candidate=ben.application.candidate, by=None)
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 0, 0)}
    erase_candidate(candidate=amira.application.candidate, by=None)
    assert assert_stored_equals_a_recount(sunrise) == []


def test_removing_a_role_takes_its_figures_with_it(sunrise: Provider, alice: User) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    offered_file(carers, alice, "Amira")
    offered_file(cooks, alice, "Ben")
    cooks.delete()
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 0, 0)}
    assert list(RoleCompleteness.objects.values_list("role", flat=True)) == [carers.pk]


def test_the_demo_seed_leaves_figures_equal_to_a_recount(db: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    sunrise = Provider.objects.get(slug="sunrise")
    assert sum(group.files for group in assert_stored_equals_a_recount(sunrise)) == 2


def test_the_migration_counts_the_figures_of_files_written_before_it(
    sunrise: Provider, alice: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    amira = offered_file(role, alice, "Amira")
    offered_file(role, alice, "Ben")
    amira.checks.update(status=Check.Status.VERIFIED)
    MissingCount.objects.all().delete()
    RoleCompleteness.objects.all().delete()
    assert stored(sunrise) == []
    migration = importlib.import_module("vbr.compliance.migrations.0006_role_completeness")
    migration.count_every_role(apps, None)
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (2, 1, 0)}


def test_the_page_shows_the_stored_figures_of_what_was_chosen(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    house = Service.objects.create(provider=sunrise, name="Sunrise House")
    carers = f.make_role(provider=sunrise, title="Care assistant")
    Role.objects.filter(pk=carers.pk).update(service=house)
    cooks = f.make_role(provider=sunrise, title="Cook")
    set_status(offered_file(carers, alice, "Amira"), alice, Check.Status.NOT_APPLICABLE)
    ben = offered_file(carers, alice, "Ben")
    SaferRecruitmentFile.objects.filter(pk=ben.pk).update(start_date=date(2027, 3, 1))
    offered_file(cooks, alice, "Cai")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    text = " ".join(as_alice.get(url).content.decode().split())
    assert "1 of 3 files complete" in text
    # Each person's start date, or that it is not confirmed yet.
    assert 'Ben Test</a></th> <td data-label="Start">1 Mar 2027</td>' in text
    assert 'Cai Test</a></th> <td data-label="Start">Not confirmed</td>' in text
    assert 'Care assistant</a></th> <td data-label="Files">2</td>' in text
    assert "Right to work in the UK (1)" in text
    chosen = " ".join(as_alice.get(url, {"service": "none"}).content.decode().split())
    assert "0 of 1 file complete in what you chose below" in chosen
    assert 'Cook</a></th> <td data-label="Files">1</td>' in chosen
    assert "Care assistant</a></th>" not in chosen


def test_a_page_of_files_is_the_same_slice_of_every_file_in_order(
    sunrise: Provider, alice: User
) -> None:
    house = Service.objects.create(provider=sunrise, name="Sunrise House")
    nights = f.make_role(provider=sunrise, title="Night care assistant")
    carers = f.make_role(provider=sunrise, title="care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    Role.objects.filter(pk__in=[nights.pk, carers.pk]).update(service=house)
    for role, people in ((nights, 3), (carers, 4), (cooks, 2)):
        for n in range(people):
            offered_file(role, alice, f"{role.title[:3]} {n}")
    files = sunrise.safer_recruitment_files.all()
    roles = list(
        Role.objects.filter(provider=sunrise)
        .select_related("service")
        .order_by(*completeness.ROLE_ORDER)
    )
    counts = {group.role_id: group.files for group in stored(sunrise)}
    paged = completeness.PagedFiles(roles, counts)
    every = list(completeness.ordered(files))
    assert len(paged) == len(every) == 9
    for start, stop in ((0, 2), (2, 5), (3, 7), (6, 9), (0, 9), (7, 50), (9, 12)):
        assert paged[start:stop] == every[start:stop], (start, stop)
    # Only the roles counted (those chosen) are read.
    chosen = completeness.PagedFiles(roles, {cooks.pk: counts[cooks.pk]})
    assert chosen[0:50] == list(completeness.ordered(files.filter(application__role=cooks)))


def test_the_files_list_is_counted_from_the_stored_figures_of_the_roles_one_may_see(
    sunrise: Provider, alice: User, bob: User, as_alice: Client, as_bob: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    carers.managers.add(bob.memberships.get())
    cooks = f.make_role(provider=sunrise, title="Cook")
    for n in range(49):
        offered_file(cooks, alice, f"Cook {n}")
    offered_file(carers, alice, "Amira")
    offered_file(carers, alice, "Ben")
    for person in (alice, bob):
        membership = person.memberships.get()
        assert completeness.stored_file_count(membership) == (
            sunrise.safer_recruitment_files.visible_to(membership).count()
        )
    url = reverse("compliance-file-list", args=[sunrise.slug])
    assert "Page 1 of 2" in as_alice.get(url).content.decode()
    mine = as_bob.get(url).content.decode()
    assert "Page 1 of" not in mine and "Amira" in mine and "Cook 1" not in mine
    erase_candidate(
        candidate=Application.objects.get(candidate__first_name="Ben").candidate, by=None
    )
    assert completeness.stored_file_count(alice.memberships.get()) == 50
    assert "Page 1 of" not in as_alice.get(url).content.decode()


def test_the_drawn_summary_is_never_shown_stale(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    amira = offered_file(carers, alice, "Amira")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    text = " ".join(as_alice.get(url).content.decode().split())
    assert (
        'Care assistant</a></th> <td data-label="Files">1</td> <td data-label="Complete">0' in text
    )
    assert "Right to work in the UK (1)" in text
    set_status(amira, alice, Check.Status.NOT_APPLICABLE, key="right_to_work")
    text = " ".join(as_alice.get(url).content.decode().split())
    assert "Right to work in the UK (1)" not in text
    set_status(amira, alice, Check.Status.NOT_APPLICABLE)
    text = " ".join(as_alice.get(url).content.decode().split())
    assert 'data-label="Complete">1</td>' in text
    Role.objects.filter(pk=carers.pk).update(title="Senior carer")
    text = " ".join(as_alice.get(url).content.decode().split())
    assert "Senior carer</a></th>" in text and ">Senior carer</option>" in text
    assert "Care assistant" not in text


def test_each_person_on_the_page_links_to_their_own_file(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    # An address with the same digits as the file id's stand-in, in case it were replaced.
    Provider.objects.filter(pk=sunrise.pk).update(slug="care-987654321")
    sunrise.refresh_from_db()
    role = f.make_role(provider=sunrise, title="Care assistant")
    files = [offered_file(role, alice, name) for name in ("Amira", "Ben", "Cai")]
    page = as_alice.get(reverse("compliance-completeness", args=[sunrise.slug])).content.decode()
    for file in files:
        url = reverse("compliance-file-detail", args=[sunrise.slug, file.pk])
        assert f'<a href="{url}">{file.application.candidate.first_name} Test</a>' in page


def test_the_benchmarks_files_leave_figures_equal_to_a_recount(
    sunrise: Provider, alice: User
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    candidate = f.make_candidate(provider=sunrise)
    f.make_application(role=role, candidate=candidate, status=Application.Status.HIRED)
    safer_recruitment_files(sunrise, opened_by=alice)
    assert figures_of(assert_stored_equals_a_recount(sunrise)) == {"Care assistant": (1, 0, 0)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics")
def test_the_benchmarks_files_are_analysed_as_autovacuum_would(
    sunrise: Provider, alice: User
) -> None:
    """The benchmark times the files pages on files it has just written in bulk: with no
    statistics, the planner would guess how many there are."""
    role = f.make_role(provider=sunrise, title="Care assistant")
    for _ in range(3):
        f.make_application(role=role, status=Application.Status.HIRED)
    safer_recruitment_files(sunrise, opened_by=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
            [["compliance_saferrecruitmentfile", "compliance_check"]],
        )
        counted = dict(cursor.fetchall())
    # Never analysed is -1; analysed, the rows as they are (inside this test's transaction).
    assert SaferRecruitmentFile.objects.count() == 3
    assert counted == {
        "compliance_saferrecruitmentfile": 3,
        "compliance_check": Check.objects.count(),
    }


def test_with_the_cache_stopped_the_page_still_answers_with_its_figures(
    sunrise: Provider, alice: User, as_alice: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """The drawn form and summary are cached; a stopped Redis only costs the time it saved."""
    role = f.make_role(provider=sunrise, title="Night care assistant")
    offered_file(role, alice, "Priya")
    port = free_port()
    with private_redis(port) as redis_process, override_settings(CACHES=redis_cache(port)):
        url = reverse("compliance-completeness", args=[sunrise.slug])
        assert "Night care assistant" in as_alice.get(url).text  # drawn and cached
        redis_process.terminate()
        redis_process.wait(timeout=10)
        page = as_alice.get(url)
    assert page.status_code == 200
    assert '<a href="?role=' in page.text and "Night care assistant" in page.text
    assert "Fragment cache unreachable" in caplog.text
