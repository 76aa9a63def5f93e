"""Files made in the background: large XLSX exports and the report pack PDF."""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from datetime import date
from typing import IO, Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from vbr.accounts.access import withheld_application_ids
from vbr.reports import exports
from vbr.reports.models import ExportJob
from vbr.reports.queries import REPORTS, ReportFilter, build_report

# Relative static URLs in the PDF template resolve against this made-up origin.
PDF_BASE_URL = "http://vbr.invalid"


def filters_from_job(job: ExportJob) -> ReportFilter:
    return filters_from_dict(job.filters or {})


def filters_from_dict(data: dict[str, Any]) -> ReportFilter:
    """The filters stored by `ReportFilter.as_dict()`, read back."""
    scope = data.get("roles_in_scope")
    return ReportFilter(
        role_scope=None if scope is None else tuple(int(pk) for pk in scope),
        role_id=int(data["role"]) if data.get("role") else None,
        stage_id=int(data["stage"]) if data.get("stage") else None,
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        characteristic=data.get("characteristic") or "ethnicity",
        withheld=tuple(int(pk) for pk in data.get("withheld", ())),
    )


def leave_out_what_requester_owes(job: ExportJob) -> ReportFilter:
    """The job's filters, leaving out (as well) the applications on which its requester
    owes a scorecard now, when the file is made; stored back on the job so that a download
    can tell what the file holds."""
    filters = filters_from_job(job)
    if job.requested_by is None:
        return filters
    owed = withheld_application_ids(job.requested_by, job.provider)
    withheld = tuple(sorted(set(filters.withheld) | set(owed)))
    if withheld != filters.withheld:
        filters = replace(filters, withheld=withheld)
        job.filters = {**(job.filters or {}), "withheld": list(withheld)}
        job.save(update_fields=["filters"])
    return filters


def write_job_file(job: ExportJob, handle: IO[bytes]) -> str:
    """Write the job's file into `handle` and return the file name to store it under."""
    provider = job.provider
    filters = leave_out_what_requester_owes(job)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if job.kind == ExportJob.Kind.APPLICATIONS_XLSX:
        headers, rows = exports.applications_export(
            provider, filters, exports.provider_values(provider)
        )
        exports.write_xlsx(handle, [("Applications", headers, rows)])
        return f"applications-{stamp}.xlsx"
    if job.kind == ExportJob.Kind.SCORES_XLSX:
        headers, rows = exports.scores_export(provider, filters)
        exports.write_xlsx(handle, [("Scores", headers, rows)])
        return f"scores-{stamp}.xlsx"
    handle.write(report_pack_pdf(provider=provider, filters=filters))
    return f"report-pack-{stamp}.pdf"


def static_only_fetcher() -> Any:
    """A WeasyPrint fetcher that may load our own static files and nothing else (no network,
    no other file on disk)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = urlparse(url).path
            if not url.startswith(PDF_BASE_URL) or not path.startswith(settings.STATIC_URL):
                raise ValueError(f"Refused to fetch {url!r} for a PDF")
            relative = path.removeprefix(settings.STATIC_URL)
            if ".." in relative.split("/"):
                raise ValueError(f"Refused to fetch {url!r} for a PDF")
            found = finders.find(relative)
            if not found:
                raise ValueError(f"No static file {path!r}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            with open(found, "rb") as handle:
                return URLFetcherResponse(url, handle.read(), {"Content-Type": content_type})

    return StaticOnlyFetcher(fail_on_errors=True)


def report_pack_html(*, provider: Any, filters: ReportFilter) -> str:
    """Every report's tables, charts and notes, as the pack prints them."""
    reports = [build_report(slug, provider, filters) for slug in REPORTS]
    return render_to_string(
        "pdf/report_pack.html",
        {
            "provider": provider,
            "reports": reports,
            "made_at": timezone.now(),
            "withheld": len(filters.withheld),
            # The unhashed name: the fetcher reads it from the static source folders.
            "print_css_url": f"{settings.STATIC_URL}css/reports-print.css",
        },
    )


def report_pack_pdf(*, provider: Any, filters: ReportFilter) -> bytes:
    from weasyprint import HTML

    html = report_pack_html(provider=provider, filters=filters)
    pdf: bytes = HTML(
        string=html, base_url=PDF_BASE_URL, url_fetcher=static_only_fetcher()
    ).write_pdf()
    return pdf
