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
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Membership, PanelInvitation, User

# No 0/O, 1/I/L: easy to read aloud and to type from a printout.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
SESSION_SCOPE_KEY = "link_scope"
KIOSK_IDLE_SECONDS = 15 * 60
# Guessing short codes: failed tries allowed per address and per code prefix in the window.
JOIN_TRIES_PER_ADDRESS = 5
JOIN_TRIES_PER_PREFIX = 10
JOIN_WINDOW_SECONDS = 15 * 60

logger = logging.getLogger("vbr.accounts.invitations")


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
    provider_id = panellist.assessment.application.provider_id
    membership = Membership.objects.filter(user=panellist.user, provider_id=provider_id).first()
    if membership is None or membership.role != Membership.Role.PANEL:
        raise ValueError("Invitation links are only for panel members without a staff account.")
    now = timezone.now()
    panellist.invitations.filter(revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    code = _new_code()
    while PanelInvitation.objects.filter(code_hash=_digest("code", code)).exists():
        code = _new_code()
    invitation = PanelInvitation.objects.create(
        panellist=panellist,
        token_hash=_digest("token", token),
        code_hash=_digest("code", code),
        expires_at=now + timedelta(days=days or settings.VBR_INVITATION_DAYS),
        kiosk=kiosk,
        emailed_to=emailed_to,
        created_by=created_by,
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
        "panellist__user", "panellist__assessment__application__provider"
    )


def find_by_token(token: str) -> PanelInvitation:
    """The usable invitation of a link, or InvitationUnusable."""
    if not token or len(token) > 100:
        raise InvitationUnusable("unknown")
    return _check(_lookup().filter(token_hash=_digest("token", token)).first())  # type: ignore[attr-defined]


def _counter_keys(address: str, code: str) -> list[tuple[str, int]]:
    return [
        (f"vbr:join:address:{address}", JOIN_TRIES_PER_ADDRESS),
        (f"vbr:join:prefix:{code[:3]}", JOIN_TRIES_PER_PREFIX),
    ]


def code_tries_exhausted(*, address: str, typed: str) -> bool:
    """True when this address, or this code prefix, has had too many wrong tries lately.

    If the shared cache cannot be reached, the limit cannot be checked: refuse for now (the
    person sees the friendly "try again in a few minutes" page) rather than let guessing run
    unlimited, and never fail with an error page.
    """
    code = normalise_code(typed)
    try:
        return any((cache.get(key) or 0) >= limit for key, limit in _counter_keys(address, code))
    except RedisError:
        logger.warning("Cache unreachable: refusing code sign-in until it is back")
        return True


def _count_failed_try(address: str, code: str) -> None:
    try:
        for key, _ in _counter_keys(address, code):
            if not cache.add(key, 1, JOIN_WINDOW_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, JOIN_WINDOW_SECONDS)
    except RedisError:
        logger.warning("Cache unreachable: a wrong code try was not counted")


def find_by_code(*, typed: str, address: str) -> PanelInvitation:
    """The usable invitation of a short code. Wrong tries are counted against the address and
    the code's first letters, so that guessing stops long before it could succeed; callers
    check `code_tries_exhausted` first."""
    code = normalise_code(typed)
    invitation = None
    if len(code) == CODE_LENGTH:
        invitation = _lookup().filter(code_hash=_digest("code", code)).first()  # type: ignore[attr-defined]
    if invitation is None or not invitation.is_usable:
        _count_failed_try(address, code)
    return _check(invitation)


@transaction.atomic
def sign_in_by_link(request: HttpRequest, invitation: PanelInvitation) -> None:
    """Sign the panel member in with a session that reaches only their own panel pages."""
    user = invitation.panellist.user
    assessment = invitation.panellist.assessment
    provider = assessment.application.provider
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_SCOPE_KEY] = {
        "invitation": invitation.pk,
        "provider": provider.slug,
        "assessments": [assessment.pk],
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
        application_id=assessment.application_id,
        summary="Signed in by invitation link"
        + (" on a shared tablet" if invitation.kiosk else ""),
    )


def link_scope(request: HttpRequest) -> dict[str, Any] | None:
    """The scope of a link session, or None for an ordinary (password) session."""
    return request.session.get(SESSION_SCOPE_KEY) if hasattr(request, "session") else None
