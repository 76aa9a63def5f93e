"""Measure the streamed CSV exports: rows per second, CPU time and memory growth.

Creates N synthetic applications (each with one assessment scored by two panellists on five
values) in a throwaway provider, streams the applications CSV (and with --scores the scores
CSV) through the real view with the test client, and prints the figures.

Rows per second are measured without tracemalloc (which slows Python several times over);
memory is the growth of the process's resident set, sampled at every chunk of the stream
(cheap, and it includes the database driver's buffers). --tracemalloc adds a separate pass
that reports the peak of Python allocations.

By default the data is rolled back at the end. --keep commits it as the provider
`bench-exports-N` and later runs with the same N reuse it (`generate_dataset` deletes it,
like every `bench-` provider).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    CoreValue,
    Criterion,
    Panellist,
    Role,
    Score,
    Scorecard,
    Stage,
)
from vbr.recruitment.workflow import refresh_from_scores
from vbr.reports import exports
from vbr.reports.caching import reports_changed
from vbr.reports.queries import ReportFilter

BATCH = 5000
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Rollback(Exception):
    """Raised to roll the synthetic data back."""


def _rss() -> int:
    """The process's resident set now, in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return 0


class Command(BaseCommand):
    help = "Benchmark the streamed applications (and scores) CSV exports on N applications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=3, help="Timed runs of each export.")
        parser.add_argument("--scores", action="store_true", help="Also the scores CSV.")
        parser.add_argument(
            "--xlsx", action="store_true", help="Also the applications XLSX, as a worker writes it."
        )
        parser.add_argument("--keep", action="store_true", help="Keep (and reuse) the data.")
        parser.add_argument("--tracemalloc", action="store_true", help="Add a traced pass.")
        parser.add_argument("--profile", action="store_true", help="Print where time goes.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Measure the export itself, as an admin who has already passed two-factor sign-in,
        # reached over plain HTTP as the app is behind its TLS proxy.
        with override_settings(VBR_REQUIRE_ADMIN_2FA=False, SECURE_SSL_REDIRECT=False):
            if options["keep"]:
                provider, admin = self._kept(options["applications"])
                self._measure(provider, admin, options)
                return
            try:
                with transaction.atomic():
                    provider, admin = self._build(options["applications"], slug=None)
                    self._measure(provider, admin, options)
                    raise _Rollback
            except _Rollback:
                self.stdout.write("Synthetic data rolled back.")

    def _kept(self, count: int) -> tuple[Provider, User]:
        slug = f"bench-exports-{count}"
        provider = Provider.objects.filter(slug=slug).first()
        if provider is not None:
            membership = provider.memberships.select_related("user").get()
            self.stdout.write(f"Reusing {slug}.")
            return provider, membership.user
        with transaction.atomic():
            return self._build(count, slug=slug)

    def _build(self, count: int, *, slug: str | None) -> tuple[Provider, User]:
        started = time.perf_counter()
        stamp = time.time_ns()
        provider = Provider.objects.create(name="Benchmark", slug=slug or f"bench-{stamp}")
        admin = User.objects.create(username=f"bench-admin-{stamp}")
        Membership.objects.create(user=admin, provider=provider, role=Membership.Role.ADMIN)
        panel = [User.objects.create(username=f"bench-panel-{i}-{stamp}") for i in (1, 2)]
        role = Role.objects.create(provider=provider, title="Care assistant")
        stage = Stage.objects.create(role=role, name="Values interview", order=1)
        criteria = []
        for order in range(5):
            value = CoreValue.objects.create(provider=provider, name=f"Value {order}", order=order)
            criteria.append(
                Criterion.objects.create(
                    stage=stage,
                    core_value=value,
                    prompt=f"Criterion {order}",
                    order=order,
                    level_1="1",
                    level_2="2",
                    level_3="3",
                    level_4="4",
                )
            )
        now = timezone.now()
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            candidates = Candidate.objects.bulk_create(
                Candidate(
                    provider=provider,
                    first_name=f"First{start + i}",
                    last_name="Last",
                    email=f"c{start + i}@example.com",
                )
                for i in range(size)
            )
            applications = Application.objects.bulk_create(
                Application(
                    provider=provider,
                    candidate=c,
                    role=role,
                    current_stage=stage,
                    source="website",
                    applied_at=now,
                )
                for c in candidates
            )
            assessments = Assessment.objects.bulk_create(
                Assessment(application=a, provider=provider, stage=stage, status="closed")
                for a in applications
            )
            panellists = Panellist.objects.bulk_create(
                Panellist(assessment=a, user=u, panel_role="manager")
                for a in assessments
                for u in panel
            )
            scorecards = Scorecard.objects.bulk_create(
                Scorecard(assessment_id=p.assessment_id, panellist=p, submitted_at=now)
                for p in panellists
            )
            Score.objects.bulk_create(
                Score(
                    scorecard=s,
                    criterion=c,
                    level=1 + (s.pk + c.pk) % 4,
                    evidence="Spoke warmly; gave an example" if c.order == 0 else "",
                )
                for s in scorecards
                for c in criteria
            )
            # Scores written directly, as a data load would: store what submitting each
            # scorecard would have.
            refresh_from_scores(assessments)
            reports_changed(provider_id=provider.pk)
        if connection.vendor == "postgresql":
            # As autovacuum would after a real load: without statistics the planner guesses.
            with connection.cursor() as cursor:
                for model in (Candidate, Application, Assessment, Panellist, Scorecard, Score):
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        self.stdout.write(f"Created {count} applications in {time.perf_counter() - started:.1f}s")
        return provider, admin

    def _measure(self, provider: Provider, admin: User, options: dict[str, Any]) -> None:
        client = Client()
        client.force_login(admin)
        exports = [("applications CSV", reverse("application-export", args=[provider.slug, "csv"]))]
        if options["scores"]:
            exports.append(("scores CSV", reverse("score-export", args=[provider.slug, "csv"])))
        self.stdout.write(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for label, url in exports:
            self._measure_one(label, partial(client.get, url), options)
        if options["xlsx"]:
            self._measure_xlsx(provider, options)
        self.stdout.write(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def _measure_xlsx(self, provider: Provider, options: dict[str, Any]) -> None:
        """The applications XLSX written to a file from the export's own rows, as the inline
        download and the background job write it: rows per second, and resident memory
        sampled every 1,000 rows."""
        values = exports.provider_values(provider)

        def write() -> dict[str, float]:
            rss_before = _rss()
            peak = [rss_before]
            began, cpu_began = time.perf_counter(), time.process_time()
            headers, rows = exports.applications_export(provider, ReportFilter(), values)

            def sampled() -> Iterator[Sequence[Any]]:
                for number, row in enumerate(rows):
                    if not number % 1000:
                        peak[0] = max(peak[0], _rss())
                    yield row

            with tempfile.TemporaryFile() as handle:
                exports.write_xlsx(handle, [("Applications", headers, sampled())])
                size = handle.tell()
            wall = time.perf_counter() - began
            return {
                "rows": provider.applications.count(),
                "wall": wall,
                "cpu": time.process_time() - cpu_began,
                "size": size / 1024 / 1024,
                "growth": (max(peak[0], _rss()) - rss_before) / 1024 / 1024,
            }

        write()  # warm-up
        runs = [write() for _ in range(options["runs"])]
        for run in runs:
            self.stdout.write(
                f"applications XLSX: {run['rows']} rows in {run['wall'] * 1000:.1f} ms wall = "
                f"{run['rows'] / run['wall']:,.0f} rows/s; {run['cpu']:.3f}s CPU; "
                f"{run['size']:.1f} MiB file; resident memory growth {run['growth']:.1f} MiB"
            )
        self.stdout.write(
            "applications XLSX: median "
            f"{statistics.median(r['wall'] for r in runs) * 1000:.1f} ms, "
            f"{statistics.median(r['rows'] / r['wall'] for r in runs):,.0f} rows/s "
            f"({len(runs)} runs, wall clock)"
        )

    def _measure_one(self, label: str, request: Callable[[], Any], options: dict[str, Any]) -> None:
        def stream() -> dict[str, float]:
            rss_before = _rss()
            rss_peak = rss_before
            began, cpu_began = time.perf_counter(), time.process_time()
            response = request()
            first = None
            rows = 0
            for chunk in response.streaming_content:
                rows += chunk.count(b"\n")
                if first is None and rows > 1:  # past the header: the first data row
                    first = time.perf_counter() - began
                rss_peak = max(rss_peak, _rss())
            return {
                "rows": rows - 1,
                "wall": time.perf_counter() - began,
                "cpu": time.process_time() - cpu_began,
                "first": first or 0.0,
                "growth": (rss_peak - rss_before) / 1024 / 1024,
            }

        if options["profile"]:
            profiler = cProfile.Profile()
            profiler.runcall(stream)
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(20)
            self.stdout.write(report.getvalue())
        stream()  # warm-up: connection, caches
        runs = [stream() for _ in range(options["runs"])]
        for run in runs:
            self.stdout.write(
                f"{label}: {run['rows']} rows in {run['wall']:.2f}s wall "
                f"= {run['rows'] / run['wall']:,.0f} rows/s; {run['cpu']:.2f}s CPU of this "
                f"process = {run['rows'] / run['cpu']:,.0f} rows/CPU-s; first data row after "
                f"{run['first']:.3f}s; resident memory growth {run['growth']:.1f} MiB"
            )
        best = max(runs, key=lambda run: run["rows"] / run["wall"])
        self.stdout.write(
            f"{label}: median {statistics.median(r['rows'] / r['wall'] for r in runs):,.0f} "
            f"rows/s, best {best['rows'] / best['wall']:,.0f} rows/s "
            f"({len(runs)} runs, wall clock, no tracemalloc)"
        )
        if options["tracemalloc"]:
            tracemalloc.start()
            run = stream()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(
                f"{label}: peak Python allocations while streaming (tracemalloc, separate "
                f"pass): {peak / 1024 / 1024:.1f} MiB for {run['rows']} rows"
            )
