"""Privacy (UK GDPR): retention and anonymisation, erasure, subject access, the privacy
notice, DBS checks and consent records."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.privacy.models import Consent, DbsCheck, PrivacySettings
from vbr.privacy.tasks import anonymise_expired_candidates
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment.models import (
    Application,
    Candidate,
    Decision,
    Panellist,
    Score,
    Scorecard,
    ScorecardRevision,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def declined_application(
    provider: Provider, *, months_ago: int, first_name: str = "Amira", last_name: str = "Hussain"
) -> Application:
    role = provider.roles.first() or f.make_role(provider=provider)
    candidate = f.make_candidate(provider=provider, first_name=first_name, last_name=last_name)
    candidate.email = f"{first_name.lower()}@example.com"
    candidate.phone = "07700 900123"
    candidate.save()
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.DECLINED
    )
    application.status_changed_at = timezone.now() - timedelta(days=31 * months_ago)
    application.save()
    return application


def scored(application: Application, panel_user: User, *, submitted: bool = True) -> Scorecard:
    stage = application.role.stages.first() or f.make_stage(role=application.role)
    value = f.make_value(provider=application.provider)
    criterion = f.make_criterion(stage=stage, core_value=value)
    assessment = application.assessments.filter(stage=stage).first() or f.make_assessment(
        application=application, stage=stage
    )
    panellist = f.make_panellist(assessment=assessment, user=panel_user)
    scorecard = f.make_scorecard(panellist=panellist, levels={criterion: 3}, submitted=submitted)
    scorecard.summary = f"{application.candidate.first_name} was kind to Mrs Patel"
    scorecard.save()
    Score.objects.filter(scorecard=scorecard).update(
        evidence=f"{application.candidate.first_name} held Mrs Patel's hand"
    )
    return scorecard


# Settings and the notice -------------------------------------------------------------


def test_admin_saves_retention_certificate_and_notice_settings_with_an_audit_entry(
    as_alice: Client, sunrise: Provider
) -> None:
    response = as_alice.post(
        reverse("privacy-settings", args=[sunrise.slug]),
        {
            "retention_months": "9",
            "keep_dbs_certificates": "on",
            "privacy_notice": "We keep your data safe.\n\nAsk Alice.",
        },
        follow=True,
    )
    assert "Privacy settings saved." in response.text
    sunrise.refresh_from_db()
    assert sunrise.retention_months == 9
    privacy = PrivacySettings.objects.get(provider=sunrise)
    assert privacy.keep_dbs_certificates is True
    event = sunrise.audit_events.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert event.summary == "Retention 9 months; DBS certificate copies kept"


def test_retention_out_of_range_is_explained_and_what_was_typed_stays(
    as_alice: Client, sunrise: Provider
) -> None:
    response = as_alice.post(
        reverse("privacy-settings", args=[sunrise.slug]),
        {"retention_months": "0", "privacy_notice": "Draft notice"},
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1" in response.text
    assert "Draft notice" in response.text
    sunrise.refresh_from_db()
    assert sunrise.retention_months == 6


def test_privacy_settings_are_for_admins_only(
    as_bob: Client, as_charlie: Client, sunrise: Provider
) -> None:
    url = reverse("privacy-settings", args=[sunrise.slug])
    assert as_bob.get(url).status_code == 403
    assert as_charlie.get(url).status_code == 404


def test_a_panel_member_reads_the_notice_with_its_paragraphs_and_markup_escaped(
    as_dev: Client, sunrise: Provider
) -> None:
    PrivacySettings.objects.create(
        provider=sunrise, privacy_notice="We keep your data safe.\n\n<script>x</script>"
    )
    response = as_dev.get(reverse("privacy-notice", args=[sunrise.slug]))
    assert response.status_code == 200
    assert "<p>We keep your data safe.</p>" in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert "removed 6 months after" in response.text


# Retention -------------------------------------------------------------------------------


def test_preview_lists_only_unsuccessful_candidates_past_retention_and_changes_nothing(
    as_alice: Client, sunrise: Provider
) -> None:
    declined_application(sunrise, months_ago=7, first_name="Amira")
    declined_application(sunrise, months_ago=2, first_name="Recent")
    still_open = declined_application(sunrise, months_ago=8, first_name="Open")
    f.make_application(
        role=f.make_role(provider=sunrise, title="Cook"), candidate=still_open.candidate
    )
    hired = declined_application(sunrise, months_ago=9, first_name="Hired")
    hired.status = Application.Status.HIRED
    hired.save()

    response = as_alice.get(reverse("retention-preview", args=[sunrise.slug]))

    names = [c.first_name for c in response.context["due"]]
    assert names == ["Amira"]
    assert "Amira Hussain" in response.text
    assert not Candidate.objects.filter(anonymised_at__isnull=False).exists()


def test_the_nightly_job_anonymises_due_candidates_and_keeps_the_scores(
    sunrise: Provider, hillside: Provider, bob: User
) -> None:
    application = declined_application(sunrise, months_ago=7)
    application.withdrawal_reason = "Amira moved to Leeds"
    application.save()
    scorecard = scored(application, bob)
    Decision.objects.create(application=application, kind="decline", reasons="Amira was late")
    ScorecardRevision.objects.create(
        scorecard=scorecard,
        amended_by=bob,
        reason="Amira's second interview",
        previous={
            "recommendation": "yes",
            "summary": "Amira was kind",
            "scores": [{"criterion": 1, "level": 2, "evidence": "Amira smiled"}],
        },
    )
    record(
        provider=sunrise,
        actor=bob,
        action=AuditEvent.Action.DECISION_RECORDED,
        application_id=application.pk,
        summary="Declined Amira Hussain",
    )
    recent = declined_application(sunrise, months_ago=1, first_name="Recent")
    other_provider = declined_application(hillside, months_ago=3, first_name="Hill")
    hillside.retention_months = 2
    hillside.save()

    assert anonymise_expired_candidates() == 2

    candidate = application.candidate
    candidate.refresh_from_db()
    assert candidate.full_name == f"Anonymised candidate #{candidate.pk}"
    assert (candidate.email, candidate.phone) == ("", "")
    assert candidate.anonymised_at is not None
    score = Score.objects.get(scorecard=scorecard)
    assert (score.level, score.evidence) == (3, "")
    assert Scorecard.objects.get(pk=scorecard.pk).summary == ""
    assert Decision.objects.get(application=application).reasons == "(anonymised)"
    application.refresh_from_db()
    assert application.withdrawal_reason == ""
    assert application.status == Application.Status.DECLINED
    revision = ScorecardRevision.objects.get(scorecard=scorecard)
    assert revision.previous == {
        "recommendation": "yes",
        "summary": "",
        "scores": [{"criterion": 1, "level": 2, "evidence": ""}],
    }
    assert "Amira" not in revision.reason
    trail = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "Amira" not in trail and "Hussain" not in trail
    assert sunrise.audit_events.filter(
        action=AuditEvent.Action.DATA_ANONYMISED, subject_id=candidate.pk
    ).exists()
    recent.candidate.refresh_from_db()
    assert recent.candidate.anonymised_at is None
    other_provider.candidate.refresh_from_db()
    assert other_provider.candidate.anonymised_at is not None

    # Running again finds nobody: the job is idempotent.
    assert anonymise_expired_candidates() == 0


def test_anonymising_deletes_stored_certificate_files(
    sunrise: Provider, bob: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    application = declined_application(sunrise, months_ago=7)
    check = DbsCheck.objects.create(
        provider=sunrise,
        application=application,
        certificate_number="001234567890",
        issued_on=date(2025, 1, 1),
        level=DbsCheck.Level.ENHANCED_BARRED,
        seen_by=bob,
        certificate=SimpleUploadedFile("amira-hussain-dbs.pdf", PDF_BYTES),
    )
    path = Path(check.certificate.path)
    assert path.exists() and "amira" not in path.name

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_candidate(candidate=application.candidate, by=None)

    assert not path.exists()
    check.refresh_from_db()
    assert (check.certificate.name, check.certificate_number) == ("", "")
    assert check.level == DbsCheck.Level.ENHANCED_BARRED


# Erasure and subject access -------------------------------------------------------------------


def test_admin_erases_a_candidate_and_the_trail_keeps_no_personal_data(
    as_alice: Client, sunrise: Provider, bob: User
) -> None:
    application = declined_application(sunrise, months_ago=1)
    scored(application, bob)
    record(
        provider=sunrise,
        actor=bob,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        application_id=application.pk,
        summary="Scored Amira Hussain",
    )
    candidate_id = application.candidate_id
    url = reverse("candidate-erase", args=[sunrise.slug, candidate_id])

    refused = as_alice.post(url, {})
    assert "Tick the box to confirm" in refused.text
    assert Candidate.objects.filter(pk=candidate_id).exists()

    response = as_alice.post(url, {"confirm": "on"}, follow=True)

    assert "has been erased" in response.text
    assert not Candidate.objects.filter(pk=candidate_id).exists()
    assert not Application.objects.filter(pk=application.pk).exists()
    erased = sunrise.audit_events.get(action=AuditEvent.Action.DATA_ERASED)
    assert erased.summary == f"Candidate #{candidate_id} erased on request, with 1 application(s)"
    trail = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "Amira" not in trail and "Hussain" not in trail


def test_subject_access_json_holds_the_candidates_data_and_only_submitted_scores(
    as_alice: Client, sunrise: Provider, bob: User
) -> None:
    application = declined_application(sunrise, months_ago=1)
    scored(application, bob, submitted=True)
    draft_author = f.make_member(provider=sunrise, username="erin")
    draft = scored(application, draft_author, submitted=False)
    Score.objects.filter(scorecard=draft).update(evidence="DRAFT-NOT-FOR-EXPORT")

    response = as_alice.get(
        reverse("candidate-export-json", args=[sunrise.slug, application.candidate_id])
    )

    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["candidate"]["email"] == "amira@example.com"
    scorecards = data["applications"][0]["assessments"][0]["scorecards"]
    assert len(scorecards) == 1
    assert scorecards[0]["scores"][0]["level"] == "3"
    assert scorecards[0]["scores"][0]["evidence"] == "Amira held Mrs Patel's hand"
    assert "DRAFT-NOT-FOR-EXPORT" not in response.text
    assert "Bob" not in response.text  # panellists appear by panel role only
    assert sunrise.audit_events.filter(
        action=AuditEvent.Action.SUBJECT_ACCESS, subject_id=application.candidate_id
    ).exists()


def test_subject_access_pdf_is_a_real_pdf_with_the_candidates_name(
    as_alice: Client, sunrise: Provider, bob: User
) -> None:
    application = declined_application(sunrise, months_ago=1)
    scored(application, bob)
    response = as_alice.get(
        reverse("candidate-export-pdf", args=[sunrise.slug, application.candidate_id])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Amira Hussain" in text
        assert "held Mrs Patel" in text


def test_an_admin_who_still_owes_a_scorecard_cannot_export_other_panellists_scores(
    as_alice: Client, alice: User, bob: User, sunrise: Provider
) -> None:
    application = declined_application(sunrise, months_ago=1)
    scorecard = scored(application, bob)
    Panellist.objects.create(
        assessment=scorecard.assessment, user=alice, panel_role=Panellist.PanelRole.CHAIR
    )
    response = as_alice.get(
        reverse("candidate-export-json", args=[sunrise.slug, application.candidate_id]),
        follow=True,
    )
    assert "have not submitted your scorecard yet" in response.text
    assert "held Mrs Patel" not in response.text


def test_another_providers_candidate_is_a_404_on_every_privacy_page(
    as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    application = declined_application(sunrise, months_ago=1)
    for name in ("candidate-privacy", "candidate-export-json", "candidate-erase"):
        url = reverse(name, args=[hillside.slug, application.candidate_id])
        assert as_charlie.get(url).status_code == 404, name
    url = reverse("candidate-anonymise", args=[hillside.slug, application.candidate_id])
    assert as_charlie.post(url).status_code == 404


def test_admin_anonymises_on_request_only_when_no_application_is_open(
    as_alice: Client, sunrise: Provider
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    url = reverse("candidate-anonymise", args=[sunrise.slug, application.candidate_id])
    response = as_alice.post(url, follow=True)
    assert "has an open or successful application" in response.text
    application.status = Application.Status.WITHDRAWN
    application.save()
    response = as_alice.post(url, follow=True)
    assert "personal data has been anonymised" in response.text
    assert "Anonymised candidate #" in response.text


def test_erase_workflow_removes_consents_of_people_supported_on_that_assessment(
    sunrise: Provider, bob: User
) -> None:
    application = declined_application(sunrise, months_ago=1)
    scorecard = scored(application, bob)
    Consent.objects.create(
        provider=sunrise,
        kind=Consent.Kind.PERSON_SUPPORTED,
        person_label="Resident M.P.",
        assessment=scorecard.assessment,
        statement="I am happy to say what I thought of the candidate.",
        recorded_by=bob,
    )
    erase_candidate(candidate=application.candidate, by=bob)
    assert not Consent.objects.exists()


# DBS checks -------------------------------------------------------------------------------


def dbs_post(**extra: object) -> dict[str, object]:
    return {
        "certificate_number": "0012 3456 7890",
        "issued_on": "2026-01-10",
        "level": DbsCheck.Level.ENHANCED_BARRED,
        "decision": DbsCheck.Result.CLEAR,
        "seen_on": "2026-01-20",
        **extra,
    }


def test_a_manager_records_a_dbs_check_without_a_copy_by_default(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    url = reverse("dbs-check-create", args=[sunrise.slug, application.pk])
    form_page = as_bob.get(url)
    assert 'type="file"' not in form_page.text

    response = as_bob.post(
        url, dbs_post(certificate=SimpleUploadedFile("c.pdf", PDF_BYTES)), follow=True
    )

    assert "DBS check recorded." in response.text
    assert "001234567890" in response.text
    check = DbsCheck.objects.get(application=application)
    assert check.seen_by == bob
    assert check.certificate.name == ""


def test_with_the_setting_on_a_real_pdf_is_kept_and_served_only_through_the_checked_view(
    as_bob: Client, as_charlie: Client, as_dev: Client, sunrise: Provider, hillside: Provider
) -> None:
    PrivacySettings.objects.create(provider=sunrise, keep_dbs_certificates=True)
    application = f.make_application(role=f.make_role(provider=sunrise))
    url = reverse("dbs-check-create", args=[sunrise.slug, application.pk])
    as_bob.post(url, dbs_post(certificate=SimpleUploadedFile("scan.pdf", PDF_BYTES)))
    check = DbsCheck.objects.get(application=application)
    download = reverse("dbs-certificate-download", args=[sunrise.slug, check.pk])

    response = as_bob.get(download)
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert sunrise.audit_events.filter(
        action=AuditEvent.Action.EXPORTED, application_id=application.pk
    ).exists()
    assert as_dev.get(download).status_code == 403
    assert (
        as_charlie.get(
            reverse("dbs-certificate-download", args=[hillside.slug, check.pk])
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf"), "does not look like a PDF"),
        (SimpleUploadedFile("scan.exe", PDF_BYTES), "Upload a PDF, PNG or JPEG file."),
        (
            SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (5 * 1024 * 1024)),
            "larger than 5 MB",
        ),
    ],
)
def test_a_wrong_or_oversized_certificate_file_is_refused_with_a_clear_message(
    as_bob: Client, sunrise: Provider, upload: SimpleUploadedFile, message: str
) -> None:
    PrivacySettings.objects.create(provider=sunrise, keep_dbs_certificates=True)
    application = f.make_application(role=f.make_role(provider=sunrise))
    response = as_bob.post(
        reverse("dbs-check-create", args=[sunrise.slug, application.pk]),
        dbs_post(certificate=upload),
    )
    assert response.status_code == 200
    assert message in response.text
    assert 'value="0012 3456 7890"' in response.text
    assert not DbsCheck.objects.exists()


def test_the_application_page_shows_checks_and_privacy_links_for_admins(
    as_alice: Client, as_bob: Client, sunrise: Provider
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    DbsCheck.objects.create(
        provider=sunrise,
        application=application,
        certificate_number="001234567890",
        issued_on=date(2026, 1, 1),
        level=DbsCheck.Level.ENHANCED,
    )
    admin_page = as_alice.get(application.get_absolute_url())
    assert "001234567890" in admin_page.text
    assert reverse("candidate-privacy", args=[sunrise.slug, application.candidate_id]) in (
        admin_page.text
    )
    manager_page = as_bob.get(application.get_absolute_url())
    assert "Record a DBS check" in manager_page.text
    assert "Audit trail of this application" not in manager_page.text


# Consent -----------------------------------------------------------------------------------


def test_a_withdrawn_consent_is_kept_with_its_date_and_no_longer_current(
    sunrise: Provider, dev: User, bob: User
) -> None:
    consent = Consent.objects.create(
        provider=sunrise,
        kind=Consent.Kind.PANEL_MEMBER,
        user=dev,
        statement="I agree to sit on interview panels and for my scores to be kept.",
        recorded_by=bob,
    )
    assert list(sunrise.consents.current()) == [consent]
    consent.withdraw()
    assert consent.withdrawn_at is not None
    assert list(sunrise.consents.current()) == []
    assert sunrise.consents.count() == 1


def test_a_consent_must_say_who_gave_it(sunrise: Provider) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Consent.objects.create(
            provider=sunrise, kind=Consent.Kind.PERSON_SUPPORTED, statement="Yes"
        )


# Audit pages -----------------------------------------------------------------------------


def test_admin_reads_an_applications_audit_trail_and_cannot_change_it(
    as_alice: Client, as_bob: Client, as_charlie: Client, sunrise: Provider, bob: User
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    other = f.make_application(role=application.role)
    record(
        provider=sunrise,
        actor=bob,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        application_id=application.pk,
        summary="Scorecard 7 submitted",
    )
    record(
        provider=sunrise,
        actor=bob,
        action=AuditEvent.Action.DECISION_RECORDED,
        application_id=other.pk,
        summary="Decision on the other one",
    )
    url = reverse("application-audit", args=[sunrise.slug, application.pk])

    response = as_alice.get(url)

    assert "Submitted a scorecard" in response.text
    assert "Bob Okafor" in response.text
    assert "Decision on the other one" not in response.text
    assert as_alice.post(url).status_code == 405
    assert as_bob.get(url).status_code == 403
    assert as_charlie.get(url).status_code == 404
    provider_wide = as_alice.get(reverse("audit-list", args=[sunrise.slug]))
    assert "Decision on the other one" in provider_wide.text


def test_audit_list_runs_the_same_queries_for_one_and_fifty_events(
    as_alice: Client, sunrise: Provider, alice: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("audit-list", args=[sunrise.slug])
    record(provider=sunrise, actor=alice, action=AuditEvent.Action.EXPORTED)
    # the signed-in person with their membership, count for paginator, events with actors
    with django_assert_num_queries(3):
        as_alice.get(url)
    for _ in range(49):
        record(provider=sunrise, actor=alice, action=AuditEvent.Action.EXPORTED)
    with django_assert_num_queries(3):
        response = as_alice.get(url)
    assert len(response.context["page"].object_list) == 50


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_anonymisation_runs_on_a_real_worker_through_redis(
    sunrise: Provider,
) -> None:
    from django.db import connection

    from tests.celery_worker import running_worker

    if connection.vendor != "postgresql":
        pytest.skip("The worker process needs a database it can share: set DATABASE_URL.")
    application = declined_application(sunrise, months_ago=7)
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    test_database = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    with running_worker(extra_env={"DATABASE_URL": test_database}) as queue:
        result = anonymise_expired_candidates.apply_async(queue=queue)
        assert result.get(timeout=90) == 1

    candidate = Candidate.objects.get(pk=application.candidate_id)
    assert candidate.anonymised_at is not None
    assert candidate.email == ""


@pytest.mark.parametrize("n", [1, 50])
def test_retention_preview_runs_the_same_queries_for_one_and_fifty_candidates(
    as_alice: Client, sunrise: Provider, n: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        declined_application(sunrise, months_ago=8, first_name=f"Due{i}")
    # the signed-in person with their membership, candidates due (with last activity)
    with django_assert_num_queries(2):
        response = as_alice.get(reverse("retention-preview", args=[sunrise.slug]))
    assert len(response.context["due"]) == n
