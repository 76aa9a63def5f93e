"""Candidates and their applications: the list, adding, applying, moving on, withdrawing."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view
from vbr.accounts.models import Membership, Provider
from vbr.recruitment import paging, workflow
from vbr.recruitment.forms.candidates import (
    AddCandidateForm,
    ApplicationFilterForm,
    ApplyToRoleForm,
    WithdrawForm,
)
from vbr.recruitment.models import Application
from vbr.recruitment.rows import addresses, dates, person_name
from vbr.reports.caching import reports_changed


@dataclasses.dataclass(frozen=True, slots=True)
class ApplicationRow:
    """One row of the applications list, ready to show: a long list is read as plain values
    and drawn without a model instance, a URL lookup or a filter per row."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "pk",
        "applied_at",
        "status",
        "candidate__first_name",
        "candidate__last_name",
        "candidate__email",
        "role__title",
        "current_stage__name",
    )

    pk: int
    url: str
    name: str
    email: str
    role: str
    stage: str
    status: str
    applied: str


def application_rows(provider: Provider, values: Sequence[dict[str, Any]]) -> list[ApplicationRow]:
    address = addresses("application-detail", provider.slug)
    statuses = dict(Application.Status.choices)
    day = dates("j M Y")
    return [
        ApplicationRow(
            pk=row["pk"],
            url=address(row["pk"]),
            name=person_name(row["candidate__first_name"], row["candidate__last_name"]),
            email=row["candidate__email"],
            role=row["role__title"],
            stage=row["current_stage__name"] or "Not started",
            status=str(statuses.get(row["status"], row["status"])),
            applied=day(row["applied_at"]),
        )
        for row in values
    ]


@require_GET
@provider_view(STAFF)
def application_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    form = ApplicationFilterForm(request.GET or None, provider=provider)
    applications = provider.applications.all()
    filters: dict[str, Any] = {}
    if form.is_bound:
        # A GET filter form: use the filters that are valid and ignore the rest.
        form.is_valid()
        filters = form.cleaned_data
    if filters.get("q"):
        applications = applications.search(filters["q"], among=provider.candidates.all())
    if filters.get("role"):
        applications = applications.filter(role=filters["role"])
    if filters.get("stage"):
        applications = applications.filter(current_stage=filters["stage"])
    if filters.get("status"):
        applications = applications.filter(status=filters["status"])
    if filters.get("waiting"):
        applications = applications.waiting_for_decision()
    page = paging.newest_first(
        applications.values(*ApplicationRow.COLUMNS),
        all_applications=provider.applications.all(),
        before=request.GET.get("before"),
        after=request.GET.get("after"),
        counted_in_the_walk=bool(filters.get("waiting")),
    )
    page = dataclasses.replace(page, object_list=application_rows(provider, page.object_list))
    return render(
        request,
        "recruitment/application_list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(filters and any(filters.values())),
            "form_key": form.drawn_key(),
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def application_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    form = AddCandidateForm(request.POST if request.method == "POST" else None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            application = workflow.add_candidate(
                provider=provider,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                role=form.cleaned_data["role"],
                source=form.cleaned_data["source"],
                added_by=membership.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{application.candidate.full_name} has been added and applied for "
                f"{application.role.title}.",
            )
            return redirect(application)
    return render(
        request,
        "recruitment/application_add.html",
        {"form": form},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def candidate_apply(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    provider = membership.provider
    candidate = get_object_or_404(
        provider.candidates.filter(anonymised_at__isnull=True), pk=candidate_id
    )
    applications = list(candidate.applications.select_related("role", "current_stage"))
    form = ApplyToRoleForm(request.POST if request.method == "POST" else None, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        try:
            application = workflow.apply_to_role(
                candidate=candidate,
                role=form.cleaned_data["role"],
                source=form.cleaned_data["source"],
                added_by=membership.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{candidate.full_name} has applied for {application.role.title}."
            )
            return redirect(application)
    return render(
        request,
        "recruitment/candidate_apply.html",
        {
            "candidate": candidate,
            "applications": applications,
            "form": form,
        },
    )


@require_POST
@provider_view(STAFF)
def application_move(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    application = get_object_or_404(
        membership.provider.applications.select_related("candidate", "role"), pk=application_id
    )
    try:
        stage = workflow.move_to_next_stage(
            application=application,
            moved_by=membership.user,
            site=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{application.candidate.full_name} moved to {stage.name}.")
    return redirect(application)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def application_withdraw(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    provider = membership.provider
    application = get_object_or_404(
        provider.applications.select_related("candidate", "role", "current_stage"),
        pk=application_id,
    )
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                application.withdraw(reason=form.cleaned_data["reason"])
                reports_changed(provider_id=provider.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{application.candidate.full_name}'s application for "
                f"{application.role.title} is marked as withdrawn.",
            )
        return redirect(application)
    return render(
        request,
        "recruitment/application_withdraw.html",
        {
            "application": application,
            "form": form,
        },
    )
