"""Brute-force protection (django-axes) locks a username from one address; this says which
address a sign-in came from, and which username it tried."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# django-axes keeps each failed sign-in's username in a column of 255 characters.
ATTEMPT_USERNAME_MAX_LENGTH = 255


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from, for the password lockout and the limits on guessing
    panel codes.

    Behind VBR_TRUSTED_PROXIES proxies (the HTTPS proxy of deploy/Caddyfile: one) every request
    arrives from the nearest proxy, and each proxy appends the address it was reached from to
    X-Forwarded-For: the client's is the one the outermost trusted proxy appended, counted
    from the end. Entries before it are whatever the client claimed and are not trusted. A
    request with fewer entries than that did not come through the proxies: its own address.
    """
    proxies = settings.VBR_TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    return request.META.get("REMOTE_ADDR")


def attempt_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username a sign-in tried, as django-axes records and counts it.

    A longer username than its column holds would make the database refuse the record of the
    failure, and the sign-in page would fail with it; no account has such a name (ours hold
    150 characters), so the first 255 characters are enough to count the tries. The sign-in
    itself still checks the whole name, and is refused like any wrong sign-in.
    """
    # django-axes sets this setting when it loads (default: the user model's username field).
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    username = (credentials if credentials is not None else request.POST).get(field)
    if username is None:
        return None
    return str(username)[:ATTEMPT_USERNAME_MAX_LENGTH]
