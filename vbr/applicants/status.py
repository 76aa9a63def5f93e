"""The candidate's personal status page: the link that opens it, and where they stand in
plain words.

The link is the permission (no account, no session): a token of which only a keyed hash is
stored, as for panel invitations, valid for STATUS_LINK_DAYS. The token is itself a keyed hash
of the row and of its expiry (under the secret key), so that a notice written later (moved
on, an offer) can carry the same link again without the link ever being stored: issuing a
new one still ends the old. What the page says is
made here from the application's status, stage and booked times, and from nothing else: no
score, note, recommendation or panel member's view can reach it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vbr.applicants.models import OnlineApplication
from vbr.recruitment.models import Application, Assessment

# Long enough to last the whole recruitment; a link found later opens nothing.
STATUS_LINK_DAYS = 120


class LinkEnded(Exception):
    """The link was right but has expired."""


def _digest(token: str) -> str:
    return salted_hmac("vbr.applicants.status", token).hexdigest()


def _token(online: OnlineApplication, expires: datetime) -> str:
    # A random part was not kept anywhere, so the token is made from what is: the row, its
    # expiry to the microsecond, and the secret key.
    stamp = int(expires.timestamp() * 1_000_000)
    return salted_hmac("vbr.applicants.status-token", f"{online.pk}:{stamp}").hexdigest()


def issue_status_link(*, online: OnlineApplication) -> str:
    """A new personal link for the candidate; any earlier one stops working. Returns the
    token, which is sent to the candidate and never stored."""
    expires = timezone.now() + timedelta(days=STATUS_LINK_DAYS)
    # A microsecond of chance, so that two links issued in the same instant still differ.
    expires += timedelta(microseconds=secrets.randbelow(1000))
    token = _token(online, expires)
    online.status_token_hash = _digest(token)
    online.status_link_expires_at = expires
    online.save(update_fields=["status_token_hash", "status_link_expires_at"])
    return token


def current_status_token(*, online: OnlineApplication) -> str:
    """The token of the candidate's link as it is, for a notice to carry again; a new link
    when theirs has ended (or was made before links could be carried again)."""
    expires = online.status_link_expires_at
    if expires is not None and expires > timezone.now():
        token = _token(online, expires)
        if online.status_token_hash == _digest(token):
            return token
    return issue_status_link(online=online)


def find_by_status_token(token: str) -> OnlineApplication:
    """The online application whose link this is; Http404 when none is, LinkEnded when it
    has expired or the candidate's data has been anonymised."""
    online = (
        OnlineApplication.objects.select_related(
            "application__candidate",
            "application__role",
            "application__current_stage",
            "application__provider",
        )
        .filter(status_token_hash=_digest(token))
        .first()
    )
    if online is None:
        raise Http404("No such link")
    expires = online.status_link_expires_at
    if expires is None or expires <= timezone.now():
        raise LinkEnded
    if online.application.candidate.anonymised_at is not None:
        raise LinkEnded
    return online


@dataclass(frozen=True)
class Booked:
    stage: str
    at: datetime | None
    place: str


@dataclass(frozen=True)
class Standing:
    """Where the application stands, for the candidate: a headline and what happens next."""

    headline: str
    next_step: str
    booked: list[Booked]
    can_withdraw: bool


def standing(application: Application, *, times_offered: bool = False) -> Standing:
    """Where the application stands in plain words, made from its status, its stage and
    the times booked for it. `times_offered`: times can be booked at the current stage."""
    now = timezone.now()
    booked = [
        Booked(stage=a.stage.name, at=a.scheduled_at, place=a.place)
        for a in application.assessments.select_related("stage")
        .exclude(status=Assessment.Status.CANCELLED)
        .filter(scheduled_at__gte=now)
        .order_by("scheduled_at")
    ]
    role = application.role.title
    provider = application.provider.name
    status = application.status
    if status == Application.Status.WITHDRAWN:
        return Standing(
            f"You withdrew your application for {role}.",
            f"{provider} will not contact you about this job again. You are welcome to apply "
            "for other jobs.",
            [],
            False,
        )
    if status == Application.Status.DECLINED:
        return Standing(
            f"We will not be taking your application for {role} further this time.",
            "Thank you for the time you gave us. You are welcome to apply for other jobs.",
            [],
            False,
        )
    if status == Application.Status.OFFERED:
        return Standing(
            f"We would like to offer you the job of {role}.",
            f"{provider} will contact you about the offer and the checks before you start.",
            booked,
            True,
        )
    if status == Application.Status.HIRED:
        return Standing(
            f"You have the job of {role}. Welcome.",
            f"{provider} will tell you about your first days.",
            booked,
            False,
        )
    stage = application.current_stage
    first = application.role.stages.order_by("order", "pk").first()
    if booked:
        when = booked[0]
        headline = f"Your {when.stage.lower()} is booked."
        next_step = "Come at the time below. If you cannot, tell us as soon as you can."
    elif times_offered and stage is not None:
        headline = f"Please choose a time for your {stage.name.lower()}."
        next_step = "Choose one of the times below. You can move or cancel it later on this page."
    elif stage is None or (first is not None and stage.pk == first.pk and not booked):
        headline = f"We have your application for {role}."
        next_step = (
            f"Someone from {provider} is reading it. We will contact you within a few days "
            f"to tell you what happens next"
            + (f": usually a {first.name.lower()}." if first is not None else ".")
        )
    else:
        headline = f"Your application for {role} has moved on to the {stage.name.lower()}."
        next_step = f"We will contact you to arrange a time for the {stage.name.lower()}."
    return Standing(headline, next_step, booked, True)
