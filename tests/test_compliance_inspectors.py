"""For inspectors: the completeness page and CSV (who is missing what, by role, with who
verified each check and when), in a constant number of queries."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.compliance import completeness, inspector_pdf, workflow
from vbr.compliance.models import Check, FilePdfJob, SaferRecruitmentFile
from vbr.recruitment.models import Application, Role, Service


def offered_file(role: Role, by: User, first_name: str, last_name: str) -> SaferRecruitmentFile:
    candidate = f.make_candidate(provider=role.provider, first_name=first_name, last_name=last_name)
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    return workflow.open_file(application=application, by=by)


def verify(file: SaferRecruitmentFile, key: str, by: User) -> None:
    check = file.checks.select_related("item", "file__provider").get(item__key=key)
    workflow.record_check(
        check=check,
        by=by,
        status=Check.Status.VERIFIED,
        evidence_seen="Passport, original",
        seen_on=date(2026, 3, 1),
    )


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_completeness_csv_lists_who_is_missing_what_row_by_row(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    amira = offered_file(carers, alice, "Amira", "Hussain")
    ben = offered_file(cooks, alice, "Ben", "Adams")
    verify(amira, "identity", alice)
    ben.checks.exclude(item__key="health").update(status=Check.Status.VERIFIED)
    ben.checks.filter(item__key="health").update(status=Check.Status.CONCERN)
    response = as_alice.get(reverse("compliance-completeness-csv", args=[sunrise.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    first, second = rows_of(response)
    assert (first["Person"], first["Role"]) == ("Amira Hussain", "Care assistant")
    assert first["Complete"] == "No"
    assert first["Missing"].split("; ") == [
        "Right to work in the UK",
        "DBS check: enhanced, with the adults' barred list",
        "Evidence of conduct in previous care work",
        "Full employment history, gaps explained in writing",
        "Qualifications relevant to the role",
        "Health information relevant to the role",
    ]
    assert first["Proof of identity with a recent photograph"].startswith("Verified ")
    assert first["Proof of identity with a recent photograph"].endswith(" by Alice Morgan")
    assert first["Right to work in the UK"] == "Not started"
    assert (second["Person"], second["Role"]) == ("Ben Adams", "Cook")
    assert second["Missing"] == "Health information relevant to the role"
    assert second["Concerns"] == "Health information relevant to the role"
    assert second["Health information relevant to the role"] == "Concern raised"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1


def test_the_completeness_page_groups_by_role_and_shows_only_a_managers_roles(
    sunrise: Provider, alice: User, bob: User, as_bob: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    carers.managers.add(bob.memberships.get())
    cooks = f.make_role(provider=sunrise, title="Cook")
    offered_file(carers, alice, "Amira", "Hussain")
    offered_file(cooks, alice, "Ben", "Adams")
    page = as_bob.get(reverse("compliance-completeness", args=[sunrise.slug])).content.decode()
    assert "0 of 1 file complete" in page
    assert "Care assistant" in page and "Amira Hussain" in page
    assert "Ben Adams" not in page and "Cook" not in page
    rows = rows_of(as_bob.get(reverse("compliance-completeness-csv", args=[sunrise.slug])))
    assert [row["Person"] for row in rows] == ["Amira Hussain"]


def test_completeness_takes_the_same_queries_for_one_file_and_fifty(
    sunrise: Provider,
    alice: User,
    as_alice: Client,
    django_assert_num_queries,
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    role = f.make_role(provider=sunrise)
    offered_file(role, alice, "P", "0")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    # Within issue 17's budget of 12, and the same for 50 files: the signed-in person and
    # their membership, then roles with services (the filters), the stored figures per role,
    # the stored missing items per role, the page's files, the items of the checklists in
    # use, their checks.
    with django_assert_max_num_queries(12) as one:
        as_alice.get(url)
    for n in range(1, 50):
        verify(offered_file(role, alice, "P", str(n)), "identity", alice)
    with django_assert_num_queries(len(one.captured_queries)):
        page = as_alice.get(url)
    assert "0 of 50 files complete" in page.content.decode()
    # The CSV: the signed-in person with their membership, roles, the audit event, the items of the
    # checklists in use, then the files, one query of checks per batch of files and the names of
    # those who verified them.
    csv_url = reverse("compliance-completeness-csv", args=[sunrise.slug])
    with django_assert_num_queries(7):
        assert len(rows_of(as_alice.get(csv_url))) == 50


def sunrise_services(sunrise: Provider, alice: User) -> dict[str, SaferRecruitmentFile]:
    """Two services with a role each, and a role tied to none: a file in each, one complete."""
    house = Service.objects.create(provider=sunrise, name="Sunrise House")
    lodge = Service.objects.create(provider=sunrise, name="Sunrise Lodge")
    carers = f.make_role(provider=sunrise, title="Care assistant")
    nights = f.make_role(provider=sunrise, title="Night care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    Role.objects.filter(pk=carers.pk).update(service=house)
    Role.objects.filter(pk=nights.pk).update(service=lodge)
    files = {
        "amira": offered_file(carers, alice, "Amira", "Hussain"),
        "ben": offered_file(carers, alice, "Ben", "Adams"),
        "cai": offered_file(nights, alice, "Cai", "Jones"),
        "dee": offered_file(cooks, alice, "Dee", "Okafor"),
    }
    files["ben"].checks.update(status=Check.Status.VERIFIED)
    files["cai"].checks.exclude(item__key="right_to_work").update(status=Check.Status.VERIFIED)
    # Checks written directly, not through the workflow: the stored figures are recounted.
    completeness.refresh_provider(sunrise.pk)
    return files


def test_completeness_is_grouped_by_service_and_role_with_what_is_missing_most(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    sunrise_services(sunrise, alice)
    page = as_alice.get(reverse("compliance-completeness", args=[sunrise.slug])).content.decode()
    assert "1 of 4 files complete" in page
    text = " ".join(page.split())
    house = text.index('<td data-label="Service">Sunrise House</td>')
    lodge = text.index('<td data-label="Service">Sunrise Lodge</td>')
    none = text.index('<td data-label="Service">Not tied to a service</td>')
    assert house < lodge < none
    assert (
        'Care assistant</a></th> <td data-label="Files">2</td> <td data-label="Complete">1</td>'
        in text
    )
    assert "Right to work in the UK (1)" in text[lodge:none]
    # Then each person under their service and role.
    assert text.index("Sunrise House · Care assistant") < text.index("Ben Adams")
    assert text.index("Amira Hussain") < text.index("Sunrise Lodge · Night care assistant")
    assert text.index("Cai Jones") < text.index("Not tied to a service · Cook")


def test_completeness_page_and_csv_show_one_service_or_one_role(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    sunrise_services(sunrise, alice)
    house = Service.objects.get(name="Sunrise House")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    page = as_alice.get(url, {"service": house.pk}).content.decode()
    assert "1 of 2 files complete in what you chose below" in page
    assert "Amira Hussain" in page and "Cai Jones" not in page and "Dee Okafor" not in page
    csv_url = reverse("compliance-completeness-csv", args=[sunrise.slug])
    assert f'href="{csv_url}?service={house.pk}"' in page
    rows = rows_of(as_alice.get(csv_url, {"service": house.pk}))
    assert [(r["Service"], r["Role"], r["Person"]) for r in rows] == [
        ("Sunrise House", "Care assistant", "Ben Adams"),
        ("Sunrise House", "Care assistant", "Amira Hussain"),
    ]
    cooks = Role.objects.get(title="Cook")
    rows = rows_of(as_alice.get(csv_url, {"role": cooks.pk}))
    assert [(r["Service"], r["Person"]) for r in rows] == [("Not tied to a service", "Dee Okafor")]
    rows = rows_of(as_alice.get(csv_url, {"service": "none"}))
    assert [r["Person"] for r in rows] == ["Dee Okafor"]
    # A service or role of another provider, or nonsense, is ignored: everything is shown.
    assert len(rows_of(as_alice.get(csv_url, {"role": "999999", "service": "x"}))) == 4


def test_the_completeness_page_shows_fifty_files_a_page(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    for n in range(51):
        offered_file(role, alice, "Person", f"{n:02d}")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    first = as_alice.get(url).content.decode()
    assert "Files 1 to 50 of 51." in first and "Page 1 of 2" in first
    assert "Person 49" in first and "Person 50" not in first
    second = as_alice.get(url, {"page": "2"}).content.decode()
    assert "Files 51 to 51 of 51." in second
    assert "Person 50" in second and "Person 49" not in second
    assert "0 of 51 files complete" in second


def test_a_name_typed_as_a_formula_is_made_inert_in_the_csv(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    offered_file(role, alice, "=HYPERLINK(1)", "")
    (row,) = rows_of(as_alice.get(reverse("compliance-completeness-csv", args=[sunrise.slug])))
    assert row["Person"] == "'=HYPERLINK(1)"


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_the_inspector_pdf_holds_each_check_its_evidence_and_who_verified_it(
    sunrise: Provider, alice: User, as_alice: Client, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    role = f.make_role(provider=sunrise, title="Night carer")
    file = offered_file(role, alice, "Amira", "Hussain")
    verify(file, "identity", alice)
    dbs = file.checks.select_related("item", "file__provider").get(item__key="criminal_record")
    workflow.record_check(
        check=dbs,
        by=alice,
        status=Check.Status.VERIFIED,
        reference_number="001234567890",
        issued_on=date(2026, 3, 2),
        level=Check.Level.ENHANCED_BARRED,
        barred_list_result=Check.BarredList.CLEAR,
        decision=Check.Decision.CLEAR,
    )
    asked = as_alice.post(reverse("compliance-file-pdf-create", args=[sunrise.slug, file.pk]))
    job = FilePdfJob.objects.get()
    assert asked["Location"].endswith(f"/pdf/{job.pk}/")
    assert "Waiting" in as_alice.get(asked["Location"]).content.decode()
    # What the worker does (tests/test_celery_worker.py runs the real worker for summaries).
    inspector_pdf.run_pdf_job(job_id=job.pk)
    assert inspector_pdf.run_pdf_job(job_id=job.pk).status == FilePdfJob.Status.READY  # once
    page = as_alice.get(asked["Location"]).content.decode()
    download = reverse("compliance-file-pdf-download", args=[sunrise.slug, file.pk, job.pk])
    assert download in page
    response = as_alice.get(download)
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Safer-recruitment file: Amira Hussain" in text
    assert "Role: Night carer. England checklist, version 1." in text
    assert "Proof of identity with a recent photograph: Verified" in text
    assert "Seen: Passport, original on 1 March 2026 by Alice Morgan." in text
    assert "DBS check: enhanced, with the adults' barred list: Verified" in text
    assert "Reference: 001234567890. Issued 2 March 2026." in text
    assert "Barred list: Not barred. Decision: Nothing disclosed: suitable." in text
    assert "by Alice Morgan" in text and "Trail:" in text
    assert "Right to work in the UK: Not started" in text
    assert "File not complete." in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PDF_DOWNLOADED).count() == 1


def test_a_lost_pdf_job_is_sent_again_by_the_sweep(
    sunrise: Provider, alice: User, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    file = offered_file(f.make_role(provider=sunrise), alice, "Amira", "Hussain")
    job = FilePdfJob.objects.create(provider=sunrise, file=file, requested_by=alice)
    sent: list[int] = []
    monkeypatch.setattr(inspector_pdf, "hand_to_worker", lambda job_id: sent.append(job_id) or True)
    assert inspector_pdf.sweep_pdf_jobs() == 1
    assert sent == [job.pk]


def test_a_verification_late_in_the_evening_is_dated_by_the_uk_calendar_in_the_csv(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    role = f.make_role(provider=sunrise, title="Care assistant")
    file = offered_file(role, alice, "Amira", "Hussain")
    verify(file, "identity", alice)
    # 23:30 in UTC on 30 June is 00:30 on 1 July in the UK (summer time).
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    file.checks.filter(item__key="identity").update(verified_at=moment)
    (row,) = rows_of(as_alice.get(reverse("compliance-completeness-csv", args=[sunrise.slug])))
    assert (
        row["Proof of identity with a recent photograph"] == "Verified 1 Jul 2026 by Alice Morgan"
    )
