"""The pieces of ready-made rows print what the templates' own filters would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from vbr.recruitment.rows import dates

# Every format a list prints its dates in, and one the fast path does not know.
FORMATS = ("j M Y", "D j M, H:i", "j M Y H:i", "l j F Y")


def moments() -> list[datetime]:
    """Moments over a year and a half, every 37 hours and 11 minutes (so every weekday, hour
    and month), and either side of both of London's clock changes."""
    start = datetime(2025, 1, 1, 0, 7, tzinfo=UTC)
    found = [start + timedelta(hours=37 * n, minutes=11 * n) for n in range(360)]
    for change in (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ):
        found += [change + timedelta(minutes=m) for m in (-61, -1, 0, 1, 59, 61)]
    return found


@pytest.mark.parametrize("format_string", FORMATS)
def test_a_moment_is_printed_as_the_date_filter_prints_it_in_local_time(format_string):
    printed = dates(format_string)
    for moment in moments():
        assert printed(moment) == date_filter(timezone.localtime(moment), format_string), moment


def test_the_time_zone_is_the_one_active_when_the_list_is_made():
    moment = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    assert dates("j M Y H:i")(moment) == "2 Jul 2026 00:30"  # London's summer time
    with timezone.override("America/New_York"):
        assert dates("D j M, H:i")(moment) == "Wed 1 Jul, 19:30"


def test_a_day_is_printed_as_it_is_and_nothing_as_asked():
    assert dates("j M Y")(date(2026, 12, 7)) == "7 Dec 2026"
    assert dates("l j F Y")(date(2026, 12, 7)) == "Monday 7 December 2026"
    assert dates("j M Y")(None) == ""
    assert dates("D j M, H:i", none="Not set")(None) == "Not set"
    assert dates("l j F Y", none="Not set")(None) == "Not set"


def test_braces_and_escapes_in_a_format_are_printed_as_the_filter_prints_them():
    moment = datetime(2026, 5, 3, 9, 5, tzinfo=UTC)
    for format_string in ("{j} M", r"j \o\f F", "H:i {0}"):
        assert dates(format_string)(moment) == date_filter(
            timezone.localtime(moment), format_string
        )
