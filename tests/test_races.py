"""Requests that arrive together: two panellists scoring one assessment, a draft in one tab and
a submit in another, a decision sent twice, a decision racing an expert's amendment.

The threaded tests release real requests at the same instant (a barrier), each thread on its
own database connection, and repeat that for many rounds; they need PostgreSQL's row locks
(SQLite writes one transaction at a time, so there is no race to lose). What a person sees is
asserted: no error page, one decision, their scorecard in, and the stored counts exact. The
single-threaded tests replay the losing interleaving step by step, on any database.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    Criterion,
    Decision,
    Panellist,
    Scorecard,
    Stage,
    StageEntry,
)
from vbr.recruitment.scoring import value_level_key

T = TypeVar("T")
ROUNDS = 20
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def require_postgresql() -> None:
    """The threaded tests run wherever the database is PostgreSQL; CI's always is."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        pytest.fail("CI must run the race tests on PostgreSQL (DATABASE_URL), not skip them.")
    pytest.skip("Races need PostgreSQL's row locks: SQLite runs one write at a time.")


def together(*calls: Callable[[], T]) -> list[T]:
    """Run each call in its own thread, all released at once, and return their results in
    order. Each thread closes its own database connection when it is done."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:  # re-raised in the test's own thread below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]
    return results


def browser(user: User) -> Client:
    """A signed-in browser that gets the error page a person would see (never an exception)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def shown(response: Any) -> str:
    """What the person reads: the status, and the page text (following one redirect)."""
    return f"{response.status_code} {response.content.decode()[:2000]}"


@dataclass
class Panel:
    provider: Provider
    stages: list[Stage]
    criteria: list[Criterion]
    bob: User
    carol: User
    dev: User

    def assessment(self, *users: User) -> Assessment:
        """A new candidate at the first stage, with an assessment whose panel is `users`."""
        application = f.make_application(role=self.stages[0].role, stage=self.stages[0])
        assessment = f.make_assessment(application=application, stage=self.stages[0])
        for user in users:
            expert = user == self.dev
            f.make_panellist(
                assessment=assessment,
                user=user,
                panel_role=(
                    Panellist.PanelRole.EXPERT_BY_EXPERIENCE
                    if expert
                    else Panellist.PanelRole.STAFF_PEER
                ),
            )
        return assessment

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.provider.slug, *args])

    def answers(self, level: int, recommendation: str = "yes") -> dict[str, str]:
        data = {"recommendation": recommendation, "summary": "Kind and patient."}
        for criterion in self.criteria:
            data[f"level_{criterion.pk}"] = str(level)
            data[f"evidence_{criterion.pk}"] = f"Seen at level {level}."
        return data


@pytest.fixture
def panel(sunrise: Provider, bob: User, dev: User) -> Panel:
    carol = f.make_member(provider=sunrise, username="carol", full_name="Carol Singh")
    role = f.make_role(provider=sunrise)
    stages = [
        f.make_stage(role=role, name="Values interview", order=1),
        f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2),
        f.make_stage(role=role, name="Group activity", kind=Stage.Kind.GROUP_ACTIVITY, order=3),
    ]
    criteria = [
        f.make_criterion(
            stage=stages[0],
            core_value=f.make_value(provider=sunrise, name=name, order=n),
            order=n,
        )
        for n, name in enumerate(["Dignity", "Compassion"], start=1)
    ]
    return Panel(sunrise, stages, criteria, bob, carol, dev)


def assert_progress_exact(assessment: Assessment) -> None:
    """The stored counts say what the scorecards say."""
    assessment.refresh_from_db()
    places = list(assessment.panellists.select_related("scorecard"))
    submitted = [p for p in places if p.has_submitted]
    assert (assessment.panel_size, assessment.submitted_count) == (len(places), len(submitted))
    assert [p.scorecard_submitted for p in places] == [p.has_submitted for p in places]


# -- Two panellists scoring one assessment at once ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_panellists_submitting_their_first_save_together_both_get_in(panel: Panel) -> None:
    require_postgresql()
    carol, bob = browser(panel.carol), browser(panel.bob)
    for _ in range(ROUNDS):
        assessment = panel.assessment(panel.bob, panel.carol)
        url = panel.url("scorecard-edit", assessment.pk)
        responses = together(
            lambda: bob.post(url, {**panel.answers(4), "submit": "1"}),  # noqa: B023
            lambda: carol.post(url, {**panel.answers(2), "submit": "1"}),  # noqa: B023
        )
        assert [r.status_code for r in responses] == [302, 302], [shown(r) for r in responses]
        assert_progress_exact(assessment)
        assert assessment.submitted_count == 2
        assert assessment.status == Assessment.Status.SCORING
        # Both panellists' levels are in the candidate's stored totals: 4 + 2 on each value.
        levels = Application.objects.get(pk=assessment.application_id).value_levels
        for criterion in panel.criteria:
            assert levels[value_level_key(criterion.core_value_id)] == [6, 2, 3.0]


@pytest.mark.django_db(transaction=True)
def test_four_panellists_submitting_together_are_all_counted(panel: Panel) -> None:
    require_postgresql()
    alice = f.make_member(provider=panel.provider, role=Membership.Role.ADMIN, username="alice")
    people = [panel.bob, panel.carol, panel.dev, alice]
    clients = [browser(user) for user in people]
    for _ in range(ROUNDS // 2):
        assessment = panel.assessment(*people)
        url = panel.url("scorecard-edit", assessment.pk)
        responses = together(
            *[
                lambda c=client: c.post(url, {**panel.answers(3), "submit": "1"})  # type: ignore[misc]  # noqa: B023
                for client in clients
            ]
        )
        assert {r.status_code for r in responses} == {302}, [shown(r) for r in responses]
        assert_progress_exact(assessment)
        assert assessment.submitted_count == 4


@pytest.mark.django_db(transaction=True)
def test_a_first_autosave_racing_another_panellists_submit_loses_nothing(panel: Panel) -> None:
    require_postgresql()
    carol, bob = browser(panel.carol), browser(panel.bob)
    for _ in range(ROUNDS):
        assessment = panel.assessment(panel.bob, panel.carol)
        responses = together(
            lambda: bob.post(
                panel.url("scorecard-edit", assessment.pk),  # noqa: B023
                {**panel.answers(4), "submit": "1"},
            ),
            lambda: carol.post(panel.url("scorecard-autosave", assessment.pk), panel.answers(2)),  # noqa: B023
        )
        assert [r.status_code for r in responses] == [302, 200], [shown(r) for r in responses]
        assert "Draft saved at" in responses[1].content.decode()
        assert_progress_exact(assessment)
        assert assessment.submitted_count == 1
        draft = Scorecard.objects.get(panellist__assessment=assessment, panellist__user=panel.carol)
        assert draft.submitted_at is None
        assert sorted(draft.scores.values_list("level", flat=True)) == [2, 2]


# -- A draft in one tab, a submit in another ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_draft_saved_while_another_tab_submits_shows_the_submitted_scorecard(
    panel: Panel,
) -> None:
    require_postgresql()
    tab_one, tab_two = browser(panel.bob), browser(panel.bob)
    for _ in range(ROUNDS):
        assessment = panel.assessment(panel.bob)
        url = panel.url("scorecard-edit", assessment.pk)
        tab_one.post(panel.url("scorecard-autosave", assessment.pk), panel.answers(1))
        draft, submit = together(
            lambda: tab_one.post(url, panel.answers(2)),  # noqa: B023
            lambda: tab_two.post(url, {**panel.answers(4), "submit": "1"}),  # noqa: B023
        )
        assert (draft.status_code, submit.status_code) == (302, 302), shown(draft)
        page = tab_one.get(url).content.decode()
        assert "Submitted" in page or "submitted" in page
        assert "Draft saved" in page or "submitted in another window" in page, page
        scorecard = Scorecard.objects.get(panellist__assessment=assessment)
        assert scorecard.is_submitted
        # The submitted levels stand, whichever came first.
        assert sorted(scorecard.scores.values_list("level", flat=True)) == [4, 4]


def _submit_first(panel: Panel, assessment: Assessment) -> Callable[..., Any]:
    """`save_scorecard_draft`, run just after another tab has submitted the scorecard (the
    losing order of the race, replayed step by step)."""
    real = workflow.save_scorecard_draft

    def draft_after_submit(**kwargs: Any) -> Any:
        place = Panellist.objects.get(assessment=assessment, user=panel.bob)
        workflow.submit_scorecard(
            panellist=place,
            answers={c.pk: workflow.Answer(level=4, evidence="Seen.") for c in panel.criteria},
            recommendation="yes",
            summary="From the other tab.",
        )
        return real(**kwargs)

    return draft_after_submit


@pytest.mark.django_db
def test_a_draft_refused_because_the_other_tab_submitted_shows_why(panel: Panel) -> None:
    assessment = panel.assessment(panel.bob)
    url = panel.url("scorecard-edit", assessment.pk)
    tab = browser(panel.bob)
    assert tab.get(url).status_code == 200
    with mock.patch.object(workflow, "save_scorecard_draft", _submit_first(panel, assessment)):
        response = tab.post(url, panel.answers(2))
    assert response.status_code == 302 and response.url == url
    page = tab.get(url).content.decode()
    assert "This scorecard was submitted in another window" in page
    assert "From the other tab." in page  # the submitted scorecard, as it was sent


@pytest.mark.django_db
def test_the_easy_read_start_after_sending_in_another_tab_says_it_is_sent(panel: Panel) -> None:
    assessment = panel.assessment(panel.dev)
    tab = browser(panel.dev)
    place = Panellist.objects.get(assessment=assessment, user=panel.dev)
    real = workflow.set_scorecard_supporter

    def supporter_after_send(**kwargs: Any) -> Any:
        workflow.submit_scorecard(
            panellist=place,
            answers={c.pk: workflow.Answer(level=3) for c in panel.criteria},
            recommendation="yes",
            summary="",
        )
        return real(**kwargs)

    with mock.patch.object(workflow, "set_scorecard_supporter", supporter_after_send):
        response = tab.post(panel.url("easy-start", assessment.pk), {"helper": "self"})
    sent = panel.url("easy-sent", assessment.pk)
    assert response.status_code == 302 and response.url == sent
    page = tab.get(sent).content.decode()
    assert "Your answers were already sent" in page
    assert "They are locked now" in page


# -- Decisions ------------------------------------------------------------------------------------


def decision_form(client: Client, panel: Panel, application: Application) -> dict[str, str]:
    """The hidden fields of the decision page as the browser holds them."""
    page = client.get(panel.url("decision-create", application.pk)).content.decode()
    hidden = dict(re.findall(r'type="hidden" name="(\w+)"(?: value="([^"]*)")?', page))
    hidden.pop("csrfmiddlewaretoken", None)
    assert set(hidden) == {"at_stage", "last_decision"}, page
    return hidden


@pytest.mark.django_db(transaction=True)
def test_a_decision_sent_twice_at_once_is_recorded_once(panel: Panel) -> None:
    require_postgresql()
    first, second = browser(panel.bob), browser(panel.bob)
    for _ in range(ROUNDS):
        application = f.make_application(role=panel.stages[0].role, stage=panel.stages[0])
        url = panel.url("decision-create", application.pk)
        form = decision_form(first, panel, application) | {
            "kind": Decision.Kind.PROGRESS,
            "reasons": "Strong on dignity.",
        }
        responses = together(lambda: first.post(url, form), lambda: second.post(url, form))  # noqa: B023
        assert [r.status_code for r in responses] == [302, 302], [shown(r) for r in responses]
        application.refresh_from_db()
        assert application.decisions.count() == 1
        assert application.current_stage == panel.stages[1]  # shadowing, not group activity
        assert list(StageEntry.objects.filter(application=application).values_list("stage")) == [
            (panel.stages[1].pk,)
        ]
        pages = [c.get(application.get_absolute_url()).content.decode() for c in (first, second)]
        assert sum("Decision recorded: Progress to next stage." in p for p in pages) == 1
        assert sum("This decision was already recorded" in p for p in pages) == 1


@pytest.mark.django_db
def test_a_repeated_decision_is_answered_with_the_one_already_made(panel: Panel) -> None:
    application = f.make_application(role=panel.stages[0].role, stage=panel.stages[0])
    bob = browser(panel.bob)
    url = panel.url("decision-create", application.pk)
    form = decision_form(bob, panel, application) | {"kind": "hold", "reasons": "Wait for DBS."}
    assert bob.post(url, form).status_code == 302
    repeat = bob.post(url, form, follow=True).content.decode()
    assert "This decision was already recorded: Hold, by Bob Okafor" in repeat
    assert application.decisions.count() == 1


@pytest.mark.django_db
def test_a_decision_made_meanwhile_by_someone_else_is_shown_not_overwritten(
    panel: Panel, alice: User
) -> None:
    application = f.make_application(role=panel.stages[0].role, stage=panel.stages[0])
    bob, alice_browser = browser(panel.bob), browser(alice)
    url = panel.url("decision-create", application.pk)
    bobs_form = decision_form(bob, panel, application)
    alices_form = decision_form(alice_browser, panel, application)
    assert (
        alice_browser.post(url, alices_form | {"kind": "progress", "reasons": "Good."}).status_code
        == 302
    )
    page = bob.post(
        url, bobs_form | {"kind": "decline", "reasons": "Not yet."}, follow=True
    ).content.decode()
    assert "A decision was recorded meanwhile: Progress to next stage, by Alice" in page
    application.refresh_from_db()
    assert [d.kind for d in application.decisions.all()] == ["progress"]
    assert application.status == Application.Status.ACTIVE


def _expert_said(panel: Panel, recommendation: str) -> tuple[Application, Panellist]:
    """A candidate whose expert by experience has submitted their recommendation."""
    assessment = panel.assessment(panel.dev)
    place = Panellist.objects.get(assessment=assessment, user=panel.dev)
    workflow.submit_scorecard(
        panellist=place,
        answers={c.pk: workflow.Answer(level=3, evidence="Seen.") for c in panel.criteria},
        recommendation=recommendation,
        summary="",
    )
    return assessment.application, place


def _amend(panel: Panel, place: Panellist, recommendation: str) -> dict[str, str]:
    return {
        **panel.answers(3, recommendation=recommendation),
        "reason": "I thought again about how she spoke to Mrs Patel.",
    }


@pytest.mark.django_db
def test_a_decision_after_the_experts_changed_their_view_needs_the_override_reason(
    panel: Panel,
) -> None:
    application, place = _expert_said(panel, "yes")
    bob = browser(panel.bob)
    url = panel.url("decision-create", application.pk)
    form = decision_form(bob, panel, application) | {"kind": "progress", "reasons": "Warm."}
    # The page was drawn when the experts were for the candidate; they amend before it is sent.
    dev = browser(panel.dev)
    amended = dev.post(
        panel.url("scorecard-amend", place.assessment_id), _amend(panel, place, "no")
    )
    assert amended.status_code == 302
    with mock.patch.object(workflow, "experts_view", return_value="positive"):
        response = bob.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The experts by experience were negative about this candidate" in page
    assert "Warm." in page  # what was typed is kept
    assert application.decisions.count() == 0
    application.refresh_from_db()
    assert application.current_stage == panel.stages[0]


@pytest.mark.django_db(transaction=True)
def test_a_decision_racing_an_experts_amendment_never_skips_the_override_reason(
    panel: Panel,
) -> None:
    require_postgresql()
    bob, dev = browser(panel.bob), browser(panel.dev)
    for _ in range(ROUNDS):
        application, place = _expert_said(panel, "yes")
        url = panel.url("decision-create", application.pk)
        form = decision_form(bob, panel, application) | {"kind": "progress", "reasons": "Warm."}
        amend_url = panel.url("scorecard-amend", place.assessment_id)
        decided, amended = together(
            lambda: bob.post(url, form),  # noqa: B023
            lambda: dev.post(amend_url, _amend(panel, place, "no")),  # noqa: B023
        )
        assert amended.status_code == 302, shown(amended)
        revision = Scorecard.objects.get(panellist=place).revisions.get()
        decision = application.decisions.first()
        if decision is None:
            # The amendment came first: the decision waits for the reason the new view needs.
            assert decided.status_code == 200, shown(decided)
            assert "The experts by experience were negative" in decided.content.decode()
        else:
            # The decision came first, made on the view as it then was.
            assert decided.status_code == 302, shown(decided)
            assert decision.decided_at < revision.amended_at
            assert decision.override_reason == ""
