"""Reading the value sets and the question bank from the `fixtures/value_sets/` folder.

One JSON file per version of a set: its values with indicators, and under each value the bank
items that serve it. `levels.json` holds the four-level descriptions an item uses when it does
not write its own. Nothing here touches the database: `manage.py load_value_sets` stores what
is read, and the starter set is also read straight from here (see `starter_values`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

Levels = tuple[str, str, str, str]

KINDS = ("interview_question", "shadowing_behaviour", "group_activity", "scenario")


def fixtures_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "value_sets"


class BadValueSet(ValueError):
    """A fixture file is not as described here; the message names the file and the place."""


@dataclass(frozen=True)
class BankEntry:
    key: str
    kind: str
    title: str
    prompt: str
    prompt_easy_read: str
    levels: Levels
    levels_easy_read: Levels
    # In the starter set only: the place of the item among those a new values interview or
    # shadowing stage adds in one go ("add the starter questions"); 0 for the others.
    role_starter: int


@dataclass(frozen=True)
class SetValue:
    name: str
    description: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    bank: tuple[BankEntry, ...]


@dataclass(frozen=True)
class SetFile:
    slug: str
    name: str
    version: int
    order: int
    source: str
    description: str
    values: tuple[SetValue, ...]


def _levels(raw: Any, where: str) -> Levels:
    if not isinstance(raw, list) or len(raw) != 4 or not all(isinstance(t, str) and t for t in raw):
        raise BadValueSet(f"{where}: four level descriptions are needed")
    return (raw[0], raw[1], raw[2], raw[3])


@cache
def default_levels() -> dict[str, tuple[Levels, Levels]]:
    """By kind of bank item: (plain, easy-read) level descriptions."""
    path = fixtures_dir() / "levels.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        kind: (
            _levels(raw["plain"][kind], f"{path.name} plain {kind}"),
            _levels(raw["easy_read"][kind], f"{path.name} easy_read {kind}"),
        )
        for kind in KINDS
    }


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadValueSet(f"{where}: '{key}' must be some text")
    return value.strip()


def _bank_entry(raw: dict[str, Any], where: str) -> BankEntry:
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        raise BadValueSet(f"{where}: kind must be one of {', '.join(KINDS)}")
    plain, easy = default_levels()[kind]
    return BankEntry(
        key=_text(raw, "key", where),
        kind=kind,
        title=_text(raw, "title", where),
        prompt=_text(raw, "prompt", where),
        prompt_easy_read=_text(raw, "prompt_easy_read", where),
        levels=_levels(raw["levels"], where) if "levels" in raw else plain,
        levels_easy_read=(
            _levels(raw["levels_easy_read"], where) if "levels_easy_read" in raw else easy
        ),
        role_starter=int(raw.get("role_starter", 0)),
    )


def read_set_file(path: Path) -> SetFile:
    raw = json.loads(path.read_text(encoding="utf-8"))
    where = path.name
    version = raw.get("version")
    if not isinstance(version, int) or version < 1:
        raise BadValueSet(f"{where}: version must be a whole number from 1")
    values = []
    for value in raw.get("values", []):
        value_where = f"{where}, value {value.get('name', '?')!r}"
        bank = tuple(
            _bank_entry(entry, f"{value_where}, bank item {entry.get('key', '?')!r}")
            for entry in value.get("bank", [])
        )
        keys = [entry.key for entry in bank]
        if len(keys) != len(set(keys)):
            raise BadValueSet(f"{value_where}: bank item keys must differ")
        values.append(
            SetValue(
                name=_text(value, "name", value_where),
                description=_text(value, "description", value_where, required=False),
                positive=tuple(value.get("positive", [])),
                negative=tuple(value.get("negative", [])),
                bank=bank,
            )
        )
    if not values:
        raise BadValueSet(f"{where}: a set needs at least one value")
    return SetFile(
        slug=_text(raw, "slug", where),
        name=_text(raw, "name", where),
        version=version,
        order=int(raw.get("order", 0)),
        source=_text(raw, "source", where, required=False),
        description=_text(raw, "description", where, required=False),
        values=tuple(values),
    )


def read_all(folder: Path | None = None) -> list[SetFile]:
    """Every set file in the folder (all versions), in file-name order."""
    folder = folder or fixtures_dir()
    return [
        read_set_file(path) for path in sorted(folder.glob("*.json")) if path.name != "levels.json"
    ]


@cache
def starter_set() -> SetFile:
    """VBR's own starter set: where the built-in starter values, questions and behaviours
    come from."""
    return read_set_file(fixtures_dir() / "vbr-starter.json")
