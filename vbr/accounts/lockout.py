"""Brute-force protection (django-axes) locks a username from one address; this says which
address a sign-in came from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from, for brute-force locking.

    Behind our HTTPS proxy (SECURE_SSL) every request arrives from the proxy, so the address
    is the last one the proxy appended to X-Forwarded-For; earlier entries are whatever the
    client claimed and are not trusted.
    """
    if settings.SECURE_SSL:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
