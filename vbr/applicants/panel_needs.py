"""What the people on a slot's panel said in their "working with me" about when and how long
they can take part, and whether a supporter comes with them, checked when a manager offers a
time.

A time outside what someone said is not offered until the manager confirms they have agreed
it with them; a supporter's coming is confirmed for each time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.utils import timezone

from vbr.accounts.models import AccessProfile, Membership


def _at(moment: datetime | time) -> str:
    """A time as people in the UK write it: "9:30am", "3:00pm"."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


def profiles_of(panel: Iterable[Membership]) -> list[AccessProfile]:
    """The "working with me" of each panel member who has one, with their user."""
    user_ids = [membership.user_id for membership in panel]
    return list(
        AccessProfile.objects.filter(user_id__in=user_ids)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


def needs_not_met(*, starts_at: datetime, minutes: int, profiles: list[AccessProfile]) -> list[str]:
    """One sentence for each thing a panel member said that this time does not respect."""
    starts = timezone.localtime(starts_at)
    ends = starts + timedelta(minutes=minutes)
    unmet = []
    for profile in profiles:
        name = profile.user.display_name
        earliest, latest = profile.earliest_start, profile.latest_finish
        if earliest is not None and starts.time() < earliest:
            unmet.append(
                f"{name} can start from {_at(earliest)}; this time starts at {_at(starts)}."
            )
        if latest is not None and (ends.date() != starts.date() or ends.time() > latest):
            unmet.append(
                f"{name} needs to finish by {_at(latest)}; this time finishes at {_at(ends)}."
            )
        if profile.longest_minutes is not None and minutes > profile.longest_minutes:
            unmet.append(
                f"{name} can take part for up to {profile.longest_minutes} minutes; "
                f"this time is {minutes} minutes."
            )
    return unmet


def with_supporters(profiles: list[AccessProfile]) -> list[str]:
    """The names of the panel members a supporter comes with."""
    return [profile.user.display_name for profile in profiles if profile.has_supporter]


def in_words(profile: AccessProfile) -> str:
    """What they said, short, for beside their name: "from 10:00 am, until 3:00 pm, up to 60
    minutes, with a supporter"."""
    said = []
    if profile.earliest_start is not None:
        said.append(f"from {_at(profile.earliest_start)}")
    if profile.latest_finish is not None:
        said.append(f"until {_at(profile.latest_finish)}")
    if profile.longest_minutes is not None:
        said.append(f"up to {profile.longest_minutes} minutes")
    if profile.has_supporter:
        said.append("with a supporter")
    return ", ".join(said)
