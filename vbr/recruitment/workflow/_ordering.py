"""Keeping an ordered list in order: shared by the values library and a role's stages.

Both, and a stage's criteria, are lists a person rearranges one step at a time; the same
swap-and-renumber serves all three, so it lives here rather than in any one area.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from vbr.recruitment.models import CoreValue, Criterion, Stage

Ordered = TypeVar("Ordered", CoreValue, Criterion, Stage)


def move_among(siblings: Sequence[Ordered], moving: Ordered, *, up: bool) -> bool:
    """Swap `moving` with its neighbour among `siblings` (already in display order) and
    renumber them 1..n, so that gaps and ties left by earlier edits disappear."""
    items = list(siblings)
    index = next(i for i, item in enumerate(items) if item.pk == moving.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        item.order = position
    type(moving).objects.bulk_update(items, ["order"])
    return True
