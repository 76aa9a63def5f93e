"""A tablet handed to the person supported during shadowing.

A staff member (or a panel member on that shadowing panel) opens the picture page and hands
the tablet over. Until they end it with their own password, their session shows only that
page: `LinkScopeMiddleware` sends every other address back to it, so nobody holding the
tablet can reach staff pages with the staff member's rights.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest

KIOSK_SESSION_KEY = "supported_person_kiosk"
# The pages a kiosk session may open, with the kiosk's own provider and assessment.
KIOSK_PAGES = frozenset({"supported-person-view-create", "supported-person-kiosk-end"})


def start_kiosk(request: HttpRequest, *, provider_slug: str, assessment_id: int) -> None:
    request.session[KIOSK_SESSION_KEY] = {"provider": provider_slug, "assessment": assessment_id}


def kiosk_scope(request: HttpRequest) -> dict[str, Any] | None:
    """The provider and assessment the tablet is handed over for, or None."""
    return request.session.get(KIOSK_SESSION_KEY) if hasattr(request, "session") else None


def in_kiosk_for(request: HttpRequest, *, assessment_id: int) -> bool:
    scope = kiosk_scope(request)
    return bool(scope and scope["assessment"] == assessment_id)


def allows(scope: dict[str, Any], url_name: str | None, view_kwargs: dict[str, Any]) -> bool:
    """Whether a kiosk session may open this page: only the picture page and its end page,
    for the assessment it was opened for."""
    return (
        url_name in KIOSK_PAGES
        and view_kwargs.get("provider_slug") == scope["provider"]
        and view_kwargs.get("assessment_id") == scope["assessment"]
    )


def end_kiosk(request: HttpRequest, *, password: str) -> bool:
    """End the kiosk when the signed-in staff member gives their own password. Wrong tries
    count towards the sign-in lockout, so the password cannot be guessed at the tablet."""
    user = request.user
    if not user.is_authenticated or not password:
        return False
    if authenticate(request, username=user.get_username(), password=password) is None:
        return False
    request.session.pop(KIOSK_SESSION_KEY, None)
    return True
