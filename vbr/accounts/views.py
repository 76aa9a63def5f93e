from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from kombu import Connection

from vbr.accounts import invitations
from vbr.accounts.forms import AccessProfileForm, JoinCodeForm
from vbr.accounts.models import AccessProfile, PanelInvitation


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a member straight to their provider; list them when there are several."""
    memberships = list(request.user.memberships.select_related("provider"))
    if len(memberships) == 1:
        return redirect(memberships[0].provider)
    return render(request, "accounts/home.html", {"memberships": memberships})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: the database and, if configured, the broker."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        healthy = False

    if not settings.REDIS_URL:
        checks["broker"] = "not configured (tasks run in-process)"
    else:
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "unavailable"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


# -- Joining a panel without a password ---------------------------------------------------------

UNUSABLE_STATUS = {"unknown": 404, "expired": 410, "revoked": 410, "ended": 200}


def _start_page(invitation: PanelInvitation) -> HttpResponse:
    assessment = invitation.panellist.assessment
    return redirect("easy-start", assessment.application.provider.slug, assessment.pk)


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "accounts/join_unusable.html",
        {"reason": reason},
        status=UNUSABLE_STATUS.get(reason, 404),
    )


@require_http_methods(["GET", "POST"])
@never_cache
def join_link(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link. Opening it shows a start button; pressing it signs in (a GET alone
    never signs in, so that email link-checkers do not open sessions)."""
    try:
        invitation = invitations.find_by_token(token)
    except invitations.InvitationUnusable as unusable:
        return _unusable(request, unusable.reason)
    if request.method == "POST":
        invitations.sign_in_by_link(request, invitation)
        return _start_page(invitation)
    return render(request, "accounts/join_link.html", {"invitation": invitation})


@require_http_methods(["GET", "POST"])
@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """Typing the short code from a printed invitation. Wrong tries are limited."""
    address = request.META.get("REMOTE_ADDR", "")
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["code"]
        if invitations.code_tries_exhausted(address=address, typed=typed):
            form.add_error(
                "code",
                "That is too many tries for now. Please wait 15 minutes, or ask the person "
                "who invited you for help.",
            )
            return render(request, "accounts/join.html", {"form": form}, status=429)
        try:
            invitation = invitations.find_by_code(typed=typed, address=address)
        except invitations.InvitationUnusable as unusable:
            if unusable.reason == "unknown":
                form.add_error(
                    "code", "We could not find that code. Please check it and try again."
                )
            else:
                return _unusable(request, unusable.reason)
        else:
            invitations.sign_in_by_link(request, invitation)
            return _start_page(invitation)
    return render(request, "accounts/join.html", {"form": form})


@require_GET
def join_unusable(request: HttpRequest) -> HttpResponse:
    """Where a link session lands when its link was revoked or expired meanwhile."""
    return _unusable(request, "ended")


@require_http_methods(["GET", "POST"])
@login_required
def access_profile(request: HttpRequest) -> HttpResponse:
    """ "Working with me": the panel member sets how they like to work."""
    profile, _ = AccessProfile.objects.get_or_create(user=request.user)  # type: ignore[misc]
    form = AccessProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Thank you. Your choices are saved.")
        return redirect("access-profile")
    scope = invitations.link_scope(request)
    back = None
    if scope:
        back = reverse("easy-start", args=[scope["provider"], scope["assessments"][0]])
    return render(
        request,
        "accounts/access_profile.html",
        {"form": form, "profile": profile, "back_url": back, "link_session": bool(scope)},
    )
