"""Reports and exports: a worked dataset whose figures are computed by hand here, who may see
them, query budgets, formula-safe exports and the audit trail."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import AuditEvent, Membership, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment.models import Application, Criterion, Decision, Panellist, Role, Stage
from vbr.reports.models import EqualityResponse, ExportJob, MonitoringInvite

# Reports are rebuilt by tasks after each change: here they run in this process, so a page
# shows current figures (tests/test_reports_fresh.py covers a separate worker).
pytestmark = pytest.mark.usefixtures("tasks_in_process")

REPORTS = ["funnel", "values", "panel", "retention", "fairness"]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def table(response: Any, heading: str) -> list[list[Any]]:
    for section in response.context["report"].sections:
        if section.heading == heading:
            return section.table.rows
    raise AssertionError(f"No section {heading!r}")


@pytest.fixture
def worked(sunrise: Provider, alice: User, bob: User, dev: User) -> dict[str, Any]:
    """Four applications: two moved from interview to shadowing after 2 and 4 days, two are
    still at interview after 10 and 6 days. The first was scored by Bob (3, 2) and Dev
    (4, 2) — a staff peer's draft (1) must not count — and hired; its start was 13 months ago."""
    now = timezone.now()
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    compassion = f.make_value(provider=sunrise, name="Compassion", order=1)
    dignity = f.make_value(provider=sunrise, name="Dignity", order=2)
    c1 = f.make_criterion(stage=interview, core_value=compassion, prompt="Kindness", order=1)
    c2 = f.make_criterion(stage=interview, core_value=dignity, prompt="Privacy", order=2)
    erin = f.make_member(provider=sunrise, role=Membership.Role.MANAGER, username="erin")
    apps = []
    for days_in_interview, moved in ((2, True), (4, True), (10, False), (6, False)):
        application = f.make_application(role=role, stage=shadowing if moved else interview)
        start = now - timedelta(days=20 if moved else days_in_interview)
        f.make_stage_entry(application=application, stage=interview, entered_at=start)
        if moved:
            f.make_stage_entry(
                application=application,
                stage=shadowing,
                entered_at=start + timedelta(days=days_in_interview),
            )
        apps.append(application)
    first = apps[0]
    assessment = f.make_assessment(application=first, stage=interview)
    for user, panel_role, levels, submitted in (
        (bob, Panellist.PanelRole.MANAGER, {c1: 3, c2: 2}, True),
        (dev, Panellist.PanelRole.EXPERT_BY_EXPERIENCE, {c1: 4, c2: 2}, True),
        # A staff peer's draft: Erin, not Alice, who reads these reports (a reader who owes a
        # scorecard on an application has it left out of their reports: test_independence).
        (erin, Panellist.PanelRole.STAFF_PEER, {c1: 1, c2: 1}, False),
    ):
        panellist = f.make_panellist(assessment=assessment, user=user, panel_role=panel_role)
        f.make_scorecard(panellist=panellist, levels=levels, submitted=submitted)
    Application.objects.filter(pk=first.pk).update(status=Application.Status.HIRED)
    f.make_decision(application=first, kind=Decision.Kind.HIRE)
    f.make_outcome(application=first, start_date=timezone.localdate() - timedelta(days=400))
    return {"role": role, "interview": interview, "criteria": (c1, c2), "apps": apps}


def report_url(provider: Provider, slug: str, **query: Any) -> str:
    url = reverse("report-detail", args=[provider.slug, slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_funnel_shows_conversion_and_median_days_worked_by_hand(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    response = as_alice.get(report_url(sunrise, "funnel"))
    assert response.status_code == 200
    interview, shadowing = table(response, "Applications per stage")
    # Entered 4, moved on 2 of 4 = 50 %; days in interview 2, 4, 10, 6 → median 5.
    assert interview[:6] == ["Care assistant", "Values interview", 4, 2, 4, 50.0]
    assert interview[6] == pytest.approx(5.0, abs=0.1)
    assert shadowing[2] == 2
    assert "Applications that entered each stage" in response.text
    assert "<desc" in response.text


def test_values_report_counts_submitted_levels_and_finds_a_criterion_that_never_discriminates(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    response = as_alice.get(report_url(sunrise, "values"))
    by_value = {row[0]: row for row in table(response, "Levels per value")}
    # Compassion: Bob 3, Dev 4 (Alice's unsubmitted 1 is left out). Dignity: 2 and 2.
    assert by_value["Compassion"][1:6] == [0, 0, 1, 1, 0]
    assert by_value["Dignity"][1:6] == [0, 2, 0, 0, 0]
    flat = table(response, "Criteria that never discriminate")
    assert [row[2] for row in flat] == ["Privacy"]


def test_panel_report_shows_expert_share_and_leniency_worked_by_hand(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    response = as_alice.get(report_url(sunrise, "panel"))
    assert table(response, "Experts by experience on panels") == [[1, 1, 100.0]]
    # Kindness median 3.5: Bob −0.5, Dev +0.5; Privacy median 2: both 0. Means ∓0.25.
    leniency = {row[0]: row for row in table(response, "Leniency")}
    assert leniency["Dev Raman"][1:] == [0.25, 2]
    assert leniency["Bob Okafor"][1:] == [-0.25, 2]
    agreement = {(row[0], row[1]): row for row in table(response, "Agreement")}
    # One unit per value, two scorecards behind each.
    assert agreement[("Value", "Compassion")][3:] == [1, 2]
    assert agreement[("Value", "Dignity")][2] is None  # no variation: alpha undefined


def test_retention_report_bands_the_hire_by_mean_level_with_counts(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    response = as_alice.get(report_url(sunrise, "retention"))
    rows = {row[0]: row for row in table(response, "Retention by values score")}
    # Mean of 3, 2, 4, 2 = 2.75: band 2.5 to 3.25. Started 400 days ago, still in post.
    band = rows["2.5 to 3.25"]
    assert band[1] == 1
    assert band[-3:] == [1, 1, 100.0]
    assert "below 2.5" not in rows


def test_time_in_a_stage_ends_when_the_application_was_closed(
    as_alice: Client, sunrise: Provider
) -> None:
    now = timezone.now()
    role = f.make_role(provider=sunrise, title="Night carer")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    # Entered the interview 414 days ago and was declined 14 days later: 14 days, not 414.
    declined = f.make_application(role=role, stage=interview, status=Application.Status.DECLINED)
    f.make_stage_entry(application=declined, stage=interview, entered_at=now - timedelta(414))
    # Moved on to shadowing after 10 days, withdrew 6 days after that, 300 days ago.
    withdrawn = f.make_application(role=role, stage=shadowing, status=Application.Status.WITHDRAWN)
    f.make_stage_entry(application=withdrawn, stage=interview, entered_at=now - timedelta(316))
    f.make_stage_entry(application=withdrawn, stage=shadowing, entered_at=now - timedelta(306))
    Application.objects.filter(pk=declined.pk).update(status_changed_at=now - timedelta(400))
    Application.objects.filter(pk=withdrawn.pk).update(status_changed_at=now - timedelta(300))

    response = as_alice.get(report_url(sunrise, "funnel"))

    rows = {row[1]: row for row in table(response, "Applications per stage")}
    # Interview: 14 and 10 days, median 12; shadowing: 6 days.
    assert rows["Values interview"][6:] == [12.0, pytest.approx(13.6), 2]
    assert rows["Shadowing"][6:] == [6.0, 6.0, 1]
    assert "<td>Values interview</td><td>2</td><td>1</td><td>2</td><td>50.0</td><td>12.0</td>" in (
        response.text
    )
    csv = csv_rows(as_alice.get(report_url(sunrise, "funnel", format="csv")))
    assert ["Night carer", "Shadowing", "1", "", "", "", "6.0", "6.0", "1"] in csv


def test_report_csv_and_xlsx_carry_the_same_tables(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    rows = csv_rows(as_alice.get(report_url(sunrise, "funnel", format="csv")))
    assert rows[3][:6] == ["Care assistant", "Values interview", "4", "2", "4", "50.0"]
    workbook = openpyxl.load_workbook(
        io.BytesIO(body(as_alice.get(report_url(sunrise, "funnel", format="xlsx"))))
    )
    sheet = workbook.worksheets[0]
    assert sheet.cell(1, 1).value == "Role"
    assert [sheet.cell(2, c).value for c in range(1, 4)] == [
        "Care assistant",
        "Values interview",
        4,
    ]


def test_applications_export_has_a_mean_level_per_value(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    assert rows[0][:2] == ["Application", "First name"]
    assert rows[0][-2:] == ["Compassion (mean level)", "Dignity (mean level)"]
    first = next(row for row in rows if row[0] == str(worked["apps"][0].pk))
    assert first[-2:] == ["3.5", "2.0"]
    assert len(rows) == 5


def test_a_formula_in_a_candidates_name_is_inert_in_csv_and_xlsx(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    candidate = worked["apps"][0].candidate
    candidate.first_name = '=HYPERLINK("http://x")'
    candidate.last_name = "@SUM(A1)"
    candidate.save()

    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    row = next(r for r in rows if r[0] == str(worked["apps"][0].pk))
    assert row[1] == '\'=HYPERLINK("http://x")'
    assert row[2] == "'@SUM(A1)"

    response = as_alice.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    names = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(2, sheet.max_row + 1)}
    cell = names[worked["apps"][0].pk]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'

    scores = csv_rows(as_alice.get(reverse("score-export", args=[sunrise.slug, "csv"])))
    assert all(r[1] == '\'=HYPERLINK("http://x")' for r in scores[1:])


def test_scores_export_lists_only_submitted_scorecards(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    rows = csv_rows(as_alice.get(reverse("score-export", args=[sunrise.slug, "csv"])))
    assert sorted(r[7] for r in rows[1:]) == ["Bob Okafor", "Bob Okafor", "Dev Raman", "Dev Raman"]


def test_research_export_has_no_names_contacts_or_free_text(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    text = body(as_alice.get(reverse("research-export", args=[sunrise.slug]))).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for application in worked["apps"]:
        assert application.candidate.first_name not in text
        assert str(application.pk) not in [r[0] for r in rows]
    assert "Evidence for level" not in text
    hired = next(r for r in rows if r[3] == "Hired")
    assert hired[0].startswith("A-") and hired[7] == "2.5 to 3.25" and hired[-1] == "yes"
    # Submitted levels (3, 4) for Compassion and (2, 2) for Dignity; Alice's draft left out.
    assert hired[6:10] == ["2.75", "2.5 to 3.25", "3.5", "2.0"]
    again = list(
        csv.reader(
            io.StringIO(
                body(as_alice.get(reverse("research-export", args=[sunrise.slug])))
                .decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert [r[0] for r in again] == [r[0] for r in rows]  # stable pseudonyms


def test_every_export_is_recorded_in_the_audit_trail(
    as_alice: Client, alice: User, sunrise: Provider, worked: dict[str, Any]
) -> None:
    body(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    body(as_alice.get(report_url(sunrise, "panel", format="xlsx")))
    events = AuditEvent.objects.filter(provider=sunrise, action=AuditEvent.Action.EXPORTED)
    assert sorted(events.values_list("summary", flat=True)) == [
        "Applications CSV",
        "Panel involvement and agreement report XLSX",
    ]
    assert {e.actor for e in events} == {alice}


@pytest.mark.parametrize(
    ("url_name", "args"),
    [
        ("report-index", []),
        ("report-detail", ["funnel"]),
        ("application-export", ["csv"]),
        ("score-export", ["xlsx"]),
        ("research-export", []),
    ],
)
def test_reports_are_for_staff_only_and_never_for_another_provider(
    as_bob: Client,
    as_dev: Client,
    as_charlie: Client,
    sunrise: Provider,
    url_name: str,
    args: list[str],
) -> None:
    # A hiring manager gets reports of their own roles (tests/test_reports_managers.py), but
    # not the research export: sharing data with researchers is the provider's decision.
    url = reverse(url_name, args=[sunrise.slug, *args])
    assert as_bob.get(url).status_code == (403 if url_name == "research-export" else 200)
    assert as_dev.get(url).status_code == 403
    assert as_charlie.get(url).status_code == 404


def test_an_unknown_report_or_format_is_a_404(as_alice: Client, sunrise: Provider) -> None:
    assert as_alice.get(report_url(sunrise, "salaries")).status_code == 404
    assert (
        as_alice.get(reverse("application-export", args=[sunrise.slug, "pdf"])).status_code == 404
    )


def test_the_filter_by_role_narrows_every_figure(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    other = f.make_role(provider=sunrise, title="Cook")
    response = as_alice.get(report_url(sunrise, "funnel", role=other.pk))
    assert table(response, "Applications per stage") == []
    rows = csv_rows(
        as_alice.get(
            reverse("application-export", args=[sunrise.slug, "csv"]) + f"?role={other.pk}"
        )
    )
    assert len(rows) == 1


def add_applications(
    role: Role, stage: Stage, criteria: tuple[Criterion, ...], panel: list[User], count: int
) -> None:
    now = timezone.now()
    for index in range(count):
        application = f.make_application(role=role, stage=stage)
        f.make_stage_entry(application=application, stage=stage, entered_at=now)
        assessment = f.make_assessment(application=application, stage=stage)
        for user in panel:
            panellist = f.make_panellist(assessment=assessment, user=user)
            f.make_scorecard(
                panellist=panellist, levels={c: 1 + index % 4 for c in criteria}, submitted=True
            )
        f.make_decision(
            application=application, kind=Decision.Kind.DECLINE, reasons=f"Reason {index % 3}"
        )
        f.make_equality_response(application=application, ethnicity="white")
        if index % 2:
            Application.objects.filter(pk=application.pk).update(status=Application.Status.HIRED)
            f.make_outcome(application=application, start_date=date(2025, 1, 1))


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body(response)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_for",
    [
        *[lambda p, s=slug: report_url(p, s) for slug in REPORTS],
        *[lambda p, s=slug: report_url(p, s, format="csv") for slug in REPORTS],
        lambda p: report_url(p, "panel", format="xlsx"),
        lambda p: reverse("application-export", args=[p.slug, "csv"]),
        lambda p: reverse("application-export", args=[p.slug, "xlsx"]),
        lambda p: reverse("score-export", args=[p.slug, "csv"]),
        lambda p: reverse("research-export", args=[p.slug]),
    ],
)
def test_report_pages_and_exports_run_the_same_number_of_queries_for_1_and_50_applications(
    as_alice: Client, sunrise: Provider, bob: User, dev: User, url_for: Any
) -> None:
    # Each report's queries are listed and commented in its module in vbr/reports/queries/;
    # on top of them: the signed-in person with their membership (1; the session comes from
    # the cache), the filter form's roles and stages (2, pages only), the values (exports)
    # and one audit insert (exports).
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criteria = (
        f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise)),
        f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise)),
    )
    add_applications(role, stage, criteria, [bob, dev], 1)
    url = url_for(sunrise)
    one = count_queries(as_alice, url)
    add_applications(role, stage, criteria, [bob, dev], 49)
    assert count_queries(as_alice, url) == one


def test_a_large_xlsx_is_made_by_a_worker_and_downloaded_through_a_checked_view(
    as_alice: Client,
    as_charlie: Client,
    sunrise: Provider,
    hillside: Provider,
    worked: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from vbr.reports import views

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "XLSX_INLINE_LIMIT", 2)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # a worker, in-process
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
    job = ExportJob.objects.get(provider=sunrise)
    assert response.status_code == 302
    assert response["Location"] == reverse("export-job-detail", args=[sunrise.slug, job.pk])
    assert job.status == ExportJob.Status.DONE
    assert "Download" in as_alice.get(response["Location"]).text

    download = as_alice.get(reverse("export-job-download", args=[sunrise.slug, job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(body(download))).active
    assert sheet.cell(1, 1).value == "Application"
    assert sheet.max_row == 5
    assert (
        as_charlie.get(reverse("export-job-download", args=[hillside.slug, job.pk])).status_code
        == 404
    )


def test_the_report_pack_pdf_is_made_in_the_background(
    as_alice: Client,
    sunrise: Provider,
    worked: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # a worker, in-process
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.post(reverse("report-pack-request", args=[sunrise.slug]))
    job = ExportJob.objects.get(provider=sunrise, kind=ExportJob.Kind.REPORT_PACK_PDF)
    assert response.status_code == 302
    assert job.status == ExportJob.Status.DONE, job.error
    pdf = body(as_alice.get(reverse("export-job-download", args=[sunrise.slug, job.pk])))
    assert pdf.startswith(b"%PDF")


def test_the_equality_form_is_optional_public_and_kept_apart_from_the_application(
    client: Client, as_bob: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    application = worked["apps"][1]
    invite_url = reverse("equality-invite", args=[sunrise.slug, application.pk])
    as_bob.post(invite_url)
    invite = MonitoringInvite.objects.get(application=application)
    page = as_bob.get(invite_url)
    assert f"/equality/{invite.key}/" in page.text

    form = client.get(reverse("equality-form", args=[invite.key]))
    assert form.status_code == 200
    assert "optional" in form.text and "kept apart from your application" in form.text
    client.post(
        reverse("equality-form", args=[invite.key]), {"ethnicity": "mixed", "sex": "prefer_not"}
    )

    response = EqualityResponse.objects.get(key=invite.key)
    assert (response.provider, response.ethnicity, response.sex) == (sunrise, "mixed", "prefer_not")
    assert "Thank you" in client.get(reverse("equality-form", args=[invite.key])).text
    # Staff never see the answer next to the candidate.
    assert "Mixed or multiple" not in as_bob.get(invite_url).text
    assert client.get(reverse("equality-form", args=["not-a-key"])).status_code == 404


def test_the_pdf_fetcher_serves_our_static_files_and_refuses_anything_else() -> None:
    from vbr.reports.documents import PDF_BASE_URL, static_only_fetcher

    fetcher = static_only_fetcher()
    css = fetcher.fetch(f"{PDF_BASE_URL}/static/css/reports-print.css")
    assert b"@page" in css.read()
    for url in (
        "file:///etc/passwd",
        "http://example.org/static/css/reports-print.css",
        f"{PDF_BASE_URL}/media-not-served/exports/1/x.xlsx",
        f"{PDF_BASE_URL}/static/../../settings.py",
    ):
        with pytest.raises(ValueError, match=r"Refused|No static file"):
            fetcher.fetch(url)


def test_funnel_shows_where_candidates_withdrew_and_why(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    for application in worked["apps"][2:]:
        application.status = Application.Status.WITHDRAWN
        application.withdrawal_reason = "Found a job nearer home"
        application.save()
    response = as_alice.get(report_url(sunrise, "funnel"))
    assert table(response, "Withdrawals") == [["Care assistant", "Values interview", 2]]
    assert table(response, "Withdrawal reasons") == [["Found a job nearer home", 2]]


def test_a_job_being_made_shows_its_progress_and_no_download_yet(
    as_alice: Client, alice: User, sunrise: Provider
) -> None:
    job = ExportJob.objects.create(
        provider=sunrise, requested_by=alice, kind=ExportJob.Kind.REPORT_PACK_PDF
    )
    page = as_alice.get(reverse("export-job-detail", args=[sunrise.slug, job.pk]))
    assert "Waiting" in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert "Download" not in page.text
    download = reverse("export-job-download", args=[sunrise.slug, job.pk])
    assert as_alice.get(download).status_code == 404


def test_exports_written_by_the_database_quote_commas_quotes_and_line_breaks(
    as_alice: Client, sunrise: Provider, worked: dict[str, Any]
) -> None:
    first = worked["apps"][0]
    candidate = first.candidate
    candidate.first_name = 'Ann, "Nan"'
    candidate.last_name = "-2+3\nsecond line"
    candidate.save()
    first.current_stage.name = "=cmd|' /C calc'!A0"
    first.current_stage.save()
    first.assessments.get().scorecards.filter(submitted_at__isnull=False).first().scores.update(
        evidence='@risk, said "no"\r\nthen yes'
    )

    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    row = next(r for r in rows if r[0] == str(first.pk))
    assert row[1:3] == ['Ann, "Nan"', "'-2+3\nsecond line"]
    assert row[5] == "'=cmd|' /C calc'!A0"
    assert row[8] == timezone.localtime(first.applied_at).strftime("%Y-%m-%d %H:%M")
    others = [r for r in rows[1:] if r[0] != str(first.pk)]
    assert len(others) == 3 and all(r[-2:] == ["", ""] for r in others)  # no submitted levels

    scores = csv_rows(as_alice.get(reverse("score-export", args=[sunrise.slug, "csv"])))
    assert scores[0][-3:] == ["Not observed", "Evidence", "Submitted"]
    assert {r[1] for r in scores[1:]} == {'Ann, "Nan"'}
    assert '\'@risk, said "no"\r\nthen yes' in {r[11] for r in scores[1:]}
    assert {r[10] for r in scores[1:]} == {"no"}


def test_a_mean_level_is_rounded_to_two_places_in_the_applications_export(
    as_alice: Client, sunrise: Provider, bob: User, dev: User, alice: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    for user, level in ((bob, 1), (dev, 2), (alice, 2)):
        panellist = f.make_panellist(assessment=assessment, user=user)
        f.make_scorecard(panellist=panellist, levels={criterion: level}, submitted=True)

    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    assert rows[1][-1] == "1.67"  # (1 + 2 + 2) / 3


def test_a_mean_level_on_a_tie_rounds_to_even_as_it_always_has(
    as_alice: Client, sunrise: Provider, bob: User, dev: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    value = f.make_value(provider=sunrise)
    criteria = [f.make_criterion(stage=stage, core_value=value, order=order) for order in range(4)]
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    for user, levels in ((bob, [2, 2, 2, 2]), (dev, [2, 2, 2, 3])):
        panellist = f.make_panellist(assessment=assessment, user=user)
        f.make_scorecard(
            panellist=panellist, levels=dict(zip(criteria, levels, strict=True)), submitted=True
        )

    # 17 / 8 = 2.125: Python's round(2.125, 2) gives 2.12, and so must both exports.
    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    assert rows[1][-1] == "2.12"
    response = as_alice.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet.cell(2, sheet.max_column).value == 2.12


def test_stored_value_totals_follow_submits_and_amendments(
    as_alice: Client, sunrise: Provider, bob: User, worked: dict[str, Any]
) -> None:
    """The exports read per-value totals stored on the application; they must say what the
    scores say after a submit through the workflow and after an amendment."""
    from vbr.recruitment import workflow

    c1, c2 = worked["criteria"]
    application = worked["apps"][1]
    assessment = f.make_assessment(application=application, stage=worked["interview"])
    panellist = f.make_panellist(assessment=assessment, user=bob)
    answers = {
        c1.pk: workflow.Answer(level=4, not_observed=False, evidence="Kind"),
        c2.pk: workflow.Answer(level=None, not_observed=True, evidence=""),
    }
    scorecard = workflow.submit_scorecard(
        panellist=panellist, answers=answers, recommendation="yes", summary=""
    )
    application.refresh_from_db()
    assert application.value_levels == {f"v{c1.core_value_id}": [4, 1, 4.0]}
    workflow.amend_scorecard(
        scorecard=scorecard,
        answers=answers | {c2.pk: workflow.Answer(level=1, not_observed=False, evidence="No")},
        recommendation="yes",
        summary="",
        reason="Misheard",
        amended_by=bob,
    )
    rows = csv_rows(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(application.pk)][-2:] == ["4.0", "1.0"]
    # The worked example's first application: Bob 3 and 2, Dev 4 and 2 (Alice's draft left out).
    assert by_id[str(worked["apps"][0].pk)][-2:] == ["3.5", "2.0"]
