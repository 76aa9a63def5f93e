"""The synthetic dataset and the benchmark harness (figures themselves are in BENCHMARKS.md;
no timing is asserted here)."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F

from vbr.accounts.models import Membership, Provider
from vbr.recruitment.models import (
    Application,
    Assessment,
    Outcome,
    Panellist,
    Role,
    Score,
    Scorecard,
    StageEntry,
)


def generate(applications: int = 60, seed: int = 7, **options: object) -> str:
    out = StringIO()
    call_command(
        "generate_dataset", size="tiny", applications=applications, seed=seed, stdout=out, **options
    )
    return out.getvalue()


def fingerprint() -> list[tuple[object, ...]]:
    """What the dataset says, without ids: who applied, where they got to, what they scored."""
    applications = [
        (
            a.candidate.first_name,
            a.candidate.last_name,
            a.role.title,
            a.current_stage.name,
            a.status,
        )
        for a in Application.objects.select_related("candidate", "role", "current_stage").order_by(
            "applied_at", "candidate__last_name", "candidate__first_name", "role__title"
        )
    ]
    levels = list(
        Score.objects.order_by(
            "scorecard__assessment__application__applied_at",
            "scorecard__assessment__application__candidate__last_name",
            "scorecard__assessment__application__candidate__first_name",
            "scorecard__assessment__stage__order",
            "scorecard__panellist__user__username",
            "criterion__order",
        ).values_list("level", "not_observed", "evidence")
    )
    return [*applications, *levels]


@pytest.mark.django_db
def test_generated_data_is_consistent_within_each_provider() -> None:
    output = generate(applications=120)

    assert "Generated the tiny dataset" in output
    provider = Provider.objects.get()
    assert provider.slug.startswith("bench-")
    assert Application.objects.count() == 120
    # Every application's candidate, role and stage belong to its provider and role.
    assert not Application.objects.exclude(candidate__provider=F("provider")).exists()
    assert not Application.objects.exclude(role__provider=F("provider")).exists()
    # Every role sits in one of its provider's services (the files are grouped by them).
    assert Role.objects.exists()
    assert not Role.objects.filter(service__isnull=True).exists()
    assert not Role.objects.exclude(service__provider=F("provider")).exists()
    assert not Application.objects.exclude(current_stage__role=F("role")).exists()
    assert not StageEntry.objects.exclude(stage__role=F("application__role")).exists()
    assert not Assessment.objects.exclude(stage__role=F("application__role")).exists()
    assert not Assessment.objects.exclude(provider=F("application__provider")).exists()
    # Scores only on criteria of the assessment's stage and frozen criteria version.
    assert Score.objects.exists()
    assert not Score.objects.exclude(criterion__stage=F("scorecard__assessment__stage")).exists()
    assert not Score.objects.exclude(
        criterion__version=F("scorecard__assessment__criteria_version")
    ).exists()
    assert not Score.objects.exclude(
        criterion__core_value__provider=F("criterion__stage__role__provider")
    ).exists()
    # A scorecard belongs to its panellist's assessment; panellists are members.
    assert not Scorecard.objects.exclude(assessment=F("panellist__assessment")).exists()
    members = set(Membership.objects.filter(provider=provider).values_list("user_id", flat=True))
    assert set(Panellist.objects.values_list("user_id", flat=True)) <= members
    # Levels are 1–4 or not observed; drafts are never counted as submitted.
    assert not Score.objects.filter(level__isnull=True, not_observed=False).exists()
    assert not Score.objects.exclude(level__isnull=True).exclude(level__in=[1, 2, 3, 4]).exists()
    # Unique constraints: one scorecard per panellist, one score per criterion per scorecard.
    assert (
        not Scorecard.objects.values("panellist").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )
    assert not (
        Score.objects.values("scorecard", "criterion")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    # Hires, and only hires, have outcomes.
    assert set(Outcome.objects.values_list("application__status", flat=True)) <= {"hired"}
    assert Outcome.objects.count() == Application.objects.filter(status="hired").count()
    # The panel tallies are stored once for each assessment with a submitted scorecard.
    scored = Assessment.objects.filter(scorecards__submitted_at__isnull=False).distinct().count()
    assert f"panel agreement tallies stored for {scored:,} assessments" in output
    # The stored scoring progress is what counting again finds (as the workflow keeps it).
    stored = list(Assessment.objects.values_list("pk", "panel_size", "submitted_count"))
    places = dict(Panellist.objects.values_list("pk", "scorecard_submitted"))
    assert any(submitted for _, _, submitted in stored)
    Assessment.objects.update(panel_size=0, submitted_count=0)
    Panellist.objects.update(scorecard_submitted=False)
    Assessment.objects.all().refresh_scoring_progress()
    assert list(Assessment.objects.values_list("pk", "panel_size", "submitted_count")) == stored
    assert dict(Panellist.objects.values_list("pk", "scorecard_submitted")) == places


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_dataset_and_another_seed_does_not() -> None:
    generate(seed=3)
    first = fingerprint()
    generate(seed=3)
    again = fingerprint()
    generate(seed=4)
    other = fingerprint()

    assert first == again
    assert first != other
    # Running again replaced the earlier synthetic provider rather than adding one.
    assert Provider.objects.count() == 1


@pytest.mark.django_db
def test_generator_refuses_a_database_with_other_providers_unless_forced(sunrise: Provider) -> None:
    with pytest.raises(CommandError, match="not synthetic"):
        generate()
    assert Application.objects.count() == 0

    generate(applications=10, force=True)

    assert Provider.objects.filter(slug="sunrise").exists()
    assert Application.objects.filter(provider__slug__startswith="bench-").count() == 10


@pytest.mark.django_db
def test_bench_runs_end_to_end_and_writes_the_figures(tmp_path: Path) -> None:
    output = tmp_path / "bench-tiny.json"
    out = StringIO()

    call_command(
        "bench",
        size="tiny",
        applications=80,
        requests=2,
        warmup=1,
        output=str(output),
        stdout=out,
    )

    report = json.loads(output.read_text())
    assert {"commit", "machine", "provider", "pages", "scorecard_writes", "exports"} <= set(report)
    assert report["machine"]["database"] in {"sqlite", "postgresql"}
    pages = {page["label"]: page for page in report["pages"]}
    for label in (
        "Provider home (manager dashboard)",
        "Role pipeline",
        "Application detail (value × stage grid)",
    ):
        assert pages[label]["status"] == "ok"
        assert pages[label]["http_status"] == 200
        assert pages[label]["queries"] > 0
        assert pages[label]["median_ms"] is not None
    assert all(page["status"] for page in report["pages"])
    # The printed table names each page.
    assert "| Provider home (manager dashboard) |" in out.getvalue()


@pytest.mark.django_db
def test_every_page_runs_the_same_number_of_queries_on_a_bigger_dataset(tmp_path: Path) -> None:
    counts = []
    # Both more than a page of the applications list, which counts them only then.
    for applications in (60, 240):
        output = tmp_path / f"bench-{applications}.json"
        call_command(
            "bench",
            size="tiny",
            applications=applications,
            requests=1,
            warmup=1,
            output=str(output),
            stdout=StringIO(),
        )
        report = json.loads(output.read_text())
        measured = report["pages"] + report["scorecard_writes"]
        counts.append({p["label"]: p["queries"] for p in measured if p["status"] == "ok"})

    smaller, bigger = counts
    # A draft scorecard (for the scorecard pages) exists only by chance in a tiny dataset.
    both = smaller.keys() & bigger.keys()
    assert {
        "Provider home (manager dashboard)",
        "Role pipeline",
        "Application detail (value × stage grid)",
    } <= both
    assert {label: smaller[label] for label in both} == {label: bigger[label] for label in both}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN is read on PostgreSQL")
@pytest.mark.django_db
def test_explain_times_each_statement_planned_for_its_values_and_for_any(tmp_path: Path) -> None:
    output = tmp_path / "bench-tiny.json"
    call_command(
        "bench",
        size="tiny",
        applications=40,
        requests=1,
        warmup=1,
        only=["dashboard"],
        explain=True,
        output=str(output),
        stdout=StringIO(),
    )

    plans = output.with_suffix(".explain.txt").read_text()
    assert plans.startswith("# Planned for any values (as a prepared statement may be)\n")
    both_ways = plans.split("# Each statement both ways\n")[1]
    timed = [line for line in both_ways.splitlines() if line.startswith("- ")]
    # Each SELECT the dashboard ran with values (its eleven queries but the session's).
    assert len(timed) >= 8, timed
    assert all(re.search(r"[\d.]+ ms for its values, [\d.]+ ms for any values", t) for t in timed)
    assert "## Provider home (manager dashboard)\nSELECT" in plans
    # Nothing left prepared or changed on the connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'vbr_bench'")
        assert cursor.fetchone() == (0,)
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("auto",)
