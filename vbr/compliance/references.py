"""References by link: a referee answers a short structured form through a personal,
expiring link, without an account.

Security-critical, so it lives in these few functions, on the rules of panel invitations
(`vbr.accounts.invitations`): only a keyed hash of the token is stored; a link works until
it is answered, revoked or expired; unknown links count against the caller's address, and
past the limit nothing is looked up. No session is opened: the form is reached only by its
link, and no other page of VBR is open to the referee.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vbr.accounts.mail import queue_email
from vbr.accounts.models import User
from vbr.compliance.models import (
    ReferenceEvent,
    ReferenceLinkTry,
    ReferenceRequest,
    SaferRecruitmentFile,
)

LINK_DAYS = 21
CHASE_AFTER_DAYS = 3
MAX_CHASES = 4
WRONG_LINKS_PER_ADDRESS = 20
WRONG_LINK_WINDOW = timedelta(minutes=15)


class ReferenceLinkUnusable(Exception):
    """The link is unknown, answered, revoked or expired; `reason` in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyLinkTries(Exception):
    """Too many unknown links from this address lately."""


def _digest(value: str) -> str:
    return salted_hmac("vbr.compliance.reference.token", value).hexdigest()


def _address_key(address: str) -> str:
    return salted_hmac("vbr.compliance.reference.address", address).hexdigest()


def link_for(reference: ReferenceRequest, token: str) -> str:
    return f"{reference.site_origin.rstrip('/')}{reverse('reference-form', args=[token])}"


def _email(reference: ReferenceRequest, token: str, *, reminder: bool) -> None:
    file = reference.file
    candidate = file.application.candidate
    provider = file.provider
    subject = (
        f"Reminder: reference for {candidate.full_name}"
        if reminder
        else f"Reference request for {candidate.full_name}"
    )
    body = (
        f"Dear {reference.referee_name},\n\n"
        f"{candidate.full_name} has been offered work at {provider.name} and gave your name "
        f"as a referee at {reference.referee_organisation}. Please answer a few short "
        "questions through this personal link (it takes a few minutes, on any device):\n\n"
        f"{link_for(reference, token)}\n\n"
        f"The link works once and until {timezone.localtime(reference.expires_at):%-d %B %Y}. "
        "Please do not forward it.\n"
        + (
            "\nAn earlier link we sent you no longer works: please use this one.\n"
            if reminder
            else ""
        )
        + f"\nThank you,\n{provider.name}\n"
    )
    queue_email(provider=provider, to=reference.referee_email, subject=subject, body=body)


@transaction.atomic
def request_reference(
    *,
    file: SaferRecruitmentFile,
    by: User,
    referee_name: str,
    referee_email: str,
    referee_organisation: str,
    is_last_employer: bool,
    site_origin: str,
) -> ReferenceRequest:
    """Name a referee and email them their personal link."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    reference = ReferenceRequest.objects.create(
        file=file,
        referee_name=referee_name.strip(),
        referee_email=referee_email.strip(),
        referee_organisation=referee_organisation.strip(),
        is_last_employer=is_last_employer,
        token_hash=_digest(token),
        site_origin=site_origin,
        expires_at=now + timedelta(days=LINK_DAYS),
        requested_by=by,
        requested_at=now,
        last_sent_at=now,
    )
    ReferenceEvent.objects.create(reference=reference, kind=ReferenceEvent.Kind.REQUESTED, actor=by)
    _email(reference, token, reminder=False)
    return reference


def find_by_token(*, token: str, address: str) -> ReferenceRequest:
    """The reference a link belongs to, if it can still be answered."""
    key = _address_key(address)
    now = timezone.now()
    ReferenceLinkTry.objects.filter(tried_at__lt=now - WRONG_LINK_WINDOW).delete()
    recent = ReferenceLinkTry.objects.filter(
        address_key=key, tried_at__gte=now - WRONG_LINK_WINDOW
    ).count()
    if recent >= WRONG_LINKS_PER_ADDRESS:
        raise TooManyLinkTries
    reference = (
        ReferenceRequest.objects.select_related("file__provider", "file__application__candidate")
        .filter(token_hash=_digest(token))
        .first()
    )
    if reference is None:
        ReferenceLinkTry.objects.create(address_key=key)
        raise ReferenceLinkUnusable("This link is not known. Please check it was copied whole.")
    if reference.received_at is not None:
        raise ReferenceLinkUnusable("This reference has already been sent. Thank you.")
    if reference.revoked_at is not None:
        raise ReferenceLinkUnusable("This link has been withdrawn by the employer.")
    if reference.expires_at <= now:
        raise ReferenceLinkUnusable(
            "This link has expired. Please contact the employer who asked for the reference."
        )
    return reference


@transaction.atomic
def submit_reference(*, reference: ReferenceRequest, answers: dict[str, object]) -> None:
    """Keep the referee's answer once: a second send of the same link changes nothing."""
    locked = ReferenceRequest.objects.select_for_update().get(pk=reference.pk)
    if not locked.is_usable:
        raise ReferenceLinkUnusable("This reference has already been sent. Thank you.")
    for field, value in answers.items():
        setattr(locked, field, value)
    locked.received_at = timezone.now()
    locked.save()
    ReferenceEvent.objects.create(reference=locked, kind=ReferenceEvent.Kind.RECEIVED)


@transaction.atomic
def revoke_reference(*, reference: ReferenceRequest, by: User) -> None:
    ReferenceRequest.objects.filter(pk=reference.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    ReferenceEvent.objects.create(reference=reference, kind=ReferenceEvent.Kind.REVOKED, actor=by)


@transaction.atomic
def verify_reference(*, reference: ReferenceRequest, by: User, authenticity: str) -> None:
    """The manager has read the answer and checked it is genuine (and, in Wales, says how)."""
    if reference.received_at is None:
        raise ValueError("Only an answered reference can be verified.")
    if reference.file.provider.nation == "wales" and not authenticity.strip():
        raise ValueError("Record how the reference's authenticity was checked.")
    reference.verified_by = by
    reference.verified_at = timezone.now()
    reference.authenticity = authenticity.strip()
    reference.save(update_fields=["verified_by", "verified_at", "authenticity"])
    ReferenceEvent.objects.create(reference=reference, kind=ReferenceEvent.Kind.VERIFIED, actor=by)


def chase_references() -> int:
    """Email a new link to each referee who has not answered within CHASE_AFTER_DAYS of the
    last email, up to MAX_CHASES times. Run by celery beat; each chase is its own
    transaction and moves `last_sent_at`, so a second run soon after sends nothing."""
    due_before = timezone.now() - timedelta(days=CHASE_AFTER_DAYS)
    chased = 0
    due = ReferenceRequest.objects.waiting().filter(
        last_sent_at__lt=due_before, chase_count__lt=MAX_CHASES
    )
    for reference_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            reference = (
                ReferenceRequest.objects.select_for_update(of=("self",))
                .select_related("file__provider", "file__application__candidate")
                .waiting()
                .filter(pk=reference_id, last_sent_at__lt=due_before)
                .first()
            )
            if reference is None:
                continue
            token = secrets.token_urlsafe(32)
            reference.token_hash = _digest(token)
            reference.last_sent_at = timezone.now()
            reference.chase_count += 1
            reference.save(update_fields=["token_hash", "last_sent_at", "chase_count"])
            ReferenceEvent.objects.create(reference=reference, kind=ReferenceEvent.Kind.CHASED)
            _email(reference, token, reminder=True)
            chased += 1
    return chased


# -- The candidate's own employment history, by link ---------------------------------------


HISTORY_LINK_DAYS = 14


@transaction.atomic
def send_history_link(*, file: SaferRecruitmentFile, by: User, site_origin: str) -> str:
    """Email the candidate a personal link to enter their employment history; earlier links
    stop working. Returns the address it went to."""
    from vbr.compliance.models import HistoryLink

    candidate = file.application.candidate
    if not candidate.email:
        raise ValueError("The candidate has no email address: enter the history with them.")
    now = timezone.now()
    file.history_links.filter(revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    link = HistoryLink.objects.create(
        file=file,
        token_hash=_digest(f"history:{token}"),
        site_origin=site_origin,
        emailed_to=candidate.email,
        expires_at=now + timedelta(days=HISTORY_LINK_DAYS),
        created_by=by,
    )
    url = f"{site_origin.rstrip('/')}{reverse('history-form', args=[token])}"
    queue_email(
        provider=file.provider,
        to=candidate.email,
        subject=f"Your work history for {file.provider.name}",
        body=(
            f"Dear {candidate.first_name},\n\n"
            f"To finish the checks before you start at {file.provider.name}, please list the "
            "jobs you have had (and any time between them, such as study or caring) through "
            f"this personal link:\n\n{url}\n\n"
            f"It works until {timezone.localtime(link.expires_at):%-d %B %Y}. Please do not "
            f"forward it.\n\nThank you,\n{file.provider.name}\n"
        ),
    )
    return candidate.email


def find_history_link(*, token: str, address: str) -> Any:
    """The candidate's history link, if it can still be used (limits as for references)."""
    from vbr.compliance.models import HistoryLink

    key = _address_key(address)
    now = timezone.now()
    recent = ReferenceLinkTry.objects.filter(
        address_key=key, tried_at__gte=now - WRONG_LINK_WINDOW
    ).count()
    if recent >= WRONG_LINKS_PER_ADDRESS:
        raise TooManyLinkTries
    link = (
        HistoryLink.objects.select_related("file__provider", "file__application__candidate")
        .filter(token_hash=_digest(f"history:{token}"))
        .first()
    )
    if link is None:
        ReferenceLinkTry.objects.create(address_key=key)
        raise ReferenceLinkUnusable("This link is not known. Please check it was copied whole.")
    if link.finished_at is not None:
        raise ReferenceLinkUnusable("You have already sent your work history. Thank you.")
    if link.revoked_at is not None or link.expires_at <= now:
        raise ReferenceLinkUnusable(
            "This link no longer works. Please ask the employer for a new one."
        )
    return link
