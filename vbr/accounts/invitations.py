"""Signing panel members in without a password: invitation links and short codes.

Security-critical, so it lives in these few functions:
- `create_invitation` makes a random link token and a short code, and stores only keyed
  hashes of them;
- `find_by_token` / `find_by_code` look an invitation up from what the person brought;
- `sign_in_by_link` signs them in with a *link-scoped* session: `LinkScopeMiddleware` lets
  such a session reach only that person's own panel pages.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, JoinCodeTry, Membership, PanelInvitation, User

# No 0/O, 1/I/L: easy to read aloud and to type from a printout.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
SESSION_SCOPE_KEY = "link_scope"
KIOSK_IDLE_SECONDS = 15 * 60
# Guessing short codes: wrong tries allowed in the window from one address at codes with the
# same first letters (so one care home's typos lock only that code, there), and from one
# address at any codes (a higher ceiling, for a care home where several people join).
JOIN_TRIES_PER_CODE = 5
JOIN_TRIES_PER_ADDRESS = 30
JOIN_WINDOW_SECONDS = 15 * 60
JOIN_PREFIX_LENGTH = 3

logger = logging.getLogger("vbr.accounts.invitations")


class TooManyCodeTries(Exception):
    """Too many wrong codes lately: from this address at this code (`per_code`), or from this
    address at any codes."""

    def __init__(self, *, per_code: bool) -> None:
        super().__init__("too many tries")
        self.per_code = per_code


class InvitationUnusable(Exception):
    """The link or code is unknown, expired or revoked. `reason` says which, in plain words
    for the friendly page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation with its plain token and code: shown or sent once, never stored."""

    invitation: PanelInvitation
    token: str
    code: str

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"vbr.accounts.invitation.{kind}", value).hexdigest()


def normalise_code(typed: str) -> str:
    """What a person typed, as a code: capitals, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def create_invitation(
    *,
    panellist: object,
    created_by: User,
    kiosk: bool = False,
    emailed_to: str = "",
    days: int | None = None,
) -> IssuedInvitation:
    """A personal link for one panel place. Earlier links for the same place are revoked so
    that only the newest printout or email works.

    Only panel members (never staff) get links: a link session must not carry staff rights.
    """
    from vbr.recruitment.models import Panellist

    assert isinstance(panellist, Panellist)
    _refuse_staff(panellist.user, panellist.assessment.application.provider_id)
    panellist.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return _issue(
        created_by=created_by,
        kiosk=kiosk,
        emailed_to=emailed_to,
        days=days,
        panellist=panellist,
    )


@transaction.atomic
def create_involvement_invitation(
    *,
    created_by: User,
    advert_review: object = None,
    shortlister: object = None,
    days: int | None = None,
    emailed_to: str = "",
) -> IssuedInvitation:
    """A personal link to one advert shared for a person's views, or to one shortlisting:
    the same kind of link as for a panel, reaching only that piece of work. Earlier links
    for the same piece of work are revoked. `emailed_to`: the address it is emailed to, if
    it is."""
    from vbr.involvement.models import AdvertReview, Shortlister

    if isinstance(advert_review, AdvertReview):
        _refuse_staff(advert_review.reviewer, advert_review.provider_id)
        advert_review.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        return _issue(
            created_by=created_by, days=days, emailed_to=emailed_to, advert_review=advert_review
        )
    assert isinstance(shortlister, Shortlister)
    _refuse_staff(shortlister.user, shortlister.shortlisting.provider_id)
    shortlister.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return _issue(created_by=created_by, days=days, emailed_to=emailed_to, shortlister=shortlister)


def _refuse_staff(user: Any, provider_id: int) -> None:
    membership = Membership.objects.filter(user=user, provider_id=provider_id).first()
    if membership is None or membership.role != Membership.Role.PANEL:
        raise ValueError("Invitation links are only for panel members without a staff account.")


def _issue(
    *,
    created_by: User,
    kiosk: bool = False,
    emailed_to: str = "",
    days: int | None,
    **work: Any,
) -> IssuedInvitation:
    token = secrets.token_urlsafe(32)
    code = _new_code()
    while PanelInvitation.objects.filter(code_hash=_digest("code", code)).exists():
        code = _new_code()
    invitation = PanelInvitation.objects.create(
        token_hash=_digest("token", token),
        code_hash=_digest("code", code),
        expires_at=timezone.now() + timedelta(days=days or settings.VBR_INVITATION_DAYS),
        kiosk=kiosk,
        emailed_to=emailed_to,
        created_by=created_by,
        **work,
    )
    return IssuedInvitation(invitation=invitation, token=token, code=code)


def revoke_invitation(*, invitation: PanelInvitation) -> None:
    """Stop a link working, including sessions already opened with it."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _check(invitation: PanelInvitation | None) -> PanelInvitation:
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.is_revoked:
        raise InvitationUnusable("revoked")
    if invitation.is_expired:
        raise InvitationUnusable("expired")
    return invitation


def _lookup() -> object:
    return PanelInvitation.objects.select_related(
        "panellist__user",
        "panellist__assessment__application__provider",
        "advert_review__reviewer",
        "advert_review__provider",
        "shortlister__user",
        "shortlister__shortlisting__provider",
    )


def find_by_token(token: str) -> PanelInvitation:
    """The usable invitation of a link, or InvitationUnusable."""
    if not token or len(token) > 100:
        raise InvitationUnusable("unknown")
    return _check(_lookup().filter(token_hash=_digest("token", token)).first())  # type: ignore[attr-defined]


def _count_try(*, address: str, code: str) -> JoinCodeTry:
    """Record a try, then count the tries in the window, this one and any arriving at the same
    moment included: requests racing each other cannot slip past the limits together. A try
    over a limit is not kept (waiting, not retrying, is what frees a lock) and raises."""
    now = timezone.now()
    since = now - timedelta(seconds=JOIN_WINDOW_SECONDS)
    attempt = JoinCodeTry.objects.create(
        address_key=_digest("address", address),
        prefix_key=_digest("prefix", code[:JOIN_PREFIX_LENGTH]),
        tried_at=now,
    )
    counts = JoinCodeTry.objects.filter(
        address_key=attempt.address_key, tried_at__gt=since
    ).aggregate(
        from_address=Count("pk"), at_code=Count("pk", filter=Q(prefix_key=attempt.prefix_key))
    )
    if counts["at_code"] > JOIN_TRIES_PER_CODE or counts["from_address"] > JOIN_TRIES_PER_ADDRESS:
        attempt.delete()
        per_code = counts["at_code"] > JOIN_TRIES_PER_CODE
        logger.warning(
            "Code sign-in refused: too many wrong tries %s",
            "at one code" if per_code else "from one address",
        )
        raise TooManyCodeTries(per_code=per_code)
    return attempt


def find_by_code(*, typed: str, address: str) -> PanelInvitation:
    """The usable invitation of a short code, or InvitationUnusable; TooManyCodeTries, without
    looking the code up, when `address` has typed too many wrong codes lately.

    Every wrong try counts against the address, and against the address with the code's first
    letters, so that guessing stops long before it could succeed, while nobody's typos (nor an
    attacker's guesses) lock anybody else out. The tries are counted in the database: the right
    code gets in whether or not the cache is up.
    """
    code = normalise_code(typed)
    attempt = _count_try(address=address, code=code)
    invitation = None
    if len(code) == CODE_LENGTH:
        invitation = _lookup().filter(code_hash=_digest("code", code)).first()  # type: ignore[attr-defined]
    if invitation is not None and invitation.is_usable:
        attempt.delete()  # the right code is not a wrong try
    else:
        JoinCodeTry.objects.filter(
            tried_at__lte=timezone.now() - timedelta(seconds=JOIN_WINDOW_SECONDS)
        ).delete()
    return _check(invitation)


@transaction.atomic
def sign_in_by_link(request: HttpRequest, invitation: PanelInvitation) -> None:
    """Sign the panel member in with a session that reaches only the piece of work the link
    is for: their panel place, the advert shared with them, or their shortlisting."""
    user = invitation.person
    provider = invitation.provider
    login(request, user, backend="vbr.accounts.backends.MemberBackend")
    panellist = invitation.panellist
    request.session[SESSION_SCOPE_KEY] = {
        "invitation": invitation.pk,
        "provider": provider.slug,
        "assessments": [panellist.assessment_id] if panellist else [],
        "adverts": [invitation.advert_review_id] if invitation.advert_review_id else [],
        "shortlists": [invitation.shortlister_id] if invitation.shortlister_id else [],
        "kiosk": invitation.kiosk,
    }
    if invitation.kiosk:
        request.session.set_expiry(KIOSK_IDLE_SECONDS)
    invitation.last_used_at = timezone.now()
    invitation.save(update_fields=["last_used_at"])
    audit.record(
        provider=provider,
        actor=user,
        action=AuditEvent.Action.SIGN_IN_BY_LINK,
        subject=invitation,
        application_id=panellist.assessment.application_id if panellist else None,
        summary="Signed in by invitation link"
        + (" on a shared tablet" if invitation.kiosk else ""),
    )


def link_scope(request: HttpRequest) -> dict[str, Any] | None:
    """The scope of a link session, or None for an ordinary (password) session."""
    return request.session.get(SESSION_SCOPE_KEY) if hasattr(request, "session") else None


def start_url(scope: dict[str, Any]) -> str:
    """The first page of a link session's piece of work."""
    if scope.get("adverts"):
        return reverse("advert-start", args=[scope["provider"], scope["adverts"][0]])
    if scope.get("shortlists"):
        return reverse("shortlist-start", args=[scope["provider"], scope["shortlists"][0]])
    return reverse("easy-start", args=[scope["provider"], scope["assessments"][0]])
