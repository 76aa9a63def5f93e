"""Cached and stored report data: a report is served from the cache until something it shows
changes, and never to another provider or to a manager of other roles; the panel report's
stored tallies give the figures worked out from every score."""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from tests.test_reports import report_url, table
from vbr.accounts.models import Membership, Provider, User
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment import workflow
from vbr.recruitment.models import Application, Decision, Panellist, Score, Scorecard, Stage
from vbr.reports import analytics, caching
from vbr.reports.models import AgreementTally, ReportsVersion
from vbr.reports.queries import ReportFilter, build_report

# Reports are rebuilt by tasks after each change: here they run in this process, so a page
# shows current figures (tests/test_reports_fresh.py covers a separate worker).
pytestmark = pytest.mark.usefixtures("tasks_in_process")

TALLY_FIELDS = (
    "assessment_id",
    "kind",
    "core_value_id",
    "user_id",
    "n1",
    "n2",
    "n3",
    "n4",
    "count",
    "difference",
)


@pytest.fixture
def scored(sunrise: Provider, bob: User, dev: User) -> dict[str, Any]:
    """One care assistant application at the values interview: Bob submitted level 3 for
    Compassion; Dev, the expert by experience, has a draft at level 4."""
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    compassion = f.make_value(provider=sunrise, name="Compassion", order=1)
    kindness = f.make_criterion(stage=interview, core_value=compassion, prompt="Kindness")
    application = f.make_application(role=role, stage=interview)
    f.make_stage_entry(
        application=application, stage=interview, entered_at=timezone.now() - timedelta(days=3)
    )
    assessment = f.make_assessment(application=application, stage=interview)
    bob_place = f.make_panellist(assessment=assessment, user=bob)
    f.make_scorecard(panellist=bob_place, levels={kindness: 3}, submitted=True)
    dev_place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    f.make_scorecard(panellist=dev_place, levels={kindness: 4})
    return {
        "role": role,
        "interview": interview,
        "kindness": kindness,
        "application": application,
        "bob_place": bob_place,
        "dev_place": dev_place,
    }


def seen(client: Client, url: str) -> tuple[Any, int]:
    """The response and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def compassion(client: Client, provider: Provider) -> list[Any]:
    rows = table(client.get(report_url(provider, "values")), "Levels per value")
    return next(row[1:6] for row in rows if row[0] == "Compassion")


def funnel_row(client: Client, provider: Provider, stage: str = "Values interview") -> list[Any]:
    rows = table(client.get(report_url(provider, "funnel")), "Applications per stage")
    return next(row for row in rows if row[1] == stage)


def statuses(client: Client, provider: Provider) -> dict[str, int]:
    rows = table(client.get(report_url(provider, "funnel")), "Outcomes and withdrawals")
    return {row[0]: row[1] for row in rows}


def test_a_report_seen_again_comes_from_the_cache_with_the_same_figures(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    first, built = seen(as_alice, report_url(sunrise, "panel"))
    again, cached = seen(as_alice, report_url(sunrise, "panel"))
    # Built: the panel report's four queries and the version; cached: the version only.
    assert cached == built - 4
    assert table(again, "Leniency") == table(first, "Leniency")


def test_submitting_a_scorecard_changes_the_reports_at_once(
    as_alice: Client, sunrise: Provider, dev: User, scored: dict[str, Any]
) -> None:
    # Levels 1–4 and not observed: Bob's 3 only (Dev's 4 is a draft).
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    assert table(as_alice.get(report_url(sunrise, "panel")), "Leniency") == []
    workflow.submit_scorecard(
        panellist=scored["dev_place"],
        answers={scored["kindness"].pk: workflow.Answer(level=4)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
    )
    assert compassion(as_alice, sunrise) == [0, 0, 1, 1, 0]
    # Kindness median 3.5: Dev +0.5, Bob −0.5.
    leniency = {
        row[0]: row[1:] for row in table(as_alice.get(report_url(sunrise, "panel")), "Leniency")
    }
    assert leniency == {"Dev Raman": [0.5, 1], "Bob Okafor": [-0.5, 1]}


def test_submitting_through_the_scorecard_page_changes_the_values_report_at_once(
    as_alice: Client, as_dev: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    kindness = scored["kindness"]
    url = reverse("scorecard-edit", args=[sunrise.slug, scored["dev_place"].assessment_id])
    response = as_dev.post(
        url, {f"level_{kindness.pk}": "2", "recommendation": "yes", "submit": "1"}
    )
    assert response.status_code == 302
    assert compassion(as_alice, sunrise) == [0, 1, 1, 0, 0]


def test_an_amendment_changes_the_values_report_at_once(
    as_alice: Client, sunrise: Provider, bob: User, scored: dict[str, Any]
) -> None:
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    workflow.amend_scorecard(
        scorecard=scored["bob_place"].scorecard,
        answers={scored["kindness"].pk: workflow.Answer(level=1)},
        recommendation=Scorecard.Recommendation.NO,
        summary="",
        reason="Typed the wrong level",
        amended_by=bob,
    )
    assert compassion(as_alice, sunrise) == [1, 0, 0, 0, 0]


def test_a_decision_and_a_stage_move_change_the_funnel_at_once(
    as_alice: Client, sunrise: Provider, bob: User, scored: dict[str, Any]
) -> None:
    application = scored["application"]
    assert funnel_row(as_alice, sunrise)[2:6] == [1, 0, 1, 0.0]
    workflow.record_decision(
        application=application, kind=Decision.Kind.PROGRESS, reasons="Kind", decided_by=bob
    )
    assert funnel_row(as_alice, sunrise)[2:6] == [1, 1, 1, 100.0]
    assert funnel_row(as_alice, sunrise, "Shadowing")[2] == 1
    application.refresh_from_db()
    workflow.record_decision(
        application=application, kind=Decision.Kind.HIRE, reasons="Kind", decided_by=bob
    )
    assert statuses(as_alice, sunrise)["Hired"] == 1


def test_a_withdrawal_changes_the_funnel_at_once(
    as_alice: Client, as_bob: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    assert statuses(as_alice, sunrise)["Withdrawn"] == 0
    url = reverse("application-withdraw", args=[sunrise.slug, scored["application"].pk])
    assert as_bob.post(url, {"reason": "Found a job nearer home"}).status_code == 302
    assert statuses(as_alice, sunrise)["Withdrawn"] == 1
    reasons = table(as_alice.get(report_url(sunrise, "funnel")), "Withdrawal reasons")
    assert reasons == [["Found a job nearer home", 1]]


def test_an_outcome_changes_the_retention_report_at_once(
    as_alice: Client, as_bob: Client, sunrise: Provider, bob: User, scored: dict[str, Any]
) -> None:
    application = scored["application"]
    workflow.record_decision(
        application=application, kind=Decision.Kind.HIRE, reasons="Kind", decided_by=bob
    )
    rows = table(as_alice.get(report_url(sunrise, "retention")), "Retention by values score")
    before = {row[0]: row for row in rows}
    start = timezone.localdate() - timedelta(days=400)
    url = reverse("outcome-edit", args=[sunrise.slug, application.pk])
    response = as_bob.post(url, {"start_date": start.isoformat(), "probation": "passed"})
    assert response.status_code == 302
    rows = table(as_alice.get(report_url(sunrise, "retention")), "Retention by values score")
    after = {row[0]: row for row in rows}
    assert before != after
    # The one hire (mean level 3) passed probation and has stayed 12 months of 12.
    band = next(row for row in after.values() if row[1] == 1)
    headers = as_alice.get(report_url(sunrise, "retention")).context["report"].sections[0]
    columns = headers.table.headers
    assert band[columns.index("Passed")] == 1
    assert band[columns.index("Stayed 12 months")] == 1


def test_anonymising_and_erasing_a_candidate_change_the_funnel_at_once(
    as_alice: Client, alice: User, sunrise: Provider, scored: dict[str, Any]
) -> None:
    application = scored["application"]
    application.withdraw(reason="Moving away")
    caching.reports_changed(provider_id=sunrise.pk)
    assert table(as_alice.get(report_url(sunrise, "funnel")), "Withdrawal reasons") == [
        ["Moving away", 1]
    ]
    anonymise_candidate(candidate=application.candidate, by=alice, reason="request")
    assert table(as_alice.get(report_url(sunrise, "funnel")), "Withdrawal reasons") == [
        ["No reason given", 1]
    ]
    assert funnel_row(as_alice, sunrise)[2] == 1
    erase_candidate(candidate=application.candidate, by=alice)
    assert funnel_row(as_alice, sunrise)[2] == 0


def test_renaming_a_role_changes_the_report_labels_at_once(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    assert funnel_row(as_alice, sunrise)[0] == "Care assistant"
    url = reverse("role-edit", args=[sunrise.slug, scored["role"].pk])
    form = as_alice.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["title"] = "Night care assistant"
    data["managers"] = [m.pk for m in form.initial.get("managers", [])]
    assert as_alice.post(url, data).status_code == 302
    assert funnel_row(as_alice, sunrise)[0] == "Night care assistant"


def test_a_change_rolled_back_leaves_the_version_as_it_was(
    sunrise: Provider, scored: dict[str, Any]
) -> None:
    token = ReportsVersion.objects.get(provider=sunrise).token
    with pytest.raises(RuntimeError), transaction.atomic():
        caching.reports_changed(provider_id=sunrise.pk)
        raise RuntimeError
    assert ReportsVersion.objects.get(provider=sunrise).token == token
    caching.reports_changed(provider_id=sunrise.pk)
    assert ReportsVersion.objects.get(provider=sunrise).token != token


def test_two_managers_with_different_role_scopes_never_share_a_cache_entry(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    care = f.make_role(provider=sunrise, title="Care assistant")
    cook = f.make_role(provider=sunrise, title="Cook")
    for role, count in ((care, 2), (cook, 3)):
        stage = f.make_stage(role=role, name="Values interview")
        for _ in range(count):
            application = f.make_application(role=role, stage=stage)
            f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())
    erin = f.make_member(provider=sunrise, role=Membership.Role.MANAGER, full_name="Erin Shaw")
    care.managers.add(bob.memberships.get(provider=sunrise))
    cook.managers.add(erin.memberships.get(provider=sunrise))
    as_erin = signed_in(erin)
    url = report_url(sunrise, "funnel")

    def rows(client: Client) -> list[list[Any]]:
        return [row[:3] for row in table(client.get(url), "Applications per stage")]

    assert rows(as_bob) == [["Care assistant", "Values interview", 2]]
    assert rows(as_erin) == [["Cook", "Values interview", 3]]
    # Each one's own figures are cached, and stay their own.
    _response, cached = seen(as_bob, url)
    assert rows(as_bob) == [["Care assistant", "Values interview", 2]]
    assert rows(as_erin) == [["Cook", "Values interview", 3]]
    assert seen(as_bob, url)[1] == cached


def test_another_provider_never_gets_a_cached_report(
    as_alice: Client, as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    for provider, count in ((sunrise, 2), (hillside, 1)):
        role = f.make_role(provider=provider, title="Care assistant")
        stage = f.make_stage(role=role, name="Values interview")
        for _ in range(count):
            application = f.make_application(role=role, stage=stage)
            f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())
    assert funnel_row(as_alice, sunrise)[2] == 2
    assert funnel_row(as_charlie, hillside)[2] == 1
    assert funnel_row(as_alice, sunrise)[2] == 2


def test_a_report_is_built_as_before_when_the_cache_is_down(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    def down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("cache down")

    with mock.patch.object(caching.cache, "get", down):
        assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]


def test_a_provider_without_a_version_gets_its_reports_built_every_time(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    ReportsVersion.objects.filter(provider=sunrise).delete()
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    Application.objects.filter(pk=scored["application"].pk).delete()
    assert table(as_alice.get(report_url(sunrise, "values")), "Levels per value") == []


def from_scores() -> tuple[dict[str, Any], dict[str, tuple[float, int]]]:
    """Alpha per value and leniency per panellist worked out from every submitted level, as
    the report did before it read stored tallies."""
    units: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    value_of: dict[tuple[int, int], str] = {}
    names: dict[int, str] = {}
    for assessment_id, criterion_id, value, user_id, name, username, level in Score.objects.filter(
        scorecard__submitted_at__isnull=False, level__isnull=False
    ).values_list(
        "scorecard__assessment_id",
        "criterion_id",
        "criterion__core_value__name",
        "scorecard__panellist__user_id",
        "scorecard__panellist__user__full_name",
        "scorecard__panellist__user__username",
        "level",
    ):
        units[(assessment_id, criterion_id)][user_id] = level
        value_of[(assessment_id, criterion_id)] = value
        names[user_id] = name or username
    alphas = {}
    for value in set(value_of.values()):
        result = analytics.ordinal_alpha(
            list(unit.values()) for key, unit in units.items() if value_of[key] == value
        )
        alphas[value] = (None if result.alpha is None else round(result.alpha, 3), result.units)
    lenient = {
        names[int(item.panellist)]: (round(item.mean_difference, 2), item.scores)  # type: ignore[call-overload]
        for item in analytics.leniency(units.values())
    }
    return alphas, lenient


def from_report(provider: Provider) -> tuple[dict[str, Any], dict[str, tuple[float, int]]]:
    built = build_report("panel", provider, ReportFilter())
    rows = {section.heading: section.table.rows for section in built.sections}
    alphas = {row[1]: (row[2], row[3]) for row in rows["Agreement"] if row[0] == "Value"}
    lenient = {row[0]: (row[1], row[2]) for row in rows["Leniency"]}
    return alphas, lenient


@pytest.mark.django_db
def test_the_stored_tallies_give_the_figures_worked_out_from_every_score() -> None:
    call_command("generate_dataset", size="tiny", applications=80, seed=3, stdout=StringIO())
    provider = Provider.objects.get()
    alphas, lenient = from_report(provider)
    assert alphas and lenient
    assert (alphas, lenient) == from_scores()


@pytest.mark.django_db
def test_the_migration_stores_the_tallies_that_submitting_would() -> None:
    call_command("generate_dataset", size="tiny", applications=40, seed=5, stdout=StringIO())
    provider = Provider.objects.get()
    stored = sorted(AgreementTally.objects.values_list(*TALLY_FIELDS))
    before = from_report(provider)
    AgreementTally.objects.all().delete()
    migration = importlib.import_module("vbr.reports.migrations.0003_agreement_tallies")
    migration.fill_agreement_tallies(django_apps, None)
    assert sorted(AgreementTally.objects.values_list(*TALLY_FIELDS)) == stored
    assert from_report(provider) == before


def test_an_amendment_changes_the_panel_report_at_once(
    as_alice: Client, sunrise: Provider, bob: User, dev: User, scored: dict[str, Any]
) -> None:
    workflow.submit_scorecard(
        panellist=scored["dev_place"],
        answers={scored["kindness"].pk: workflow.Answer(level=4)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
    )
    assert {
        row[0]: row[1] for row in table(as_alice.get(report_url(sunrise, "panel")), "Leniency")
    } == {
        "Dev Raman": 0.5,
        "Bob Okafor": -0.5,
    }
    workflow.amend_scorecard(
        scorecard=Scorecard.objects.get(panellist=scored["dev_place"]),
        answers={scored["kindness"].pk: workflow.Answer(level=3)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
        reason="Meant 3",
        amended_by=dev,
    )
    assert {
        row[0]: row[1] for row in table(as_alice.get(report_url(sunrise, "panel")), "Leniency")
    } == {
        "Dev Raman": 0.0,
        "Bob Okafor": 0.0,
    }


def test_decisions_against_the_experts_view_are_counted_from_their_recommendations(
    as_alice: Client, sunrise: Provider, bob: User, dev: User, scored: dict[str, Any]
) -> None:
    """Two applications decided: one hired although Dev (the expert) said no, one declined
    as Dev said no; a third with a mixed expert view does not count."""
    role, interview, kindness = scored["role"], scored["interview"], scored["kindness"]
    carol = f.make_member(provider=sunrise, full_name="Carol Singh", expert=True)
    recommendations = [
        [Scorecard.Recommendation.NO],
        [Scorecard.Recommendation.STRONG_NO],
        [Scorecard.Recommendation.YES, Scorecard.Recommendation.NO],
    ]
    kinds = [Decision.Kind.HIRE, Decision.Kind.DECLINE, Decision.Kind.HIRE]
    for said, kind in zip(recommendations, kinds, strict=True):
        application = f.make_application(role=role, stage=interview)
        assessment = f.make_assessment(application=application, stage=interview)
        for user, recommendation in zip([dev, carol], said, strict=False):
            place = f.make_panellist(
                assessment=assessment,
                user=user,
                panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
            )
            card = f.make_scorecard(panellist=place, levels={kindness: 2}, submitted=True)
            Scorecard.objects.filter(pk=card.pk).update(recommendation=recommendation)
        f.make_decision(application=application, kind=kind)
    rows = table(as_alice.get(report_url(sunrise, "panel")), "Decisions against the experts' view")
    # Against: the first hire. Followed: the decline. The mixed view is left out.
    assert rows == [[1, 2, 50.0]]


@pytest.mark.parametrize("slug", ["funnel", "values", "panel", "retention", "fairness"])
def test_a_report_page_runs_at_most_12_queries_built_and_4_cached(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any], slug: str
) -> None:
    caching.reports_changed(provider_id=sunrise.pk)
    _response, built = seen(as_alice, report_url(sunrise, slug))
    # The signed-in person with their membership, the filter's roles and stages, the reports
    # version (the session is read from the cache)
    _response, cached = seen(as_alice, report_url(sunrise, slug))
    assert built <= 12
    assert cached == 4


@pytest.mark.django_db
def test_the_values_report_from_stored_tallies_counts_every_submitted_answer() -> None:
    call_command("generate_dataset", size="tiny", applications=80, seed=11, stdout=StringIO())
    provider = Provider.objects.get()
    by_value: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    by_stage: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for value, role, stage, level, not_observed in Score.objects.filter(
        scorecard__submitted_at__isnull=False
    ).values_list(
        "criterion__core_value__name",
        "scorecard__assessment__stage__role__title",
        "scorecard__assessment__stage__name",
        "level",
        "not_observed",
    ):
        if level is None and not not_observed:
            continue  # unanswered
        index = 4 if level is None else level - 1
        by_value[value][index] += 1
        by_stage[f"{role}: {stage}"][index] += 1
    assert any(counts[4] for counts in by_value.values())  # some "not observed"
    built = build_report("values", provider, ReportFilter())
    rows = {section.heading: section.table.rows for section in built.sections}
    assert {row[0]: row[1:6] for row in rows["Levels per value"]} == dict(by_value)
    assert {row[0]: row[1:6] for row in rows["Levels per stage"]} == dict(by_stage)


def test_the_page_drawn_from_the_cache_changes_with_its_figures(
    as_alice: Client, sunrise: Provider, scored: dict[str, Any]
) -> None:
    def compassion_row() -> str:
        text = as_alice.get(report_url(sunrise, "values")).text
        start = text.index('<th scope="row">Compassion</th>')
        return text[start : text.index("</tr>", start)]

    cells = "<td>0</td><td>0</td><td>1</td><td>{}</td><td>0</td>"
    assert (
        compassion_row()
        == '<th scope="row">Compassion</th>' + cells.format(0) + "<td>1</td><td>0.0</td>"
    )
    assert (
        compassion_row()
        == '<th scope="row">Compassion</th>' + cells.format(0) + "<td>1</td><td>0.0</td>"
    )
    workflow.submit_scorecard(
        panellist=scored["dev_place"],
        answers={scored["kindness"].pk: workflow.Answer(level=4)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
    )
    assert (
        compassion_row()
        == '<th scope="row">Compassion</th>' + cells.format(1) + "<td>2</td><td>0.0</td>"
    )
