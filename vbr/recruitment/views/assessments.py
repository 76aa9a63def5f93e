"""Assessments and their panels, for staff: scheduling, the assessment page, the panel.

The assessment page shows whether each panellist has submitted, never their levels or
evidence: staff may sit on this panel themselves and must score independently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view
from vbr.accounts.models import Membership, Provider
from vbr.compiled import CompiledQuery
from vbr.recruitment import workflow
from vbr.recruitment.forms.assessments import AssessmentForm, PanellistForm
from vbr.recruitment.models import Application, Assessment, Panellist
from vbr.recruitment.models.assessments import AssessmentQuerySet
from vbr.recruitment.rows import addresses, dates, person_name

ASSESSMENTS_PER_PAGE = 50
LISTS = {
    "upcoming": "Upcoming assessments",
    "week": "Assessments this week",
    "todo": "My scorecards to do",
}


@dataclasses.dataclass(frozen=True, slots=True)
class AssessmentRow:
    """One row of a table of assessments, ready to show: the lists read plain values and draw
    them without a model instance, a URL lookup or a date filter per row."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "pk",
        "scheduled_at",
        "place",
        "panel_size",
        "submitted_count",
        "stage__name",
        "application__candidate__first_name",
        "application__candidate__last_name",
        "application__role__title",
    )

    pk: int
    url: str
    when: str
    name: str
    role_and_stage: str
    place: str
    submitted: str


def assessment_rows(provider: Provider, values: Iterable[dict[str, Any]]) -> list[AssessmentRow]:
    address = addresses("assessment-detail", provider.slug)
    when = dates("D j M, H:i", none="Not set")
    return [
        AssessmentRow(
            pk=row["pk"],
            url=address(row["pk"]),
            when=when(row["scheduled_at"]),
            name=person_name(
                row["application__candidate__first_name"],
                row["application__candidate__last_name"],
            ),
            role_and_stage=f"{row['application__role__title']}: {row['stage__name']}",
            place=row["place"],
            submitted=f"{row['submitted_count']} of {row['panel_size']}",
        )
        for row in values
    ]


def _assessments(membership: Membership) -> AssessmentQuerySet:
    """The provider's assessments, starting from the provider."""
    return Assessment.objects.filter(provider=membership.provider)


@require_GET
@provider_view(STAFF)
def assessment_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    show = request.GET.get("show", "upcoming")
    if show not in LISTS:
        show = "upcoming"
    assessments = _assessments(membership)
    if show == "week":
        assessments = assessments.this_week()
    elif show == "todo":
        assessments = assessments.filter(
            pk__in=membership.user.panel_places.scorecard_to_do().values("assessment")
        )
    else:
        # The database's own clock, not a parameter: once the statement is prepared, a plan
        # made without knowing the time guessed that a third of all assessments were to come
        # and read a large provider's every application (90 ms instead of 10).
        assessments = assessments.not_cancelled().filter(scheduled_at__gte=Now())
    paginator = Paginator(
        assessments.order_by("scheduled_at", "pk").values(*AssessmentRow.COLUMNS),
        ASSESSMENTS_PER_PAGE,
    )
    # Counted without the stage, candidate and role the rows show: joining them into the
    # count doubled its time at a large provider.
    paginator.count = assessments.count()
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = assessment_rows(membership.provider, page.object_list)
    return render(
        request,
        "recruitment/assessment_list.html",
        {
            "page": page,
            "show": show,
            "lists": LISTS,
            "heading": LISTS[show],
        },
    )


def _application(membership: Membership, application_id: int) -> Application:
    return get_object_or_404(
        membership.provider.applications.select_related("candidate", "role", "current_stage"),
        pk=application_id,
    )


def _assessment(membership: Membership, assessment_id: int) -> Assessment:
    assessment = _ASSESSMENT.first(provider_id=membership.provider_id, assessment_id=assessment_id)
    if assessment is None:
        raise Http404
    return assessment


# An assessment of the provider with its stage, candidate, role and provider: every page and
# post about one assessment reads it (see vbr.compiled).
_ASSESSMENT: CompiledQuery[Assessment] = CompiledQuery(
    lambda provider_id, assessment_id: Assessment.objects.filter(
        application__provider_id=provider_id, pk=assessment_id
    ).select_related(
        "stage", "application__candidate", "application__role", "application__provider"
    ),
    provider_id=int,
    assessment_id=int,
)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def assessment_add(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    application = _application(membership, application_id)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        application=application,
        scheduler=membership,
    )
    if request.method == "POST" and form.is_valid():
        panel = form.panel()
        try:
            assessment = workflow.schedule_assessment(
                application=application,
                stage=form.cleaned_data["stage"],
                scheduled_at=form.scheduled_at,
                place=form.cleaned_data["place"],
                notes_for_panel=form.cleaned_data["notes_for_panel"],
                panel=panel,
            )
        except ValidationError as error:
            on_fields = hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields)
            form.add_error(None, error if on_fields else error.messages)
        else:
            messages.success(
                request,
                f"{assessment.stage.name} scheduled for {application.candidate.full_name}"
                + (_panel_in_words(assessment) if panel else ". Now add the panel."),
            )
            return redirect("assessment-detail", membership.provider.slug, assessment.pk)
    return render(
        request,
        "recruitment/assessment_form.html",
        {
            "application": application,
            "form": form,
        },
    )


def _panel_in_words(assessment: Assessment) -> str:
    places = assessment.panellists.select_related("user").order_by("pk")
    names = [f"{p.user.display_name} ({p.get_panel_role_display().lower()})" for p in places]
    return f", with a panel of {len(names)}: {', '.join(names)}."


@require_GET
@provider_view(STAFF)
def assessment_detail(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    return _render_detail(request, membership, assessment, PanellistForm(assessment=assessment))


_PANEL_OF_ASSESSMENT: CompiledQuery[Panellist] = CompiledQuery(
    lambda assessment_id: (
        Panellist.objects.filter(assessment_id=assessment_id)
        .select_related("user")
        .annotate(
            has_scorecard=Count("scorecard"),
            submitted=Count("scorecard", filter=Q(scorecard__submitted_at__isnull=False)),
        )
    ),
    assessment_id=int,
)


def _render_detail(
    request: HttpRequest,
    membership: Membership,
    assessment: Assessment,
    panellist_form: PanellistForm,
) -> HttpResponse:
    # Whether each scorecard exists and is submitted; levels and evidence are never loaded.
    panellists = _PANEL_OF_ASSESSMENT.objects(assessment_id=assessment.pk)
    return render(
        request,
        "recruitment/assessment_detail.html",
        {
            "assessment": assessment,
            "application": assessment.application,
            "panellists": panellists,
            "panellist_form": panellist_form,
            "can_change": assessment.status
            in (Assessment.Status.SCHEDULED, Assessment.Status.SCORING),
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def assessment_edit(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "Scoring for this assessment is closed: it can no longer change.")
        return redirect("assessment-detail", membership.provider.slug, assessment.pk)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        application=assessment.application,
        assessment=assessment,
    )
    if request.method == "POST" and form.is_valid():
        rescheduled = assessment.status == Assessment.Status.CANCELLED
        assessment.scheduled_at = form.scheduled_at
        assessment.place = form.cleaned_data["place"]
        assessment.notes_for_panel = form.cleaned_data["notes_for_panel"]
        if rescheduled:
            assessment.status = Assessment.Status.SCHEDULED
        assessment.save(update_fields=["scheduled_at", "place", "notes_for_panel", "status"])
        messages.success(
            request, "The assessment is rescheduled." if rescheduled else "Changes saved."
        )
        return redirect("assessment-detail", membership.provider.slug, assessment.pk)
    return render(
        request,
        "recruitment/assessment_form.html",
        {
            "application": assessment.application,
            "assessment": assessment,
            "form": form,
        },
    )


@require_POST
@provider_view(STAFF)
def assessment_cancel(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    try:
        workflow.cancel_assessment(assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The assessment is cancelled.")
    return redirect("assessment-detail", membership.provider.slug, assessment.pk)


@require_POST
@provider_view(STAFF)
def panellist_add(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    form = PanellistForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            panellist = workflow.add_panellist(
                assessment=assessment,
                membership=form.cleaned_data["member"],
                panel_role=form.cleaned_data["panel_role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{panellist.user.display_name} is on the panel as "
                f"{panellist.get_panel_role_display().lower()}.",
            )
            return redirect("assessment-detail", membership.provider.slug, assessment.pk)
    return _render_detail(request, membership, assessment, form)


@require_POST
@provider_view(STAFF)
def panellist_remove(
    request: HttpRequest, membership: Membership, assessment_id: int, panellist_id: int
) -> HttpResponse:
    assessment = _assessment(membership, assessment_id)
    panellist = get_object_or_404(assessment.panellists.select_related("user"), pk=panellist_id)
    try:
        workflow.remove_panellist(panellist=panellist)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{panellist.user.display_name} is off the panel.")
    return redirect("assessment-detail", membership.provider.slug, assessment.pk)
