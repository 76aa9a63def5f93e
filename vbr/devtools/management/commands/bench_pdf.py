"""Benchmark PDF candidate summaries: one render in-process, click-to-ready with an idle
worker, and the throughput of a batch with a real Celery worker (prefork, 2 processes).

Creates a throw-away provider with realistic candidates and removes it afterwards. The
worker part needs REDIS_URL and a database the worker can share (PostgreSQL or a SQLite
file), e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vbr REDIS_URL=redis://127.0.0.1:6379/0 \\
        python manage.py bench_pdf
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment import pdf, workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    Criterion,
    Decision,
    Panellist,
    Role,
    Score,
    Scorecard,
    Stage,
    SummaryJob,
)

EVIDENCE = (
    "Spoke about sitting with a resident who was frightened at night, and staying until they "
    "settled; asked what the person liked rather than assuming."
)


class Command(BaseCommand):
    help = "Time PDF summaries: in-process median, click-to-ready and 2-process throughput."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--renders", type=int, default=20, help="in-process renders")
        parser.add_argument("--batch", type=int, default=100, help="summaries for throughput")
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
        parser.add_argument(
            "--in-process-only", action="store_true", help="skip the worker measurements"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provider = self._build(options["batch"])
        try:
            self._in_process(provider, options["renders"])
            if not options["in_process_only"]:
                self._with_worker(provider, options["concurrency"])
        finally:
            self._remove(provider)

    def _in_process(self, provider: Provider, renders: int) -> None:
        application = provider.applications.order_by("pk").first()
        assert application is not None
        for _ in range(2):  # warm up fonts and templates
            pdf.render_summary_pdf(application=application, requested_by=None)
        load_before = os.getloadavg()[0]
        wall, cpu = [], []
        # CPU time of each step: gathering (database), the HTML template, the PDF renderer.
        steps: dict[str, list[float]] = {"gather": [], "html": [], "pdf": []}
        content = b""
        for _ in range(renders):
            started, started_cpu = time.perf_counter(), time.process_time()
            summary = pdf.gather_summary(application=application, requested_by=None)
            gathered = time.process_time()
            html = pdf.render_summary_html(summary)
            templated = time.process_time()
            content = pdf.html_to_pdf(html)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            steps["gather"].append(gathered - started_cpu)
            steps["html"].append(templated - gathered)
            steps["pdf"].append(cpu[-1] - (templated - started_cpu))
        pages = self._pages(content)
        self.stdout.write(
            f"one summary in-process ({pages} pages): median {statistics.median(wall):.3f} s "
            f"wall, {statistics.median(cpu):.3f} s CPU (fastest {min(cpu):.3f} s) over "
            f"{renders} renders"
        )
        self.stdout.write(
            "  CPU by step (median): "
            + ", ".join(f"{step} {statistics.median(times):.3f} s" for step, times in steps.items())
        )
        self.stdout.write(
            f"load average (1 min) before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} "
            f"on {os.cpu_count()} CPUs; wall time counts waiting for a CPU, CPU time does not"
        )

    def _pages(self, content: bytes) -> str:
        if not shutil.which("pdfinfo"):
            return "?"
        pdfinfo = shutil.which("pdfinfo") or "pdfinfo"
        info = subprocess.run(  # noqa: S603 -- fixed arguments
            [pdfinfo, "-"],
            input=content,
            capture_output=True,
            check=False,
        ).stdout.decode()
        return next(
            (line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "?"
        )

    def _with_worker(self, provider: Provider, concurrency: int) -> None:
        if not settings.REDIS_URL:
            raise CommandError("Set REDIS_URL (and a shared database) for the worker figures.")
        if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
            raise CommandError("The worker cannot share an in-memory SQLite database.")
        manager = (
            provider.memberships.filter(role=Membership.Role.MANAGER).select_related("user").first()
        )
        if manager is None:
            raise CommandError("The benchmark provider has no hiring manager to ask for summaries.")
        requester = manager.user
        applications = list(provider.applications.order_by("pk"))
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        settings.PDF_QUEUE = queue
        worker = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vbr",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=Path(settings.BASE_DIR),
            env=os.environ.copy(),
        )
        try:
            # Warm up every worker process (fonts, templates) before timing anything.
            self._wait([self._request(a, requester) for a in applications[: concurrency * 2]])
            clicks = []
            for application in applications[:5]:
                time.sleep(0.3)  # the worker is idle when the button is pressed
                started = time.perf_counter()
                self._wait([self._request(application, requester)], poll=0.01)
                clicks.append(time.perf_counter() - started)
            self.stdout.write(
                f"click to ready with an idle worker: median {statistics.median(clicks):.3f} s "
                f"(of {len(clicks)})"
            )
            started = time.perf_counter()
            stage = applications[0].current_stage
            if stage is None:
                raise CommandError("The benchmark applications have no current stage.")
            batch = workflow.request_summary_batch(
                role=applications[0].role, stage=stage, requested_by=requester
            )
            jobs = list(batch.jobs.values_list("pk", flat=True))
            load_before = os.getloadavg()[0]
            cpu_before = self._worker_cpu(worker.pid)
            self._wait(jobs, timeout=600)
            cpu_used = self._worker_cpu(worker.pid) - cpu_before
            seconds = time.perf_counter() - started
            failed = batch.jobs.filter(status=SummaryJob.Status.FAILED).count()
            self.stdout.write(
                f"throughput: {len(jobs)} summaries in {seconds:.2f} s with {concurrency} worker "
                f"processes = {len(jobs) / seconds:.2f} summaries/s ({failed} failed)"
            )
            each = [
                (finished - begun).total_seconds()
                for begun, finished in batch.jobs.filter(
                    status=SummaryJob.Status.READY
                ).values_list("started_at", "finished_at")
                if begun is not None and finished is not None
            ]
            if each:
                self.stdout.write(
                    f"  one job in the worker (claim, gather, render, save): median "
                    f"{statistics.median(each):.3f} s wall"
                )
            if cpu_used > 0:
                per_summary = cpu_used / len(jobs)
                self.stdout.write(
                    f"  worker CPU: {per_summary:.3f} s per summary, so at most "
                    f"{concurrency / per_summary:.1f} summaries/s on {concurrency} idle CPUs"
                )
            self.stdout.write(
                f"load average (1 min) before/after the batch: {load_before:.2f}/"
                f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    def _worker_cpu(self, pid: int) -> float:
        """CPU seconds used so far by the worker and its pool processes (Linux /proc; 0 where
        that is missing). Unlike wall time, other work on the machine does not inflate it."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        pids = [pid]
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
            for each in pids:
                fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
                # utime and stime; for the worker itself also those of pool processes that
                # were replaced and have ended (cutime, cstime).
                used = fields[11:15] if each == pid else fields[11:13]
                total += sum(int(value) for value in used) / ticks
        except (OSError, ValueError):
            return 0.0
        return total

    def _request(self, application: Application, requester: User) -> int:
        return workflow.request_summary(application=application, requested_by=requester).pk

    def _wait(self, job_ids: list[int], timeout: float = 120, poll: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        while SummaryJob.objects.filter(pk__in=job_ids).active().exists():
            if time.monotonic() > deadline:
                raise CommandError("Timed out waiting for the worker")
            time.sleep(poll)

    @transaction.atomic
    def _build(self, count: int) -> Provider:
        """A care home with `count` candidates at shadowing, each scored at two stages."""
        suffix = uuid.uuid4().hex[:8]
        provider = Provider.objects.create(name="Bench Care Home", slug=f"bench-pdf-{suffix}")
        workflow.copy_starter_values(provider=provider)
        values = list(provider.core_values.all()[:5])
        people = []
        for i, (name, member_role, expert) in enumerate(
            [
                ("Bench Manager", "manager", False),
                ("Bench Peer", "manager", False),
                ("Bench Expert", "panel", True),
            ]
        ):
            user = User.objects.create(username=f"bench-{suffix}-{i}", full_name=name)
            Membership.objects.create(
                user=user, provider=provider, role=member_role, is_expert_by_experience=expert
            )
            people.append(user)
        role = Role.objects.create(provider=provider, title="Care assistant")
        interview = Stage.objects.create(role=role, name="Values interview", order=1)
        shadowing = Stage.objects.create(
            role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
        )
        criteria: dict[int, list[Criterion]] = {}
        for stage, stage_values in ((interview, values), (shadowing, values[:3])):
            criteria[stage.pk] = [
                Criterion.objects.create(
                    stage=stage,
                    core_value=value,
                    order=i,
                    essential=i < 2,
                    prompt=f"{stage.name}: {value.name} — tell us about a time you showed it",
                    level_1="No evidence",
                    level_2="Some",
                    level_3="Good",
                    level_4="Strong",
                )
                for i, value in enumerate(stage_values)
            ]
        panel_roles = ["chair", "staff_peer", "expert"]
        now = timezone.now()
        for n in range(count):
            candidate = Candidate.objects.create(
                provider=provider, first_name=f"Candidate{n}", last_name="Bench"
            )
            application = Application.objects.create(
                provider=provider, candidate=candidate, role=role, current_stage=shadowing
            )
            for stage in (interview, shadowing):
                assessment = Assessment.objects.create(
                    application=application,
                    stage=stage,
                    status="closed",
                    scheduled_at=now - timedelta(days=3 if stage == interview else 1),
                )
                for p, user in enumerate(people):
                    panellist = Panellist.objects.create(
                        assessment=assessment, user=user, panel_role=panel_roles[p]
                    )
                    card = Scorecard.objects.create(
                        assessment=assessment,
                        panellist=panellist,
                        submitted_at=now,
                        recommendation="yes",
                        summary="Warm, listened, asked good questions.",
                    )
                    Score.objects.bulk_create(
                        Score(
                            scorecard=card,
                            criterion=criterion,
                            level=1 + (n + p + c) % 4,
                            evidence=EVIDENCE,
                        )
                        for c, criterion in enumerate(criteria[stage.pk])
                    )
            Decision.objects.create(
                application=application,
                stage=interview,  # moved on from the interview to shadowing, where it is now
                kind="progress",
                reasons="Good evidence throughout.",
                decided_by=people[0],
            )
        # What submitting through the workflow stores.
        workflow.refresh_from_scores(
            list(Assessment.objects.filter(application__provider=provider))
        )
        return provider

    def _remove(self, provider: Provider) -> None:
        for job in SummaryJob.objects.filter(provider=provider).exclude(file=""):
            if job.file.name:
                job.file.storage.delete(job.file.name)
        Score.objects.filter(scorecard__assessment__application__provider=provider).delete()
        Assessment.objects.filter(application__provider=provider).delete()
        Application.objects.filter(provider=provider).delete()
        Criterion.objects.filter(stage__role__provider=provider).delete()
        users = list(provider.members.all())
        provider.delete()
        for user in users:
            user.delete()
