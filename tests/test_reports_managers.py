"""Hiring managers see the reports and exports of the roles they manage; admins see all."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.test_reports import body, csv_rows, report_url, table
from vbr.accounts.models import Membership, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment.models import Role
from vbr.reports.documents import filters_from_job
from vbr.reports.models import ExportJob


def membership(user: User, provider: Provider) -> Membership:
    return user.memberships.get(provider=provider)


@pytest.fixture
def two_roles(sunrise: Provider, bob: User) -> dict[str, Role]:
    """Bob manages "Care assistant" (two applicants); "Cook" (three) is somebody else's."""
    care = f.make_role(provider=sunrise, title="Care assistant")
    cook = f.make_role(provider=sunrise, title="Cook")
    for role, surnames in ((care, ["Ahmed", "Brown"]), (cook, ["Cole", "Diaz", "Evans"])):
        stage = f.make_stage(role=role, name="Values interview")
        for surname in surnames:
            candidate = f.make_candidate(provider=sunrise, last_name=surname)
            application = f.make_application(role=role, stage=stage, candidate=candidate)
            f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())
    care.managers.add(membership(bob, sunrise))
    return {"care": care, "cook": cook}


def surnames(rows: list[list[str]]) -> set[str]:
    column = rows[0].index("Last name")
    return {row[column] for row in rows[1:]}


def applications_csv(client: Client, provider: Provider, query: str = "") -> list[list[str]]:
    url = reverse("application-export", args=[provider.slug, "csv"])
    return csv_rows(client.get(url + query))


def test_a_manager_sees_only_the_applications_of_the_roles_they_manage(
    as_alice: Client, as_bob: Client, sunrise: Provider, two_roles: dict[str, Role]
) -> None:
    assert surnames(applications_csv(as_bob, sunrise)) == {"Ahmed", "Brown"}
    assert surnames(applications_csv(as_alice, sunrise)) == {
        "Ahmed",
        "Brown",
        "Cole",
        "Diaz",
        "Evans",
    }
    funnel = table(as_bob.get(report_url(sunrise, "funnel")), "Applications per stage")
    assert [row[:3] for row in funnel] == [["Care assistant", "Values interview", 2]]
    page = as_bob.get(reverse("report-index", args=[sunrise.slug]))
    assert "These figures cover the roles you manage: Care assistant." in page.text
    assert "Cook" not in page.text  # not even as a choice in the role filter


def test_the_filter_menus_offer_the_roles_and_stages_each_reader_may_see(
    as_alice: Client, as_bob: Client, sunrise: Provider, two_roles: dict[str, Role]
) -> None:
    care, cook = two_roles["care"], two_roles["cook"]
    interview = {role: role.stages.get() for role in (care, cook)}

    def menus(client: Client) -> str:
        return client.get(reverse("report-index", args=[sunrise.slug])).text

    everything = menus(as_alice)
    assert f'<option value="{care.pk}">Care assistant</option>' in everything
    assert f'<option value="{cook.pk}">Cook</option>' in everything
    assert f'<option value="{interview[cook].pk}">Cook: Values interview</option>' in everything
    managed = menus(as_bob)
    assert f'<option value="{interview[care].pk}">Care assistant: Values interview</option>' in (
        managed
    )
    assert ">Cook</option>" not in managed and "Cook: Values interview" not in managed


def test_a_manager_cannot_filter_their_way_into_another_role(
    as_bob: Client, sunrise: Provider, two_roles: dict[str, Role]
) -> None:
    cook = two_roles["cook"]
    response = as_bob.get(report_url(sunrise, "funnel", role=cook.pk))
    assert "Select a valid choice" in response.text
    assert [row[0] for row in table(response, "Applications per stage")] == ["Care assistant"]
    assert surnames(applications_csv(as_bob, sunrise, f"?role={cook.pk}")) == {"Ahmed", "Brown"}


def test_a_manager_of_no_role_is_told_why_the_reports_are_empty(
    sunrise: Provider, two_roles: dict[str, Role]
) -> None:
    carol = signed_in(
        f.make_member(provider=sunrise, role=Membership.Role.MANAGER, username="carol")
    )
    page = carol.get(reverse("report-index", args=[sunrise.slug]))
    assert "You do not manage any roles yet" in page.text
    assert applications_csv(carol, sunrise)[1:] == []
    assert table(carol.get(report_url(sunrise, "funnel")), "Applications per stage") == []


def test_the_research_export_stays_with_admins(
    as_alice: Client, as_bob: Client, sunrise: Provider, two_roles: dict[str, Role]
) -> None:
    url = reverse("research-export", args=[sunrise.slug])
    assert as_bob.get(url).status_code == 403
    assert as_alice.get(url).status_code == 200
    page = as_bob.get(reverse("report-index", args=[sunrise.slug])).text
    assert "research export" not in page.lower()


def test_a_background_export_keeps_the_managers_scope_and_is_theirs_alone(
    as_alice: Client,
    as_bob: Client,
    sunrise: Provider,
    bob: User,
    two_roles: dict[str, Role],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from vbr.reports import views

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "XLSX_INLINE_LIMIT", 1)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # a worker, in-process
    with django_capture_on_commit_callbacks(execute=True):
        as_bob.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
    job = ExportJob.objects.get(provider=sunrise, requested_by=bob)
    assert job.status == ExportJob.Status.DONE, job.error
    assert filters_from_job(job).role_scope == (two_roles["care"].pk,)
    download = reverse("export-job-download", args=[sunrise.slug, job.pk])
    sheet = openpyxl.load_workbook(io.BytesIO(body(as_bob.get(download))), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    column = rows[0].index("Last name")
    assert {row[column] for row in rows[1:]} == {"Ahmed", "Brown"}
    # Another manager cannot open it; the admin can.
    carol = signed_in(
        f.make_member(provider=sunrise, role=Membership.Role.MANAGER, username="carol")
    )
    assert carol.get(download).status_code == 404
    assert as_alice.get(download).status_code == 200


def test_an_admins_background_export_covers_every_role(sunrise: Provider, alice: User) -> None:
    job = ExportJob.objects.create(
        provider=sunrise,
        requested_by=alice,
        kind=ExportJob.Kind.APPLICATIONS_XLSX,
        filters={"roles_in_scope": None, "role": ""},
    )
    assert filters_from_job(job).role_scope is None
    older = ExportJob.objects.create(
        provider=sunrise, requested_by=alice, kind=ExportJob.Kind.APPLICATIONS_XLSX, filters={}
    )
    assert filters_from_job(older).role_scope is None


def test_a_manager_who_creates_a_role_manages_it_and_admins_choose_managers(
    as_alice: Client, as_bob: Client, sunrise: Provider, hillside: Provider, bob: User
) -> None:
    form = as_bob.get(reverse("role-create", args=[sunrise.slug])).context["form"]
    assert list(form["managers"].initial) == [membership(bob, sunrise)]
    as_bob.post(
        reverse("role-create", args=[sunrise.slug]),
        {"title": "Driver", "is_open": "on", "managers": [membership(bob, sunrise).pk]},
    )
    driver = sunrise.roles.get(title="Driver")
    assert list(driver.managers.all()) == [membership(bob, sunrise)]

    carol = f.make_member(provider=sunrise, role=Membership.Role.MANAGER, username="carol")
    outsider = f.make_member(provider=hillside, role=Membership.Role.MANAGER, username="olu")
    edit = reverse("role-edit", args=[sunrise.slug, driver.pk])
    refused = as_alice.post(
        edit, {"title": "Driver", "managers": [membership(outsider, hillside).pk]}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.text
    as_alice.post(edit, {"title": "Driver", "managers": [membership(carol, sunrise).pk]})
    assert list(driver.managers.all()) == [membership(carol, sunrise)]
    # Only the provider's hiring managers are offered: not admins, panel members or outsiders.
    page = as_alice.get(edit)
    offered = page.context["form"].fields["managers"].queryset
    assert set(offered) == {membership(bob, sunrise), membership(carol, sunrise)}
    # Each is offered by name, as people know them.
    labels = [choice.choice_label for choice in page.context["form"]["managers"]]
    assert sorted(labels) == sorted([bob.display_name, carol.display_name])
