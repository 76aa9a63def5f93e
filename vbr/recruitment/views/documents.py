"""PDF candidate summaries (one, or a batch for a stage) and the provider logo they carry.

Files are never served from a media URL: every download goes through a view here that
checks the provider, the role and independence first.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts import audit
from vbr.accounts.access import (
    ADMIN,
    ANY_MEMBER,
    STAFF,
    may_have_summary,
    may_owe_scorecard,
    provider_view,
    scores_hidden_from,
    visible_to,
)
from vbr.accounts.forms import ProviderLogoForm
from vbr.accounts.models import AuditEvent, Membership
from vbr.recruitment import workflow
from vbr.recruitment.models import Application, SummaryJob

INDEPENDENCE_MESSAGE = (
    "Submit your own scorecard first: until then a summary would show you the other "
    "panellists' scores."
)
MISSING_FILE_MESSAGE = (
    "The file of this PDF summary could not be found, so it is being made again: it will be "
    "ready here shortly."
)


def _application_for_summary(membership: Membership, application_id: int) -> Application:
    application = get_object_or_404(
        membership.provider.applications.select_related("candidate", "role"), pk=application_id
    )
    if not may_have_summary(membership, application):
        raise PermissionDenied
    return application


def _progress(
    request: HttpRequest, membership: Membership, application: Application, error: str = ""
) -> HttpResponse:
    job = application.summary_jobs.select_related("requested_by").first()
    return render(
        request,
        "documents/summary_progress.html",
        {"application": application, "job": job, "error": error},
    )


@require_GET
@provider_view(ANY_MEMBER)
def summary_detail(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    """The latest summary's progress: a page, or only the fragment when htmx polls."""
    application = _application_for_summary(membership, application_id)
    if request.htmx:  # type: ignore[attr-defined]
        return _progress(request, membership, application)
    return render(
        request,
        "documents/summary_detail.html",
        {
            "application": application,
            "job": application.summary_jobs.first(),
        },
    )


@require_POST
@provider_view(ANY_MEMBER)
def summary_create(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    application = _application_for_summary(membership, application_id)
    if scores_hidden_from(membership.user, application):
        if request.htmx:  # type: ignore[attr-defined]
            return _progress(request, membership, application, error=INDEPENDENCE_MESSAGE)
        messages.error(request, INDEPENDENCE_MESSAGE)
        return redirect("summary-detail", membership.provider.slug, application.pk)
    workflow.request_summary(application=application, requested_by=membership.user)
    if request.htmx:  # type: ignore[attr-defined]
        return _progress(request, membership, application)
    messages.success(request, "The PDF summary is being made: it will be ready here shortly.")
    return redirect("summary-detail", membership.provider.slug, application.pk)


@require_GET
@provider_view(ANY_MEMBER)
def summary_download(
    request: HttpRequest, membership: Membership, application_id: int, job_id: int
) -> HttpResponseBase:
    application = _application_for_summary(membership, application_id)
    if scores_hidden_from(membership.user, application):
        raise PermissionDenied(INDEPENDENCE_MESSAGE)
    job = get_object_or_404(
        application.summary_jobs.ready().select_related("application__candidate"), pk=job_id
    )
    try:
        pdf_file = job.file.open("rb")
    except FileNotFoundError:
        workflow.remake_missing_summary(job=job)
        messages.info(request, MISSING_FILE_MESSAGE)
        return redirect("summary-detail", membership.provider.slug, application.pk)
    audit.record(
        provider=membership.provider,
        actor=membership.user,
        action=AuditEvent.Action.PDF_DOWNLOADED,
        subject=job,
        application_id=application.pk,
    )
    return FileResponse(
        pdf_file,
        as_attachment=True,
        filename=job.download_name(),
        content_type="application/pdf",
    )


@require_POST
@provider_view(STAFF)
def summary_batch_create(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int
) -> HttpResponse:
    role = get_object_or_404(membership.provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    batch = workflow.request_summary_batch(role=role, stage=stage, requested_by=membership.user)
    messages.success(request, f"PDF summaries are being made for everyone at {stage.name}.")
    return redirect("summary-batch-detail", membership.provider.slug, batch.pk)


@require_GET
@provider_view(STAFF)
def summary_batch_detail(
    request: HttpRequest, membership: Membership, batch_id: int
) -> HttpResponse:
    batch = get_object_or_404(
        membership.provider.summary_batches.select_related("role", "stage"), pk=batch_id
    )
    counts = batch.jobs.progress()
    total = sum(counts.values())
    # Summaries of candidates whose panel the reader still owes a scorecard on stay out of
    # their zip (checked again at download); say how many.
    left_out = 0
    if may_owe_scorecard(membership):
        visible = visible_to(membership, batch.jobs.ready(), "application_id")
        left_out = counts[SummaryJob.Status.READY] - visible.count()
    done = counts[SummaryJob.Status.READY] + counts[SummaryJob.Status.FAILED]
    context = {
        "batch": batch,
        "total": total,
        "done": done,
        "ready": counts[SummaryJob.Status.READY],
        "failed": counts[SummaryJob.Status.FAILED],
        "finished": done == total,
        "left_out": left_out,
        "downloadable": counts[SummaryJob.Status.READY] - left_out,
    }
    template = (
        "documents/summary_batch_progress.html"
        if request.htmx  # type: ignore[attr-defined]
        else "documents/summary_batch_detail.html"
    )
    return render(request, template, context)


@require_GET
@provider_view(STAFF)
def summary_batch_download(
    request: HttpRequest, membership: Membership, batch_id: int
) -> HttpResponseBase:
    """One zip of every summary of the batch that is ready."""
    batch = get_object_or_404(
        membership.provider.summary_batches.select_related("role", "stage"), pk=batch_id
    )
    ready = batch.jobs.ready()
    if not ready.exists():
        raise Http404("No summaries are ready in this batch")
    # Independence, for each PDF in the zip: none of a candidate whose panel the reader still
    # owes a scorecard on.
    jobs = list(
        visible_to(membership, ready, "application_id").select_related("application__candidate")
    )
    if not jobs:
        raise PermissionDenied(INDEPENDENCE_MESSAGE)
    archive = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    missing = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        for job in jobs:
            try:
                pdf_file = job.file.open("rb")
            except FileNotFoundError:
                missing.append(job)
                continue
            with pdf_file:
                zipped.writestr(job.download_name(), pdf_file.read())
    if missing:
        # Not a zip short of some candidates: make the lost files again, then offer it.
        archive.close()
        for job in missing:
            workflow.remake_missing_summary(job=job)
        messages.info(
            request,
            f"The files of {len(missing)} of these PDF summaries could not be found, so they "
            "are being made again: download the zip when this page says they are ready.",
        )
        return redirect("summary-batch-detail", membership.provider.slug, batch.pk)
    archive.seek(0)
    audit.record(
        provider=membership.provider,
        actor=membership.user,
        action=AuditEvent.Action.PDF_DOWNLOADED,
        subject=batch,
        summary=f"{len(jobs)} summaries as one zip",
    )
    name = slugify(f"summaries {batch.role.title} {batch.stage.name}")
    return FileResponse(archive, as_attachment=True, filename=f"{name}.zip")


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def provider_logo(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Upload, replace or remove the logo printed on PDF summaries."""
    provider = membership.provider
    form = ProviderLogoForm()
    if request.method == "POST":
        if "remove" in request.POST:
            if provider.logo:
                provider.logo.delete(save=True)
                messages.success(request, "The logo has been removed.")
            return redirect("provider-logo", provider.slug)
        form = ProviderLogoForm(request.POST, request.FILES)
        if form.is_valid():
            old_name = provider.logo.name if provider.logo else ""
            provider.logo.save(form.cleaned_data["logo"].name, form.cleaned_data["logo"])
            if old_name:
                provider.logo.storage.delete(old_name)
            audit.record(
                provider=provider,
                actor=membership.user,
                action=AuditEvent.Action.SETTINGS_CHANGED,
                summary="Changed the logo",
            )
            messages.success(request, "The logo has been saved: new PDF summaries will show it.")
            return redirect("provider-logo", provider.slug)
    return render(
        request,
        "documents/provider_logo.html",
        {"form": form},
    )


@require_GET
@provider_view(ANY_MEMBER)
def provider_logo_image(request: HttpRequest, membership: Membership) -> FileResponse:
    provider = membership.provider
    if not provider.logo:
        raise Http404("No logo")
    content_type = "image/png" if (provider.logo.name or "").endswith(".png") else "image/jpeg"
    return FileResponse(provider.logo.open("rb"), content_type=content_type)
