"""The personal-data register: every text field is classified, and anonymisation, erasure and
subject access do what it says — including for shadowing notes and the views of people
supported, which they once missed."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.applicants.models import Notice
from vbr.privacy.models import Consent, DbsCheck
from vbr.privacy.register import (
    REGISTER,
    Anonymise,
    Erase,
    NotPersonal,
    Subject,
    Table,
)
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment.models import (
    Application,
    Decision,
    Outcome,
    Panellist,
    Scorecard,
    ShadowingNote,
    Stage,
    StageEntry,
    SupportedPersonView,
)
from vbr.reports.models import EqualityResponse, ExportJob, MonitoringInvite

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
# EmailField and SlugField are CharFields; ImageField is a FileField.

# What the candidate's rows say, and the third parties named in them: none of it may be
# left anywhere in the database after anonymisation or erasure.
CANDIDATE_TEXT = ("Amira", "Hussain", "amira@example", "07700 900123")
WRITTEN_ABOUT_HER = ("Earl Grey", "made me laugh", "sang along", "hand over")
THIRD_PARTIES = ("Kowalski", "Reyes")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def project_models() -> Iterator[type[models.Model]]:
    for config in apps.get_app_configs():
        if config.name.startswith("vbr."):
            yield from config.get_models()


def text_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    return [field for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)]


def unclassified_fields(register: Iterable[Table]) -> list[str]:
    """Text, JSON, e-mail and file fields of the project's models that `register` does not
    list, as personal or as not personal."""
    listed = {(table.model, entry.field) for table in register for entry in table.fields}
    return sorted(
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in text_fields(model)
        if (model._meta.label, field.name) not in listed
    )


# -- The register itself --------------------------------------------------------------------


def test_every_text_json_email_and_file_field_of_the_project_is_in_the_register() -> None:
    missing = unclassified_fields(REGISTER)
    assert not missing, (
        "Classify these fields in vbr/privacy/register.py, as Personal (with what "
        "anonymisation, erasure and subject access do) or as NotPersonal (with why): "
        + ", ".join(missing)
    )


def test_the_coverage_check_names_a_field_left_out_of_the_register() -> None:
    without_note_text = [
        replace(table, fields=tuple(e for e in table.fields if e.field != "text"))
        if table.model == "recruitment.ShadowingNote"
        else table
        for table in REGISTER
    ]
    assert unclassified_fields(without_note_text) == ["recruitment.ShadowingNote.text"]


def test_each_register_entry_names_a_real_field_once() -> None:
    seen: set[tuple[str, str]] = set()
    for table in REGISTER:
        model = table.model_class
        for entry in table.fields:
            model._meta.get_field(entry.field)  # raises FieldDoesNotExist
            assert (table.model, entry.field) not in seen, f"{table.model}.{entry.field} twice"
            seen.add((table.model, entry.field))
            if isinstance(entry, NotPersonal):
                assert entry.why, f"{table.model}.{entry.field}: say why it is not personal"


def test_register_actions_fit_their_fields() -> None:
    for table in REGISTER:
        model = table.model_class
        for step in ("anonymise", "erase"):
            actions = {getattr(entry, step) for entry in table.personal}
            if Anonymise.DELETE_ROW in actions or Erase.DELETE_ROW in actions:
                # Deleting a row is done to all of it.
                assert len(actions) == 1, f"{table.model}: {step} mixes deleting the row"
        if table.rows is None:
            # Nothing walks a table that is not found by a candidate.
            assert all(
                (e.anonymise, e.erase) == (Anonymise.KEEP, Erase.KEEP) for e in table.personal
            ), table.model
        for entry in table.personal:
            name = f"{table.model}.{entry.field}"
            field = model._meta.get_field(entry.field)
            if entry.anonymise is Anonymise.PLACEHOLDER:
                assert entry.placeholder, name
            if entry.anonymise is Anonymise.SCRUB:
                assert isinstance(field, models.JSONField) and entry.free_text_keys, name
            if entry.anonymise is Anonymise.DELETE_FILE:
                assert isinstance(field, models.FileField), name
            if entry.export:
                assert table.section, f"{name} is exported: give its table a section"
            elif entry.subject is Subject.CANDIDATE:
                assert entry.why, f"{name} is the candidate's but not exported: say why"
            if entry.subject in (Subject.PERSON_SUPPORTED, Subject.SUPPORTER):
                # Third parties are not named in a candidate's subject access export.
                assert not entry.export, name


# -- A candidate with everything -----------------------------------------------------------


@dataclass
class Everything:
    application: Application
    submitted: Scorecard
    draft: Scorecard
    view: SupportedPersonView
    declined_view: SupportedPersonView


def everything_about_amira(provider: Provider, panel: list[User]) -> Everything:
    """A hired-then-left candidate with every kind of row the register exports, free text
    in each, a shadowing stage with notes on a submitted and a draft scorecard, and the view
    of a person supported, given with a supporter's help."""
    role = f.make_role(provider=provider)
    interview = f.make_stage(role=role)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    value = f.make_value(provider=provider, name="Dignity")
    criterion = f.make_criterion(stage=shadowing, core_value=value, prompt="Asked before helping")
    candidate = f.make_candidate(provider=provider, first_name="Amira", last_name="Hussain")
    candidate.email = "amira@example.com"
    candidate.phone = "07700 900123"
    candidate.save()
    application = f.make_application(
        role=role, stage=shadowing, candidate=candidate, status=Application.Status.WITHDRAWN
    )
    application.withdrawal_reason = "Amira is moving to Leeds"
    application.save()
    StageEntry.objects.create(application=application, stage=interview)
    f.make_assessment(application=application, stage=interview)
    assessment = f.make_assessment(application=application, stage=shadowing)
    assessment.place = "Rowan House lounge"
    assessment.notes_for_panel = "Amira asked for a quiet room first"
    assessment.save()

    observer, other = panel
    submitted = f.make_scorecard(
        panellist=f.make_panellist(assessment=assessment, user=observer),
        levels={criterion: 4},
        submitted=True,
    )
    submitted.summary = "Amira sang along with Mr Jones"
    submitted.supporter_name = "Tom Reyes"
    submitted.save()
    submitted.scores.update(evidence="Amira put her hand over his")
    ShadowingNote.objects.create(
        scorecard=submitted, noted_at=time(10, 40), text="Asked Mrs K about her Earl Grey"
    )
    draft = f.make_scorecard(
        panellist=f.make_panellist(
            assessment=assessment, user=other, panel_role=Panellist.PanelRole.STAFF_PEER
        )
    )
    ShadowingNote.objects.create(
        scorecard=draft, noted_at=time(11, 5), text="DRAFT NOTE Amira tidied the cups"
    )
    view = SupportedPersonView.objects.create(
        assessment=assessment,
        person_name="Mrs Kowalski",
        consent_given=True,
        answer=SupportedPersonView.Answer.YES,
        comment="She made me laugh and listened",
        supporter_name="Tom Reyes",
        recorded_by=observer,
    )
    declined_view = SupportedPersonView.objects.create(
        assessment=assessment, person_name="J Kowalski", consent_given=False
    )
    # A person supported with no account is named by their label alone.
    Consent.objects.create(
        provider=provider,
        kind=Consent.Kind.PERSON_SUPPORTED,
        person_label="Mrs Kowalski",
        assessment=assessment,
        statement="I am happy to say what I thought of the candidate.",
    )
    f.make_decision(application=application, kind="hire", reasons="Amira was gentle with Mr Jones")
    Decision.objects.update(override_reason="Amira's references outweighed it")
    Outcome.objects.create(
        application=application,
        start_date=date(2025, 3, 1),
        left_on=date(2025, 9, 1),
        leaving_reason=Outcome.LeavingReason.CAREER,
        notes="Amira left for nursing school",
    )
    f.make_online_application(
        application=application,
        referrer_name="Mr Reyes",
        availability="Nights, and she made me laugh about mornings",
        answer="Amira wrote: I sang along with my nan in hospital",
    )
    Notice.objects.create(
        application=application,
        kind=Notice.Kind.RECEIVED,
        channel=Notice.Channel.EMAIL,
        to_address="amira@example.org",
        subject="We have your application",
        body="Hello Amira, here is your own page.",
    )
    DbsCheck.objects.create(
        provider=provider,
        application=application,
        certificate_number="001234567890",
        issued_on=date(2025, 2, 1),
        level=DbsCheck.Level.ENHANCED,
    )
    _safer_recruitment_file_of(application, by=panel[0])
    _shortlisted(application, panel=panel)
    record(
        provider=provider,
        actor=observer,
        action=AuditEvent.Action.SCORECARD_SUBMITTED,
        application_id=application.pk,
        summary="Scored Amira Hussain",
    )
    return Everything(application, submitted, draft, view, declined_view)


def _shortlisted(application: Application, *, panel: list[User]) -> None:
    """Amira was shortlisted (by number) before she moved on, with a comment about her."""
    from vbr.involvement.models import ShortlistAnswer, Shortlisting

    shortlisting = Shortlisting.objects.create(
        provider=application.provider, role=application.role, opened_by=panel[0]
    )
    entry = shortlisting.entries.create(application=application, number=1, outcome="moved_on")
    for user in panel:
        ShortlistAnswer.objects.create(
            shortlister=shortlisting.shortlisters.create(user=user),
            entry=entry,
            answer=ShortlistAnswer.Answer.YES,
            comment="Amira wrote how she sang along with her nan",
        )


def _safer_recruitment_file_of(application: Application, *, by: User) -> None:
    """Amira's safer-recruitment file: evidence, history, a gap and a conditional start."""
    from vbr.compliance import workflow as compliance
    from vbr.compliance.models import (
        Check,
        EmploymentSpell,
        ReferenceRequest,
        SaferRecruitmentFile,
    )

    # Opened while the application was still open (it has been withdrawn since).
    checklist = compliance.current_checklist(application.provider)
    file = SaferRecruitmentFile.objects.create(
        provider=application.provider, application=application, checklist=checklist, opened_by=by
    )
    Check.objects.create(
        file=file,
        item=checklist.items.get(key="identity"),
        evidence_seen="Passport of Amira Hussain",
        reference_number="AH123456",
        authenticity="Phoned the referee at the employer, who sang along",
        notes="Amira made me laugh",
    )
    EmploymentSpell.objects.create(
        file=file,
        employer="Hussain Earl Grey Tea Rooms",
        job_title="Barista",
        started_on=date(2019, 1, 1),
        ended_on=date(2020, 1, 31),
        reason_for_leaving="Amira left to hand over the shop",
    )
    compliance.explain_gap(
        file=file,
        starts_on=date(2020, 2, 1),
        ends_on=date(2021, 1, 1),
        explanation="Amira cared for her nan, who sang along",
        by=by,
    )
    SaferRecruitmentFile.objects.filter(pk=file.pk).update(
        conditional_start=True,
        conditional_reason="Amira is needed on nights",
        conditional_supervisor="Ms Kowalski",
        conditional_risk_assessment="Amira works alongside her supervisor at first",
        conditional_barred_list_reference="AF-Hussain-1",
    )
    ReferenceRequest.objects.create(
        file=file,
        referee_name="Mr Reyes",
        referee_email="reyes@example.org",
        referee_organisation="Earl Grey Care Homes",
        declaration_name="Mr Reyes",
        token_hash="f" * 64,
        site_origin="https://vbr.example",
        expires_at=timezone.now(),
        received_at=timezone.now(),
        employed_from=date(2019, 1, 1),
        job_title="Care assistant to Amira's nan",
        conduct="Amira sang along with residents and made me laugh",
        concerns_detail="Amira Hussain: none",
        reason_for_leaving="Amira left to hand over to her sister",
        would_reemploy=ReferenceRequest.Reemploy.YES,
        authenticity="Phoned the home, Amira's manager answered",
    )


def left_in_database(needles: Iterable[str]) -> list[str]:
    """Every text field of every row of the project's models that still holds any needle."""
    wanted = [needle.lower() for needle in needles]
    found = []
    for model in project_models():
        names = [field.name for field in text_fields(model)]
        for pk, *values in model._default_manager.values_list("pk", *names):
            for name, value in zip(names, values, strict=True):
                if any(needle in str(value).lower() for needle in wanted):
                    found.append(f"{model._meta.label}.{name} #{pk}: {value!r}")
    return found


# -- Anonymisation and erasure ---------------------------------------------------------------


def test_anonymising_leaves_no_text_or_name_from_shadowing_anywhere(
    sunrise: Provider, bob: User, dev: User
) -> None:
    amira = everything_about_amira(sunrise, [bob, dev])
    assert left_in_database(THIRD_PARTIES)  # the needles are really there to be found

    assert anonymise_candidate(candidate=amira.application.candidate, by=bob) is True

    assert left_in_database(CANDIDATE_TEXT + WRITTEN_ABOUT_HER + THIRD_PARTIES) == []
    # Notes are only their text: they go, on the submitted and the draft scorecard.
    assert not ShadowingNote.objects.exists()
    # The view keeps what a level keeps: that they took part, and their answer.
    view = SupportedPersonView.objects.get(pk=amira.view.pk)
    assert (view.person_name, view.comment, view.supporter_name) == ("Person supported", "", "")
    assert (view.consent_given, view.answer) == (True, "yes")
    assert SupportedPersonView.objects.get(pk=amira.declined_view.pk).consent_given is False
    assert Consent.objects.get().person_label == "Person supported"
    assert Scorecard.objects.get(pk=amira.submitted.pk).scores.get().level == 4


def test_erasing_removes_shadowing_notes_views_consents_and_equality_answers(
    sunrise: Provider, bob: User, dev: User
) -> None:
    amira = everything_about_amira(sunrise, [bob, dev])
    f.make_equality_response(application=amira.application, sex="female")
    someone_else = f.make_application(role=amira.application.role)
    f.make_equality_response(application=someone_else, sex="male")

    erase_candidate(candidate=amira.application.candidate, by=bob)

    assert left_in_database(CANDIDATE_TEXT + WRITTEN_ABOUT_HER + THIRD_PARTIES) == []
    assert not ShadowingNote.objects.exists()
    assert not SupportedPersonView.objects.exists()
    assert not Consent.objects.exists()
    # Her answers went with her; another candidate's stay, still linked to their invitation.
    assert list(EqualityResponse.objects.values_list("sex", flat=True)) == ["male"]
    assert MonitoringInvite.objects.get().application == someone_else


def test_stored_exports_that_may_list_the_candidate_are_removed_with_their_files(
    sunrise: Provider, bob: User, dev: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    before = ExportJob.objects.create(
        provider=sunrise, kind=ExportJob.Kind.APPLICATIONS_XLSX, status=ExportJob.Status.DONE
    )
    before.file.save("applications.xlsx", ContentFile(b"Chloe Davies"))
    ExportJob.objects.filter(pk=before.pk).update(created_at=timezone.now() - timedelta(days=9))
    amira = everything_about_amira(sunrise, [bob, dev])
    since = ExportJob.objects.create(
        provider=sunrise, kind=ExportJob.Kind.SCORES_XLSX, status=ExportJob.Status.DONE
    )
    since.file.save("scores.xlsx", ContentFile(b"Amira Hussain"))
    pack = ExportJob.objects.create(
        provider=sunrise, kind=ExportJob.Kind.REPORT_PACK_PDF, status=ExportJob.Status.DONE
    )
    pack.file.save("pack.pdf", ContentFile(b"figures only"))
    path = Path(since.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_candidate(candidate=amira.application.candidate, by=None)

    assert not path.exists()
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {before.pk, pack.pk}
    assert Path(before.file.path).exists()


# -- Subject access -----------------------------------------------------------------------------


def records(data: Any, section: str) -> list[dict[str, Any]]:
    """Every record listed under `section`, at any depth of the export."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == section and isinstance(value, dict):
                found.append(value)
            elif key == section and isinstance(value, list):
                found.extend(value)
            else:
                found.extend(records(value, section))
    elif isinstance(data, list):
        for item in data:
            found.extend(records(item, section))
    return found


def subject_access_json(client: Client, application: Application) -> tuple[str, Any]:
    response = client.get(
        reverse("candidate-export-json", args=[application.provider.slug, application.candidate_id])
    )
    assert response.status_code == 200
    return response.text, json.loads(response.content)


def test_subject_access_json_has_every_exported_field_of_the_register(
    as_alice: Client, sunrise: Provider, bob: User, dev: User
) -> None:
    amira = everything_about_amira(sunrise, [bob, dev])

    _, data = subject_access_json(as_alice, amira.application)

    for table in REGISTER:
        if table.section is None:
            continue
        listed = records(data, table.section)
        assert listed, f"nothing under {table.section!r}"
        for record_ in listed:
            missing = {str(e.export) for e in table.exported} - set(record_)
            assert not missing, f"{table.section}: {missing}"


def test_subject_access_json_has_shadowing_notes_and_views_without_third_parties(
    as_alice: Client, sunrise: Provider, bob: User, dev: User
) -> None:
    amira = everything_about_amira(sunrise, [bob, dev])

    text, data = subject_access_json(as_alice, amira.application)

    shadowing = data["applications"][0]["assessments"][1]
    assert shadowing["notes_for_panel"] == "Amira asked for a quiet room first"
    [scorecard] = shadowing["scorecards"]  # the draft is nobody's view yet
    assert scorecard["shadowing_notes"] == [
        {"time": "10:40", "note": "Asked Mrs K about her Earl Grey"}
    ]
    assert "DRAFT NOTE" not in text
    views = shadowing["views_of_people_supported"]
    assert [(v["took_part"], v["answer"], v["comment"]) for v in views] == [
        (True, "Yes", "She made me laugh and listened"),
        (False, "", ""),
    ]
    # The person supported and the supporters are third parties: not named.
    for name in THIRD_PARTIES:
        assert name not in text
    assert "Bob" not in text and "Dev" not in text  # panellists by panel role only
    decision = data["applications"][0]["decisions"][0]
    assert decision["override_reason"] == "Amira's references outweighed it"


def free_text_exported(data: Any) -> list[str]:
    """The values of every exported free-text field (not codes, dates or files)."""
    values = []
    for table in REGISTER:
        if table.section is None:
            continue
        model = table.model_class
        for entry in table.exported:
            field = model._meta.get_field(entry.field)
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                values += [str(r[str(entry.export)]) for r in records(data, table.section)]
    return [value for value in values if value]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_subject_access_pdf_shows_every_exported_text_and_no_third_party(
    as_alice: Client, sunrise: Provider, bob: User, dev: User
) -> None:
    amira = everything_about_amira(sunrise, [bob, dev])
    _, data = subject_access_json(as_alice, amira.application)
    response = as_alice.get(
        reverse("candidate-export-pdf", args=[sunrise.slug, amira.application.candidate_id])
    )
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    pdf_text = " ".join(pdf_text.split())

    texts = free_text_exported(data)
    assert "She made me laugh and listened" in texts
    assert "Asked Mrs K about her Earl Grey" in texts
    for text in texts:
        assert " ".join(text.split()) in pdf_text, text
    for name in THIRD_PARTIES:
        assert name not in pdf_text
