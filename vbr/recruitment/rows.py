"""Long lists drawn as ready-made rows: read as plain values, each row's words worked out
once in the view, so that the template prints them without a model instance, a URL lookup or
a filter per row. The pieces every such list uses live here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.urls import reverse
from django.utils import dateformat, timezone

# A number no object has, to find where the object's own number goes in its address.
_PLACEHOLDER = 987654321


def addresses(url_name: str, provider_slug: str) -> Callable[[object], str]:
    """Each object's page address from its number: the address is worked out once and the
    others made from it (fifty reversals cost more than the rest of a list's drawing)."""
    before, _, after = reverse(url_name, args=[provider_slug, _PLACEHOLDER]).rpartition(
        str(_PLACEHOLDER)
    )
    return lambda pk: f"{before}{pk}{after}"


def local(moment: datetime | None, format_string: str, *, none: str = "") -> str:
    """A moment in the local time zone, as the template's `date` filter prints it."""
    if moment is None:
        return none
    return dateformat.format(moment.astimezone(timezone.get_current_timezone()), format_string)


def person_name(first_name: str, last_name: str) -> str:
    """How a person's name is shown (`Candidate.full_name`)."""
    return f"{first_name} {last_name}".strip()
