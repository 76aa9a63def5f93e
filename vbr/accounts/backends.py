"""Signing in, and reading the signed-in person with their membership in one query.

Every provider page (/p/<slug>/...) needs the person and their membership of that provider.
Django reads the person from the session's user id through the backend that signed them in;
here that read also brings their membership of the provider named in the address, so the
page does not ask for it again (see `access.get_membership`). What is read is the same user
row: Django then checks the session against the user's password hash as always, and an
inactive user is refused as by Django's own backend.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

# The provider named in the address of the request being answered, if any.
_provider_slug: ContextVar[str | None] = ContextVar("provider_slug", default=None)
PROVIDER_PATH = re.compile(r"^/p/(?P<slug>[-a-zA-Z0-9_]+)/")
# On the user: {provider slug: membership, or None when they are not a member}.
MEMBERSHIPS_READ = "_memberships_read"


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        slug = _provider_slug.get()
        if slug is None:
            return super().get_user(user_id)
        from vbr.accounts.access import read_membership

        membership = read_membership(user_id, slug)
        if membership is None:
            user = super().get_user(user_id)
            if user is not None:
                setattr(user, MEMBERSHIPS_READ, {slug: None})
            return user
        user = membership.user
        setattr(user, MEMBERSHIPS_READ, {slug: membership})
        return user if self.user_can_authenticate(user) else None


class ProviderInAddressMiddleware:
    """Tells `MemberBackend` which provider the address names, for the time of the request.
    Before Django's AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PROVIDER_PATH.match(request.path_info)
        token = _provider_slug.set(match["slug"] if match else None)
        try:
            return self.get_response(request)
        finally:
            _provider_slug.reset(token)
