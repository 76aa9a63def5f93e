"""Deciding on an application: the experts-by-experience view and the human decision.

A decision against the lived-experience panel members needs a recorded reason; the decision
is then carried out (moving on, offer, hire or decline) in the same step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, User
from vbr.recruitment.models import Application, Decision, Outcome, Panellist, Scorecard
from vbr.recruitment.scoring import recommendation_view
from vbr.recruitment.workflow.applications import move_to_next_stage
from vbr.reports.caching import reports_changed


def experts_view(application: Application) -> str:
    """The experts-by-experience view of an application at its current stage (positive,
    negative, mixed or none), from their submitted scorecards."""
    if application.current_stage_id is None:  # not started: nobody has assessed yet
        return recommendation_view([])
    recommendations = Scorecard.objects.filter(
        assessment__application=application,
        assessment__stage_id=application.current_stage_id,
        panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
        submitted_at__isnull=False,
    ).values_list("recommendation", flat=True)
    return recommendation_view(recommendations)


def goes_against_experts(*, view: str, kind: str) -> bool:
    """A decision that overrules the lived-experience panel members needs a recorded reason."""
    forward = {Decision.Kind.PROGRESS, Decision.Kind.OFFER, Decision.Kind.HIRE}
    return (view == "negative" and kind in forward) or (
        view == "positive" and kind == Decision.Kind.DECLINE
    )


DECISION_STATUS: dict[str, str] = {
    Decision.Kind.OFFER: Application.Status.OFFERED,
    Decision.Kind.HIRE: Application.Status.HIRED,
    Decision.Kind.DECLINE: Application.Status.DECLINED,
}


@transaction.atomic
def record_decision(
    *,
    application: Application,
    kind: str,
    reasons: str,
    override_reason: str = "",
    decided_by: User,
) -> Decision:
    """Record a human decision with its reasons and carry it out."""
    if goes_against_experts(view=experts_view(application), kind=kind) and not override_reason:
        raise ValueError("A decision against the experts by experience needs a reason.")
    decision = Decision.objects.create(
        application=application,
        kind=kind,
        reasons=reasons,
        override_reason=override_reason,
        decided_by=decided_by,
    )
    if kind == Decision.Kind.PROGRESS:
        move_to_next_stage(application=application, moved_by=decided_by)
    elif kind in DECISION_STATUS:
        application.status = DECISION_STATUS[kind]
        application.status_changed_at = timezone.now()
        application.save(update_fields=["status", "status_changed_at"])
        if kind == Decision.Kind.HIRE:
            Outcome.objects.get_or_create(application=application)
    if kind != Decision.Kind.PROGRESS:  # moving on to the next stage has changed it already
        reports_changed(provider_id=application.provider_id)
    audit.record(
        provider=application.provider,
        actor=decided_by,
        action=AuditEvent.Action.DECISION_RECORDED,
        subject=decision,
        application_id=application.pk,
        summary=f"Decision: {decision.get_kind_display()}"
        + (" (against the experts-by-experience view)" if override_reason else ""),
    )
    return decision
