"""Reading the audit trail: admins only, read-only, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from vbr.accounts.access import ADMIN, audit_events_visible_to, may_owe_scorecard, provider_view
from vbr.accounts.models import Membership

EVENTS_PER_PAGE = 50


@require_GET
@provider_view(ADMIN)
def audit_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    events = audit_events_visible_to(membership, provider.audit_events.select_related("actor"))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page": page,
            "application": None,
            "some_hidden": may_owe_scorecard(membership),
        },
    )


@require_GET
@provider_view(ADMIN)
def application_audit(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    provider = membership.provider
    application = get_object_or_404(
        provider.applications.select_related("candidate", "role"), pk=application_id
    )
    events = audit_events_visible_to(
        membership, provider.audit_events.filter(application_id=application.pk)
    ).select_related("actor")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page": page,
            "application": application,
            "some_hidden": may_owe_scorecard(membership),
        },
    )
