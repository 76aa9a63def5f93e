"""A provider's services, set up by its admins: listed, added and renamed. Roles are tied to a
service on the role form, and the safer-recruitment files and reports group by it."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vbr.accounts.access import ADMIN, provider_view
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Membership
from vbr.recruitment.forms.services import ServiceForm


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def service_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    form = ServiceForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        service = form.save()
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            subject=service,
            summary=f"Added the service “{service.name}”",
        )
        messages.success(request, f"“{service.name}” added. Tie roles to it on each role's page.")
        return redirect("service-list", provider.slug)
    services = provider.services.annotate(role_count=Count("roles")).order_by("name", "pk")
    return render(request, "recruitment/service_list.html", {"services": services, "form": form})


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def service_edit(request: HttpRequest, membership: Membership, service_id: int) -> HttpResponse:
    provider = membership.provider
    # Another provider's service: 404.
    service = get_object_or_404(provider.services, pk=service_id)
    old_name = service.name
    form = ServiceForm(request.POST or None, instance=service, provider=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            subject=service,
            summary=f"Renamed the service “{old_name}” to “{service.name}”",
        )
        messages.success(request, f"“{old_name}” is now called “{service.name}”.")
        return redirect("service-list", provider.slug)
    return render(
        request,
        "recruitment/service_form.html",
        {"service": service, "old_name": old_name, "form": form},
    )
