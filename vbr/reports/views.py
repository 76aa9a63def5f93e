"""Reports and exports. Admins see the whole provider; a hiring manager sees the roles they
manage (Role.managers), through the same pages. The anonymised research export is for admins
only: sharing data with researchers is the provider's decision, not one role's."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts import audit
from vbr.accounts.access import ADMIN, STAFF, provider_view, withheld_application_ids
from vbr.accounts.models import AuditEvent, Membership
from vbr.reports import export_jobs, exports
from vbr.reports.caching import cached_report, page_report, reports_changed
from vbr.reports.documents import filters_from_job
from vbr.reports.forms import EqualityResponseForm, ReportFilterForm
from vbr.reports.models import EqualityResponse, ExportJob, MonitoringInvite
from vbr.reports.queries import REPORT_TITLES, ReportFilter
from vbr.reports.rebuilds import draw_sections

# Above this many applications (or scores), an XLSX is made by a worker, not in the request.
XLSX_INLINE_LIMIT = 5000
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest, membership: Membership) -> tuple[ReportFilterForm, ReportFilter]:
    form = ReportFilterForm(request.GET or None, membership=membership)
    return form, form.report_filter()


def _recorded(membership: Membership, what: str) -> None:
    audit.record(
        provider=membership.provider,
        actor=membership.user,
        action=AuditEvent.Action.EXPORTED,
        summary=what,
    )


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _csv_response(filename: str, chunks: Iterator[bytes]) -> StreamingHttpResponse:
    """A CSV download streamed in chunks (see exports.csv_chunks, database_csv_chunks)."""
    response = StreamingHttpResponse(chunks, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(
    filename: str, sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    exports.write_xlsx(handle, sheets)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def _export_jobs(membership: Membership) -> QuerySet[ExportJob]:
    """Admins see every export of the provider; a hiring manager only their own."""
    jobs = membership.provider.export_jobs.all()
    return jobs if membership.is_admin else jobs.filter(requested_by=membership.user)


def holds_hidden_scores(membership: Membership, job: ExportJob) -> bool:
    """Independence at download: whether a file made earlier (perhaps for someone else)
    holds an application whose scores are hidden from this reader now."""
    withheld = withheld_application_ids(membership, membership.provider)
    if not withheld:
        return False
    held = filters_from_job(job).applications(membership.provider)
    return held.filter(pk__in=withheld).exists()


def _check_format(file_format: str) -> None:
    if file_format not in ("csv", "xlsx"):
        raise Http404("No such format")


@require_GET
@provider_view(STAFF)
def report_index(request: HttpRequest, membership: Membership) -> HttpResponse:
    form, _filters_chosen = _filters(request, membership)
    jobs = _export_jobs(membership).select_related("requested_by")[:10]
    return render(
        request,
        "reports/report_index.html",
        {
            "reports": REPORT_TITLES.items(),
            "form": form,
            "query": request.GET.urlencode(),
            "jobs": jobs,
        },
    )


@require_GET
@provider_view(STAFF)
def report_detail(request: HttpRequest, membership: Membership, report: str) -> HttpResponseBase:
    if report not in REPORT_TITLES:
        raise Http404("No such report")
    provider = membership.provider
    form, chosen = _filters(request, membership)
    export_format = request.GET.get("format")
    if export_format in ("csv", "xlsx"):
        # A download always holds the current figures (built here if the cache has none).
        built, _key = cached_report(report, provider, chosen)
        _recorded(membership, f"{built.title} report {export_format.upper()}")
        if export_format == "csv":
            chunks = exports.csv_chunks([built.title], exports.report_csv_rows(built))
            return _csv_response(f"{report}-{_stamp()}.csv", chunks)
        return _xlsx_response(f"{report}-{_stamp()}.xlsx", exports.report_sheets(built))
    query = request.GET.copy()
    query.pop("format", None)
    # The tables and charts are drawn once per build (most of a large report's time); after
    # a change the last build may be shown, saying when it is from, while a worker rebuilds.
    page = page_report(report, provider, chosen, draw_sections)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": page.report,
            "sections": page.sections,
            "earlier": as_of(page.earlier) if page.earlier else "",
            "form": form,
            "query": query.urlencode(),
            "reports": REPORT_TITLES.items(),
        },
    )


def as_of(moment: datetime) -> str:
    """When earlier figures are from, in the provider's local time: "14:05" today,
    "14:05 on 5 December" another day (and the year when it is not this one)."""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    when = local.strftime("%H:%M")
    if local.date() == today:
        return when
    day = f"{when} on {local.day} {local:%B}"
    return day if local.year == today.year else f"{day} {local.year}"


def _large_xlsx_job(
    request: HttpRequest, membership: Membership, kind: str, chosen: ReportFilter
) -> HttpResponse:
    # Answers at once, whether or not the broker can be reached (export_jobs.py).
    job = export_jobs.request_export(membership=membership, kind=kind, filters=chosen)
    # No message: the job's page says where it stands (a message saying "being made" would
    # sit beside "Ready" once the file is made, as it soon is).
    return redirect("export-job-detail", membership.provider.slug, job.pk)


@require_GET
@provider_view(STAFF)
def application_export(
    request: HttpRequest, membership: Membership, file_format: str
) -> HttpResponseBase:
    _check_format(file_format)
    provider = membership.provider
    _form, chosen = _filters(request, membership)
    values = exports.provider_values(provider)
    if file_format == "xlsx":
        if chosen.applications(provider).count() > XLSX_INLINE_LIMIT:
            return _large_xlsx_job(request, membership, ExportJob.Kind.APPLICATIONS_XLSX, chosen)
        headers, rows = exports.applications_export(provider, chosen, values)
        _recorded(membership, "Applications XLSX")
        return _xlsx_response(f"applications-{_stamp()}.xlsx", [("Applications", headers, rows)])
    _recorded(membership, "Applications CSV")
    return _csv_response(
        f"applications-{_stamp()}.csv", exports.applications_csv_chunks(provider, chosen, values)
    )


@require_GET
@provider_view(STAFF)
def score_export(
    request: HttpRequest, membership: Membership, file_format: str
) -> HttpResponseBase:
    _check_format(file_format)
    provider = membership.provider
    _form, chosen = _filters(request, membership)
    if file_format == "xlsx":
        # Scores are several per application: judge size by applications, as a cheap count.
        if chosen.applications(provider).count() * 10 > XLSX_INLINE_LIMIT:
            return _large_xlsx_job(request, membership, ExportJob.Kind.SCORES_XLSX, chosen)
        headers, rows = exports.scores_export(provider, chosen)
        _recorded(membership, "Scores XLSX")
        return _xlsx_response(f"scores-{_stamp()}.xlsx", [("Scores", headers, rows)])
    _recorded(membership, "Scores CSV")
    return _csv_response(f"scores-{_stamp()}.csv", exports.scores_csv_chunks(provider, chosen))


@require_GET
@provider_view(ADMIN)
def research_export(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    provider = membership.provider
    _form, chosen = _filters(request, membership)
    headers, rows = exports.research_export(provider, chosen, exports.provider_values(provider))
    _recorded(membership, "Anonymised research CSV")
    return _csv_response(f"research-{_stamp()}.csv", exports.csv_chunks(headers, rows))


@require_POST
@provider_view(STAFF)
def report_pack_request(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ReportFilterForm(request.POST or None, membership=membership)
    return _large_xlsx_job(
        request, membership, ExportJob.Kind.REPORT_PACK_PDF, form.report_filter()
    )


@require_GET
@provider_view(STAFF)
def export_job_detail(request: HttpRequest, membership: Membership, job_id: int) -> HttpResponse:
    job = get_object_or_404(_export_jobs(membership).select_related("requested_by"), pk=job_id)
    return render(
        request,
        "reports/export_job_detail.html",
        {
            "job": job,
            "hidden_scores": job.status == ExportJob.Status.DONE
            and holds_hidden_scores(membership, job),
        },
    )


@require_GET
@provider_view(STAFF)
def export_job_download(request: HttpRequest, membership: Membership, job_id: int) -> FileResponse:
    job = get_object_or_404(_export_jobs(membership), pk=job_id, status=ExportJob.Status.DONE)
    if holds_hidden_scores(membership, job):
        raise PermissionDenied(
            "This export includes candidates on whose panel you sit and have not submitted "
            "your scorecard. Submit it first, or make a new export: yours leaves them out."
        )
    _recorded(membership, f"{job.get_kind_display()} downloaded")
    name = (job.file.name or "export").rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def equality_invite(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    """The link to send a candidate for the optional equality questions: never their answers."""
    application = get_object_or_404(
        membership.provider.applications.select_related("candidate", "role"), pk=application_id
    )
    invite = MonitoringInvite.objects.filter(application=application).first()
    if request.method == "POST":
        if invite is None:
            with transaction.atomic():
                MonitoringInvite.objects.create(application=application)
                reports_changed(provider_id=membership.provider.pk)
            messages.success(request, "The link is ready to send.")
        return redirect("equality-invite", membership.provider.slug, application.pk)
    link = request.build_absolute_uri(f"/equality/{invite.key}/") if invite is not None else ""
    return render(
        request,
        "reports/equality_invite.html",
        {
            "application": application,
            "link": link,
        },
    )


@require_http_methods(["GET", "POST"])
def equality_form(request: HttpRequest, key: str) -> HttpResponse:
    """The candidate's optional equality questions. No sign-in: the key is the permission."""
    invite = get_object_or_404(MonitoringInvite.objects.select_related("application"), key=key)
    provider_id = invite.application.provider_id
    answered = EqualityResponse.objects.filter(key=key).exists()
    if answered:
        return render(request, "reports/equality_thanks.html", {})
    form = EqualityResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = form.save(commit=False)
        response.provider_id = provider_id
        response.key = key
        with transaction.atomic():
            response.save()
            reports_changed(provider_id=provider_id)
        return redirect("equality-form", key)
    return render(request, "reports/equality_form.html", {"form": form})
