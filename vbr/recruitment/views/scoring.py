"""Scorecards and the debrief.

Independence is the rule here: a panellist reaches only their own scorecard, and sees nobody
else's levels or evidence until their own scorecard is submitted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import ANY_MEMBER, owed_places_on, provider_view
from vbr.accounts.models import AccessProfile, Membership
from vbr.applicants.answers import answers_for_panel
from vbr.compiled import CompiledQuery, remember_related
from vbr.recruitment import scoring, workflow
from vbr.recruitment.forms.scoring import ScorecardForm, draft_from
from vbr.recruitment.models import Assessment, Criterion, Indicator, Panellist, Score, Scorecard


def _assessment(membership: Membership, assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.filter(application__provider=membership.provider).select_related(
            "stage", "application__candidate", "application__role"
        ),
        pk=assessment_id,
    )


PAGE_RELATED = (
    "user",
    "assessment__stage",
    "assessment__application__candidate",
    "assessment__application__role",
    # For the audit trail when a scorecard is submitted.
    "assessment__application__provider",
)


def _panel_place(
    membership: Membership, assessment_id: int, related: tuple[str, ...] = PAGE_RELATED
) -> Panellist:
    """The signed-in person's own place on this assessment's panel, or 404. `related`: what
    to load with it (a page shows the candidate and role; an autosave needs the stage)."""
    query = _PANEL_PLACES.get(related)
    if query is None:
        query = _PANEL_PLACES.setdefault(related, _panel_place_query(related))
    place = query.first(
        assessment_id=assessment_id,
        provider_id=membership.provider_id,
        user_id=membership.user_id,
    )
    if place is None:
        raise Http404
    return place


def _panel_place_query(related: tuple[str, ...]) -> CompiledQuery[Panellist]:
    return CompiledQuery(
        lambda assessment_id, provider_id, user_id: Panellist.objects.select_related(
            *related
        ).filter(
            assessment_id=assessment_id,
            assessment__application__provider_id=provider_id,
            user_id=user_id,
        ),
        assessment_id=int,
        provider_id=int,
        user_id=int,
    )


# A panel place as each page or post reads it (by what it loads with it), written once: the
# scorecard and its autosave read it on every request (see vbr.compiled).
_PANEL_PLACES: dict[tuple[str, ...], CompiledQuery[Panellist]] = {}


def _indicators() -> Prefetch[Any]:
    return Prefetch(
        "core_value__indicators", queryset=Indicator.objects.order_by("kind", "order", "pk")
    )


def _criteria(assessment: Assessment) -> list:  # type: ignore[type-arg]
    return list(_in_order(assessment.criteria()).prefetch_related(_indicators()))


def _in_order(criteria: QuerySet[Criterion]) -> QuerySet[Criterion]:
    """One assessment's criteria (one stage, one version) in their order, which needs no
    joins, unlike the criteria's default order (by stage, then role)."""
    return criteria.order_by("order", "pk")


def _with_indicators(criteria: list[Criterion]) -> list[Criterion]:
    """Load each criterion's value's indicators (one query), for a page that shows them.
    `criteria` are one assessment's (one stage, one version: `criteria_in_order`)."""
    if not criteria:
        return criteria
    first = criteria[0]
    by_value: dict[int, list[Indicator]] = defaultdict(list)
    seen: set[int] = set()
    for indicator in _INDICATORS.objects(stage_id=first.stage_id, version=first.version):
        if indicator.pk not in seen:  # a value used by several criteria is joined for each
            seen.add(indicator.pk)
            by_value[indicator.core_value_id].append(indicator)
    for criterion in criteria:
        remember_related(criterion.core_value, "indicators", by_value[criterion.core_value_id])
    return criteria


# The indicators of the values of one stage's criteria of one version, in the order the
# pages show them: on every view of a scorecard (see vbr.compiled).
_INDICATORS: CompiledQuery[Indicator] = CompiledQuery(
    lambda stage_id, version: Indicator.objects.filter(
        core_value__criteria__stage_id=stage_id, core_value__criteria__version=version
    ).order_by("kind", "order", "pk"),
    stage_id=int,
    version=int,
)


def _prefers_easy_read(request: HttpRequest, membership: Membership) -> bool:
    """A panel member whose "working with me" asks for easy read gets the easy-read pages,
    unless they chose the full form from there (`?form=full`). Staff are never redirected."""
    if membership.role != Membership.Role.PANEL or request.GET.get("form") == "full":
        return False
    return AccessProfile.objects.filter(user=membership.user, easy_read=True).exists()


# A page's panel place read with its scorecard (if any) and who entered it.
WITH_SCORECARD = (*PAGE_RELATED, "scorecard", "scorecard__entered_by")


# A scorecard's scores, in their order (Meta's: by criterion order), read on every view of
# a scorecard (see vbr.compiled).
_SCORES: CompiledQuery[Score] = CompiledQuery(
    lambda scorecard_id: Score.objects.filter(scorecard_id=scorecard_id), scorecard_id=int
)


def _scorecard(panellist: Panellist) -> Scorecard | None:
    """The panellist's scorecard with its scores; the scorecard is not read again when the
    place was loaded with it (`WITH_SCORECARD`)."""
    if Panellist.scorecard.is_cached(panellist):
        try:
            loaded = panellist.scorecard
        except Scorecard.DoesNotExist:
            return None
        remember_related(loaded, "scores", _SCORES.objects(scorecard_id=loaded.pk))
        scorecard: Scorecard | None = loaded
    else:
        scorecard = (
            Scorecard.objects.filter(panellist=panellist)
            .prefetch_related("scores")
            .select_related("entered_by")
            .first()
        )
    if scorecard is not None and scorecard.is_submitted:
        # The amendment history, shown with a submitted scorecard (a draft has none).
        prefetch_related_objects([scorecard], "revisions__amended_by")
    return scorecard


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def scorecard_edit(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    posting = request.method == "POST"
    # A page shows the scorecard as it is; a post is handled by the workflow, which reads it
    # under its lock and refuses to change a submitted one.
    panellist = _panel_place(membership, assessment_id, PAGE_RELATED if posting else WITH_SCORECARD)
    assessment = panellist.assessment
    if not posting and _prefers_easy_read(request, membership):
        return redirect("easy-start", membership.provider.slug, assessment.pk)
    scorecard = None if posting else _scorecard(panellist)
    # What the form parses; the value's indicators only when a page is shown (below).
    criteria = assessment.criteria_in_order()
    context: dict[str, Any] = {
        "assessment": assessment,
        "panellist": panellist,
        "scorecard": scorecard,
    }
    if scorecard is not None and scorecard.is_submitted:
        scores = {s.criterion_id: s for s in scorecard.scores.all()}
        context["answered"] = [(c, scores.get(c.pk)) for c in _with_indicators(criteria)]
        return render(request, "recruitment/scorecard_submitted.html", context)

    if request.method == "POST":
        submitting = "submit" in request.POST
        form = ScorecardForm(request.POST, criteria=criteria, submitting=submitting)
        valid = form.is_valid()
        if submitting and valid:
            submitted = workflow.submit_scorecard(
                panellist=panellist,
                answers=form.answers(),
                recommendation=form.recommendation_value(),
                summary=form.summary_value(),
                entered_by=request.user,  # type: ignore[arg-type]
                criteria=criteria,
            )
            if not submitted.submitted_now:  # a second click, or another tab
                return _submitted_meanwhile(request, submitting=True)
            messages.success(request, "Thank you: your scorecard is submitted and locked.")
            return redirect("assessment-debrief", membership.provider.slug, assessment.pk)
        # Save what was typed even when a submit was refused: nothing is lost.
        try:
            scorecard = workflow.save_scorecard_draft(
                panellist=panellist,
                answers=form.answers(),
                recommendation=form.recommendation_value(),
                summary=form.summary_value(),
                entered_by=request.user,  # type: ignore[arg-type]
                criteria=criteria,
            )
        except workflow.ScorecardLocked:
            # Submitted already: a refused second submit, or a draft from another tab.
            return _submitted_meanwhile(request, submitting=submitting)
        if not submitting:
            messages.success(request, "Draft saved. Nobody else can see it.")
            return redirect(request.get_full_path())
        context["scorecard"] = scorecard
    else:
        form = ScorecardForm(initial=ScorecardForm.initial_from(scorecard), criteria=criteria)
    _with_indicators(criteria)
    context["form"] = form
    # What the candidate wrote when applying: their words, not anybody's scores.
    context["values_answers"] = answers_for_panel(assessment)
    return render(request, "recruitment/scorecard_form.html", context)


def _submitted_meanwhile(request: HttpRequest, *, submitting: bool) -> HttpResponse:
    """A post to a scorecard that is already submitted: the submitted scorecard, shown again
    with what became of the post (a second click on Submit, or a draft from another window)."""
    if submitting:
        messages.info(request, "Your scorecard is submitted and locked.")
    else:
        messages.info(
            request,
            "This scorecard was submitted in another window, so it is locked and these "
            "changes were not saved. Use “Amend” to change it.",
        )
    return redirect(request.get_full_path())


# An assessment's criteria ids in their order: all that parsing an autosave needs.
_CRITERIA_IDS: CompiledQuery[Any] = CompiledQuery(
    lambda stage_id, version: _in_order(
        Criterion.objects.filter(stage_id=stage_id, version=version)
    ).values_list("pk"),
    stage_id=int,
    version=int,
)


@require_POST
@provider_view(ANY_MEMBER)  # shows nobody's scores
def scorecard_autosave(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """Save a draft as it is typed (htmx, or a beacon when the tab closes)."""
    # With the scorecard as it is now, which the workflow saves without reading it again.
    panellist = _panel_place(membership, assessment_id, ("assessment__stage", "scorecard"))
    # Parsing the post needs only the criteria ids.
    assessment = panellist.assessment
    ids = [
        pk
        for (pk,) in _CRITERIA_IDS.rows(
            stage_id=assessment.stage_id, version=assessment.criteria_version
        )
    ]
    draft = draft_from(request.POST, ids)
    try:
        workflow.save_scorecard_draft(
            panellist=panellist,
            answers=draft.answers,
            recommendation=draft.recommendation,
            summary=draft.summary,
            entered_by=request.user,  # type: ignore[arg-type]
            criteria=[Criterion(pk=pk) for pk in ids],
        )
    except workflow.ScorecardLocked:
        return _autosave_status({"locked": True}, status=409)
    return _autosave_status({"saved_at": timezone.now()})


def _autosave_status(context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The few words under the form after an autosave. Rendered without the request: they
    need nothing from the context processors (the layout's), which cost more than the words."""
    template = get_template("recruitment/includes/autosave_status.html")
    return HttpResponse(template.render(context), status=status)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def scorecard_amend(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    edit_url = reverse("scorecard-edit", args=[membership.provider.slug, assessment_id])
    if scorecard is None or not scorecard.is_submitted:
        return redirect(edit_url)
    criteria = _criteria(panellist.assessment)
    if request.method == "POST":
        form = ScorecardForm(request.POST, criteria=criteria, amending=True)
        if form.is_valid():
            workflow.amend_scorecard(
                scorecard=scorecard,
                answers=form.answers(),
                recommendation=form.recommendation_value(),
                summary=form.summary_value(),
                reason=form.cleaned_data["reason"],
                amended_by=request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request, "Scorecard amended. The earlier version is kept in its history."
            )
            return redirect(edit_url)
    else:
        form = ScorecardForm(
            initial=ScorecardForm.initial_from(scorecard), criteria=criteria, amending=True
        )
    return render(
        request,
        "recruitment/scorecard_form.html",
        {
            "assessment": panellist.assessment,
            "panellist": panellist,
            "scorecard": scorecard,
            "form": form,
            "amending": True,
        },
    )


@dataclass(frozen=True)
class LevelCell:
    """One panellist's level on one question, as the debrief table shows it."""

    css: str
    text: str


NO_SCORE = LevelCell("text-body-secondary", "—")
NOT_OBSERVED = LevelCell("level level-na", "Not observed")
LEVEL_CELLS = {level: LevelCell(f"level level-{level}", str(level)) for level in range(1, 5)}


@dataclass(frozen=True)
class QuestionRow:
    """One question of the debrief table, ready to show: the cells in column order and the
    evidence notes that were written, so the template only prints them."""

    prompt: str
    essential: bool
    cells: tuple[LevelCell, ...]
    median: str
    spread: str
    differs_by: int | None  # the spread, when the panel differs enough to flag it
    weak_essential: bool
    scored: bool
    notes: tuple[tuple[str, str], ...]  # (panellist's name, evidence)


@dataclass(frozen=True)
class ValueTable:
    """One value's table on the debrief."""

    name: str
    retired: bool
    evidences: str
    median: str
    experts_median: str  # "" when no expert observed it
    staff_median: str  # "" when no staff member observed it
    weak_essential: bool
    questions: tuple[QuestionRow, ...]


def _level_cell(score: scoring.PanellistScore | None) -> LevelCell:
    if score is None:
        return NO_SCORE
    if score.level is None:
        return NOT_OBSERVED
    return LEVEL_CELLS.get(score.level) or LevelCell(f"level level-{score.level}", str(score.level))


def debrief_tables(debrief: scoring.Debrief) -> list[ValueTable]:
    """The debrief's evidence per value, worked out once for the template."""
    columns = [r.panellist_id for r in debrief.recommendations]
    tables = []
    for value in debrief.values:
        questions = []
        for item in value.criteria:
            by_panellist = {s.panellist_id: s for s in item.scores}
            spread = item.stats.spread
            questions.append(
                QuestionRow(
                    prompt=item.criterion.prompt,
                    essential=item.criterion.essential,
                    cells=tuple(_level_cell(by_panellist.get(pid)) for pid in columns),
                    median=item.stats.median_label,
                    spread="—" if spread is None else str(spread),
                    differs_by=spread if item.disagreement else None,
                    weak_essential=item.weak_essential,
                    scored=bool(item.scores),
                    notes=tuple((s.name, s.evidence) for s in item.scores if s.evidence),
                )
            )
        tables.append(
            ValueTable(
                name=value.core_value.name,
                retired=value.core_value.is_retired,
                evidences=value.evidences,
                median=value.stats.median_label,
                experts_median=value.expert_stats.median_label if value.expert_stats.count else "",
                staff_median=value.staff_stats.median_label if value.staff_stats.count else "",
                weak_essential=value.weak_essential,
                questions=tuple(questions),
            )
        )
    return tables


def _debrief_access(membership: Membership, panel: list[Panellist]) -> Panellist | None:
    """Staff see any debrief of their provider; panel members only their own panels'."""
    place = next((p for p in panel if p.user_id == membership.user_id), None)
    if place is None and not membership.is_staff_member:
        raise PermissionDenied
    return place


# The debrief's assessment, and its panel with each person and scorecard: read on every view,
# through SQL written once (see vbr.compiled).
_DEBRIEF_ASSESSMENT: CompiledQuery[Assessment] = CompiledQuery(
    lambda provider_id, assessment_id: Assessment.objects.filter(
        application__provider_id=provider_id, pk=assessment_id
    ).select_related("stage", "application__candidate", "application__role"),
    provider_id=int,
    assessment_id=int,
)
_DEBRIEF_PANEL: CompiledQuery[Panellist] = CompiledQuery(
    lambda assessment_id: Panellist.objects.filter(assessment_id=assessment_id).select_related(
        "user", "scorecard", "scorecard__entered_by"
    ),
    assessment_id=int,
)


@require_GET
@provider_view(ANY_MEMBER)
def assessment_debrief(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    assessment = _DEBRIEF_ASSESSMENT.first(
        provider_id=membership.provider_id, assessment_id=assessment_id
    )
    if assessment is None:
        raise Http404
    panel = _DEBRIEF_PANEL.objects(assessment_id=assessment.pk)
    for seat in panel:
        seat.assessment = assessment
    place = _debrief_access(membership, panel)
    submitted = [p for p in panel if p.has_submitted]
    context = {
        "assessment": assessment,
        "application": assessment.application,
        "panel": panel,
        "submitted_ids": {p.pk for p in submitted},
        "own_place": place,
        "can_close": assessment.status != Assessment.Status.CLOSED
        and (membership.is_staff_member or (place is not None and place.is_chair)),
    }
    owed = owed_places_on(membership, assessment.application)
    if owed:
        context["owed_places"] = owed
        # Independence: nothing of the others, at any stage of this application, until your
        # own scorecards for it are in.
        return render(request, "recruitment/debrief_wait_for_own.html", context)
    everyone_in = bool(panel) and len(submitted) == len(panel)
    if not (everyone_in or assessment.status == Assessment.Status.CLOSED):
        return render(request, "recruitment/debrief_waiting.html", context)
    debrief = scoring.debrief_for(assessment, panel=panel)
    context["debrief"] = debrief
    context["flags"] = debrief.flags
    context["tables"] = debrief_tables(debrief)
    # The panellists' columns: each one's name and, under it, their place on the panel.
    context["columns"] = [
        (r.name, "Expert by experience" if r.is_expert else r.panel_role_label)
        for r in debrief.recommendations
    ]
    context["row_width"] = len(debrief.recommendations) + 4
    return render(request, "recruitment/debrief.html", context)


@require_POST
@provider_view(ANY_MEMBER)
def assessment_close(
    request: HttpRequest, membership: Membership, assessment_id: int
) -> HttpResponse:
    """Close scoring so the debrief can start with the scorecards that are in."""
    assessment = _assessment(membership, assessment_id)
    place = assessment.panellists.filter(user=membership.user).first()
    if not (membership.is_staff_member or (place is not None and place.is_chair)):
        raise PermissionDenied
    if place is not None and not place.has_submitted:
        messages.error(request, "Submit your own scorecard before closing scoring.")
    else:
        workflow.close_scoring(assessment=assessment, closed_by=request.user)  # type: ignore[arg-type]
        messages.success(request, "Scoring closed. The debrief shows the submitted scorecards.")
    return redirect("assessment-debrief", membership.provider.slug, assessment.pk)
