"""Deciding on an application: the experts-by-experience view and the human decision.

A decision against the lived-experience panel members needs a recorded reason; the decision
is then carried out (moving on, offer, hire or decline) in the same step.

A decision is made once: it is recorded under the application's lock (`_locks`), on the
application as the decider saw it (`Seen`). The same form sent twice (a double click, two
tabs) or after somebody else decided finds the application changed, and is answered with the
decision already made instead of being recorded again and moving the application twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, User
from vbr.recruitment import rules
from vbr.recruitment.models import Application, Decision, Outcome
from vbr.recruitment.workflow._locks import lock_and_reload_application
from vbr.recruitment.workflow.applications import move_to_next_stage
from vbr.recruitment.workflow.outcome_messages import tell_experts
from vbr.reports.caching import reports_changed


@dataclass(frozen=True)
class Seen:
    """What the decider saw when the decision page was drawn: the stage the application was
    at, and the latest decision on it (None: none yet)."""

    stage_id: int | None
    decision_id: int | None


def seen_now(application: Application) -> Seen:
    """The application's stage and latest decision as they are now (one query), for the
    decision page to carry back with the decision."""
    latest = application.decisions.order_by("-pk").values_list("pk", flat=True).first()
    return Seen(stage_id=application.current_stage_id, decision_id=latest)


class DecisionOvertaken(Exception):
    """The application is no longer as the decider saw it: `decision` is the one made since
    (the first of a double click, or somebody else's), or None when it moved on or closed
    without one. Nothing was recorded."""

    def __init__(self, *, application: Application, decision: Decision | None) -> None:
        super().__init__("The application changed since the decision page was drawn.")
        self.application = application
        self.decision = decision


class OverrideReasonNeeded(ValueError):
    """The decision goes against the experts' view at the stage, and no reason was given.
    `view` is their view as it is now (it may have changed since the page was drawn)."""

    def __init__(self, view: rules.ExpertsView) -> None:
        super().__init__("A decision against the experts by experience needs a reason.")
        self.view = view


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
    seen: Seen | None = None,
    feedback_to_candidate: str = "",
    site: str = "",
) -> Decision:
    """Record a human decision with its reasons, at the stage the application is in, and
    carry it out. A decision against the experts' view at that stage needs `override_reason`
    (`rules.goes_against_experts`).

    Everything is read again under the application's lock, which the experts' submits and
    amendments take too: `seen` (from the decision page) must still hold, else
    DecisionOvertaken; the view is their view now, else OverrideReasonNeeded.

    The candidate is told (moved on, offer, not this time, with `feedback_to_candidate` as
    written) by the notices of the candidate's side; `site` is the address VBR is served
    at, for the link to their own page."""
    lock_and_reload_application(application)
    latest = application.decisions.select_related("decided_by").order_by("-pk").first()
    latest_id = latest.pk if latest is not None else None
    if seen is not None and seen != Seen(application.current_stage_id, latest_id):
        made_since = latest if latest_id != seen.decision_id else None
        raise DecisionOvertaken(application=application, decision=made_since)
    if not application.is_open:
        raise DecisionOvertaken(application=application, decision=None)
    stage_id = rules.decision_stage_id(application)
    view = rules.experts_view_at(application=application, stage_id=stage_id)
    against = rules.goes_against_experts(view=view, kind=kind)
    if against and not override_reason.strip():
        raise OverrideReasonNeeded(view)
    if not against and override_reason.strip():
        # Words typed in answer to "why against the experts?" when the decision is not
        # against them: kept with the reasons, so that nothing shows it as an override.
        reasons = f"{reasons.rstrip()}\n\n{override_reason.strip()}"
        override_reason = ""
    decision = Decision.objects.create(
        application=application,
        stage_id=stage_id,
        kind=kind,
        reasons=reasons,
        override_reason=override_reason,
        decided_by=decided_by,
        feedback_to_candidate=(
            feedback_to_candidate.strip() if kind == Decision.Kind.DECLINE else ""
        ),
    )
    was_offered = application.status == Application.Status.OFFERED
    if kind == Decision.Kind.PROGRESS:
        move_to_next_stage(application=application, moved_by=decided_by, site=site)
    elif kind in DECISION_STATUS:
        application.status = DECISION_STATUS[kind]
        application.status_changed_at = timezone.now()
        application.save(update_fields=["status", "status_changed_at"])
        if kind == Decision.Kind.HIRE:
            Outcome.objects.get_or_create(application=application)
        if kind == Decision.Kind.OFFER:
            # The safer-recruitment file opens at the offer; imported here, since
            # vbr.compliance builds on recruitment and not the other way round.
            from vbr.compliance.workflow import open_file

            open_file(application=application, by=decided_by)
    _tell_candidate(decision, was_offered=was_offered, site=site)
    # Closing the loop: the experts by experience who assessed the candidate are told, in
    # this transaction (their emails leave from the worker once it commits).
    tell_experts(decision=decision, view=view)
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


def _tell_candidate(decision: Decision, *, was_offered: bool, site: str) -> None:
    """The candidate's notice of an offer (a hire without an offer first counts as one) or
    of "not this time"; moving on tells them itself. Nothing of the reasons goes to them."""
    # Imported here: the candidate's side builds on recruitment, not the other way round.
    from vbr.applicants.models import Notice
    from vbr.applicants.notices import tell_candidate

    kinds: dict[str, str] = {
        Decision.Kind.OFFER: Notice.Kind.OFFER,
        Decision.Kind.HIRE: Notice.Kind.OFFER,
        Decision.Kind.DECLINE: Notice.Kind.NOT_THIS_TIME,
    }
    if decision.kind not in kinds or (decision.kind == Decision.Kind.HIRE and was_offered):
        return
    tell_candidate(
        application=decision.application,
        kind=kinds[decision.kind],
        site=site,
        feedback=decision.feedback_to_candidate,
    )
