"""Shortlisting answers as other pages show them, through the independence rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef

from vbr.accounts.access import owed_shortlist_entries, shortlist_answers_visible_to
from vbr.involvement.models import ShortlistAnswer


def tally(answers: Iterable[ShortlistAnswer]) -> dict[str, int]:
    """How many said yes, not sure and no."""
    counted = Counter(a.answer for a in answers)
    return {value: counted.get(value, 0) for value in ShortlistAnswer.Answer.values}


def shortlisting_on_application(reader: Any, application: Any) -> list[dict[str, Any]]:
    """The application's place in each shortlisting, with the answers the reader may see:
    none, for an applicant they shortlist and have not answered yet. Two queries."""
    entries = list(
        application.shortlist_entries.select_related("shortlisting").annotate(
            hidden=Exists(owed_shortlist_entries(reader).filter(pk=OuterRef("pk")))
        )
    )
    if not entries:
        return []
    hidden = {entry.pk for entry in entries if entry.hidden}
    answers = list(
        shortlist_answers_visible_to(
            reader, ShortlistAnswer.objects.filter(entry__application=application)
        ).select_related("shortlister__user")
    )
    rows = []
    for entry in entries:
        own = [a for a in answers if a.entry_id == entry.pk]
        rows.append(
            {"entry": entry, "hidden": entry.pk in hidden, "answers": own, "tally": tally(own)}
        )
    return rows
