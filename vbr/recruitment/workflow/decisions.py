"""Deciding on an application: the experts-by-experience view and the human decision.

A decision against the lived-experience panel members needs a recorded reason; the decision
is then carried out (moving on, offer, hire or decline) in the same step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, User
from vbr.recruitment import rules
from vbr.recruitment.models import Application, Decision, Outcome
from vbr.recruitment.workflow.applications import move_to_next_stage
from vbr.reports.caching import reports_changed


def experts_view(application: Application) -> str:
    """The experts-by-experience view that a decision made now is weighed against: their view
    at the application's current stage (for the decision page)."""
    return rules.experts_view_at(
        application=application, stage_id=rules.decision_stage_id(application)
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
    """Record a human decision with its reasons, at the stage the application is in, and
    carry it out. A decision against the experts' view at that stage needs `override_reason`
    (`rules.goes_against_experts`)."""
    stage_id = rules.decision_stage_id(application)
    view = rules.experts_view_at(application=application, stage_id=stage_id)
    against = rules.goes_against_experts(view=view, kind=kind)
    if against and not override_reason.strip():
        raise ValueError("A decision against the experts by experience needs a reason.")
    decision = Decision.objects.create(
        application=application,
        stage_id=stage_id,
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
        + (" (against the experts-by-experience view)" if against else ""),
    )
    return decision
