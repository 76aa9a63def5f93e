from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
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
    if not application.is_open and request.method == "GET":
        # A decision sent now is answered by `record_decision`: the decision that closed it.
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
        try:
            decision = workflow.record_decision(
                application=application,
                kind=form.cleaned_data["kind"],
                reasons=form.cleaned_data["reasons"].strip(),
                override_reason=form.cleaned_data["override_reason"].strip(),
                decided_by=request.user,  # type: ignore[arg-type]
                seen=form.seen(),
                feedback_to_candidate=form.cleaned_data["feedback_to_candidate"],
                site=request.build_absolute_uri("/"),
            )
        except workflow.DecisionOvertaken as overtaken:
            kind = form.cleaned_data["kind"]
            messages.info(request, _overtaken(overtaken, kind, request.user.pk))
            return redirect(application)
        except workflow.OverrideReasonNeeded as needed:
            # An expert submitted or amended while the page was open: everything typed is
            # shown again, with their view as it is now.
            form.ask_for_override_reason(changed_to=needed.view)
            view = needed.view
        else:
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


def _overtaken(overtaken: workflow.DecisionOvertaken, kind: str, user_id: int | None) -> str:
    """What a decider is told when the application changed since their page was drawn."""
    application, decision = overtaken.application, overtaken.decision
    if decision is None:
        if not application.is_open:
            status = application.get_status_display().lower()
            return f"This application is {status}: nothing was recorded."
        return (
            "This application has moved on since the decision page was opened: nothing was "
            "recorded. Look at where it is now before deciding."
        )
    by = decision.decided_by.display_name if decision.decided_by else "somebody"
    at = timezone.localtime(decision.decided_at)
    made = f"{decision.get_kind_display()}, by {by} at {at:%H:%M} on {at.day} {at:%B}"
    if decision.kind == kind and decision.decided_by_id == user_id:
        return f"This decision was already recorded: {made}."
    return (
        f"A decision was recorded meanwhile: {made}. Nothing else was recorded: read it "
        "before deciding again."
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
