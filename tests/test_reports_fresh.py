"""The first view of a report after a change: with a worker to build it, the page shows the
last build at once, saying when it is from, while the worker brings it up to date; never an
earlier figure without saying so, never another reader's or another provider's build.

Tasks run in-process in the tests; `with_worker` makes the pages behave as with a separate
worker, and the rebuilds handed to the broker on commit are captured (not run) until a test
runs them, as a worker would pick them up."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories as f
from tests import test_reports_cache
from tests.test_reports import report_url, table
from tests.test_reports_cache import compassion, seen
from vbr.accounts.models import Membership, Provider, User
from vbr.privacy.workflow import anonymise_candidate
from vbr.recruitment import workflow
from vbr.recruitment.models import Scorecard
from vbr.reports import caching, rebuilds
from vbr.reports.models import ReportRebuild
from vbr.reports.queries import ReportFilter, build_report

# Rebuilds handed to "the worker" run in this process when the test runs them.
pytestmark = pytest.mark.usefixtures("tasks_in_process")

# One care assistant application at the values interview: Bob submitted level 3 for
# Compassion; Dev, the expert by experience, has a draft at level 4.
scored = test_reports_cache.scored

LINE = re.compile(
    r"These figures are from (\d\d:\d\d)\. They are being brought up to date; "
    r"reload in a moment\."
)


@pytest.fixture
def with_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages hand rebuilds to a worker, as when tasks do not run in-process (Celery itself
    still runs them in-process, when a test runs what was handed on)."""
    monkeypatch.setattr(caching, "worker_builds", lambda: True)


def as_of_line(client: Client, url: str) -> str | None:
    """The time the page says its figures are from, or None when it says nothing of it."""
    found = LINE.search(client.get(url).text)
    return found.group(1) if found else None


def submit_devs(scored: dict[str, Any], level: int = 4) -> None:
    workflow.submit_scorecard(
        panellist=scored["dev_place"],
        answers={scored["kindness"].pk: workflow.Answer(level=level)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
    )


def run_the_worker(callbacks: list[Any]) -> None:
    """What a worker does with the rebuilds handed to it (tasks run in-process here)."""
    for callback in callbacks:
        callback()
    callbacks.clear()


def test_after_a_change_the_last_figures_are_shown_with_their_time_until_the_worker_builds(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "values")
    first_built = timezone.localtime()
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    assert as_of_line(as_alice, url) is None
    with django_capture_on_commit_callbacks() as callbacks:
        submit_devs(scored)
        # The page answers at once with the figures from before Dev's scorecard, and says so.
        assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
        said = as_of_line(as_alice, url)
    assert said in {(first_built + timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}, said
    rebuild = ReportRebuild.objects.get()
    assert (rebuild.provider, rebuild.report, rebuild.status) == (sunrise, "values", "pending")
    run_the_worker(callbacks)
    assert not ReportRebuild.objects.exists()
    assert compassion(as_alice, sunrise) == [0, 0, 1, 1, 0]
    assert as_of_line(as_alice, url) is None


@pytest.mark.parametrize("slug", ["funnel", "values", "panel", "retention", "fairness"])
def test_earlier_figures_are_never_shown_without_the_line(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    slug: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, slug)
    before = as_alice.get(url)
    assert LINE.search(before.text) is None
    with django_capture_on_commit_callbacks() as callbacks:
        caching.reports_changed(provider_id=sunrise.pk)
        for _ in range(2):
            shown = as_alice.get(url)
            assert LINE.search(shown.text)
            assert shown.context["sections"] == before.context["sections"]
    run_the_worker(callbacks)
    assert LINE.search(as_alice.get(url).text) is None


def test_a_download_holds_the_current_figures_while_the_page_shows_earlier_ones(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "values")
    as_alice.get(url)
    with django_capture_on_commit_callbacks():
        submit_devs(scored)
        assert as_of_line(as_alice, url)
        download: Any = as_alice.get(url + "?format=csv")
        rows = b"".join(download.streaming_content).decode()
    compassion_row = next(line for line in rows.splitlines() if line.startswith("Compassion"))
    assert compassion_row.startswith("Compassion,0,0,1,1,0")


def test_two_views_after_a_change_start_one_rebuild(
    with_worker: None,
    as_alice: Client,
    alice: User,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "panel")
    as_alice.get(url)
    with django_capture_on_commit_callbacks() as callbacks:
        caching.reports_changed(provider_id=sunrise.pk)
        as_alice.get(url)
        other_browser = Client()
        other_browser.force_login(alice)
        other_browser.get(url)
    assert ReportRebuild.objects.count() == 1
    # Handed to the broker once (the other callback is the change's own, see below).
    assert [c.args for c in callbacks if c.func is rebuilds.send_rebuilds] == [
        ([ReportRebuild.objects.get().pk],)
    ]
    # Two views that both get past the cache's mark (two web servers at the same instant)
    # still make one: the table holds one waiting or running rebuild per key.
    key = caching.report_digest("panel", ReportFilter())
    again = rebuilds.request_rebuild(
        provider=sunrise, report="panel", filters=ReportFilter(), key=key
    )
    assert again is None
    assert ReportRebuild.objects.count() == 1


def test_a_rebuild_the_broker_never_got_is_sent_again_by_the_sweep(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "values")
    as_alice.get(url)
    with django_capture_on_commit_callbacks():
        submit_devs(scored)
        assert as_of_line(as_alice, url)
    # The hand-over on commit was lost (broker down): the row waits, never sent.
    rebuild = ReportRebuild.objects.get()
    assert rebuild.sent_at is None
    assert as_of_line(as_alice, url)
    swept = rebuilds.sweep_report_rebuilds()
    assert swept.resent == 1
    assert not ReportRebuild.objects.exists()
    assert as_of_line(as_alice, url) is None
    assert compassion(as_alice, sunrise) == [0, 0, 1, 1, 0]


def test_a_rebuild_whose_worker_died_is_put_back_and_built_by_the_sweep(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "values")
    as_alice.get(url)
    with django_capture_on_commit_callbacks():
        submit_devs(scored)
        as_alice.get(url)
    long_ago = timezone.now() - timedelta(minutes=5)
    ReportRebuild.objects.update(
        status="running", attempts=1, started_at=long_ago, heartbeat_at=long_ago, sent_at=long_ago
    )
    swept = rebuilds.sweep_report_rebuilds()
    assert (swept.requeued, swept.resent) == (1, 1)
    assert not ReportRebuild.objects.exists()
    assert compassion(as_alice, sunrise) == [0, 0, 1, 1, 0]


def test_the_beat_runs_the_rebuild_sweep(settings: Any) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "vbr.reports.sweep_report_rebuilds" in tasks


def test_a_change_made_while_a_rebuild_runs_sends_it_round_again(
    with_worker: None,
    monkeypatch: pytest.MonkeyPatch,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = report_url(sunrise, "values")
    as_alice.get(url)
    with django_capture_on_commit_callbacks() as callbacks:
        caching.reports_changed(provider_id=sunrise.pk)
        as_alice.get(url)
    rebuild = ReportRebuild.objects.get()
    real_build = build_report

    def build_then_change(*args: Any) -> Any:
        built = real_build(*args)
        caching.reports_changed(provider_id=sunrise.pk)
        return built

    with monkeypatch.context() as patched:
        patched.setattr(rebuilds, "build_report", build_then_change)
        with django_capture_on_commit_callbacks() as again:
            assert rebuilds.run_rebuild(rebuild_id=rebuild.pk) == "again"
    rebuild.refresh_from_db()
    assert (rebuild.status, rebuild.attempts, rebuild.sent_at) == ("pending", 0, None)
    assert callbacks and again
    run_the_worker(again)
    assert not ReportRebuild.objects.exists()
    assert as_of_line(as_alice, url) is None


def test_a_reader_who_owes_a_scorecard_never_gets_another_readers_earlier_build(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Ada, another admin, sits on the panel and has not scored: Bob's level 3 for Compassion
    is left out of every figure she sees, before and after a change."""
    ada = f.make_member(provider=sunrise, role=Membership.Role.ADMIN, full_name="Ada Lewis")
    f.make_panellist(assessment=scored["dev_place"].assessment, user=ada)
    as_ada = Client()
    as_ada.force_login(ada)
    url = report_url(sunrise, "values")
    assert compassion(as_alice, sunrise) == [0, 0, 1, 0, 0]
    with django_capture_on_commit_callbacks():
        caching.reports_changed(provider_id=sunrise.pk)
        # Alice's earlier build exists, but it is not Ada's: hers is built for her, at once.
        assert as_of_line(as_alice, url)
        page = as_ada.get(url)
        assert LINE.search(page.text) is None
        assert table(page, "Levels per value") == []
        caching.reports_changed(provider_id=sunrise.pk)
        # Now her own earlier build is shown, saying so, still without Bob's score.
        page = as_ada.get(url)
        assert LINE.search(page.text)
        assert table(page, "Levels per value") == []
    alices = caching.report_digest("values", page.context["form"].report_filter())
    assert alices != caching.report_digest("values", ReportFilter())


def test_another_provider_never_gets_an_earlier_build(
    with_worker: None,
    as_alice: Client,
    as_charlie: Client,
    sunrise: Provider,
    hillside: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def funnel_count(client: Client, provider: Provider) -> int:
        rows = table(client.get(report_url(provider, "funnel")), "Applications per stage")
        return int(rows[0][2])

    for provider, count in ((sunrise, 2), (hillside, 1)):
        role = f.make_role(provider=provider, title="Care assistant")
        stage = f.make_stage(role=role, name="Values interview")
        for _ in range(count):
            application = f.make_application(role=role, stage=stage)
            f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())
    assert funnel_count(as_alice, sunrise) == 2
    assert funnel_count(as_charlie, hillside) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        caching.reports_changed(provider_id=sunrise.pk)
        caching.reports_changed(provider_id=hillside.pk)
        assert funnel_count(as_charlie, hillside) == 1
        assert funnel_count(as_alice, sunrise) == 2
        assert as_of_line(as_charlie, report_url(hillside, "funnel"))
    assert {(r.provider_id, r.report) for r in ReportRebuild.objects.all()} == {
        (sunrise.pk, "funnel"),
        (hillside.pk, "funnel"),
    }
    run_the_worker(callbacks)
    assert funnel_count(as_charlie, hillside) == 1
    assert funnel_count(as_alice, sunrise) == 2


def test_after_a_change_the_reports_looked_at_are_rebuilt_straight_away(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    as_alice.get(report_url(sunrise, "values"))
    with django_capture_on_commit_callbacks(execute=True):
        submit_devs(scored)
    # Only the report somebody looked at was rebuilt, for the whole provider, no filters.
    response, queries = seen(as_alice, report_url(sunrise, "values"))
    assert LINE.search(response.text) is None
    assert compassion(as_alice, sunrise) == [0, 0, 1, 1, 0]
    # Served from the cache: the signed-in person with their membership, roles, stages,
    # version.
    assert queries == 4
    response, _queries = seen(as_alice, report_url(sunrise, "panel"))
    assert LINE.search(response.text) is None


def test_anonymising_a_candidate_forgets_the_earlier_builds(
    with_worker: None,
    as_alice: Client,
    alice: User,
    sunrise: Provider,
    scored: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    application = scored["application"]
    application.withdraw(reason="Moving to Leeds to look after my mum")
    caching.reports_changed(provider_id=sunrise.pk)
    url = report_url(sunrise, "funnel")
    assert table(as_alice.get(url), "Withdrawal reasons") == [
        ["Moving to Leeds to look after my mum", 1]
    ]
    with django_capture_on_commit_callbacks():
        anonymise_candidate(candidate=application.candidate, by=alice, reason="request")
        page = as_alice.get(url)
    assert LINE.search(page.text) is None
    assert "Leeds" not in page.text
    assert table(page, "Withdrawal reasons") == [["No reason given", 1]]


@pytest.mark.parametrize("applications", [1, 50])
def test_earlier_figures_are_served_in_the_same_queries_at_1_and_50_applications(
    with_worker: None,
    as_alice: Client,
    sunrise: Provider,
    applications: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    stage = f.make_stage(role=role, name="Values interview")
    for _ in range(applications):
        application = f.make_application(role=role, stage=stage)
        f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())
    url = report_url(sunrise, "funnel")
    as_alice.get(url)
    with django_capture_on_commit_callbacks():
        caching.reports_changed(provider_id=sunrise.pk)
        first, asked = seen(as_alice, url)
        again, served = seen(as_alice, url)
    assert LINE.search(first.text) and LINE.search(again.text)
    # The signed-in person with their membership, roles, stages, version; the first view
    # also writes the rebuild (a savepoint around one insert).
    assert served == 4
    assert asked == 4 + 3
