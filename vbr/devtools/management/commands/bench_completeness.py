"""Measure the streamed safer-recruitment completeness CSV: rows per second and memory.

Creates N files (each with the provider's checklist of checks, some verified, across several
services and roles) in a throwaway provider, streams the CSV through the real view with the
test client, and prints rows per second, CPU time, the resident memory's growth while
streaming and, with --profile, where the time goes. The data is rolled back at the end.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.compliance.models import Check, SaferRecruitmentFile
from vbr.compliance.workflow import current_checklist
from vbr.devtools.management.commands.bench_exports import _rss
from vbr.recruitment.models import Application, Candidate, Role, Service

BATCH = 5000


class _Rollback(Exception):
    """Raised to roll the synthetic data back."""


class Command(BaseCommand):
    help = "Benchmark the streamed safer-recruitment completeness CSV on N files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--files", type=int, default=20_000)
        parser.add_argument("--runs", type=int, default=3, help="Timed runs.")
        parser.add_argument("--profile", action="store_true", help="Print where time goes.")

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(VBR_REQUIRE_ADMIN_2FA=False, SECURE_SSL_REDIRECT=False):
            try:
                with transaction.atomic():
                    provider, admin = self._build(options["files"])
                    self._measure(provider, admin, options)
                    raise _Rollback
            except _Rollback:
                self.stdout.write("Synthetic data rolled back.")

    def _build(self, count: int) -> tuple[Provider, User]:
        started = time.perf_counter()
        stamp = time.time_ns()
        provider = Provider.objects.create(name="Benchmark", slug=f"bench-{stamp}")
        admin = User.objects.create(username=f"bench-admin-{stamp}", full_name="Ada Admin")
        Membership.objects.create(user=admin, provider=provider, role=Membership.Role.ADMIN)
        services = [
            Service.objects.create(provider=provider, name=f"Service {n}") for n in range(5)
        ]
        roles = [
            Role.objects.create(provider=provider, title=f"Role {n}", service=services[n % 5])
            for n in range(10)
        ]
        checklist = current_checklist(provider)
        items = list(checklist.items.values_list("pk", flat=True))
        now = timezone.now()
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            candidates = Candidate.objects.bulk_create(
                Candidate(provider=provider, first_name=f"First{start + i}", last_name=f"L{i}")
                for i in range(size)
            )
            applications = Application.objects.bulk_create(
                Application(
                    provider=provider,
                    candidate=candidate,
                    role=roles[i % len(roles)],
                    status=Application.Status.HIRED,
                    applied_at=now,
                )
                for i, candidate in enumerate(candidates)
            )
            files = SaferRecruitmentFile.objects.bulk_create(
                SaferRecruitmentFile(
                    provider=provider, application=application, checklist=checklist
                )
                for application in applications
            )
            Check.objects.bulk_create(
                (
                    Check(
                        file=file,
                        item_id=item_id,
                        status=Check.Status.VERIFIED if n % 2 else Check.Status.REQUESTED,
                        verified_by=admin if n % 2 else None,
                        verified_at=now if n % 2 else None,
                    )
                    for file in files
                    for n, item_id in enumerate(items)
                ),
                batch_size=BATCH,
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Candidate, Application, SaferRecruitmentFile, Check):
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        self.stdout.write(
            f"Created {count} files of {len(items)} checks in "
            f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
        )
        return provider, admin

    def _measure(self, provider: Provider, admin: User, options: dict[str, Any]) -> None:
        client = Client()
        client.force_login(admin)
        url = reverse("compliance-completeness-csv", args=[provider.slug])

        def stream() -> dict[str, float]:
            rss_before = _rss()
            rss_peak = rss_before
            began, cpu_began = time.perf_counter(), time.process_time()
            response: Any = client.get(url)
            rows = 0
            for chunk in response.streaming_content:
                rows += bytes(chunk).count(b"\n")
                rss_peak = max(rss_peak, _rss())
            return {
                "rows": rows - 1,
                "wall": time.perf_counter() - began,
                "cpu": time.process_time() - cpu_began,
                "growth": (rss_peak - rss_before) / 1024 / 1024,
            }

        self.stdout.write(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        stream()  # warm-up: connection, caches
        if options["profile"]:
            profiler = cProfile.Profile()
            profiler.runcall(stream)
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(15)
            self.stdout.write(report.getvalue())
        runs = [stream() for _ in range(options["runs"])]
        for run in runs:
            self.stdout.write(
                f"completeness CSV: {run['rows']:.0f} rows in {run['wall']:.2f}s wall = "
                f"{run['rows'] / run['wall']:,.0f} rows/s; {run['cpu']:.2f}s CPU = "
                f"{run['rows'] / run['cpu']:,.0f} rows/CPU-s; resident memory growth "
                f"{run['growth']:.1f} MiB"
            )
        self.stdout.write(
            "completeness CSV: median "
            f"{statistics.median(r['rows'] / r['wall'] for r in runs):,.0f} rows/s "
            f"({len(runs)} runs, wall clock)"
        )
        self.stdout.write(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
