"""Store the value sets and the question bank from the fixtures folder. Safe to run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vbr.recruitment import workflow
from vbr.recruitment.value_sets import BadValueSet


class Command(BaseCommand):
    help = (
        "Load the value sets (Care Workforce Pathway, the 6Cs, VBR's starter set) and their "
        "question and activity bank. A new version is added beside the old; nothing a "
        "provider has adopted changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder", type=Path, default=None, help="Read the sets from another folder."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = workflow.load_value_sets(folder=options["folder"])
        except (BadValueSet, OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        for name in loaded.sets_added:
            self.stdout.write(f"Added {name}")
        for name in loaded.sets_kept:
            self.stdout.write(f"Already loaded: {name}")
        self.stdout.write(
            f"Question bank: {loaded.bank_items_added} added, {loaded.bank_items_updated} updated"
        )
