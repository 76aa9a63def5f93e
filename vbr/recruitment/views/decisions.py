from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vbr.accounts.access import STAFF, provider_view, scores_hidden_from
from vbr.accounts.models import Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.decisions import DecisionForm, OutcomeForm
from vbr.recruitment.models import Application, Outcome
from vbr.reports.caching import reports_changed


def _application(membership: Membership, application_id: int) -> Application:
    return get_object_or_404(
        membership.provider.applications.select_related("candidate", "role", "current_stage"),
        pk=application_id,
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def decision_create(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    application = _application(membership, application_id)
    if not application.is_open:
        messages.info(request, f"This application is {application.get_status_display().lower()}.")
        return redirect(application)
    if scores_hidden_from(membership, application):
        # The form would show the experts' view (their recommendations) and the decision
        # should weigh the panel's evidence, yours included: score first.
        messages.error(
            request,
            "You sit on a panel for this candidate and have not submitted your scorecard "
            "yet. Submit it first (or ask for your place on the panel to be removed), then "
            "record the decision.",
        )
        return redirect(application)
    view = workflow.experts_view(application)
    form = DecisionForm(request.POST or None, application=application, experts_view=view)
    if request.method == "POST" and form.is_valid():
        decision = workflow.record_decision(
            application=application,
            kind=form.cleaned_data["kind"],
            reasons=form.cleaned_data["reasons"].strip(),
            override_reason=form.cleaned_data["override_reason"].strip(),
            decided_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, f"Decision recorded: {decision.get_kind_display()}.")
        return redirect(application)
    return render(
        request,
        "recruitment/decision_form.html",
        {
            "application": application,
            "form": form,
            "experts_view": view,
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def outcome_edit(request: HttpRequest, membership: Membership, application_id: int) -> HttpResponse:
    application = _application(membership, application_id)
    outcome = get_object_or_404(Outcome, application=application)
    form = OutcomeForm(request.POST or None, instance=outcome)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            reports_changed(provider_id=membership.provider.pk)
        messages.success(request, "Outcome saved.")
        return redirect(application)
    return render(
        request,
        "recruitment/outcome_form.html",
        {
            "application": application,
            "form": form,
        },
    )
