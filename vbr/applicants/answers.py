"""The values answers a candidate wrote when applying online, shown to the panel of the role's
first stage as the candidate wrote them.

They are the candidate's own words, not anybody's scores: independence (who may see whose
scores, `vbr.accounts.access`) does not hide them, and every panellist reads them before
scoring, on the full scorecard and on the easy-read start page alike.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from vbr.applicants.models import ValuesAnswer
from vbr.compiled import CompiledQuery
from vbr.recruitment.models import Assessment, Stage


def answers_for_panel(assessment: Assessment) -> list[ValuesAnswer]:
    """The answers of the assessment's application, in the order the questions were asked,
    at the role's first stage only; none for an application a manager added (one query,
    written once: every scorecard page reads it)."""
    return _ANSWERS_FOR_PANEL.objects(
        application_id=assessment.application_id, stage_id=assessment.stage_id
    )


def _answers_at_first_stage(application_id: int, stage_id: int) -> QuerySet[ValuesAnswer]:
    first_stage = Subquery(
        Stage.objects.filter(role_id=OuterRef("online_application__application__role_id"))
        .order_by("order", "pk")
        .values("pk")[:1]
    )
    return (
        ValuesAnswer.objects.filter(online_application__application_id=application_id)
        .alias(first_stage=first_stage)
        .filter(first_stage=stage_id)
        .select_related("core_value")
        .order_by("order", "pk")
    )


_ANSWERS_FOR_PANEL: CompiledQuery[ValuesAnswer] = CompiledQuery(
    _answers_at_first_stage, application_id=int, stage_id=int
)
