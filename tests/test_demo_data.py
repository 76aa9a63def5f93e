"""The demo tells one story that holds together: a candidate is added when they apply, scored
on the day of their assessment, decided on after the scores and moved on after the decision;
every panellist writes their own evidence; and the demo logins say who has a password."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from vbr.accounts.models import User
from vbr.recruitment.models import Application, Decision, Score, Scorecard, StageEntry

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def demo(db: None) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_every_application_happens_in_order(demo: str) -> None:
    now = timezone.now()
    applications = Application.objects.select_related("candidate")
    assert applications.count() == 12
    for application in applications:
        added = application.candidate.created_at
        assert added.date() == application.applied_at.date(), application
        entries = list(StageEntry.objects.filter(application=application).order_by("stage__order"))
        times = [entry.entered_at for entry in entries]
        assert times == sorted(times) and times[0] >= application.applied_at, application
        assert application.current_stage_id == entries[-1].stage_id
        cards = Scorecard.objects.submitted().filter(assessment__application=application)
        for card in cards:
            scheduled = card.assessment.scheduled_at
            assert application.applied_at < scheduled <= card.submitted_at <= now, card
            # Scored before the stage after it was entered.
            later = [e.entered_at for e in entries if e.stage.order > card.assessment.stage.order]
            assert all(card.submitted_at < entered for entered in later), card
        for decision in Decision.objects.filter(application=application):
            at_stage = cards.filter(assessment__stage=decision.stage)
            assert all(card.submitted_at < decision.decided_at for card in at_stage), decision
            later = [e.entered_at for e in entries if e.stage.order > decision.stage.order]
            assert all(decision.decided_at <= entered for entered in later), decision
        if not application.is_open:
            assert application.status_changed_at >= times[-1], application


def test_no_evidence_sentence_is_written_twice(demo: str) -> None:
    written = [
        text for text in Score.objects.exclude(evidence="").values_list("evidence", flat=True)
    ]

    assert len(written) > 40
    assert len(set(written)) == len(written)
    summaries = list(
        Scorecard.objects.submitted().exclude(summary="").values_list("summary", flat=True)
    )
    assert len(set(summaries)) == len(summaries)


def test_the_expert_by_experience_has_no_password_and_the_logins_say_so(demo: str) -> None:
    dev = User.objects.get(username="dev")

    assert not dev.has_usable_password()
    assert "  dev " not in demo  # not listed with a password
    assert "Dev joins a panel without a password" in demo and "/join/" in demo
    for username in ("alice", "bob", "carol", "jo"):
        assert User.objects.get(username=username).check_password("vbr-demo-2026")
        assert f"  {username:<6} / vbr-demo-2026" in demo
    readme = " ".join(README.read_text().split())
    assert "Dev, an expert by experience without a password" in readme


def test_the_care_assistant_job_is_published_with_times_and_an_online_application(
    demo: str,
) -> None:
    from django.test import Client
    from django.urls import reverse

    from vbr.applicants.models import Booking, PanelMessage, Slot, Vacancy

    vacancy = Vacancy.objects.published().get(role__title="Care assistant")
    assert vacancy.questions.count() == 2
    public = Client().get(reverse("provider-vacancies", args=["sunrise"])).content.decode()
    assert "Care assistant" in public
    page = Client().get(vacancy.get_absolute_url()).content.decode()
    assert "Help the people who live at Sunrise House" in page

    slots = Slot.objects.offered().filter(stage__role=vacancy.role)
    assert slots.count() == 3
    booked = Booking.objects.select_related("application__candidate", "assessment").get()
    assert booked.application.candidate.full_name == "Priya Shah"
    assert booked.application.online.answers.count() == 2
    panel = set(booked.assessment.panellists.values_list("user__username", flat=True))
    assert panel == {"bob", "dev"}
    # Dev hears about panel times on paper: his note waits on the manager's list.
    assert PanelMessage.objects.filter(user__username="dev", channel="printed").exists()

    bob = Client()
    bob.force_login(User.objects.get(username="bob"))
    application = bob.get(
        reverse("application-detail", args=["sunrise", booked.application_id])
    ).content.decode()
    assert "What they wrote when they applied" in application
    assert "My nan lived with us." in application
    notes = bob.get(reverse("panel-notes", args=["sunrise"])).content.decode()
    assert "For Dev Raman" in notes
    times = bob.get(reverse("slot-list", args=["sunrise", booked.slot.stage_id])).content.decode()
    assert "Priya Shah" in times


def test_running_the_demo_again_changes_nothing_but_the_link(demo: str) -> None:
    before = sorted(Score.objects.values_list("evidence", flat=True))

    again = io.StringIO()
    call_command("seed_demo", stdout=again)

    assert sorted(Score.objects.values_list("evidence", flat=True)) == before
    assert Application.objects.count() == 12
    assert not User.objects.get(username="dev").has_usable_password()


def test_sunrise_has_a_file_in_progress_and_a_complete_one_with_a_deadline_coming(
    demo: str,
) -> None:
    from vbr.accounts.models import Membership
    from vbr.compliance import deadlines, workflow
    from vbr.compliance.models import Check, SaferRecruitmentFile

    files = {
        f.application.candidate.first_name: f
        for f in SaferRecruitmentFile.objects.select_related("application__candidate")
    }
    assert set(files) == {"Daniel", "Ellie"}
    ellie, daniel = files["Ellie"], files["Daniel"]
    # Ellie's is complete, her start confirmed; her right to work is checked again soon.
    assert ellie.completed_at is not None and ellie.start_date is not None
    assert not ellie.checks.exclude(status=Check.Status.VERIFIED).exists()
    bob = Membership.objects.get(user__username="bob")
    due = deadlines.upcoming(SaferRecruitmentFile.objects.visible_to(bob))
    assert [(d.person, d.what) for d in due] == [
        ("Ellie Foster", "Right to work in the UK: follow up or renew")
    ]
    # Daniel's is in progress: ready for tomorrow's shadowing, a reference asked for, the gap
    # in his history explained.
    statuses = dict(daniel.checks.values_list("item__key", "status"))
    assert statuses["identity"] == statuses["criminal_record"] == Check.Status.VERIFIED
    assert statuses["references"] == Check.Status.REQUESTED
    assert workflow.outstanding_before_shadowing(daniel.application) == []
    assert daniel.references.get().received_at is None
    history = workflow.employment_history(daniel)
    assert len(history.gaps) == 1 and not history.unexplained
    assert daniel.completed_at is None


def test_the_demo_files_show_on_the_completeness_page_by_service(demo: str) -> None:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="alice"))
    page = client.get("/p/sunrise/files/completeness/").content.decode()
    assert "1 of 2 files complete" in page
    assert "Sunrise House · Care assistant" in page
    assert "Daniel Evans" in page and "Ellie Foster" in page
