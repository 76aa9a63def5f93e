from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from kombu import Connection

from vbr.accounts import invitations, people, recovery
from vbr.accounts.access import ADMIN, provider_view
from vbr.accounts.forms import AccessProfileForm, JoinCodeForm, MembershipRoleForm, PanelMemberForm
from vbr.accounts.lockout import client_address
from vbr.accounts.models import AccessProfile, Membership, Provider, User
from vbr.privacy.models import Consent


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a member straight to their provider; list them when there are several."""
    user = cast(User, request.user)  # signed in (login_required)
    memberships = list(user.memberships.select_related("provider"))
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

UNUSABLE_STATUS = {"unknown": 404, "expired": 410, "revoked": 410, "ended": 200, "stopped": 200}


def _start_page(request: HttpRequest) -> HttpResponse:
    scope = invitations.link_scope(request)
    assert scope is not None  # just signed in by link
    return redirect(invitations.start_url(scope))


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
        return _start_page(request)
    # Their own "working with me" already applies here: text size, contrast, read-aloud.
    profile = AccessProfile.objects.filter(user=invitation.person).first()
    return render(
        request,
        "accounts/join_link.html",
        {
            "invitation": invitation,
            "profile": profile,
            "body_classes": f"easy-read {profile.body_classes}" if profile else "",
        },
    )


def _join_page(request: HttpRequest, form: JoinCodeForm, *, status: int = 200) -> HttpResponse:
    limits = {
        "tries": invitations.JOIN_TRIES_PER_CODE,
        "minutes": invitations.JOIN_WINDOW_SECONDS // 60,
    }
    return render(request, "accounts/join.html", {"form": form, "limits": limits}, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """Typing the short code from a printed invitation. Wrong tries are limited."""
    # The address the HTTPS proxy saw, by the same rule as the password lockout.
    address = client_address(request) or ""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        minutes = invitations.JOIN_WINDOW_SECONDS // 60
        try:
            invitation = invitations.find_by_code(typed=form.cleaned_data["code"], address=address)
        except invitations.TooManyCodeTries as refused:
            if refused.per_code:
                wording = (
                    f"That code was wrong {invitations.JOIN_TRIES_PER_CODE} times. Please wait "
                    f"{minutes} minutes, then try again."
                )
            else:
                wording = (
                    f"Too many wrong codes were typed here: {invitations.JOIN_TRIES_PER_ADDRESS} "
                    f"in {minutes} minutes. Please wait {minutes} minutes, then try again."
                )
            form.add_error("code", f"{wording} Or ask the person who invited you for help.")
            return _join_page(request, form, status=429)
        except invitations.InvitationUnusable as unusable:
            if unusable.reason == "unknown":
                form.add_error(
                    "code", "We could not find that code. Please check it and try again."
                )
            else:
                return _unusable(request, unusable.reason)
        else:
            invitations.sign_in_by_link(request, invitation)
            return _start_page(request)
    return _join_page(request, form)


@require_GET
def join_unusable(request: HttpRequest) -> HttpResponse:
    """Where a link session lands when its link was revoked or expired meanwhile."""
    return _unusable(request, "ended")


@require_GET
def join_signed_out(request: HttpRequest) -> HttpResponse:
    """Where a panel member lands after "Stop and sign out": their answers are kept, and
    their link or code brings them back (not the staff sign-in page)."""
    return _unusable(request, "stopped")


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
    context: dict[str, object] = {
        "form": form,
        "profile": profile,
        "body_classes": f"easy-read {profile.body_classes}",
        "link_session": bool(scope),
        "base_template": "base.html",
    }
    if scope:
        # A link session gets the panel pages' own header: no staff links it may not open.
        context.update(
            base_template="recruitment/easy/base_easy.html",
            provider=Provider.objects.filter(slug=scope["provider"]).first(),
            back_url=invitations.start_url(scope),
        )
    return render(request, "accounts/access_profile.html", context)


# -- People: who belongs to the provider --------------------------------------------------------


def _people_context(membership: Membership, form: PanelMemberForm) -> dict[str, object]:
    provider = membership.provider
    consents = Prefetch(
        "user__consents",
        queryset=Consent.objects.current().filter(provider=provider),
        to_attr="current_consents",
    )
    members = list(
        provider.memberships.select_related("user")
        .prefetch_related(consents)
        .order_by("role", "user__full_name", "user__username")
    )
    return {
        "members": members,
        "form": form,
        "roles": Membership.Role.choices,
        "two_factor_user_ids": recovery.members_with_two_factor(provider),
    }


@require_GET
@provider_view(ADMIN)
def people_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "accounts/people.html", _people_context(membership, PanelMemberForm()))


@require_POST
@provider_view(ADMIN)
def panel_member_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PanelMemberForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/people.html", _people_context(membership, form))
    added = people.add_panel_member(
        provider=membership.provider,
        full_name=form.cleaned_data["full_name"],
        expert_by_experience=form.cleaned_data["expert_by_experience"],
        added_by=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request,
        f"{added.user.display_name} is a panel member. Put them on a panel, then give them "
        "their invitation link or code.",
    )
    return redirect("people-list", membership.provider.slug)


def _other_membership(membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        membership.provider.memberships.select_related("user", "provider"), pk=membership_id
    )


@require_POST
@provider_view(ADMIN)
def membership_change(
    request: HttpRequest, membership: Membership, membership_id: int
) -> HttpResponse:
    other = _other_membership(membership, membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
    else:
        try:
            people.change_role(
                membership=other,
                role=form.cleaned_data["role"],
                changed_by=request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request, f"{other.user.display_name} is now {other.get_role_display().lower()}."
            )
        except people.MembershipChangeRefused as refusal:
            messages.error(request, str(refusal))
    return redirect("people-list", membership.provider.slug)


@require_POST
@provider_view(ADMIN)
def membership_remove(
    request: HttpRequest, membership: Membership, membership_id: int
) -> HttpResponse:
    other = _other_membership(membership, membership_id)
    name = other.user.display_name
    try:
        if "consent_withdrawn" in request.POST:
            people.withdraw_panel_consent(membership=other, recorded_by=request.user)  # type: ignore[arg-type]
            messages.success(request, f"{name} withdrew their consent and is no longer a member.")
        else:
            people.remove_member(membership=other, removed_by=request.user)  # type: ignore[arg-type]
            messages.success(request, f"{name} is no longer a member.")
    except people.MembershipChangeRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("people-list", membership.provider.slug)
