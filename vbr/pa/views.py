"""The PA path's pages: the guided page, and one page for each step's action.

Only for a provider of kind "individual employer": for any other provider each page is a 404,
as if it did not exist (a care home has its dashboard and role pages instead).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view, scores_hidden_from
from vbr.accounts.models import Membership, Provider
from vbr.applicants.models import Vacancy
from vbr.pa import path, workflow
from vbr.pa.forms import CompanionForm, JobForm, OfferForm, QuestionsForm
from vbr.pa.models import PaJob
from vbr.recruitment import workflow as recruitment
from vbr.recruitment.models import (
    Application,
    Assessment,
    Decision,
    Role,
    Stage,
)


def is_individual_employer(provider: Provider) -> bool:
    return provider.kind == Provider.Kind.INDIVIDUAL_EMPLOYER


def pa_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A staff page of the PA path: 404 for a provider that is not an individual employer."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, membership: Membership, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not is_individual_employer(membership.provider):
            raise Http404("The PA path is for individual employers")
        return view(request, membership, *args, **kwargs)

    return provider_view(STAFF)(wrapper)


def _job(membership: Membership, role_id: int) -> PaJob:
    """The PA job of one of the provider's roles, made on first use for a role set up before
    (the employer's words then start from the role's description)."""
    role = get_object_or_404(
        membership.provider.roles.select_related("pa_job__companion__user"), pk=role_id
    )
    job = getattr(role, "pa_job", None)
    if job is None:
        job = PaJob.objects.create(
            provider=membership.provider, role=role, help_needed=role.description
        )
    return job


@require_GET
@pa_view
def pa_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The guided page: the newest open job's steps, or the start of a new one."""
    roles = list(
        membership.provider.roles.open()
        .select_related("pa_job__companion__user")
        .order_by("-created_at", "-pk")
    )
    return _guided(request, membership, roles[0] if roles else None, roles)


@require_GET
@pa_view
def pa_job(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """The guided page of one job (an employer may look for two PAs at once)."""
    roles = list(
        membership.provider.roles.open()
        .select_related("pa_job__companion__user")
        .order_by("-created_at", "-pk")
    )
    role = next((r for r in roles if r.pk == role_id), None)
    if role is None:
        role = get_object_or_404(
            membership.provider.roles.select_related("pa_job__companion__user"), pk=role_id
        )
    return _guided(request, membership, role, roles)


def _guided(
    request: HttpRequest, membership: Membership, role: Role | None, roles: list[Role]
) -> HttpResponse:
    steps = path.guided_steps(membership, role) if role else path.no_job_steps(membership)
    return render(
        request,
        "pa/guided.html",
        {
            "role": role,
            "other_roles": [r for r in roles if role is None or r.pk != role.pk],
            "steps": steps,
            "done_count": sum(step.done for step in steps),
        },
    )


@require_http_methods(["GET", "POST"])
@pa_view
def pa_job_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Step 1 for a new job: "I need a PA"."""
    form = JobForm(request.POST if request.method == "POST" else None, provider=membership.provider)
    if request.method == "POST" and form.is_valid():
        job = workflow.save_job(
            provider=membership.provider,
            words=form.words(),
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Saved. Read your advert below, then publish it.")
        return redirect(_edit_url(membership, job.role_id) + "#advert")
    return render(request, "pa/job_form.html", {"form": form, "role": None, "vacancy": None})


def _edit_url(membership: Membership, role_id: int) -> str:
    from django.urls import reverse

    return reverse("pa-job-edit", args=[membership.provider.slug, role_id])


@require_http_methods(["GET", "POST"])
@pa_view
def pa_job_edit(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """Step 1: the job in the employer's words, and the advert written from them."""
    job = _job(membership, role_id)
    vacancy = Vacancy.objects.filter(role=job.role).first()
    initial: dict[str, object] = {
        "title": job.role.title,
        "help_needed": job.help_needed,
        "what_matters": job.what_matters,
        "values": list(job.values.all()),
    }
    if vacancy is not None:
        initial.update(hours=vacancy.hours, pay_from=vacancy.pay_from, town=vacancy.town)
    form = JobForm(
        request.POST if request.method == "POST" else None,
        provider=membership.provider,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        workflow.save_job(
            provider=membership.provider,
            words=form.words(),
            by=request.user,  # type: ignore[arg-type]
            job=job,
        )
        messages.success(request, "Saved. Your advert below has your new words.")
        return redirect(_edit_url(membership, job.role_id) + "#advert")
    return render(request, "pa/job_form.html", {"form": form, "role": job.role, "vacancy": vacancy})


@require_POST
@pa_view
def pa_publish(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    job = _job(membership, role_id)
    if not Vacancy.objects.filter(role=job.role).exists():
        messages.error(request, "Write about the job first: then there is an advert to publish.")
        return redirect("pa-job-edit", membership.provider.slug, job.role_id)
    workflow.publish_advert(job=job)
    messages.success(request, "Your advert is published. Anyone can read it and apply.")
    return redirect("pa-job", membership.provider.slug, job.role_id)


@require_http_methods(["GET", "POST"])
@pa_view
def pa_questions(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """Step 2: questions from the bank, copied into the interview as its criteria."""
    job = _job(membership, role_id)
    stage = workflow.interview_stage(job.role)
    if stage is None:
        stage = recruitment.add_stage(
            stage=Stage(role=job.role, name=workflow.INTERVIEW_NAME, kind=Stage.Kind.INTERVIEW),
            actor=request.user,
        )
    asked = set(stage.current_criteria().values_list("prompt", flat=True))
    choices = workflow.bank_questions(provider=membership.provider, job=job)
    form = QuestionsForm(
        request.POST if request.method == "POST" else None, choices_by_value=choices
    )
    if request.method == "POST" and form.is_valid():
        added = 0
        try:
            with transaction.atomic():
                for core_value, item in form.chosen():
                    if item.prompt in asked:
                        continue
                    recruitment.copy_bank_item_into_stage(
                        item=item, stage=stage, core_value=core_value, actor=request.user
                    )
                    asked.add(item.prompt)
                    added += 1
        except recruitment.CriteriaFrozen:
            messages.error(
                request,
                "Somebody has already scored with these questions, so they cannot change. "
                "Ask for help to start a new set.",
            )
            return redirect("pa-job", membership.provider.slug, job.role_id)
        messages.success(
            request,
            "1 question added." if added == 1 else f"{added} questions added.",
        )
        return redirect("pa-job", membership.provider.slug, job.role_id)
    return render(
        request,
        "pa/questions_form.html",
        {"job": job, "role": job.role, "form": form, "asked": asked},
    )


@require_http_methods(["GET", "POST"])
@pa_view
def pa_companion(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """Step 3: who sits with the employer at the interviews."""
    job = _job(membership, role_id)
    form = CompanionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        companion = workflow.choose_companion(
            job=job,
            full_name=form.cleaned_data["full_name"],
            relationship=form.cleaned_data["relationship"],
            email=form.cleaned_data["email"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(
            request,
            f"{companion.user.display_name} is on your interview panels. Give them their "
            "link from each interview below.",
        )
        return redirect("pa-job", membership.provider.slug, job.role_id)
    return render(request, "pa/companion_form.html", {"job": job, "role": job.role, "form": form})


@require_POST
@pa_view
def pa_companion_seat(
    request: HttpRequest, membership: Membership, role_id: int, assessment_id: int
) -> HttpResponse:
    job = _job(membership, role_id)
    assessment = get_object_or_404(
        Assessment.objects.select_related("application"),
        application__provider=membership.provider,
        application__role=job.role,
        pk=assessment_id,
    )
    if job.companion is None:
        messages.error(request, "Choose who sits with you first.")
        return redirect("pa-companion", membership.provider.slug, job.role_id)
    workflow.seat_companion(job=job, assessment=assessment)
    messages.success(request, f"{job.companion.user.display_name} is on this interview.")
    return redirect("pa-job", membership.provider.slug, job.role_id)


@require_http_methods(["GET", "POST"])
@pa_view
def pa_offer(request: HttpRequest, membership: Membership, application_id: int) -> HttpResponse:
    """Step 4: offer the job, or say "not this time"; the candidate is told either way."""
    application = get_object_or_404(
        membership.provider.applications.select_related("candidate", "role", "current_stage"),
        pk=application_id,
    )
    back = redirect("pa-job", membership.provider.slug, application.role_id)
    if not application.is_open or application.status == Application.Status.OFFERED:
        messages.info(
            request,
            f"{application.candidate.full_name}: {application.get_status_display().lower()}.",
        )
        return back
    if scores_hidden_from(membership, application):
        messages.error(request, "Fill in your scores from the interview first. Then decide.")
        return back
    experts_view = recruitment.experts_view(application)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            recruitment.record_decision(
                application=application,
                kind=kind,
                reasons=form.cleaned_data["reasons"].strip(),
                override_reason=form.cleaned_data["override_reason"].strip(),
                decided_by=request.user,  # type: ignore[arg-type]
                feedback_to_candidate=form.cleaned_data["feedback_to_candidate"],
                site=request.build_absolute_uri("/"),
            )
        except recruitment.DecisionOvertaken:
            messages.info(request, "This was already decided. Nothing else was recorded.")
            return back
        except recruitment.OverrideReasonNeeded:
            form.add_error(
                "override_reason",
                "Please say why: the people on your panel who draw on care thought differently.",
            )
        else:
            name = application.candidate.full_name
            if kind == Decision.Kind.OFFER:
                messages.success(
                    request,
                    f"You offered the job to {name}. Now do the checks before their first day.",
                )
            else:
                messages.success(request, f"Saved. {name} will be told, kindly.")
            return back
    return render(
        request,
        "pa/offer_form.html",
        {
            "application": application,
            "role": application.role,
            "form": form,
            "experts_view": experts_view,
            # Their view was clear one way: deciding the other way needs a reason.
            "experts_clear": experts_view in ("positive", "negative"),
        },
    )
