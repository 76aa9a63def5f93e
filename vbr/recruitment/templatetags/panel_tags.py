"""Template pieces for panel work that other pages include with one line."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import FilteredRelation, Q, QuerySet

from vbr.compiled import CompiledQuery
from vbr.recruitment.models import ProviderCheck, SupportedPersonView

register = template.Library()


def _checks(provider_id: int, application_id: int) -> QuerySet[ProviderCheck]:
    """The provider's active checks, each joined to this application's tick (at most one)."""
    return (
        ProviderCheck.objects.filter(provider_id=provider_id, is_active=True)
        .annotate(tick=FilteredRelation("done", condition=Q(done__application_id=application_id)))
        # The type stubs cannot follow a FilteredRelation into select_related.
        .select_related("tick__done_by")  # type: ignore[misc]
    )


# On every view of an application page (see vbr.compiled).
_CHECKS: CompiledQuery[ProviderCheck] = CompiledQuery(_checks, provider_id=int, application_id=int)


@register.inclusion_tag("recruitment/includes/application_checks.html", takes_context=True)
def application_checks(context: template.Context) -> dict[str, Any]:
    """The application's checks section: the provider's own checks, ticked or not, then the
    DBS certificates seen. One query for the provider's checks (the active ones, each joined
    to this application's tick, at most one) and one for the DBS certificates, if any."""
    application = context["application"]
    checks = _CHECKS.objects(provider_id=application.provider_id, application_id=application.pk)
    # Django sets `tick` only when the join found a row.
    rows = [{"check": check, "done": getattr(check, "tick", None)} for check in checks]
    # No query for an application known to have no DBS certificate seen (`has_dbs_checks`,
    # read with it on the application page).
    dbs_checks = (
        list(application.dbs_checks.all()) if getattr(application, "has_dbs_checks", True) else []
    )
    return {
        "dbs_checks": dbs_checks,
        "application": application,
        "provider": context.get("provider"),
        "membership": context.get("membership"),
        "provider_checks": rows,
    }


_VIEWS: CompiledQuery[SupportedPersonView] = CompiledQuery(
    lambda assessment_id: SupportedPersonView.objects.filter(assessment_id=assessment_id),
    assessment_id=int,
)


@register.inclusion_tag("recruitment/includes/supported_person_views.html", takes_context=True)
def supported_person_views(context: template.Context) -> dict[str, Any]:
    """At the debrief of a shadowing stage: what the people supported said. One query."""
    assessment = context["assessment"]
    views = _VIEWS.objects(assessment_id=assessment.pk) if assessment.stage.is_shadowing else []
    return {"assessment": assessment, "views": views, "is_shadowing": assessment.stage.is_shadowing}


@register.inclusion_tag("recruitment/includes/shadowing_notes.html", takes_context=True)
def shadowing_notes(context: template.Context) -> dict[str, Any]:
    """The observer's own timed notes on a shadowing scorecard, with add and remove while it
    is a draft. One query at a shadowing stage, none at others."""
    from django.utils import timezone

    from vbr.recruitment.forms.panel import ShadowingNoteForm

    assessment = context["assessment"]
    if not assessment.stage.is_shadowing:
        return {"is_shadowing": False}  # the template shows nothing: no query
    scorecard = context.get("scorecard")
    notes = list(scorecard.shadowing_notes.all()) if scorecard is not None else []
    editable = scorecard is None or not scorecard.is_submitted
    request = context.get("request")
    refused = (
        ShadowingNoteForm.take_refused(request.session, assessment_id=assessment.pk)
        if editable and request is not None and hasattr(request, "session")
        else None
    )
    return {
        "is_shadowing": True,
        "assessment": assessment,
        "provider": context.get("provider"),
        "notes": notes,
        "editable": editable,
        "form": refused
        or ShadowingNoteForm(
            initial={"noted_at": timezone.localtime().strftime("%H:%M")}, auto_id="note_%s"
        ),
    }
