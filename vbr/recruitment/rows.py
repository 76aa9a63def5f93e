"""Long lists drawn as ready-made rows: read as plain values, each row's words worked out
once in the view, so that the template prints them without a model instance, a URL lookup or
a filter per row. The pieces every such list uses live here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.translation import get_language

# A number no object has, to find where the object's own number goes in its address.
_PLACEHOLDER = 987654321


def addresses(url_name: str, provider_slug: str) -> Callable[[object], str]:
    """Each object's page address from its number: the address is worked out once and the
    others made from it (fifty reversals cost more than the rest of a list's drawing)."""
    before, _, after = reverse(url_name, args=[provider_slug, _PLACEHOLDER]).rpartition(
        str(_PLACEHOLDER)
    )
    return lambda pk: f"{before}{pk}{after}"


def dates(format_string: str, *, none: str = "") -> Callable[[date | None], str]:
    """A function printing a moment in the local time zone, or a day, as the template's `date`
    filter prints it with `format_string` (`none` for nothing). Made once for a list: the
    format is read, and the time zone and the month and weekday names looked up, once, not
    on each of fifty rows (Django's formatter spends about 20 µs a date reading its format
    again)."""
    zone = timezone.get_current_timezone()
    if "\\" in format_string or any(c.isalpha() and c not in _FIELDS for c in format_string):
        return lambda moment: (
            none
            if moment is None
            else dateformat.format(
                moment.astimezone(zone) if isinstance(moment, datetime) else moment,
                format_string,
            )
        )
    # Each letter becomes a field of a str.format template; braces are doubled.
    template = "".join(
        _FIELDS.get(c) or c.replace("{", "{{").replace("}", "}}") for c in format_string
    )
    months, weekdays = _names(get_language())

    def formatted(moment: date | None) -> str:
        if moment is None:
            return none
        hour = minute = 0  # a day has no time: a format for days has no H or i
        if isinstance(moment, datetime):
            moment = moment.astimezone(zone)
            hour, minute = moment.hour, moment.minute
        return template.format(
            day=moment.day,
            month=months[moment.month],
            year=moment.year,
            weekday=weekdays[moment.weekday()],
            hour=hour,
            minute=minute,
        )

    return formatted


# The `date` filter's letters the lists use, each as Django's own formatter writes it.
_FIELDS = {
    "j": "{day}",
    "M": "{month}",
    "Y": "{year:04d}",
    "D": "{weekday}",
    "H": "{hour:02d}",
    "i": "{minute:02d}",
}


@functools.cache
def _names(language: str | None) -> tuple[dict[int, str], dict[int, str]]:
    """The months' and weekdays' short names in `language`, as the `date` filter prints them."""
    return (
        {number: name.title() for number, name in MONTHS_3.items()},
        {number: str(name) for number, name in WEEKDAYS_ABBR.items()},
    )


def person_name(first_name: str, last_name: str) -> str:
    """How a person's name is shown (`Candidate.full_name`)."""
    return f"{first_name} {last_name}".strip()
