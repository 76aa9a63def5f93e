"""Load test: many panel members autosaving and submitting scorecards at once.

Starts gunicorn on a loopback port against the configured database (PostgreSQL for real
figures), runs N simulated panel members for a bounded time from this second process, then
counts in the database that no score was lost or duplicated. Panel members sit in panels of
`--panel-size` that score the same candidates in the same order, so that their saves and
submits on one assessment arrive together, as they do after an interview. Everything it
creates lives in a throwaway provider that is deleted afterwards.

The figures are only as good as the machine is quiet: the report says how much CPU the load
generator itself used (its client threads share the machine with gunicorn and PostgreSQL),
how much gunicorn used, and how busy the whole machine was.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, F, Q
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
    Scorecard,
    Stage,
)

SLUG = "loadtest"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class PanelMember:
    """One simulated panel member: their session, the assessments they score in order, and
    what the server accepted from them (levels per criterion, per assessment)."""

    user_id: int
    username: str
    session_key: str
    assessment_ids: list[int]
    criterion_ids: list[int]
    submitted: dict[int, dict[int, int]] = field(default_factory=dict)
    drafted: dict[int, dict[int, int]] = field(default_factory=dict)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"page": [], "autosave": [], "submit": []}
    )
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Command(BaseCommand):
    help = "Simulate panel members autosaving and submitting scorecards against gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--assessments-per-user", type=int, default=40)
        parser.add_argument(
            "--panel-size", type=int, default=2, help="panel members scoring each candidate"
        )
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seconds"] > 600:
            raise CommandError("Keep the load test bounded: at most 600 seconds.")
        # gunicorn serves with production settings: static files come from collectstatic.
        call_command("collectstatic", interactive=False, verbosity=0)
        members = self._build(
            options["users"], options["assessments_per_user"], max(1, options["panel_size"])
        )
        port = _free_port()
        server_before = _children_cpu()
        server = self._start_gunicorn(port, options["workers"], options["threads"])
        try:
            results, machine = self._run(members, port, options["seconds"])
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        server_cpu = _children_cpu() - server_before  # gunicorn and its workers, start to stop
        self._report_cpu(machine, server_cpu, len(members), options)
        ok = self._report(members, results)
        _clean_up()
        if not ok:
            raise CommandError("The load test found errors or lost scores (see above).")

    # -- setting up -------------------------------------------------------------------------------

    @transaction.atomic
    def _build(self, users: int, per_user: int, panel_size: int) -> list[PanelMember]:
        _clean_up()
        provider = Provider.objects.create(name="Load test provider", slug=SLUG)
        role = Role.objects.create(provider=provider, title="Care assistant")
        stage = Stage.objects.create(role=role, name="Values interview", order=1)
        criteria = [
            Criterion.objects.create(
                stage=stage,
                core_value=CoreValue.objects.create(provider=provider, name=f"Value {i}", order=i),
                order=i,
                prompt=f"Question {i}",
                level_1="1",
                level_2="2",
                level_3="3",
                level_4="4",
            )
            for i in range(1, 5)
        ]
        members = []
        for first in range(0, users, panel_size):
            panel = []
            for n in range(first, min(first + panel_size, users)):
                user = User.objects.create(username=f"loadtest-{n}", full_name=f"Panel member {n}")
                Membership.objects.create(user=user, provider=provider, role=Membership.Role.PANEL)
                panel.append(user)
            assessment_ids = []
            for k in range(per_user):
                candidate = Candidate.objects.create(
                    provider=provider, first_name=f"C{first}", last_name=f"K{k}"
                )
                application = Application.objects.create(
                    provider=provider, candidate=candidate, role=role, current_stage=stage
                )
                assessment = Assessment.objects.create(
                    application=application, stage=stage, scheduled_at=timezone.now()
                )
                Panellist.objects.bulk_create(
                    Panellist(
                        assessment=assessment, user=user, panel_role=Panellist.PanelRole.STAFF_PEER
                    )
                    for user in panel
                )
                Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
                assessment_ids.append(assessment.pk)
            for user in panel:
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "vbr.accounts.backends.MemberBackend"
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                members.append(
                    PanelMember(
                        user_id=user.pk,
                        username=user.username,
                        session_key=session.session_key or "",
                        assessment_ids=assessment_ids,
                        criterion_ids=[c.pk for c in criteria],
                    )
                )
        return members

    def _start_gunicorn(self, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "-m", "gunicorn", "vbr.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--log-level", "warning",
        ]  # fmt: skip
        log = open(settings.BASE_DIR / "loadtest-gunicorn.log", "w")  # noqa: SIM115
        # Plain HTTP on loopback, with no TLS proxy in front: HTTPS settings off on purpose.
        env = {**os.environ, "SECURE_SSL": "false"}
        server = subprocess.Popen(  # noqa: S603 -- our own fixed command line
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status in (200, 503):
                    return server
            except OSError:
                time.sleep(0.2)
        server.kill()
        raise CommandError("gunicorn did not start within 30 seconds.")

    # -- running ---------------------------------------------------------------------------------

    def _run(
        self, members: list[PanelMember], port: int, seconds: int
    ) -> tuple[Results, MachineUse]:
        results = Results()
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_panel_member, args=(member, port, deadline, results, seed))
            for seed, member in enumerate(members)
        ]
        before = _Clock.now()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results, MachineUse.between(before, _Clock.now())

    # -- checking --------------------------------------------------------------------------------

    def _report_cpu(
        self, machine: MachineUse, server_cpu: float, members: int, options: dict[str, Any]
    ) -> None:
        cores = os.cpu_count() or 1
        wall = machine.wall
        self.stdout.write(
            f"load generator: {members} client threads in this process used "
            f"{machine.own_cpu:.1f} s of CPU in {wall:.1f} s: {machine.own_cpu / wall:.0%} of "
            f"one core, {machine.own_cpu / (wall * cores):.0%} of the machine's {cores} cores"
        )
        self.stdout.write(
            f"gunicorn ({options['workers']} workers x {options['threads']} threads): "
            f"{server_cpu:.1f} s of CPU from start to stop"
        )
        busy = f"{machine.busy:.0%} busy" if machine.busy is not None else "busy: not known"
        self.stdout.write(
            f"machine: {busy} during the run (all of it: PostgreSQL and any other work "
            f"included); load average {machine.load_before:.1f} at the start, "
            f"{machine.load_after:.1f} at the end"
        )

    def _report(self, members: list[PanelMember], results: Results) -> bool:
        for kind, values in results.latencies.items():
            if values:
                values.sort()
                self.stdout.write(
                    f"{kind:9} {len(values):6} requests  p50 {_percentile(values, 0.5):7.1f} ms"
                    f"  p95 {_percentile(values, 0.95):7.1f} ms"
                    f"  max {values[-1] * 1000:7.1f} ms"
                )
        # What the clients were told was kept, per panel place (assessment, user).
        submitted = {
            (aid, m.user_id): levels for m in members for aid, levels in m.submitted.items()
        }
        drafted = {
            (aid, m.user_id): levels
            for m in members
            for aid, levels in m.drafted.items()
            if aid not in m.submitted
        }
        scorecards = Scorecard.objects.filter(
            assessment__application__provider__slug=SLUG
        ).prefetch_related("scores")
        found: dict[tuple[int, int], Scorecard] = {}
        duplicates = 0
        for card in scorecards.select_related("panellist"):
            key = (card.assessment_id, card.panellist.user_id)
            duplicates += key in found
            found[key] = card

        def levels_of(card: Scorecard) -> dict[int, int | None]:
            return {s.criterion_id: s.level for s in card.scores.all()}

        in_database = {key for key, card in found.items() if card.is_submitted}
        lost = [key for key in submitted if key not in in_database]
        unexpected = [key for key in in_database if key not in submitted]
        wrong = [
            key for key in submitted if key in found and levels_of(found[key]) != submitted[key]
        ]
        drafts_lost = [
            key
            for key, levels in drafted.items()
            if key not in found or found[key].is_submitted or levels_of(found[key]) != levels
        ]
        # The stored progress says what the scorecards say.
        counted = Count("scorecards", filter=Q(scorecards__submitted_at__isnull=False))
        miscounted = (
            Assessment.objects.filter(application__provider__slug=SLUG)
            .annotate(really=counted)
            .exclude(submitted_count=F("really"))
            .count()
        )
        self.stdout.write(
            f"submitted scorecards: {len(submitted)} by the clients, {len(in_database)} in the "
            f"database; lost {len(lost)}, unexpected {len(unexpected)}, with wrong scores "
            f"{len(wrong)}, duplicated {duplicates}"
        )
        self.stdout.write(
            f"drafts last saved and not submitted: {len(drafted)}, not as last saved "
            f"{len(drafts_lost)}; assessments whose stored progress is wrong: {miscounted}; "
            f"errors {len(results.errors)}"
        )
        for message in results.errors[:10]:
            self.stdout.write(f"  error: {message}")
        problems = [lost, unexpected, wrong, drafts_lost, results.errors]
        return not (any(problems) or duplicates or miscounted)


@dataclass(frozen=True)
class _Clock:
    """CPU used so far: by this process (every thread), and by the whole machine."""

    wall: float
    own_cpu: float
    machine_busy: float | None
    machine_total: float | None
    load: float

    @classmethod
    def now(cls) -> _Clock:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        busy, total = _machine_ticks()
        return cls(
            wall=time.monotonic(),
            own_cpu=usage.ru_utime + usage.ru_stime,
            machine_busy=busy,
            machine_total=total,
            load=os.getloadavg()[0],
        )


@dataclass(frozen=True)
class MachineUse:
    wall: float
    own_cpu: float
    busy: float | None  # share of all cores' time that something was running
    load_before: float
    load_after: float

    @classmethod
    def between(cls, before: _Clock, after: _Clock) -> MachineUse:
        busy = None
        if None not in (before.machine_busy, after.machine_busy):
            ticks = (after.machine_total or 0) - (before.machine_total or 0)
            busy = (
                ((after.machine_busy or 0) - (before.machine_busy or 0)) / ticks if ticks else None
            )
        return cls(
            wall=after.wall - before.wall,
            own_cpu=after.own_cpu - before.own_cpu,
            busy=busy,
            load_before=before.load,
            load_after=after.load,
        )


def _machine_ticks() -> tuple[float | None, float | None]:
    """Clock ticks the machine has spent busy, and in all, over every core (Linux's
    /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat") as stat:
            fields = [float(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None, None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal, sum(fields)


def _children_cpu() -> float:
    """CPU of the child processes that have ended and been waited for (a stopped gunicorn
    counts its workers in its own)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted seconds, in milliseconds."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000


def _clean_up() -> None:
    Provider.objects.filter(slug=SLUG).delete()
    User.objects.filter(username__startswith="loadtest-").delete()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _panel_member(
    member: PanelMember, port: int, deadline: float, results: Results, seed: int
) -> None:
    """Open the scorecard, autosave a few times as if typing, then submit; move on to the next
    candidate. Only what the server answered as kept is noted as kept."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookies = {settings.SESSION_COOKIE_NAME: member.session_key}

    def request(method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                cookies[key] = morsel.value
        return response.status, text

    def timed(
        kind: str, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str]:
        started = time.perf_counter()
        answer = request(method, path, body)
        results.add(kind, time.perf_counter() - started)
        return answer

    for assessment_id in member.assessment_ids:
        if time.monotonic() > deadline:
            break
        base = f"/p/{SLUG}/assessments/{assessment_id}/scorecard/"
        try:
            status, page = timed("page", "GET", base)
            match = CSRF_INPUT.search(page)
            if status != 200 or not match:
                results.error(f"{member.username} GET {base}: {status}")
                continue
            token = match.group(1)
            for _ in range(rng.randint(2, 6)):
                if time.monotonic() > deadline:
                    return
                levels = {cid: rng.randint(1, 4) for cid in member.criterion_ids}
                status, _ = timed("autosave", "POST", base + "autosave/", _form(token, levels, rng))
                if status == 200:
                    member.drafted[assessment_id] = levels
                else:
                    results.error(f"{member.username} autosave {assessment_id}: {status}")
            levels = {cid: rng.randint(1, 4) for cid in member.criterion_ids}
            form = {**_form(token, levels, rng), "submit": "1"}
            status, _ = timed("submit", "POST", base, form)
            if status == 302:
                member.submitted[assessment_id] = levels
            else:
                results.error(f"{member.username} submit {assessment_id}: {status}")
        except (OSError, http.client.HTTPException) as error:
            results.error(f"{member.username} {assessment_id}: {error!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _form(token: str, levels: dict[int, int], rng: random.Random) -> dict[str, str]:
    form = {"csrfmiddlewaretoken": token, "recommendation": "yes", "summary": "Load test"}
    for criterion_id, level in levels.items():
        form[f"level_{criterion_id}"] = str(level)
        form[f"evidence_{criterion_id}"] = f"Observed example {rng.randint(1, 10**6)}"
    return form
