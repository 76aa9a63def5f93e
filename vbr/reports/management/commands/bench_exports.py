"""Measure the streamed applications CSV export: rows per second and peak memory.

Creates N synthetic applications (each with one assessment scored by two panellists on five
values) in a throwaway provider inside a transaction that is rolled back at the end, streams
the CSV through the real view with the test client, and prints the figures.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
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

BATCH = 5000


class _Rollback(Exception):
    """Raised to roll the synthetic data back."""


class Command(BaseCommand):
    help = "Benchmark the streamed applications CSV export on N synthetic applications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--profile", action="store_true", help="Print where time goes.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Measure the export itself, as an admin who has already passed two-factor sign-in.
        try:
            with transaction.atomic(), override_settings(VBR_REQUIRE_ADMIN_2FA=False):
                self._run(options["applications"], options["profile"])
                raise _Rollback
        except _Rollback:
            self.stdout.write("Synthetic data rolled back.")

    def _run(self, count: int, profile: bool = False) -> None:
        started = time.perf_counter()
        provider = Provider.objects.create(name="Benchmark", slug=f"bench-{time.time_ns()}")
        admin = User.objects.create(username=f"bench-admin-{time.time_ns()}")
        Membership.objects.create(user=admin, provider=provider, role=Membership.Role.ADMIN)
        panel = [User.objects.create(username=f"bench-panel-{i}-{time.time_ns()}") for i in (1, 2)]
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
                Assessment(application=a, stage=stage, status="closed") for a in applications
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
                Score(scorecard=s, criterion=c, level=1 + (s.pk + c.pk) % 4)
                for s in scorecards
                for c in criteria
            )
        self.stdout.write(f"Created {count} applications in {time.perf_counter() - started:.1f}s")

        client = Client()
        client.force_login(admin)
        url = reverse("application-export", args=[provider.slug, "csv"])

        def stream() -> tuple[int, float, float]:
            began = time.perf_counter()
            response: Any = client.get(url)
            first = None
            rows = 0
            for chunk in response.streaming_content:
                if first is None:
                    first = time.perf_counter() - began
                rows += chunk.count(b"\n")
            return rows - 1, time.perf_counter() - began, first or 0.0

        if profile:
            from vbr.reports import exports
            from vbr.reports.queries import ReportFilter

            values = list(provider.core_values.all())
            for label, make in (
                (
                    "applications query",
                    lambda: exports.applications_export(provider, ReportFilter(), [])[1],
                ),
                ("value means query", lambda: exports.value_means(provider, ReportFilter())),
                (
                    "merged rows",
                    lambda: exports.applications_export(provider, ReportFilter(), values)[1],
                ),
            ):
                began = time.perf_counter()
                n = sum(1 for _row in make())
                self.stdout.write(f"{label}: {n} rows in {time.perf_counter() - began:.2f}s")
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(stream)
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(25)
            self.stdout.write(report.getvalue())
        rows, elapsed, first = stream()
        self.stdout.write(
            f"CSV: {rows} rows in {elapsed:.2f}s = {rows / elapsed:,.0f} rows/s "
            f"(first bytes after {first:.2f}s)"
        )
        tracemalloc.start()
        rows, elapsed, _first = stream()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"Peak Python memory while streaming (tracemalloc): {peak / 1024 / 1024:.1f} MiB "
            f"for {rows} rows"
        )
