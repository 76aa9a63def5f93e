"""One place that keeps link sessions inside the panel member's own panel work, and a tablet
handed to the person supported inside its picture page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from vbr.accounts import kiosk
from vbr.accounts.invitations import KIOSK_IDLE_SECONDS, link_scope, start_url
from vbr.accounts.models import PanelInvitation

# Pages a link session may open. Anything else is a 403; another assessment is a 404.
LINK_SESSION_PAGES = frozenset(
    {
        "easy-start",
        "easy-question",
        "easy-check",
        "easy-sent",
        # An advert shared for their views, and shortlisting: only their own (checked below).
        "advert-start",
        "advert-section",
        "advert-check",
        "shortlist-start",
        "shortlist-answer",
        "access-profile",
        "logout",
        "join",
        "join-link",
        "join-unusable",
        "join-signed-out",
        # Readable by anyone signed in: what the provider does with their data, and health.
        "privacy-notice",
        "healthz",
    }
)


class LinkScopeMiddleware:
    """Sessions opened by an invitation link reach only that member's own panel pages (or the
    advert or shortlisting the link is for).

    The invitation is checked on every request, so that revoking a link, or its expiry,
    also ends sessions already opened with it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The header first: a page that says its own caching (/healthz) does not load the
        # user, so that it answers while the database is down.
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            # The browser keeps no copy of a signed-in page, so that on a shared tablet
            # (a kiosk link, the supported person's picture page) Back asks again and is
            # sent to the page it may show, instead of showing earlier pages from history.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        name = request.resolver_match.url_name if request.resolver_match else None
        if name == "healthz":
            # Open to any session, and without reading it: it must answer with the database down.
            return None
        handed_over = kiosk.kiosk_scope(request)
        if handed_over and request.user.is_authenticated:
            # Whoever holds the tablet sees the picture page and nothing else (not even the
            # staff member's other pages) until the staff member ends it with their password.
            if kiosk.allows(handed_over, name, view_kwargs):
                return None
            return redirect(
                "supported-person-view-create", handed_over["provider"], handed_over["assessment"]
            )
        scope = link_scope(request)
        if not scope or not request.user.is_authenticated:
            return None
        invitation = PanelInvitation.objects.filter(pk=scope["invitation"]).first()
        if invitation is None or not invitation.is_usable:
            logout(request)
            return redirect("join-unusable")
        if scope.get("kiosk"):
            # Idle expiry on a shared tablet: every request starts the countdown again.
            request.session.set_expiry(KIOSK_IDLE_SECONDS)
        if name == "home":
            return redirect(start_url(scope))
        if name not in LINK_SESSION_PAGES:
            raise PermissionDenied
        if "provider_slug" in view_kwargs and view_kwargs["provider_slug"] != scope["provider"]:
            raise Http404
        if (
            "assessment_id" in view_kwargs
            and view_kwargs["assessment_id"] not in scope["assessments"]
        ):
            raise Http404
        # The advert or shortlisting the link is for, and no other.
        if "advert_review_id" in view_kwargs and view_kwargs["advert_review_id"] not in scope.get(
            "adverts", []
        ):
            raise Http404
        if "shortlister_id" in view_kwargs and view_kwargs["shortlister_id"] not in scope.get(
            "shortlists", []
        ):
            raise Http404
        return None
