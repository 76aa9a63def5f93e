"""PDF candidate summaries: what the document says, who may have it, and the job's life.

The worked example: Amira Hussain for Care assistant. At the values interview Bob (chair)
and Dev (expert by experience) submitted, Priya (staff peer) has only a draft. Compassion
(essential) got 4 and 2: median 3, spread 2, a disagreement. At shadowing, Dignity
(essential) got 2 and 2: weak evidence on an essential value.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import Membership, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment import pdf, workflow
from vbr.recruitment.charts import LEVEL_KEY, values_profile_svg
from vbr.recruitment.models import (
    Application,
    Panellist,
    Role,
    Scorecard,
    Stage,
    SummaryBatch,
    SummaryJob,
)
from vbr.recruitment.scoring import value_stage_grid
from vbr.recruitment.workflow import summaries

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class WorkedExample:
    role: Role
    interview: Stage
    shadowing: Stage
    application: Application
    priya: User


def _score(scorecard: Scorecard, prompt_start: str, evidence: str) -> None:
    score = scorecard.scores.get(criterion__prompt__startswith=prompt_start)
    score.evidence = evidence
    score.save()


@pytest.fixture
def example(sunrise: Provider, bob: User, dev: User) -> WorkedExample:
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    compassion = f.make_value(provider=sunrise, name="Compassion", order=1)
    dignity = f.make_value(provider=sunrise, name="Dignity and respect", order=2)
    upset = f.make_criterion(
        stage=interview,
        core_value=compassion,
        prompt="Describe a time you noticed someone was upset",
        essential=True,
    )
    private = f.make_criterion(
        stage=interview, core_value=dignity, prompt="How do you protect privacy", order=1
    )
    knocks = f.make_criterion(
        stage=shadowing,
        core_value=dignity,
        prompt="Knocks and waits before entering",
        essential=True,
    )
    application = f.make_application(
        role=role,
        stage=shadowing,
        candidate=f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain"),
    )
    first = f.make_assessment(application=application, stage=interview)
    bob_card = f.make_scorecard(
        panellist=f.make_panellist(
            assessment=first, user=bob, panel_role=Panellist.PanelRole.CHAIR
        ),
        levels={upset: 4, private: 3},
        submitted=True,
    )
    _score(bob_card, "Describe", "Sat with a resident whose dog had died")
    dev_card = f.make_scorecard(
        panellist=f.make_panellist(
            assessment=first, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
        ),
        levels={upset: 2, private: None},
        submitted=True,
    )
    dev_card.recommendation = Scorecard.Recommendation.YES
    dev_card.summary = "Amira talked to me, not about me"
    dev_card.save()
    priya = f.make_member(provider=sunrise, role=Membership.Role.MANAGER, full_name="Priya Shah")
    draft = f.make_scorecard(
        panellist=f.make_panellist(
            assessment=first, user=priya, panel_role=Panellist.PanelRole.STAFF_PEER
        ),
        levels={upset: 1, private: 1},
    )
    _score(draft, "Describe", "UNSUBMITTED DRAFT NOTE")
    second = f.make_assessment(application=application, stage=shadowing)
    second.place = "Rose unit"
    second.save()
    for user, role_name in ((bob, Panellist.PanelRole.CHAIR), (dev, "expert")):
        card = f.make_scorecard(
            panellist=f.make_panellist(assessment=second, user=user, panel_role=role_name),
            levels={knocks: 2},
            submitted=True,
        )
        card.summary = f"Observed by {user.display_name}: chatted warmly at lunch"
        card.save()
    f.make_decision(
        application=application,
        kind="offer",
        reasons="Strong compassion at interview; coach on privacy.",
        decided_by=bob,
    )
    return WorkedExample(role, interview, shadowing, application, priya)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager_tasks() -> None:
    """Run tasks in-process, as the demo does, whatever REDIS_URL says."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def summary_html(example: WorkedExample, bob: User) -> str:
    return pdf.render_summary_html(
        pdf.gather_summary(application=example.application, requested_by=bob)
    )


def test_summary_html_shows_levels_medians_flags_notes_and_decision(
    example: WorkedExample, bob: User
) -> None:
    html = summary_html(example, bob)
    assert "Candidate summary: Amira Hussain" in html
    assert "Sunrise Care" in html
    # Stages with dates and panels (names and panel roles).
    assert "Bob Okafor (chair), Dev Raman (expert by experience)" in html
    # Compassion at interview: 4 and 2, median 3, spread 2, with the evidence note.
    assert "Describe a time you noticed someone was upset (essential) — median 3, spread 2" in html
    assert "Sat with a resident whose dog had died" in html
    assert '<span class="who">Bob Okafor (chair): level 4</span>' in html
    assert '<span class="who">Dev Raman (expert by experience): not observed</span>' in html
    assert "Panel differs by 2 levels at Values interview" in html
    assert "Weak evidence on an essential value at Shadowing: Knocks and waits" in html
    # Experts by experience, shadowing observations and the decision with its reasons.
    assert "Values interview: view positive" in html
    assert "Amira talked to me, not about me" in html
    assert "Observed by Dev Raman: chatted warmly at lunch" in html
    assert "Offer the job" in html and "coach on privacy" in html
    assert "Generated" in html and "for Bob Okafor" in html
    assert pdf.RETENTION_LINE in html
    # The values profile, drawn in boxes and text for print.
    assert '<div class="pv-name">Compassion</div><div class="pv-bar pv-solid pv-m6">3</div>' in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_gives_every_interview_panellists_recommendation_and_summary(
    example: WorkedExample, bob: User
) -> None:
    bob_card = Scorecard.objects.get(panellist__user=bob, assessment__stage=example.interview)
    bob_card.recommendation = Scorecard.Recommendation.STRONG_YES
    bob_card.summary = "Warm and specific; spoke about choice without being asked"
    bob_card.save()
    draft = Scorecard.objects.get(panellist__user=example.priya)
    draft.recommendation = Scorecard.Recommendation.NO
    draft.summary = "UNSUBMITTED DRAFT SUMMARY"
    draft.save()

    content = pdf.render_summary_pdf(application=example.application, requested_by=bob)
    extracted = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(extracted.split())

    section = text[text.index("Panel recommendations") : text.index("Experts by experience")]
    assert (
        "Bob Okafor (chair): Strong yes — Warm and specific; spoke about choice without being "
        "asked" in section
    )
    assert "Dev Raman (expert by experience): Yes — Amira talked to me, not about me" in section
    assert "UNSUBMITTED DRAFT SUMMARY" not in text and "Priya Shah (staff peer):" not in text
    # Shadowing observations stay in their own section, not repeated here.
    assert "Observed by" not in section


def test_summary_html_contains_nothing_from_an_unsubmitted_scorecard(
    example: WorkedExample, bob: User
) -> None:
    html = summary_html(example, bob)
    assert "UNSUBMITTED DRAFT NOTE" not in html
    assert "Priya Shah (staff peer)" in html  # she is on the panel…
    assert html.count("Priya Shah") == 1  # …but none of her levels or notes appear
    assert "2 of 3" in html


def test_each_stage_taken_shows_its_kind_date_scorecards_submitted_and_panel(
    example: WorkedExample, bob: User
) -> None:
    html = summary_html(example, bob)
    for stage, submitted in ((example.interview, "2 of 3"), (example.shadowing, "2 of 2")):
        assessment = example.application.assessments.get(stage=stage)
        day = date_format(timezone.localtime(assessment.scheduled_at), "j M Y")
        # The kind is named only where the stage's name does not already say it.
        kind = stage.kind_not_in_name and f' <span class="muted">({stage.kind_not_in_name})</span>'
        assert (
            f"<strong>{stage.name}</strong>{kind}, {day}. Scorecards submitted: {submitted}.<br>"
        ) in html
    assert html.count("Panel: Bob Okafor (chair), Dev Raman (expert by experience)") == 2


def test_a_section_added_by_another_feature_appears_only_when_it_has_something(
    example: WorkedExample, bob: User
) -> None:
    def supported_person(application: Application) -> pdf.SummarySection | None:
        if application.candidate.first_name != "Amira":
            return None
        return pdf.SummarySection(
            title="The supported person's view", notes=(("Mrs B", "She made me laugh"),)
        )

    assert "supported person" not in summary_html(example, bob)
    with mock.patch.object(pdf, "SUMMARY_SECTIONS", [supported_person]):
        html = summary_html(example, bob)
    assert "The supported person&#x27;s view" in html and "She made me laugh" in html


def test_gathering_a_summary_takes_the_same_queries_however_many_stages_were_taken(
    example: WorkedExample, bob: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pdf.gather_summary(application=example.application, requested_by=bob)
        return len(captured)

    two_stages = queries()
    trial = f.make_stage(role=example.role, name="Trial shift", order=3)
    criterion = f.make_criterion(
        stage=trial,
        core_value=example.role.provider.core_values.get(name="Compassion"),
        prompt="Offers a drink",
    )
    f.make_scorecard(
        panellist=f.make_panellist(
            assessment=f.make_assessment(application=example.application, stage=trial), user=bob
        ),
        levels={criterion: 3},
        submitted=True,
    )
    assert queries() == two_stages  # not three more queries for every stage taken
    summary = pdf.gather_summary(application=example.application, requested_by=bob)
    assert [taken.stage.name for taken in summary.stages][-1] == "Trial shift"
    assert summary.stages[-1].debrief.criteria[0].stats.median == 3


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_real_pdf_has_real_text_with_the_name_values_and_decision(
    example: WorkedExample, bob: User
) -> None:
    content = pdf.render_summary_pdf(application=example.application, requested_by=bob)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "candidate-summary.pdf"
    target.write_bytes(content)
    extracted = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(extracted.split())  # the footer wraps across lines
    assert "Amira Hussain" in text
    assert "Compassion" in text and "Dignity and respect" in text
    assert "Offer the job" in text
    assert "Page 1 of" in text
    assert "Personal data — handle under your retention policy" in text
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info and "A4" in info
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # all embedded
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                str(target),
                str(ARTIFACTS / "candidate-summary-page"),
            ],
            check=True,
        )


def test_the_renderer_fetches_only_our_static_files() -> None:
    fetcher = pdf.StaticOnlyFetcher()
    assert b"@page" in fetcher.fetch("vbr-static:css/print.css").read()
    for url in ("file:///etc/passwd", "http://169.254.169.254/", "vbr-static:../vbr/settings.py"):
        with pytest.raises((ValueError, FileNotFoundError)):
            fetcher.fetch(url)
    html = '<img src="file:///etc/hostname"><link rel="stylesheet" href="http://example.com/x.css">'
    assert pdf.html_to_pdf(html).startswith(b"%PDF")


def test_values_profile_chart_escapes_text_and_describes_itself(
    example: WorkedExample, sunrise: Provider
) -> None:
    value = sunrise.core_values.get(name="Compassion")
    value.name = "Care <script>alert(1)</script>"
    value.save()
    svg = values_profile_svg(value_stage_grid(example.application))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'role="img"' in svg and "<desc" in svg
    assert "Values interview 3" in svg  # the median, in words, for a screen reader
    assert "<pattern" in svg  # stages told apart without colour


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_values_profile_shows_every_value_stage_and_the_key_to_the_levels(
    example: WorkedExample, bob: User
) -> None:
    content = pdf.render_summary_pdf(application=example.application, requested_by=bob)
    extracted = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(extracted.split())
    chart = text[text.index("Values profile") : text.index("Evidence per value")]
    for words in ("Compassion", "Dignity and respect", "Values interview", "Shadowing"):
        assert words in chart
    # Compassion has no question at shadowing: the chart says so in the evidence table's words.
    assert "Compassion 3 Not planned" in chart
    assert LEVEL_KEY in chart
    assert LEVEL_KEY == (
        "Levels: 1 no evidence shown, 2 some evidence, 3 good evidence, 4 strong evidence."
    )


def test_the_web_values_profile_figure_shows_the_chart_and_the_key_to_the_levels(
    example: WorkedExample,
) -> None:
    html = render_to_string(
        "includes/values_profile_chart.html",
        {
            "chart": values_profile_svg(value_stage_grid(example.application)),
            "level_key": LEVEL_KEY,
        },
    )
    assert ">Compassion</text>" in html and ">Dignity and respect</text>" in html
    assert ">Values interview</text>" in html and ">Shadowing</text>" in html
    assert "Compassion: Values interview 3" in html  # the median, for a screen reader
    assert "Dignity and respect: Values interview 3, Shadowing 2" in html
    assert f"{LEVEL_KEY}</figcaption>" in html


# Who may have a summary


def test_download_is_a_404_for_another_provider(
    example: WorkedExample, as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    job = SummaryJob.objects.create(
        provider=sunrise, application=example.application, status=SummaryJob.Status.READY
    )
    for slug in (sunrise.slug, hillside.slug):
        url = reverse("summary-download", args=[slug, example.application.pk, job.pk])
        assert as_charlie.get(url).status_code == 404
    create = reverse("summary-create", args=[hillside.slug, example.application.pk])
    assert as_charlie.post(create).status_code == 404


def test_download_is_a_403_for_a_panel_member_who_is_not_chair(
    example: WorkedExample, as_dev: Client, sunrise: Provider
) -> None:
    job = SummaryJob.objects.create(
        provider=sunrise, application=example.application, status=SummaryJob.Status.READY
    )
    url = reverse("summary-download", args=[sunrise.slug, example.application.pk, job.pk])
    assert as_dev.get(url).status_code == 403
    create = reverse("summary-create", args=[sunrise.slug, example.application.pk])
    assert as_dev.post(create).status_code == 403
    assert SummaryJob.objects.count() == 1


def test_a_chair_who_has_not_submitted_is_refused_a_summary(
    example: WorkedExample, sunrise: Provider
) -> None:
    chair = f.make_member(provider=sunrise, role=Membership.Role.PANEL, full_name="Carol Chair")
    third = f.make_stage(role=example.role, name="Group activity", order=3)
    assessment = f.make_assessment(application=example.application, stage=third)
    f.make_panellist(assessment=assessment, user=chair, panel_role=Panellist.PanelRole.CHAIR)
    client = signed_in(chair)
    url = reverse("summary-create", args=[sunrise.slug, example.application.pk])

    response = client.post(url, follow=True)

    assert "Submit your own scorecard first" in response.text
    assert not SummaryJob.objects.exists()


def test_a_chair_who_has_submitted_gets_the_summary(
    example: WorkedExample,
    sunrise: Provider,
    media: Path,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    chair = f.make_member(provider=sunrise, role=Membership.Role.PANEL, full_name="Carol Chair")
    third = f.make_stage(role=example.role, name="Group activity", order=3)
    assessment = f.make_assessment(application=example.application, stage=third)
    panellist = f.make_panellist(
        assessment=assessment, user=chair, panel_role=Panellist.PanelRole.CHAIR
    )
    f.make_scorecard(panellist=panellist, submitted=True)
    client = signed_in(chair)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("summary-create", args=[sunrise.slug, example.application.pk]))
    job = SummaryJob.objects.get()
    page = client.get(reverse("summary-detail", args=[sunrise.slug, example.application.pk]))
    download = client.get(
        reverse("summary-download", args=[sunrise.slug, example.application.pk, job.pk])
    )

    assert job.status == SummaryJob.Status.READY and job.requested_by == chair
    assert "Download the PDF summary" in page.text
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="summary-hussain-amira')
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_application_page_shows_the_same_values_profile_as_the_pdf(
    example: WorkedExample, as_bob: Client, sunrise: Provider, bob: User
) -> None:
    page = as_bob.get(reverse("application-detail", args=[sunrise.slug, example.application.pk]))
    assert page.status_code == 200
    figure = page.text[page.text.index('<figure class="values-profile-chart">') :]
    figure = figure[: figure.index("</figure>")]
    assert "Compassion: Values interview 3" in figure  # the medians, for a screen reader
    assert "Dignity and respect: Values interview 3, Shadowing 2" in figure
    assert ">Values interview</text>" in figure and ">Shadowing</text>" in figure
    assert LEVEL_KEY in figure
    # The PDF summary draws the same chart in boxes and text: the same names, figures and
    # stages (the scale's figures are one text in the drawing, two in the print).
    summary = pdf.gather_summary(application=example.application, requested_by=bob)
    drawn = re.findall(r"<text[^>]*>([^<]+)</text>", figure)
    printed = re.findall(r">([^<>]+)<", str(summary.chart))
    assert sorted(drawn[1:]) == sorted(printed[2:])
    assert drawn[1:3] == ["Compassion", "Dignity and respect"]


def test_the_values_profile_waits_for_evidence_and_for_ones_own_scorecard(
    example: WorkedExample, as_bob: Client, sunrise: Provider, bob: User
) -> None:
    url = reverse("application-detail", args=[sunrise.slug, example.application.pk])
    other = f.make_application(role=example.role, stage=example.interview)
    untouched = as_bob.get(reverse("application-detail", args=[sunrise.slug, other.pk]))
    assert "values-profile-chart" not in untouched.text  # nothing submitted: no chart
    # Bob joins a panel of this application and has not submitted: scores and chart hidden.
    shadowing = example.application.assessments.get(stage=example.shadowing)
    Scorecard.objects.filter(panellist__assessment=shadowing, panellist__user=bob).update(
        submitted_at=None
    )
    if not shadowing.panellists.filter(user=bob).exists():
        f.make_panellist(assessment=shadowing, user=bob)
    hidden = as_bob.get(url)
    assert "scores are hidden until you do" in hidden.text
    assert "values-profile-chart" not in hidden.text and "Values interview 3" not in hidden.text


# The job


def test_pressing_the_button_shows_progress_then_a_download_link(
    example: WorkedExample,
    as_bob: Client,
    sunrise: Provider,
    media: Path,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    application_page = as_bob.get(
        reverse("application-detail", args=[sunrise.slug, example.application.pk])
    )
    assert "Create PDF summary" in application_page.text

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fragment = as_bob.post(
            reverse("summary-create", args=[sunrise.slug, example.application.pk]),
            HTTP_HX_REQUEST="true",
        )
    assert "Queued" in fragment.text and 'hx-trigger="every 500ms"' in fragment.text
    for callback in callbacks:
        callback()
    polled = as_bob.get(
        reverse("summary-detail", args=[sunrise.slug, example.application.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert "Ready" in polled.text and "hx-trigger" not in polled.text
    job = SummaryJob.objects.get()
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")
    assert "private/summaries/" in job.file.name


def test_with_the_broker_down_the_button_still_works_and_the_sweep_sends_the_job_later(
    example: WorkedExample,
    as_bob: Client,
    sunrise: Provider,
    media: Path,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from vbr.recruitment.tasks import render_summary

    url = reverse("summary-create", args=[sunrise.slug, example.application.pk])
    with (
        mock.patch.object(render_summary, "apply_async", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = as_bob.post(url, follow=True)
    job = SummaryJob.objects.get()
    assert response.status_code == 200 and "being made" in response.text
    assert job.status == SummaryJob.Status.QUEUED and job.sent_at is None

    report = workflow.sweep_summary_jobs()

    job.refresh_from_db()
    assert report.resent == 1
    assert job.status == SummaryJob.Status.READY


def test_a_job_delivered_twice_is_rendered_once(
    example: WorkedExample, bob: User, media: Path
) -> None:
    job = SummaryJob.objects.create(
        provider=example.application.provider, application=example.application, requested_by=bob
    )
    workflow.run_summary_job(job_id=job.pk)
    first_file = SummaryJob.objects.get(pk=job.pk).file.name
    workflow.run_summary_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == SummaryJob.Status.READY and job.attempts == 1
    assert job.file.name == first_file


def test_a_job_left_rendering_by_a_dead_worker_is_queued_again_then_given_up(
    example: WorkedExample, bob: User
) -> None:
    long_ago = timezone.now() - timedelta(minutes=10)
    stuck = SummaryJob.objects.create(
        provider=example.application.provider,
        application=example.application,
        status=SummaryJob.Status.RENDERING,
        started_at=long_ago,
        attempts=1,
    )
    hopeless = SummaryJob.objects.create(
        provider=example.application.provider,
        application=example.application,
        status=SummaryJob.Status.RENDERING,
        started_at=long_ago,
        attempts=3,
    )
    recent = SummaryJob.objects.create(
        provider=example.application.provider,
        application=example.application,
        status=SummaryJob.Status.RENDERING,
        started_at=timezone.now(),
        attempts=1,
    )
    # Patched where sweep_summary_jobs looks it up: the package only re-exports it.
    with mock.patch.object(summaries, "send_summary_jobs", return_value=1) as send:
        report = workflow.sweep_summary_jobs()
    stuck.refresh_from_db(), hopeless.refresh_from_db(), recent.refresh_from_db()
    assert stuck.status == SummaryJob.Status.QUEUED
    assert send.call_args.args[0] == [stuck.pk]
    assert hopeless.status == SummaryJob.Status.FAILED
    assert hopeless.error == "The PDF could not be made after 3 attempts."
    assert recent.status == SummaryJob.Status.RENDERING
    assert (report.requeued, report.failed) == (1, 1)


def test_a_failed_render_gives_a_readable_reason(
    example: WorkedExample, bob: User, as_bob: Client, sunrise: Provider
) -> None:
    job = SummaryJob.objects.create(
        provider=sunrise, application=example.application, requested_by=bob
    )
    with mock.patch.object(pdf, "render_summary_pdf", side_effect=RuntimeError("boom")):
        workflow.run_summary_job(job_id=job.pk)
    page = as_bob.get(reverse("summary-detail", args=[sunrise.slug, example.application.pk]))
    assert "Failed" in page.text
    assert f"The PDF could not be made (job {job.pk})" in page.text
    assert "boom" not in page.text


def test_bulk_summaries_show_n_of_n_and_give_one_zip(
    example: WorkedExample,
    as_bob: Client,
    sunrise: Provider,
    media: Path,
    eager_tasks: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    f.make_application(
        role=example.role,
        stage=example.shadowing,
        candidate=f.make_candidate(provider=sunrise, first_name="Daniel", last_name="Evans"),
    )
    f.make_application(role=example.role, stage=example.shadowing, status="withdrawn")
    f.make_application(role=example.role, stage=example.interview)
    role_page = as_bob.get(
        reverse("role-detail", args=[sunrise.slug, example.role.pk]),
        {"stage": example.shadowing.pk},
    )
    assert "Create PDFs for all candidates at this stage" in role_page.text

    with django_capture_on_commit_callbacks(execute=True):
        created = as_bob.post(
            reverse(
                "summary-batch-create",
                args=[sunrise.slug, example.role.pk, example.shadowing.pk],
            )
        )
    response = as_bob.get(created["Location"])

    assert "2 of 2" in response.text
    zipped = as_bob.get(
        reverse("summary-batch-download", args=[sunrise.slug, response.context["batch"].pk])
    )
    names = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))).namelist()
    assert sorted(n.split("-")[1] for n in names) == ["evans", "hussain"]


@pytest.mark.parametrize("n", [1, 20])
def test_batch_progress_query_count_does_not_grow(
    example: WorkedExample,
    as_bob: Client,
    bob: User,
    sunrise: Provider,
    n: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    batch = SummaryBatch.objects.create(
        provider=sunrise, role=example.role, stage=example.shadowing, requested_by=bob
    )
    SummaryJob.objects.bulk_create(
        SummaryJob(provider=sunrise, application=example.application, batch=batch) for _ in range(n)
    )
    url = reverse("summary-batch-detail", args=[sunrise.slug, batch.pk])
    # the signed-in person with their membership, batch with role and stage, counts by status
    with django_assert_num_queries(3):
        response = as_bob.get(url, HTTP_HX_REQUEST="true")
    assert f"0 of {n}" in response.text


def test_removing_generated_files_deletes_the_pdfs_and_their_jobs(
    example: WorkedExample,
    bob: User,
    media: Path,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    job = SummaryJob.objects.create(
        provider=example.application.provider, application=example.application, requested_by=bob
    )
    workflow.run_summary_job(job_id=job.pk)
    path = Path(SummaryJob.objects.get(pk=job.pk).file.path)
    other = f.make_application(role=example.role)
    kept = SummaryJob.objects.create(provider=other.provider, application=other)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        removed = workflow.remove_generated_files(candidate=example.application.candidate)

    assert removed == 1
    assert not path.exists()
    assert list(SummaryJob.objects.all()) == [kept]


# The provider logo


def _png(size: tuple[int, int] = (120, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_admin_uploads_a_logo_that_then_appears_on_the_summary(
    example: WorkedExample, as_alice: Client, sunrise: Provider, bob: User, media: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("provider-logo", args=[sunrise.slug])
    response = as_alice.post(
        url, {"logo": SimpleUploadedFile("our logo.PNG", _png(), "image/png")}, follow=True
    )
    sunrise.refresh_from_db()
    assert "The logo has been saved" in response.text
    assert sunrise.logo.name.startswith(f"private/logos/provider-{sunrise.pk}/")
    image = as_alice.get(reverse("provider-logo-image", args=[sunrise.slug]))
    assert image["Content-Type"] == "image/png"
    assert 'src="data:image/png;base64,' in summary_html(example, bob)

    as_alice.post(url, {"remove": "1"})
    sunrise.refresh_from_db()
    assert not sunrise.logo


def _logo_in_summary(html: str) -> tuple[str, bytes]:
    """The MIME type and the bytes of the logo inlined in a summary's HTML."""
    start = html.index('class="logo" src="data:') + len('class="logo" src="data:')
    mime, _, data = html[start : html.index('"', start)].partition(";base64,")
    return mime, base64.b64decode(data)


def test_a_large_logo_is_printed_at_print_size_and_a_small_one_as_uploaded(
    example: WorkedExample, sunrise: Provider, bob: User, media: Path
) -> None:
    from django.core.files.base import ContentFile
    from PIL import Image

    sunrise.logo.save("logo.png", ContentFile(_png((3000, 1000))), save=True)
    mime, printed = _logo_in_summary(summary_html(example, bob))
    with Image.open(io.BytesIO(printed)) as logo:
        assert (mime, logo.format, logo.size) == ("image/png", "PNG", pdf.LOGO_PRINT_PIXELS)
    assert pdf.render_summary_pdf(application=example.application, requested_by=bob).startswith(
        b"%PDF"
    )

    photo = io.BytesIO()
    Image.new("RGB", (2000, 2000), "teal").save(photo, format="JPEG")
    sunrise.logo.save("logo.jpg", ContentFile(photo.getvalue()), save=True)
    mime, printed = _logo_in_summary(summary_html(example, bob))
    with Image.open(io.BytesIO(printed)) as logo:
        assert (mime, logo.format, logo.size) == ("image/jpeg", "JPEG", (200, 200))

    small = _png((300, 100))
    sunrise.logo.save("logo.png", ContentFile(small), save=True)
    assert _logo_in_summary(summary_html(example, bob)) == ("image/png", small)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("logo.png", b"<svg onload=alert(1)></svg>", "not a picture we can read"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a picture we can read"),
        ("big.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1), "larger than 1 MB"),
    ],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_with_a_clear_error(
    as_alice: Client, sunrise: Provider, media: Path, name: str, content: bytes, message: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_alice.post(
        reverse("provider-logo", args=[sunrise.slug]),
        {"logo": SimpleUploadedFile(name, content, "image/png")},
    )
    assert response.status_code == 200
    assert message in response.text
    sunrise.refresh_from_db()
    assert not sunrise.logo


def test_a_logo_with_too_many_pixels_is_refused(
    as_alice: Client, sunrise: Provider, media: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_alice.post(
        reverse("provider-logo", args=[sunrise.slug]),
        {"logo": SimpleUploadedFile("wide.png", _png((4100, 10)), "image/png")},
    )
    assert "4100 × 10 pixels" in response.text


def test_only_an_admin_may_change_the_logo(as_bob: Client, sunrise: Provider) -> None:
    assert as_bob.get(reverse("provider-logo", args=[sunrise.slug])).status_code == 403


def test_anonymising_a_candidate_removes_their_pdf_summaries(
    example: WorkedExample,
    bob: User,
    media: Path,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from vbr.privacy.workflow import anonymise_candidate

    job = SummaryJob.objects.create(
        provider=example.application.provider, application=example.application, requested_by=bob
    )
    workflow.run_summary_job(job_id=job.pk)
    path = Path(SummaryJob.objects.get(pk=job.pk).file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_candidate(candidate=example.application.candidate, by=bob)

    assert not path.exists()
    assert not SummaryJob.objects.filter(application=example.application).exists()
