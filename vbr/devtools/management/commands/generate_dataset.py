"""Generate a synthetic dataset to measure VBR at scale (see BENCHMARKS.md).

    manage.py generate_dataset --size small --seed 1
    manage.py generate_dataset --size large            # 150,000 applications, 3 M scores
    manage.py generate_dataset --size tiny --applications 200

Idempotent per seed: the providers and people it made before (slug and username prefix
`bench-`) are deleted first. It refuses to write into a database that holds other providers
(the demo, or real data) unless given --force.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vbr.devtools import synthetic


class Command(BaseCommand):
    help = "Generate a synthetic dataset (providers prefixed bench-) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(synthetic.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--applications",
            type=int,
            help="Scale the size to this many applications in all (for tests and quick runs).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write even though the database holds providers this command did not make.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if synthetic.other_providers_present() and not options["force"]:
            raise CommandError(
                "This database holds providers that are not synthetic (the demo or real data). "
                "Use a separate database for benchmarks, or pass --force to add to it."
            )
        size = synthetic.SIZES[options["size"]]
        if options["applications"]:
            if options["applications"] < 1:
                raise CommandError("--applications must be at least 1.")
            size = size.with_applications(options["applications"])
        started = time.perf_counter()
        deleted = synthetic.delete_synthetic()
        if deleted:
            self.stdout.write(
                f"Deleted {deleted} synthetic providers from an earlier run "
                f"in {time.perf_counter() - started:.1f} s."
            )
        generator = synthetic.Generator(size=size, seed=options["seed"])
        summary = generator.run(progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the {options['size']} dataset (seed {options['seed']}) "
                f"in {summary.seconds:.1f} s:"
            )
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {count:>10,} {name}")
