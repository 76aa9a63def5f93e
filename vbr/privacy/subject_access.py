"""Subject access: everything VBR holds about one candidate, as plain data.

Only submitted scorecards are included (drafts are not yet anyone's view), and panellists
appear by their panel role, not by name: their names are their personal data, not the
candidate's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from vbr.recruitment.models import Application, Assessment, Candidate, Score, Scorecard


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def candidate_data(candidate: Candidate) -> dict[str, Any]:
    applications = (
        candidate.applications.select_related("role", "current_stage", "outcome")
        .prefetch_related(
            "stage_entries__stage",
            "decisions",
            "dbs_checks",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("stage").prefetch_related(
                    Prefetch(
                        "scorecards",
                        queryset=Scorecard.objects.submitted()
                        .select_related("panellist")
                        .prefetch_related(
                            Prefetch(
                                "scores",
                                queryset=Score.objects.select_related("criterion__core_value"),
                            )
                        ),
                    )
                ),
            ),
        )
        .order_by("applied_at", "pk")
    )
    return {
        "candidate": {
            "reference": candidate.pk,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "phone": candidate.phone,
            "added_on": _date(candidate.created_at),
            "anonymised_on": _date(candidate.anonymised_at),
        },
        "provider": candidate.provider.name,
        "applications": [_application(application) for application in applications],
    }


def _application(application: Application) -> dict[str, Any]:
    outcome = getattr(application, "outcome", None)
    return {
        "reference": application.pk,
        "role": application.role.title,
        "status": application.get_status_display(),
        "source": application.get_source_display() if application.source else "",
        "withdrawal_reason": application.withdrawal_reason,
        "applied_on": _date(application.applied_at),
        "current_stage": application.current_stage.name if application.current_stage else None,
        "stages_entered": [
            {"stage": entry.stage.name, "entered_on": _date(entry.entered_at)}
            for entry in application.stage_entries.all()
        ],
        "assessments": [
            {
                "stage": assessment.stage.name,
                "scheduled_for": _date(assessment.scheduled_at),
                "place": assessment.place,
                "status": assessment.get_status_display(),
                "scorecards": [
                    {
                        "panel_role": scorecard.panellist.get_panel_role_display(),
                        "submitted_on": _date(scorecard.submitted_at),
                        "recommendation": scorecard.get_recommendation_display(),
                        "summary": scorecard.summary,
                        "scores": [
                            {
                                "value": score.criterion.core_value.name,
                                "question": score.criterion.prompt,
                                "level": score.display_level,
                                "evidence": score.evidence,
                            }
                            for score in scorecard.scores.all()
                        ],
                    }
                    for scorecard in assessment.scorecards.all()
                ],
            }
            for assessment in application.assessments.all()
        ],
        "decisions": [
            {
                "decision": decision.get_kind_display(),
                "reasons": decision.reasons,
                "decided_on": _date(decision.decided_at),
            }
            for decision in application.decisions.all()
        ],
        "outcome": (
            {
                "started_on": _date(outcome.start_date),
                "probation": outcome.get_probation_display(),
                "left_on": _date(outcome.left_on),
                "leaving_reason": outcome.get_leaving_reason_display()
                if outcome.leaving_reason
                else "",
                "notes": outcome.notes,
            }
            if outcome
            else None
        ),
        "dbs_checks": [
            {
                "certificate_number": check.certificate_number,
                "issued_on": _date(check.issued_on),
                "level": check.get_level_display(),
                "decision": check.get_decision_display(),
                "seen_on": _date(check.seen_on),
                "copy_of_certificate_held": bool(check.certificate),
            }
            for check in application.dbs_checks.all()
        ],
    }
