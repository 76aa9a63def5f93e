"""Two-factor sign-in with a time-based code (TOTP, django-otp).

Any staff member may set it up on their Security page; provider admins and operator staff
(Django `is_staff`) must, unless VBR_REQUIRE_ADMIN_2FA is off (the demo). Once a person has
an authenticator app set up, every sign-in asks for its code after the password.

Whether a signed-in person still owes a code is worked out once, when they sign in, and kept
in their session, so ordinary pages do not pay an extra query for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device

from vbr.accounts.models import Membership, User

SESSION_KEY = "vbr_two_factor"
HAS_DEVICE = "device"
MUST_SET_UP = "must_set_up"
OPTIONAL = "optional"

# Pages a person who still owes a code may open: signing in and out, and setting up; and the
# health check, which reads nobody's data and must answer even when the database cannot.
EXEMPT_URL_NAMES = ("login", "logout", "two-factor-verify", "account-security", "healthz")


def must_use_two_factor(user: User) -> bool:
    """Provider admins and operator staff hold the keys to many people's data."""
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.filter(role=Membership.Role.ADMIN).exists()


def two_factor_state(user: User) -> str:
    if user_has_device(user, confirmed=True):
        return HAS_DEVICE
    return MUST_SET_UP if must_use_two_factor(user) else OPTIONAL


@receiver(user_logged_in, dispatch_uid="vbr-two-factor-state")
def remember_two_factor_state(
    sender: Any, request: HttpRequest | None, user: User, **_: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = two_factor_state(user)


def safe_next(request: HttpRequest, fallback: str = "home") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(fallback)


class TwoFactorMiddleware:
    """Send a signed-in person who owes a code to the code page, or to set-up when required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.exempt_paths: set[str] | None = None

    def _exempt(self, path: str) -> bool:
        if self.exempt_paths is None:
            self.exempt_paths = {reverse(name) for name in EXEMPT_URL_NAMES}
        return path in self.exempt_paths or path.startswith(str(settings.STATIC_URL))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: an exempt page does not load the user (nor need the database).
        if self._exempt(request.path):
            return self.get_response(request)
        user: Any = request.user  # is_verified() is installed by django-otp's middleware
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        state = request.session.get(SESSION_KEY)
        if state is None:
            state = request.session[SESSION_KEY] = two_factor_state(user)
        if state == HAS_DEVICE:
            return redirect(f"{reverse('two-factor-verify')}?next={quote(request.get_full_path())}")
        if state == MUST_SET_UP and settings.VBR_REQUIRE_ADMIN_2FA:
            return redirect("account-security")
        return self.get_response(request)
