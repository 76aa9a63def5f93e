"""Who may see what. Tenancy rules live here and nowhere else.

Every provider page is under /p/<provider_slug>/. `provider_view` resolves the slug to the
caller's Membership: somebody who is not a member gets a 404 (never a 403: we do not reveal
that another provider exists); a member whose role is not allowed gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from vbr.accounts.models import Membership

P = ParamSpec("P")
ProviderView = Callable[Concatenate[HttpRequest, Membership, P], HttpResponseBase]

ADMIN = (Membership.Role.ADMIN,)
STAFF = (Membership.Role.ADMIN, Membership.Role.MANAGER)
ANY_MEMBER = (Membership.Role.ADMIN, Membership.Role.MANAGER, Membership.Role.PANEL)


def get_membership(request: HttpRequest, provider_slug: str) -> Membership:
    """The caller's membership of the provider named in the URL, or 404."""
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("provider", "user")
        .filter(user=request.user, provider__slug=provider_slug)
        .first()
    )
    if membership is None:
        # 404, not 403: do not reveal that another provider exists.
        raise Http404("No such provider")
    return membership


def provider_view(
    roles: tuple[str, ...] = STAFF,
) -> Callable[[ProviderView[P]], Callable[..., HttpResponseBase]]:
    """Resolve `provider_slug` to the caller's Membership and check its role.

    The wrapped view receives the membership as its second argument instead of the slug.
    """

    def decorator(view: ProviderView[P]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        @login_required
        def wrapper(
            request: HttpRequest, provider_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            membership = get_membership(request, provider_slug)
            if membership.role not in roles:
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def scores_hidden_from(user: Any, application: Any) -> bool:
    """Independence: True while `user` sits on a panel of this application and has not yet
    submitted their own scorecard there.

    Until then they must see no other panellist's levels or evidence anywhere — pages,
    fragments, PDFs, exports — for this application.
    """
    from vbr.recruitment.models import Panellist

    return (
        Panellist.objects.filter(assessment__application=application, user=user)
        .not_submitted()
        .exists()
    )


def candidate_scores_hidden_from(user: Any, candidate: Any) -> bool:
    """`scores_hidden_from` over all of a candidate's applications, in one query."""
    from vbr.recruitment.models import Panellist

    return (
        Panellist.objects.filter(assessment__application__candidate=candidate, user=user)
        .not_submitted()
        .exists()
    )


def may_have_summary(membership: Membership, application: Any) -> bool:
    """PDF candidate summaries: for staff, and for a panel member who chairs one of this
    application's assessments. Independence (`scores_hidden_from`) is checked on top."""
    from vbr.recruitment.models import Panellist

    if membership.is_staff_member:
        return True
    return Panellist.objects.filter(
        assessment__application=application,
        user=membership.user,
        panel_role=Panellist.PanelRole.CHAIR,
    ).exists()
