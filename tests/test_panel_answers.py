"""The values answers a candidate wrote when applying online show to the panel at the role's
first stage, as written: on the full scorecard and on the easy-read start page. They are the
candidate's words, not scores, so every panellist reads them before scoring."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import AccessProfile, Provider, User
from vbr.applicants.models import ValuesAnswer
from vbr.recruitment.models import Application, Assessment, Panellist, Stage

ANSWER = "I sat with my neighbour every day after her fall.\n\nI did her shopping too."


@pytest.fixture
def first_stage(sunrise: Provider) -> Stage:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    stage = f.make_stage(role=role, name="Values interview")
    f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    return stage


def online_applicant(stage: Stage, *, answers: int = 1) -> Application:
    candidate = f.make_candidate(provider=stage.role.provider, first_name="Siân")
    application = f.make_application(role=stage.role, stage=stage, candidate=candidate)
    online = f.make_online_application(application=application, answer=ANSWER)
    for number in range(1, answers):
        ValuesAnswer.objects.create(
            online_application=online,
            prompt=f"Question {number + 1}: what does dignity mean to you?",
            answer=f"Answer {number + 1} <script>alert(1)</script>",
            order=number,
        )
    return application


def panel_of(application: Application, stage: Stage, *members: User) -> Assessment:
    assessment = f.make_assessment(application=application, stage=stage)
    for member in members:
        f.make_panellist(assessment=assessment, user=member)
    return assessment


def test_the_panellist_reads_the_answers_on_their_scorecard_as_written(
    first_stage: Stage, bob: User
) -> None:
    application = online_applicant(first_stage, answers=2)
    assessment = panel_of(application, first_stage, bob)
    page = (
        signed_in(bob)
        .get(reverse("scorecard-edit", args=["sunrise", assessment.pk]))
        .content.decode()
    )
    assert "What Siân wrote when they applied" in page
    assert "Tell us about a time you helped someone." in page
    assert "<p>I sat with my neighbour every day after her fall.</p>" in page
    assert "<p>I did her shopping too.</p>" in page
    # As written, and never run.
    assert "Answer 2 &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_the_expert_reads_them_on_the_easy_read_start_page(first_stage: Stage, dev: User) -> None:
    AccessProfile.objects.create(user=dev, easy_read=True)
    application = online_applicant(first_stage)
    assessment = panel_of(application, first_stage, dev)
    client = Client()
    client.force_login(dev)
    response = client.get(reverse("scorecard-edit", args=["sunrise", assessment.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(
        reverse("easy-start", args=["sunrise", assessment.pk])
    )
    assert "What Siân wrote when they applied" in page
    assert "These are their own words. Read them before you start." in page
    assert "I sat with my neighbour every day after her fall." in page


def test_not_shown_at_a_later_stage_nor_for_an_application_a_manager_added(
    first_stage: Stage, bob: User
) -> None:
    shadowing = f.make_stage(
        role=first_stage.role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    f.make_criterion(stage=shadowing, core_value=f.make_value(provider=first_stage.role.provider))
    later = panel_of(online_applicant(first_stage), shadowing, bob)
    page = (
        signed_in(bob).get(reverse("scorecard-edit", args=["sunrise", later.pk])).content.decode()
    )
    assert "wrote when they applied" not in page
    assert "I sat with my neighbour" not in page

    added = f.make_application(role=first_stage.role, stage=first_stage)
    by_manager = panel_of(added, first_stage, bob)
    page = (
        signed_in(bob)
        .get(reverse("scorecard-edit", args=["sunrise", by_manager.pk]))
        .content.decode()
    )
    assert "wrote when they applied" not in page


def test_the_answers_cost_one_query_however_many_there_are(first_stage: Stage, bob: User) -> None:
    counts = []
    for answers in (1, 3):
        assessment = panel_of(online_applicant(first_stage, answers=answers), first_stage, bob)
        client = signed_in(bob)
        url = reverse("scorecard-edit", args=["sunrise", assessment.pk])
        client.get(url)  # the session is read once the same way each time
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count("<blockquote") == answers
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_answers_are_not_scores_other_panellists_scores_stay_hidden(
    first_stage: Stage, bob: User, alice: User, settings: Any
) -> None:
    """Reading the candidate's answers changes nothing of independence: Bob, who has not
    submitted, still sees nobody's scores in the debrief."""
    settings.VBR_REQUIRE_ADMIN_2FA = False
    application = online_applicant(first_stage)
    assessment = panel_of(application, first_stage, bob)
    alices = Panellist.objects.create(assessment=assessment, user=alice, panel_role="chair")
    criterion = first_stage.criteria.get()
    f.make_scorecard(panellist=alices, levels={criterion: 4}, submitted=True)
    debrief = signed_in(bob).get(reverse("assessment-debrief", args=["sunrise", assessment.pk]))
    assert "Evidence for level 4" not in debrief.content.decode()
