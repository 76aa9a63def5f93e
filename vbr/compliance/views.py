"""Pages of the safer-recruitment file. Managers see the files of the roles they manage,
admins every file; panel members and link sessions none."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from vbr.accounts.access import ADMIN, STAFF, provider_view
from vbr.accounts.audit import record
from vbr.accounts.lockout import client_address
from vbr.accounts.models import AuditEvent, Membership
from vbr.compliance import checklists, completeness, inspector_pdf, references, workflow
from vbr.compliance.forms import (
    CheckForm,
    ChecklistItemForm,
    ComplianceSettingsForm,
    ConditionalStartForm,
    EmploymentSpellForm,
    GapExplanationForm,
    ItemOptionsForm,
    RefereeForm,
    ReferenceAnswerForm,
    ReferenceVerifyForm,
    StartDateForm,
)
from vbr.compliance.models import (
    Check,
    CheckEvent,
    ComplianceSettings,
    FilePdfJob,
    SaferRecruitmentFile,
)
from vbr.recruitment.models import Role
from vbr.recruitment.rows import addresses, dates, person_name


def _file(membership: Membership, file_id: int) -> SaferRecruitmentFile:
    # Another provider's file, or a role the manager does not manage: 404.
    file = get_object_or_404(
        membership.provider.safer_recruitment_files.visible_to(membership).select_related(
            "provider", "application__candidate", "application__role", "checklist"
        ),
        pk=file_id,
    )
    file.application.provider = file.provider
    return file


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told its count, already known from the summary: no counting query."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


FILES_PER_PAGE = 50


@dataclasses.dataclass(frozen=True, slots=True)
class FileRow:
    """A file in the list, ready to show: fifty rows read as plain values and drawn without
    a model instance, a URL lookup or a filter per row."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "pk",
        "completed_at",
        "start_date",
        "conditional_start",
        "application__candidate__first_name",
        "application__candidate__last_name",
        "application__role__title",
    )

    url: str
    name: str
    role: str
    checks_done: int
    checks_total: int
    complete: bool
    concerns: int
    start: str
    conditional: bool


@require_http_methods(["GET"])
@provider_view(STAFF)
def file_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The files a page at a time, newest first. The checks are counted for the page's files
    only (one query), not for every file the provider ever opened."""
    files = membership.provider.safer_recruitment_files.visible_to(membership)
    page = _CountedPaginator(
        files.order_by("-opened_at", "-pk").values(*FileRow.COLUMNS),
        FILES_PER_PAGE,
        count=completeness.stored_file_count(membership),
    ).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    counted = {
        row["pk"]: row
        for row in SaferRecruitmentFile.objects.filter(pk__in=[row["pk"] for row in shown])
        .with_counts()
        # The type stubs cannot see with_counts' annotations.
        .values("pk", "checks_total", "checks_done", "checks_concern")  # type: ignore[misc]
    }
    address = addresses("compliance-file-detail", membership.provider.slug)
    day = dates("j M Y")
    rows = [
        FileRow(
            url=address(row["pk"]),
            name=person_name(
                row["application__candidate__first_name"], row["application__candidate__last_name"]
            ),
            role=row["application__role__title"],
            checks_done=counted[row["pk"]]["checks_done"],
            checks_total=counted[row["pk"]]["checks_total"],
            complete=row["completed_at"] is not None,
            concerns=counted[row["pk"]]["checks_concern"],
            start=day(row["start_date"]),
            conditional=row["conditional_start"] and row["completed_at"] is None,
        )
        for row in shown
    ]
    return render(request, "compliance/file_list.html", {"page": page, "files": rows})


@require_POST
@provider_view(STAFF)
def file_open(request: HttpRequest, membership: Membership, application_id: int) -> HttpResponse:
    application = get_object_or_404(
        membership.provider.applications.filter(role__in=Role.objects.reported_to(membership)),
        pk=application_id,
    )
    try:
        file = workflow.open_file(application=application, by=request.user)  # type: ignore[arg-type]
    except workflow.FileNotOpenable as refused:
        messages.error(request, f"{refused}.")
        return redirect(application)
    messages.success(request, "Safer-recruitment file opened.")
    return redirect(file)


@require_http_methods(["GET"])
@provider_view(STAFF)
def file_detail(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    checks = list(file.checks.select_related("item", "verified_by").order_by("item__order", "pk"))
    before_start = [c for c in checks if not c.item.after_start and not c.is_done]
    before_shadowing = [c for c in checks if c.item.before_shadowing and not c.is_done]
    # The trail of every check, for inspectors: one query however many checks and changes.
    events = list(
        CheckEvent.objects.filter(check_row__file=file)
        .select_related("actor", "check_row__item")
        .order_by("at", "pk")
    )
    return render(
        request,
        "compliance/file_detail.html",
        {
            "file": file,
            "application": file.application,
            "checks": checks,
            "before_start": before_start,
            "before_shadowing": before_shadowing,
            "done_count": sum(1 for c in checks if c.is_done),
            "events": events,
            "conditional_rule": checklists.CONDITIONAL_STARTS.get(file.provider.nation),
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def check_edit(
    request: HttpRequest, membership: Membership, file_id: int, file_check_id: int
) -> HttpResponse:
    file = _file(membership, file_id)
    check = get_object_or_404(file.checks.select_related("item"), pk=file_check_id)
    check.file = file
    form = CheckForm(request.POST or None, check=check, nation=file.provider.nation)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            workflow.record_check(
                check=check,
                by=request.user,  # type: ignore[arg-type]
                status=form.cleaned_data["status"],
                **form.evidence(),
            )
        except workflow.CheckNotVerifiable as refused:
            problem = str(refused)
            form.add_error("status", f"Not verified yet: {problem}")
        else:
            messages.success(request, f"{check.item.name}: saved.")
            return redirect(file)
    events = list(check.events.select_related("actor").order_by("at", "pk"))
    return render(
        request,
        "compliance/check_form.html",
        {"file": file, "check": check, "form": form, "events": events},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def employment_history(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    spell_form = EmploymentSpellForm(request.POST if request.POST.get("action") == "add" else None)
    gap_form: GapExplanationForm | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and spell_form.is_valid():
            spell = spell_form.save(commit=False)
            spell.file = file
            spell.save()
            messages.success(request, "Job added to the history.")
            return redirect("compliance-history", provider_slug=file.provider.slug, file_id=file.pk)
        if action == "explain":
            gap_form = GapExplanationForm(request.POST)
            if gap_form.is_valid():
                workflow.explain_gap(
                    file=file,
                    by=request.user,  # type: ignore[arg-type]
                    **gap_form.cleaned_data,
                )
                messages.success(request, "Explanation kept.")
                return redirect(
                    "compliance-history", provider_slug=file.provider.slug, file_id=file.pk
                )
        if action == "remove":
            file.employment.filter(pk=_posted_id(request, "spell")).delete()
            messages.success(request, "Job removed from the history.")
            return redirect("compliance-history", provider_slug=file.provider.slug, file_id=file.pk)
    history = workflow.employment_history(file)
    gaps = [
        {
            "gap": entry.gap,
            "explanation": entry.explanation,
            "form": gap_form
            if gap_form is not None
            and gap_form.data.get("starts_on") == entry.gap.starts_on.isoformat()
            else GapExplanationForm(
                initial={
                    "starts_on": entry.gap.starts_on,
                    "ends_on": entry.gap.ends_on,
                    "explanation": entry.explanation.explanation if entry.explanation else "",
                },
                prefix=None,
            ),
        }
        for entry in history.gaps
    ]
    return render(
        request,
        "compliance/employment_history.html",
        {
            "file": file,
            "history": history,
            "gaps": gaps,
            "spell_form": spell_form,
            "gap_months": ComplianceSettings.for_provider(file.provider).gap_months,
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def file_start(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    action = request.POST.get("action")
    start_form = StartDateForm(request.POST if action == "start" else None)
    conditional_form = ConditionalStartForm(request.POST if action == "conditional" else None)
    rule = checklists.CONDITIONAL_STARTS.get(file.provider.nation)
    refused = ""
    outstanding: list[Check] = []
    if action == "start" and start_form.is_valid():
        try:
            workflow.confirm_start(
                file=file,
                start_date=start_form.cleaned_data["start_date"],
                by=request.user,  # type: ignore[arg-type]
            )
        except workflow.StartRefused as error:
            refused, outstanding = str(error), error.outstanding
        else:
            messages.success(request, "Start date confirmed.")
            return redirect(file)
    if action == "conditional" and rule is not None and conditional_form.is_valid():
        try:
            workflow.record_conditional_start(
                file=file,
                by=request.user,  # type: ignore[arg-type]
                **conditional_form.cleaned_data,
            )
        except workflow.StartRefused as error:
            refused = str(error)
        else:
            messages.success(request, "Conditional start recorded.")
            return redirect("compliance-start", provider_slug=file.provider.slug, file_id=file.pk)
    if not outstanding:
        outstanding = workflow.outstanding_before_start(file)
    return render(
        request,
        "compliance/file_start.html",
        {
            "file": file,
            "start_form": start_form,
            "conditional_form": conditional_form,
            "rule": rule,
            "refused": refused,
            "outstanding": outstanding,
        },
        status=422 if refused else 200,
    )


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def checklist_edit(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    checklist = workflow.current_checklist(provider)
    items = list(checklist.items.prefetch_related("not_applicable_for").order_by("order", "pk"))
    add_form = ChecklistItemForm(request.POST if request.POST.get("action") == "add" else None)
    settings_form = ComplianceSettingsForm(
        request.POST if request.POST.get("action") == "settings" else None,
        instance=ComplianceSettings.for_provider(provider),
    )
    if request.method == "POST":
        if request.POST.get("action") == "settings" and settings_form.is_valid():
            settings_form.save()
            messages.success(request, "File settings saved.")
            return _back_to_checklist(membership)
        if request.POST.get("action") == "add" and add_form.is_valid():
            workflow.add_checklist_item(provider=provider, **add_form.cleaned_data)
            messages.success(request, "Item added to the checklist.")
            return _back_to_checklist(membership)
        if request.POST.get("action") == "options":
            item = get_object_or_404(checklist.items, pk=_posted_id(request, "item"))
            options = ItemOptionsForm(request.POST, provider=provider, item=item)
            if options.is_valid():
                workflow.set_item_options(
                    provider=provider,
                    item_key=item.pk,
                    before_shadowing=options.cleaned_data["before_shadowing"],
                    not_applicable_for=list(options.cleaned_data["not_applicable_for"]),
                )
                messages.success(request, f"{item.name}: saved.")
                return _back_to_checklist(membership)
    rows = [
        {
            "item": item,
            "form": ItemOptionsForm(
                provider=provider,
                item=item,
                initial={
                    "before_shadowing": item.before_shadowing,
                    "not_applicable_for": list(item.not_applicable_for.all()),
                },
            ),
        }
        for item in items
    ]
    return render(
        request,
        "compliance/checklist.html",
        {
            "checklist": checklist,
            "rows": rows,
            "add_form": add_form,
            "settings_form": settings_form,
        },
    )


def _back_to_checklist(membership: Membership) -> HttpResponseRedirect:
    return redirect("compliance-checklist", provider_slug=membership.provider.slug)


def _posted_id(request: HttpRequest, name: str) -> int:
    """A posted id, or 0 (matching nothing) when it is not a number."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def reference_list(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    form = RefereeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        references.request_reference(
            file=file,
            by=request.user,  # type: ignore[arg-type]
            site_origin=f"{request.scheme}://{request.get_host()}",
            **form.cleaned_data,
        )
        messages.success(
            request,
            "Reference requested: a personal link was emailed to "
            f"{form.cleaned_data['referee_name']}.",
        )
        return redirect("compliance-references", provider_slug=file.provider.slug, file_id=file.pk)
    rows = list(file.references.prefetch_related("events").select_related("verified_by"))
    check = file.checks.select_related("item").filter(item__kind="references").first()
    return render(
        request,
        "compliance/reference_list.html",
        {
            "file": file,
            "references": rows,
            "form": form,
            "verify_form": ReferenceVerifyForm(),
            "problems": workflow.reference_problems(check) if check else [],
            "check": check,
        },
    )


@require_POST
@provider_view(STAFF)
def reference_revoke(
    request: HttpRequest, membership: Membership, file_id: int, reference_id: int
) -> HttpResponse:
    file = _file(membership, file_id)
    reference = get_object_or_404(file.references, pk=reference_id)
    references.revoke_reference(reference=reference, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"The link sent to {reference.referee_name} no longer works.")
    return redirect("compliance-references", provider_slug=file.provider.slug, file_id=file.pk)


@require_POST
@provider_view(STAFF)
def reference_verify(
    request: HttpRequest, membership: Membership, file_id: int, reference_id: int
) -> HttpResponse:
    file = _file(membership, file_id)
    reference = get_object_or_404(file.references, pk=reference_id)
    reference.file = file
    form = ReferenceVerifyForm(request.POST)
    form.is_valid()
    try:
        references.verify_reference(
            reference=reference,
            by=request.user,  # type: ignore[arg-type]
            authenticity=form.cleaned_data.get("authenticity", ""),
        )
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Reference from {reference.referee_name} verified.")
    return redirect("compliance-references", provider_slug=file.provider.slug, file_id=file.pk)


def _address(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


@require_http_methods(["GET", "POST"])
def reference_form(request: HttpRequest, token: str) -> HttpResponse:
    """The referee's page: reached only by their link, no account, no session."""
    try:
        reference = references.find_by_token(token=token, address=_address(request))
    except references.TooManyLinkTries:
        return render(
            request,
            "compliance/reference_unusable.html",
            {"reason": ("Too many links were tried from here. Please wait a quarter of an hour.")},
            status=429,
        )
    except references.ReferenceLinkUnusable as unusable:
        return render(
            request, "compliance/reference_unusable.html", {"reason": unusable.reason}, status=404
        )
    form = ReferenceAnswerForm(request.POST or None, instance=reference)
    if request.method == "POST" and form.is_valid():
        try:
            references.submit_reference(reference=reference, answers=form.answers())
        except references.ReferenceLinkUnusable as unusable:
            return render(
                request,
                "compliance/reference_unusable.html",
                {"reason": unusable.reason},
                status=404,
            )
        return redirect("reference-sent")
    return render(
        request,
        "compliance/reference_form.html",
        {
            "form": form,
            "candidate": reference.file.application.candidate,
            "employer": reference.file.provider,
            "reference": reference,
        },
    )


@require_http_methods(["GET"])
def reference_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "compliance/reference_sent.html")


COMPLETENESS_PER_PAGE = 50


@require_http_methods(["GET"])
@provider_view(STAFF)
def completeness_view(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Who is missing what, by service and role: a summary per role, then the files a page
    at a time. Constant queries whatever the number of files."""
    roles = completeness.reported_roles(membership)
    chosen = completeness.parse_filters(request.GET, roles)
    files = chosen.apply(membership.provider.safer_recruitment_files.visible_to(membership))
    # The roles are those whose files the reader may see (`visible_to`): every role of the
    # provider for an admin, a manager's own roles.
    groups = completeness.stored_groups(membership.provider_id, roles, chosen)
    total = sum(group.files for group in groups)
    paged = completeness.PagedFiles(roles, {group.role_id: group.files for group in groups})
    paginator = _CountedPaginator(paged, COMPLETENESS_PER_PAGE, count=total)
    page = paginator.get_page(request.GET.get("page"))
    reader = completeness.CheckReader(files, describe=False)
    rows = list(completeness.file_rows(reader, page.object_list))
    services = sorted(
        {role.service for role in roles if role.service is not None},
        key=lambda service: service.name.casefold(),
    )
    query = chosen.as_query()
    return render(
        request,
        "compliance/completeness.html",
        {
            "groups": groups,
            "total": total,
            "complete": sum(group.complete for group in groups),
            "page": page,
            "sections": _sections(rows, membership.provider.slug),
            "filters": chosen,
            "services": services,
            "any_without_service": any(role.service_id is None for role in roles),
            "roles": sorted(roles, key=lambda role: role.title.casefold()),
            "query": urlencode(query),
            "csv_url": reverse("compliance-completeness-csv", args=[membership.provider.slug])
            + (f"?{urlencode(query)}" if query else ""),
            "summary_key": completeness.summary_key(
                membership.provider.slug, roles, chosen, groups
            ),
        },
    )


def _sections(
    rows: list[completeness.FileRow], provider_slug: str
) -> list[tuple[str, str, list[tuple[completeness.FileRow, str, str]]]]:
    """A page's rows, each with its file's address and its start date as the page shows it,
    under a heading per service and role, in the page's order."""
    # One address is worked out and the others made from it (the file's id is the last
    # number in it, after the provider's address): fifty reversals cost more than the rest
    # of the rows' drawing.
    address = addresses("compliance-file-detail", provider_slug)
    start = dates("j M Y", none="Not confirmed")
    sections: list[tuple[str, str, list[tuple[completeness.FileRow, str, str]]]] = []
    for row in rows:
        if not sections or sections[-1][:2] != (row.service, row.role):
            sections.append((row.service, row.role, []))
        sections[-1][2].append((row, address(row.file_id), start(row.start_date)))
    return sections


@require_http_methods(["GET"])
@provider_view(STAFF)
def completeness_csv(request: HttpRequest, membership: Membership) -> StreamingHttpResponse:
    """Every file the reader may see (with the page's service and role filters), one row
    each, streamed in batches: memory does not grow with the provider."""
    provider = membership.provider
    roles = list(Role.objects.reported_to(membership))
    chosen = completeness.parse_filters(request.GET, roles)
    files = chosen.apply(provider.safer_recruitment_files.visible_to(membership))
    record(
        provider=provider,
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        summary="Safer-recruitment completeness CSV"
        + (" (one service or role)" if chosen.as_query() else ""),
    )
    response = StreamingHttpResponse(
        completeness.csv_chunks(files),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="safer-recruitment-completeness-{stamp}.csv"'
    )
    return response


@require_POST
@provider_view(STAFF)
def file_pdf_create(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    job = inspector_pdf.request_pdf(file=file, by=request.user)  # type: ignore[arg-type]
    return redirect(
        "compliance-file-pdf-detail",
        provider_slug=file.provider.slug,
        file_id=file.pk,
        pdf_job_id=job.pk,
    )


@require_http_methods(["GET"])
@provider_view(STAFF)
def file_pdf_detail(
    request: HttpRequest, membership: Membership, file_id: int, pdf_job_id: int
) -> HttpResponse:
    file = _file(membership, file_id)
    job = get_object_or_404(file.pdfs, pk=pdf_job_id)
    return render(request, "compliance/file_pdf_detail.html", {"file": file, "job": job})


@require_http_methods(["GET"])
@provider_view(STAFF)
def file_pdf_download(
    request: HttpRequest, membership: Membership, file_id: int, pdf_job_id: int
) -> FileResponse:
    file = _file(membership, file_id)
    job = get_object_or_404(file.pdfs.filter(status=FilePdfJob.Status.READY), pk=pdf_job_id)
    record(
        provider=file.provider,
        actor=request.user,
        action=AuditEvent.Action.PDF_DOWNLOADED,
        subject=file,
        application_id=file.application_id,
        summary="Safer-recruitment file PDF",
    )
    return FileResponse(
        job.pdf.open("rb"),
        as_attachment=True,
        filename=f"safer-recruitment-file-{file.pk}.pdf",
        content_type="application/pdf",
    )


@require_POST
@provider_view(STAFF)
def history_link_send(request: HttpRequest, membership: Membership, file_id: int) -> HttpResponse:
    file = _file(membership, file_id)
    try:
        address = references.send_history_link(
            file=file,
            by=request.user,  # type: ignore[arg-type]
            site_origin=f"{request.scheme}://{request.get_host()}",
        )
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"A personal link to enter their history was sent to {address}.")
    return redirect("compliance-history", provider_slug=file.provider.slug, file_id=file.pk)


@require_http_methods(["GET", "POST"])
def history_form(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's page: their jobs and the gaps between them, by link, no session."""
    try:
        link = references.find_history_link(token=token, address=_address(request))
    except references.TooManyLinkTries:
        reason = "Too many links were tried from here. Please wait a quarter of an hour."
        return render(request, "compliance/reference_unusable.html", {"reason": reason}, status=429)
    except references.ReferenceLinkUnusable as unusable:
        return render(
            request, "compliance/reference_unusable.html", {"reason": unusable.reason}, status=404
        )
    file = link.file
    action = request.POST.get("action")
    spell_form = EmploymentSpellForm(request.POST if action == "add" else None)
    if action == "add" and spell_form.is_valid():
        spell = spell_form.save(commit=False)
        spell.file = file
        spell.save()
        return redirect("history-form", token=token)
    if action == "explain":
        gap_form = GapExplanationForm(request.POST)
        if gap_form.is_valid():
            workflow.explain_gap(file=file, by=None, **gap_form.cleaned_data)
            return redirect("history-form", token=token)
    if action == "finish":
        type(link).objects.filter(pk=link.pk).update(finished_at=timezone.now())
        return render(request, "compliance/history_finished.html")
    history = workflow.employment_history(file)
    gaps = [
        {
            "gap": entry.gap,
            "explanation": entry.explanation,
            "form": GapExplanationForm(
                initial={"starts_on": entry.gap.starts_on, "ends_on": entry.gap.ends_on}
            ),
        }
        for entry in history.gaps
    ]
    return render(
        request,
        "compliance/history_form.html",
        {
            "file": file,
            "candidate": file.application.candidate,
            "employer": file.provider,
            "history": history,
            "gaps": gaps,
            "spell_form": spell_form,
        },
    )
