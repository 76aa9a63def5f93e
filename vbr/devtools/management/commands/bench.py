"""Build the synthetic dataset and measure the key pages on it (see BENCHMARKS.md).

    manage.py bench --size small             # generate, then measure
    manage.py bench --size large --reuse     # measure the dataset already there

Prints a table and writes bench-results/bench-<size>.json. Timings are in-process (Django
test client, signed in with force_login), so they are server time without the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from vbr.devtools import benchmark, synthetic


class Command(BaseCommand):
    help = "Generate the synthetic dataset and measure page times and query counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(synthetic.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--applications", type=int, help="Scale the dataset (see generate_dataset)."
        )
        parser.add_argument(
            "--reuse", action="store_true", help="Measure the synthetic data already there."
        )
        parser.add_argument("--force", action="store_true", help="Passed to generate_dataset.")
        parser.add_argument("--requests", type=int, default=20)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--output", help="JSON file (default bench-results/bench-<size>.json)")
        parser.add_argument(
            "--only",
            action="append",
            metavar="WORD",
            help="Measure only what has WORD in its label (repeatable), e.g. --only dashboard.",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Also write EXPLAIN ANALYZE of every page query (PostgreSQL) next to the JSON.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Measure the pages themselves, as people who have already passed two-factor sign-in,
        # reached over plain HTTP as the app is behind its TLS proxy.
        # Sessions as production reads them with its shared cache (this is one process, so
        # its own cache is shared by everything in it).
        with override_settings(
            VBR_REQUIRE_ADMIN_2FA=False,
            SECURE_SSL_REDIRECT=False,
            SESSION_ENGINE="vbr.accounts.sessions",
        ):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        size = options["size"]
        generation: dict[str, Any] = {"reused": options["reuse"]}
        if options["reuse"]:
            if not synthetic.synthetic_providers_present():
                raise CommandError("There is no synthetic data to reuse: drop --reuse.")
        else:
            started = time.perf_counter()
            call_command(
                "generate_dataset",
                size=size,
                seed=options["seed"],
                applications=options["applications"],
                force=options["force"],
                stdout=self.stdout,
            )
            generation["seconds"] = round(time.perf_counter() - started, 1)

        # The test client talks to "testserver"; static files are read without a manifest so
        # that no collectstatic is needed (the manifest lookup is a dictionary read).
        with (
            override_settings(
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                STORAGES={
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
            ),
            warnings.catch_warnings(),
        ):
            # Whitenoise warns once that there is no collectstatic folder: not relevant here.
            warnings.filterwarnings("ignore", message="No directory at")
            report = self._measure(options)
        report["generation"] = generation
        report["size"] = size
        report["seed"] = options["seed"]

        output = Path(options["output"] or Path("bench-results") / f"bench-{size}.json")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, default=str) + "\n")
        if options["explain"]:
            output.with_suffix(".explain.txt").write_text(self._plans)

        self.stdout.write("")
        self.stdout.write(
            f"VBR benchmark — {size} dataset, {report['machine']['database']} "
            f"{report['machine']['database_version']}, commit {report['commit']}, "
            f"{report['requests']} requests after {report['warmup']} warm-up"
        )
        self.stdout.write(
            benchmark.table(
                [benchmark.PageResult(**p) for p in report["pages"] + report["scorecard_writes"]],
                [benchmark.ExportResult(**e) for e in report["exports"]],
            )
        )
        for note in report["notes"]:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(self.style.SUCCESS(f"Written to {output}"))

    def _measure(self, options: dict[str, Any]) -> dict[str, Any]:
        load_before = [round(load, 2) for load in os.getloadavg()]
        calibration = benchmark.calibration_ms()
        subjects = benchmark.pick_subjects()
        counts = {
            "applications": subjects.provider.applications.count(),
            "roles": subjects.provider.roles.count(),
        }
        self.stdout.write(
            f"Measuring on {subjects.provider.slug} ({counts['applications']:,} applications, "
            f"{counts['roles']} roles):"
        )
        kwargs = {
            "warmup": options["warmup"],
            "requests": options["requests"],
            "only": options["only"],
        }
        pages = benchmark.measure_pages(subjects, log=self.stdout.write, **kwargs)
        self._plans = benchmark.explain(pages) if options["explain"] else ""
        writes = benchmark.measure_scorecard_writes(subjects, log=self.stdout.write, **kwargs)
        exports = benchmark.measure_exports(subjects, log=self.stdout.write, only=options["only"])
        return {
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "load_average_before": load_before,
            "calibration_ms": calibration,
            "commit": _commit(),
            "machine": benchmark.machine(),
            "provider": {"slug": subjects.provider.slug, **counts},
            "requests": options["requests"],
            "warmup": options["warmup"],
            "pages": benchmark.as_dict(pages),
            "scorecard_writes": benchmark.as_dict(writes),
            "exports": benchmark.as_dict(exports),
            "notes": subjects.notes,
        }


def _commit() -> str:
    """The commit measured, marked "-dirty" when the worktree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head
