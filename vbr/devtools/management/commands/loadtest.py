"""Load test: many panel members autosaving and submitting scorecards at once.

Starts gunicorn on a loopback port against the configured database (PostgreSQL for real
figures), runs N simulated panel members for a bounded time from this second process, then
counts in the database that no score was lost or duplicated. Everything it creates lives in a
throwaway provider that is deleted afterwards.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import statistics
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
class Panel:
    """One simulated panel member: their session and the assessments they score, in order."""

    username: str
    session_key: str
    assessment_ids: list[int]
    criterion_ids: list[int]
    submitted: dict[int, dict[int, int]] = field(default_factory=dict)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"autosave": [], "submit": []}
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
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seconds"] > 600:
            raise CommandError("Keep the load test bounded: at most 600 seconds.")
        # gunicorn serves with production settings: static files come from collectstatic.
        call_command("collectstatic", interactive=False, verbosity=0)
        panels = self._build(options["users"], options["assessments_per_user"])
        port = _free_port()
        server = self._start_gunicorn(port, options["workers"], options["threads"])
        try:
            results = self._run(panels, port, options["seconds"])
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        ok = self._report(panels, results)
        _clean_up()
        if not ok:
            raise CommandError("The load test found errors or lost scores (see above).")

    # -- setting up -------------------------------------------------------------------------------

    @transaction.atomic
    def _build(self, users: int, per_user: int) -> list[Panel]:
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
        panels = []
        for n in range(users):
            user = User.objects.create(username=f"loadtest-{n}", full_name=f"Panel member {n}")
            Membership.objects.create(user=user, provider=provider, role=Membership.Role.PANEL)
            assessment_ids = []
            for k in range(per_user):
                candidate = Candidate.objects.create(
                    provider=provider, first_name=f"C{n}", last_name=f"K{k}"
                )
                application = Application.objects.create(
                    provider=provider, candidate=candidate, role=role, current_stage=stage
                )
                assessment = Assessment.objects.create(
                    application=application, stage=stage, scheduled_at=timezone.now()
                )
                Panellist.objects.create(
                    assessment=assessment, user=user, panel_role=Panellist.PanelRole.STAFF_PEER
                )
                Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
                assessment_ids.append(assessment.pk)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            panels.append(
                Panel(
                    username=user.username,
                    session_key=session.session_key or "",
                    assessment_ids=assessment_ids,
                    criterion_ids=[c.pk for c in criteria],
                )
            )
        return panels

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

    def _run(self, panels: list[Panel], port: int, seconds: int) -> Results:
        results = Results()
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_panel_member, args=(panel, port, deadline, results, seed))
            for seed, panel in enumerate(panels)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    # -- checking --------------------------------------------------------------------------------

    def _report(self, panels: list[Panel], results: Results) -> bool:
        ok = not results.errors
        for kind, values in results.latencies.items():
            if values:
                values.sort()
                p95 = values[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]
                median = statistics.median(values) * 1000
                self.stdout.write(
                    f"{kind:9} {len(values):6} requests  median {median:7.1f} ms"
                    f"  p95 {p95 * 1000:7.1f} ms"
                )
        expected = {aid: levels for panel in panels for aid, levels in panel.submitted.items()}
        submitted = Scorecard.objects.filter(
            assessment__application__provider__slug=SLUG, submitted_at__isnull=False
        ).prefetch_related("scores")
        found = {card.assessment_id: card for card in submitted}
        lost = [aid for aid in expected if aid not in found]
        unexpected = [aid for aid in found if aid not in expected]
        mismatched = []
        for aid, card in found.items():
            levels = {s.criterion_id: s.level for s in card.scores.all()}
            if aid in expected and levels != expected[aid]:
                mismatched.append(aid)
        duplicates = (
            Scorecard.objects.filter(assessment__application__provider__slug=SLUG).count()
            - Scorecard.objects.filter(assessment__application__provider__slug=SLUG)
            .values("panellist")
            .distinct()
            .count()
        )
        self.stdout.write(
            f"submitted scorecards: {len(expected)} by the clients, {len(found)} in the database; "
            f"lost {len(lost)}, unexpected {len(unexpected)}, with wrong scores {len(mismatched)}, "
            f"duplicated {duplicates}; errors {len(results.errors)}"
        )
        for message in results.errors[:10]:
            self.stdout.write(f"  error: {message}")
        return ok and not (lost or unexpected or mismatched or duplicates)


def _clean_up() -> None:
    Provider.objects.filter(slug=SLUG).delete()
    User.objects.filter(username__startswith="loadtest-").delete()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _panel_member(panel: Panel, port: int, deadline: float, results: Results, seed: int) -> None:
    """Autosave a few times as if typing, then submit; move on to the next assessment."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookies = {settings.SESSION_COOKIE_NAME: panel.session_key}

    def request(method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                cookies[key] = morsel.value
        return response.status, text

    for assessment_id in panel.assessment_ids:
        if time.monotonic() > deadline:
            break
        base = f"/p/{SLUG}/assessments/{assessment_id}/scorecard/"
        try:
            status, page = request("GET", base)
            match = CSRF_INPUT.search(page)
            if status != 200 or not match:
                results.error(f"{panel.username} GET {base}: {status}")
                continue
            token = match.group(1)
            levels: dict[int, int] = {}
            for _ in range(rng.randint(2, 6)):
                if time.monotonic() > deadline:
                    return
                levels = {cid: rng.randint(1, 4) for cid in panel.criterion_ids}
                form = _form(token, levels, rng)
                started = time.perf_counter()
                status, _ = request("POST", base + "autosave/", form)
                results.add("autosave", time.perf_counter() - started)
                if status != 200:
                    results.error(f"{panel.username} autosave {assessment_id}: {status}")
            levels = {cid: rng.randint(1, 4) for cid in panel.criterion_ids}
            form = {**_form(token, levels, rng), "submit": "1"}
            started = time.perf_counter()
            status, _ = request("POST", base, form)
            results.add("submit", time.perf_counter() - started)
            if status == 302:
                panel.submitted[assessment_id] = levels
            else:
                results.error(f"{panel.username} submit {assessment_id}: {status}")
        except (OSError, http.client.HTTPException) as error:
            results.error(f"{panel.username} {assessment_id}: {error!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _form(token: str, levels: dict[int, int], rng: random.Random) -> dict[str, str]:
    form = {"csrfmiddlewaretoken": token, "recommendation": "yes", "summary": "Load test"}
    for criterion_id, level in levels.items():
        form[f"level_{criterion_id}"] = str(level)
        form[f"evidence_{criterion_id}"] = f"Observed example {rng.randint(1, 10**6)}"
    return form
