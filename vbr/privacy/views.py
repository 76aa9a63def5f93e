"""Privacy pages: settings, notice, retention preview, a candidate's data, DBS checks."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import (
    ADMIN,
    ANY_MEMBER,
    STAFF,
    candidate_scores_hidden_from,
    candidate_shortlisting_hidden_from,
    provider_view,
)
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Membership
from vbr.privacy.forms import DbsCheckForm, EraseForm, PrivacySettingsForm
from vbr.privacy.models import PrivacySettings
from vbr.privacy.retention import due_for_anonymisation, retention_cutoff
from vbr.privacy.subject_access import candidate_data
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment.models import Candidate

PREVIEW_LIMIT = 200


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def privacy_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    privacy = PrivacySettings.for_provider(provider)
    form = PrivacySettingsForm(
        request.POST if request.method == "POST" else None, instance=privacy, provider=provider
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            provider.retention_months = form.cleaned_data["retention_months"]
            provider.save(update_fields=["retention_months"])
            record(
                provider=provider,
                actor=membership.user,
                action=AuditEvent.Action.SETTINGS_CHANGED,
                subject=privacy,
                summary=(
                    f"Retention {provider.retention_months} months; DBS certificate copies "
                    f"{'kept' if privacy.keep_dbs_certificates else 'not kept'}"
                ),
            )
        messages.success(request, "Privacy settings saved.")
        return redirect("privacy-settings", provider.slug)
    return render(
        request,
        "privacy/privacy_settings.html",
        {"form": form},
    )


@require_GET
@provider_view(ANY_MEMBER)
def privacy_notice(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    privacy = PrivacySettings.objects.filter(provider=provider).first()
    return render(
        request,
        "privacy/privacy_notice.html",
        {"privacy": privacy},
    )


@require_GET
@provider_view(ADMIN)
def retention_preview(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Dry run: who the nightly job will anonymise next, without changing anything."""
    provider = membership.provider
    due = list(due_for_anonymisation(provider=provider)[:PREVIEW_LIMIT])
    return render(
        request,
        "privacy/retention_preview.html",
        {
            "due": due,
            "limit": PREVIEW_LIMIT,
            "cutoff": retention_cutoff(provider=provider),
        },
    )


def _hidden_applications(membership: Membership, candidate: Candidate) -> bool:
    """Independence: an admin still owing a scorecard on this candidate sees no one else's
    scores, here as everywhere."""
    return candidate_scores_hidden_from(membership, candidate)


@require_GET
@provider_view(ADMIN)
def candidate_privacy(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    provider = membership.provider
    candidate = get_object_or_404(provider.candidates, pk=candidate_id)
    return render(
        request,
        "privacy/candidate_privacy.html",
        {
            "candidate": candidate,
            "applications": candidate.applications.select_related("role"),
            "scores_hidden": _hidden_applications(membership, candidate),
            "erase_form": EraseForm(),
        },
    )


def _subject_access(
    request: HttpRequest, membership: Membership, candidate_id: int, kind: str
) -> tuple[Candidate, dict[str, Any]] | HttpResponse:
    provider = membership.provider
    candidate = get_object_or_404(provider.candidates, pk=candidate_id)
    if _hidden_applications(membership, candidate):
        messages.error(
            request,
            "You sit on this candidate's panel and have not submitted your scorecard yet, so "
            "you cannot see other panellists' scores. Ask another admin to export the data.",
        )
        return redirect("candidate-privacy", provider.slug, candidate.pk)
    if candidate_shortlisting_hidden_from(membership, candidate):
        # The same for shortlisting: the export holds the others' answers.
        messages.error(
            request,
            "You shortlist this candidate and have not sent your own answer yet, so you "
            "cannot see the others' answers. Ask another admin to export the data.",
        )
        return redirect("candidate-privacy", provider.slug, candidate.pk)
    record(
        provider=provider,
        actor=membership.user,
        action=AuditEvent.Action.SUBJECT_ACCESS,
        subject=candidate,
        summary=f"Subject access export ({kind})",
    )
    return candidate, candidate_data(candidate)


@require_GET
@provider_view(ADMIN)
def candidate_export_json(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    result = _subject_access(request, membership, candidate_id, "JSON")
    if isinstance(result, HttpResponse):
        return result
    candidate, data = result
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}.json"'
    return response


@require_GET
@provider_view(ADMIN)
def candidate_export_pdf(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    from weasyprint import CSS, HTML

    result = _subject_access(request, membership, candidate_id, "PDF")
    if isinstance(result, HttpResponse):
        return result
    candidate, data = result
    html = render_to_string(
        "privacy/subject_access_pdf.html",
        {"data": data, "generated_at": timezone.now(), "provider": membership.provider},
    )
    stylesheet = CSS(filename=finders.find("css/subject_access_print.css"))
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}.pdf"'
    return response


@require_POST
@provider_view(ADMIN)
def candidate_anonymise(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    provider = membership.provider
    candidate = get_object_or_404(provider.candidates, pk=candidate_id)
    if candidate.applications.exclude(status__in=["declined", "withdrawn"]).exists():
        messages.error(
            request, "This candidate has an open or successful application: close it first."
        )
    elif anonymise_candidate(candidate=candidate, by=membership.user, reason="request"):
        messages.success(request, "The candidate's personal data has been anonymised.")
    else:
        messages.info(request, "This candidate was already anonymised.")
    return redirect("candidate-privacy", provider.slug, candidate.pk)


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def candidate_erase(
    request: HttpRequest, membership: Membership, candidate_id: int
) -> HttpResponse:
    provider = membership.provider
    candidate = get_object_or_404(provider.candidates, pk=candidate_id)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erase_candidate(candidate=candidate, by=membership.user)
        messages.success(request, "The candidate and everything about them has been erased.")
        return redirect("provider-home", provider.slug)
    return render(
        request,
        "privacy/candidate_erase.html",
        {"candidate": candidate, "form": form},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def dbs_check_create(
    request: HttpRequest, membership: Membership, application_id: int
) -> HttpResponse:
    provider = membership.provider
    application = get_object_or_404(
        provider.applications.select_related("candidate", "role"), pk=application_id
    )
    keep = PrivacySettings.for_provider(provider).keep_dbs_certificates
    form = DbsCheckForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        keep_certificates=keep,
    )
    if request.method == "POST" and form.is_valid():
        check = form.save(commit=False)
        check.provider = provider
        check.application = application
        check.seen_by = membership.user
        check.save()
        messages.success(request, "DBS check recorded.")
        return redirect(application)
    return render(
        request,
        "privacy/dbs_check_form.html",
        {
            "application": application,
            "form": form,
            "keep_certificates": keep,
        },
    )


@require_GET
@provider_view(STAFF)
def dbs_certificate_download(
    request: HttpRequest, membership: Membership, check_id: int
) -> FileResponse:
    provider = membership.provider
    check = get_object_or_404(provider.dbs_checks.exclude(certificate=""), pk=check_id)
    record(
        provider=provider,
        actor=membership.user,
        action=AuditEvent.Action.EXPORTED,
        subject=check,
        application_id=check.application_id,
        summary="Downloaded a copy of a DBS certificate",
    )
    extension = (check.certificate.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        check.certificate.open("rb"),
        as_attachment=True,
        filename=f"dbs-certificate-{check.pk}.{extension}",
    )
