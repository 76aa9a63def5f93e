"""Setting up a role: its details, its stages in order and each stage's criteria."""

from __future__ import annotations

from django.contrib import messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.roles import CriterionForm, RoleForm, StageForm
from vbr.recruitment.models import Criterion, Role, Stage
from vbr.recruitment.scoring import value_stage_matrix
from vbr.reports.caching import reports_changed

FROZEN_MESSAGE = (
    "The criteria of “{stage}” have been scored against, so they cannot change: a panellist "
    "has submitted a scorecard on them. Start a new version for later candidates to change them."
)


def _setup_url(role: Role, stage: Stage | None = None) -> str:
    url = reverse("role-setup", args=[role.provider.slug, role.pk])
    return f"{url}#stage-{stage.pk}" if stage else url


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def role_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    # A hiring manager who creates a role manages it, unless they untick themselves.
    initial = {"managers": [membership]} if membership.role == Membership.Role.MANAGER else {}
    form = RoleForm(request.POST or None, provider=provider, initial=initial)
    if request.method == "POST" and form.is_valid():
        role = workflow.create_role(
            role=form.save(commit=False),
            copy_stages_from=form.cleaned_data["copy_stages_from"],
            actor=request.user,
            managers=form.cleaned_data["managers"],
        )
        messages.success(request, f"Created the role “{role.title}”. Now set up its stages.")
        return redirect("role-setup", provider.slug, role.pk)
    return render(
        request,
        "recruitment/role_form.html",
        {"form": form, "role": None},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def role_edit(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    form = RoleForm(request.POST or None, instance=role, provider=provider)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            reports_changed(provider_id=provider.pk)
            record(
                provider=provider,
                actor=request.user,
                action=AuditEvent.Action.ROLE_CHANGED,
                subject=role,
                summary="Edited the role's details",
            )
        messages.success(request, f"Saved the role “{role.title}”.")
        return redirect("role-setup", provider.slug, role.pk)
    return render(
        request,
        "recruitment/role_form.html",
        {"form": form, "role": role},
    )


@require_GET
@provider_view(STAFF)
def role_setup(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stages = list(role.stages.with_setup_flags().order_by("order", "pk"))
    criteria = list(
        Criterion.objects.filter(stage__role=role, version=models.F("stage__criteria_version"))
        .select_related("core_value")
        .order_by("order", "pk")
    )
    by_stage: dict[int, list[Criterion]] = {stage.pk: [] for stage in stages}
    for criterion in criteria:
        by_stage[criterion.stage_id].append(criterion)
    for stage in stages:
        stage.current = by_stage[stage.pk]  # type: ignore[attr-defined]
    matrix = value_stage_matrix(
        stages=stages,
        criteria=criteria,
        current_values=list(provider.core_values.current().order_by("order", "name")),
    )
    return render(
        request,
        "recruitment/role_setup.html",
        {
            "role": role,
            "stages": stages,
            "matrix": matrix,
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def stage_create(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    form = StageForm(request.POST or None, instance=Stage(role=role))
    if request.method == "POST" and form.is_valid():
        stage = workflow.add_stage(stage=form.save(commit=False), actor=request.user)
        messages.success(request, f"Added the stage “{stage.name}”.")
        return redirect(_setup_url(role, stage))
    return render(
        request,
        "recruitment/stage_form.html",
        {"role": role, "form": form},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def stage_edit(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            reports_changed(provider_id=provider.pk)
            record(
                provider=provider,
                actor=request.user,
                action=AuditEvent.Action.ROLE_CHANGED,
                subject=role,
                summary=f"Edited stage {stage.pk}",
            )
        messages.success(request, f"Saved the stage “{stage.name}”.")
        return redirect(_setup_url(role, stage))
    return render(
        request,
        "recruitment/stage_form.html",
        {
            "role": role,
            "stage": stage,
            "form": form,
        },
    )


@require_POST
@provider_view(STAFF)
def stage_move(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    up = request.POST.get("direction") == "up"
    if workflow.move_stage(stage=stage, up=up, actor=request.user):
        messages.success(request, f"Moved “{stage.name}” {'earlier' if up else 'later'}.")
    return redirect(_setup_url(role, stage))


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def stage_delete(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    if stage.is_in_use():
        messages.error(
            request,
            f"“{stage.name}” has candidates or assessments, so it cannot be deleted.",
        )
        return redirect(_setup_url(role, stage))
    if request.method == "GET":
        return render(
            request,
            "recruitment/stage_confirm_delete.html",
            {
                "role": role,
                "stage": stage,
                "criteria_count": stage.criteria.count(),
            },
        )
    with transaction.atomic():
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=role,
            summary=f"Deleted stage {stage.pk}",
        )
        stage.delete()
        reports_changed(provider_id=provider.pk)
    messages.success(request, f"Deleted the stage “{stage.name}”.")
    return redirect(_setup_url(role))


def _frozen_refusal(request: HttpRequest, role: Role, stage: Stage) -> HttpResponse:
    messages.error(request, FROZEN_MESSAGE.format(stage=stage.name))
    return redirect(_setup_url(role, stage))


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def criterion_create(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    return _criterion_page(request, membership, role, stage, criterion=None)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def criterion_edit(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int, criterion_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    criterion = get_object_or_404(stage.current_criteria(), pk=criterion_id)
    return _criterion_page(request, membership, role, stage, criterion=criterion)


def _criterion_page(
    request: HttpRequest,
    membership: Membership,
    role: Role,
    stage: Stage,
    *,
    criterion: Criterion | None,
) -> HttpResponse:
    """Add a criterion to a stage's current version, or edit one; refused once frozen."""
    if stage.criteria_frozen():
        return _frozen_refusal(request, role, stage)
    instance = criterion or Criterion(stage=stage, version=stage.criteria_version)
    form = CriterionForm(request.POST or None, instance=instance, stage=stage)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record(
                provider=membership.provider,
                actor=request.user,
                action=AuditEvent.Action.CRITERIA_CHANGED,
                subject=stage,
                summary=f"{'Edited' if criterion else 'Added'} criterion {saved.pk}",
            )
        if criterion is None and "another" in request.POST:
            messages.success(request, "Added the criterion. Now add the next one.")
            return redirect("criterion-create", membership.provider.slug, role.pk, stage.pk)
        messages.success(request, "Saved the criterion." if criterion else "Added the criterion.")
        return redirect(_setup_url(role, stage))
    return render(
        request,
        "recruitment/criterion_form.html",
        {
            "role": role,
            "stage": stage,
            "form": form,
            "criterion": criterion,
        },
    )


@require_POST
@provider_view(STAFF)
def criterion_delete(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int, criterion_id: int
) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    criterion = get_object_or_404(stage.current_criteria(), pk=criterion_id)
    if stage.criteria_frozen():
        return _frozen_refusal(request, role, stage)
    if criterion.scores.exists():
        # A draft scorecard already holds a score for it; scores protect their criterion.
        messages.error(
            request,
            "A panellist has started scoring this criterion, so it cannot be deleted. "
            "You can still edit it.",
        )
        return redirect(_setup_url(role, stage))
    with transaction.atomic():
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=stage,
            summary=f"Deleted criterion {criterion.pk}",
        )
        criterion.delete()
    messages.success(request, "Deleted the criterion.")
    return redirect(_setup_url(role, stage))


@require_POST
@provider_view(STAFF)
def criteria_version_create(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    if not stage.criteria_frozen():
        messages.info(request, f"The criteria of “{stage.name}” can still be changed as they are.")
        return redirect(_setup_url(role, stage))
    version = workflow.start_new_criteria_version(stage=stage, actor=request.user)
    messages.success(
        request,
        f"Started version {version} of the criteria of “{stage.name}”. Candidates assessed "
        "from now on are scored against it; earlier scorecards keep the criteria they used.",
    )
    return redirect(_setup_url(role, stage))


@require_POST
@provider_view(STAFF)
def criterion_move(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int, criterion_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    criterion = get_object_or_404(stage.current_criteria(), pk=criterion_id)
    up = request.POST.get("direction") == "up"
    try:
        moved = workflow.move_criterion(criterion=criterion, up=up, actor=request.user)
    except workflow.CriteriaFrozen:
        return _frozen_refusal(request, role, stage)
    if moved:
        messages.success(request, f"Moved “{criterion}” {'earlier' if up else 'later'}.")
    return redirect(_setup_url(role, stage))


@require_POST
@provider_view(STAFF)
def starter_behaviours_add(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    try:
        result = workflow.add_starter_behaviours(stage=stage, actor=request.user)
    except workflow.CriteriaFrozen:
        return _frozen_refusal(request, role, stage)
    _report_starters(request, result, what="observed behaviours", none_left="observed behaviour")
    return redirect(_setup_url(role, stage))


@require_POST
@provider_view(STAFF)
def starter_questions_add(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    try:
        result = workflow.add_starter_questions(stage=stage, actor=request.user)
    except workflow.CriteriaFrozen:
        return _frozen_refusal(request, role, stage)
    _report_starters(request, result, what="interview questions", none_left="starter question")
    return redirect(_setup_url(role, stage))


def _report_starters(
    request: HttpRequest, result: workflow.StartersAdded, *, what: str, none_left: str
) -> None:
    if result.added:
        messages.success(
            request,
            f"Added {len(result.added)} {what}. Change, delete or reorder them to suit the role.",
        )
    else:
        messages.info(request, f"This stage already has every {none_left} it can take.")
    if result.values_created:
        names = ", ".join(value.name for value in result.values_created)
        messages.info(request, f"Added these values from the starter set to your library: {names}.")
    if result.skipped_retired:
        names = ", ".join(result.skipped_retired)
        messages.warning(request, f"Left out because you retired the value they show: {names}.")
