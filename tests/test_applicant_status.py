"""The candidate's personal status page: opened by a hashed, expiring link; says where they
stand in plain words; shows their booked times; lets them withdraw; shows nothing of scores,
notes or the panel's views."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.applicants.forms import _STARTED_SALT
from vbr.applicants.models import OnlineApplication
from vbr.applicants.status import issue_status_link
from vbr.privacy.workflow import anonymise_candidate
from vbr.recruitment.models import Application, Assessment, Panellist, Stage


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def applied(sunrise: Provider) -> tuple[OnlineApplication, str]:
    """Siân applied online for the night care assistant role; her link."""
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    vacancy = f.make_vacancy(role=role, questions=1)
    question = vacancy.questions.get()
    response = Client().post(
        reverse("vacancy-apply", args=["sunrise", vacancy.pk]),
        {
            "first_name": "Siân",
            "last_name": "Evans",
            "email": "sian@example.org",
            "source": "website",
            "availability": "Nights",
            "privacy": "on",
            f"answer_{question.pk}": "I look after my grandad.",
            "started": signing.dumps(time.time() - 60, salt=_STARTED_SALT),
        },
    )
    assert response.status_code == 302
    token = response["Location"].split("/")[2]
    return OnlineApplication.objects.get(), token


def status_page(token: str) -> str:
    response = Client().get(reverse("candidate-status", args=[token]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_a_keyed_hash_of_the_link_is_stored(applied: tuple[OnlineApplication, str]) -> None:
    online, token = applied
    assert online.status_token_hash
    assert token not in online.status_token_hash
    assert online.status_link_expires_at is not None
    assert online.status_link_expires_at > timezone.now() + timedelta(days=60)


def test_a_new_application_says_it_was_received_and_what_happens_next(
    applied: tuple[OnlineApplication, str],
) -> None:
    page = status_page(applied[1])
    assert "We have your application for Night care assistant." in page
    assert "We will contact you within a few days" in page
    assert "usually a values interview" in page
    assert "Nothing is booked yet." in page
    assert "How we use your information" in page


def test_a_wrong_link_finds_nothing(applied: tuple[OnlineApplication, str]) -> None:
    response = Client().get(reverse("candidate-status", args=[applied[1] + "x"]))
    assert response.status_code == 404


def test_an_expired_link_has_ended(applied: tuple[OnlineApplication, str]) -> None:
    online, token = applied
    OnlineApplication.objects.filter(pk=online.pk).update(
        status_link_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().get(reverse("candidate-status", args=[token]))
    assert response.status_code == 410
    assert "This link has ended" in response.content.decode()
    assert "Night care assistant" not in response.content.decode()


def test_a_new_link_ends_the_old_one(applied: tuple[OnlineApplication, str]) -> None:
    online, token = applied
    new_token = issue_status_link(online=online)
    assert Client().get(reverse("candidate-status", args=[token])).status_code == 404
    assert "Hello Siân" in status_page(new_token)


def test_the_link_ends_when_the_candidate_is_anonymised(
    applied: tuple[OnlineApplication, str], alice: User
) -> None:
    online, token = applied
    anonymise_candidate(candidate=online.application.candidate, by=alice)
    assert Client().get(reverse("candidate-status", args=[token])).status_code == 410


def test_the_page_is_kept_by_no_cache_and_no_search_engine(
    applied: tuple[OnlineApplication, str],
) -> None:
    response = Client().get(reverse("candidate-status", args=[applied[1]]))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_booked_times_are_shown_and_no_score_note_or_view_ever(
    applied: tuple[OnlineApplication, str], bob: User, dev: User
) -> None:
    online, token = applied
    application = online.application
    stage = application.current_stage
    assert stage is not None
    core_value = f.make_value(provider=application.provider, name="Dignity")
    criterion = f.make_criterion(stage=stage, core_value=core_value)
    when = timezone.now() + timedelta(days=3)
    assessment = f.make_assessment(application=application, stage=stage, scheduled_at=when)
    Assessment.objects.filter(pk=assessment.pk).update(
        place="Rose House, 4 Mill Lane", notes_for_panel="PANEL-ONLY note about her"
    )
    f.make_scorecard(
        panellist=f.make_panellist(assessment=assessment, user=bob),
        levels={criterion: 2},
        submitted=True,
    )
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    f.make_decision(application=application, reasons="SECRET reasons of the panel")

    page = status_page(token)

    assert "Your values interview is booked." in page
    assert "Rose House, 4 Mill Lane" in page
    assert timezone.localtime(when).strftime("%-d %B %Y") in page
    for hidden in (
        "Evidence for level",
        "PANEL-ONLY",
        "SECRET",
        "Dignity",
        "Bob Okafor",
        "Dev Raman",
        "level 2",
    ):
        assert hidden not in page


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Application.Status.DECLINED, "We will not be taking your application"),
        (Application.Status.OFFERED, "We would like to offer you the job of Night care assistant."),
        (Application.Status.HIRED, "You have the job of Night care assistant. Welcome."),
        (Application.Status.WITHDRAWN, "You withdrew your application for Night care assistant."),
    ],
)
def test_each_status_is_said_in_plain_words(
    applied: tuple[OnlineApplication, str], status: str, words: str
) -> None:
    online, token = applied
    Application.objects.filter(pk=online.application_id).update(status=status)
    page = status_page(token)
    assert words in page
    assert ("Withdraw my application" in page) == (status == Application.Status.OFFERED)


def test_moved_on_to_the_next_stage_is_said(applied: tuple[OnlineApplication, str]) -> None:
    online, token = applied
    shadowing = online.application.role.stages.get(name="Shadowing")
    Application.objects.filter(pk=online.application_id).update(current_stage=shadowing)
    assert "has moved on to the shadowing" in status_page(token)


def test_the_candidate_withdraws_with_a_reason(applied: tuple[OnlineApplication, str]) -> None:
    online, token = applied
    client = Client()
    url = reverse("candidate-withdraw", args=[token])
    assert "Withdraw your application for Night care assistant?" in client.get(url).content.decode()

    response = client.post(url, {"reason": "I found a job nearer home"})

    assert response.status_code == 302
    application = Application.objects.get(pk=online.application_id)
    assert application.status == Application.Status.WITHDRAWN
    assert application.withdrawal_reason == "I found a job nearer home"
    page = status_page(token)
    assert "You withdrew your application" in page
    assert "Withdraw my application" not in page
    # Withdrawing again does nothing more.
    assert client.post(url, {"reason": "again"}).status_code == 302
    application.refresh_from_db()
    assert application.withdrawal_reason == "I found a job nearer home"
