"""Scorecards, independence, locking and amendments, the debrief and decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import AuditEvent, Membership, Provider, User
from vbr.recruitment import scoring, workflow
from vbr.recruitment.forms.scoring import MAX_EVIDENCE, ScorecardForm, draft_from
from vbr.recruitment.models import (
    Application,
    Assessment,
    CoreValue,
    Criterion,
    NationalValue,
    Outcome,
    Panellist,
    Scorecard,
    Stage,
    StageEntry,
    SummaryJob,
    ValueSet,
)


@dataclass
class Interview:
    assessment: Assessment
    dignity: Criterion
    compassion: Criterion
    bob: Panellist
    dev: Panellist
    carol: Panellist

    def url(self, name: str) -> str:
        provider = self.assessment.application.provider
        return reverse(name, args=[provider.slug, self.assessment.pk])


@pytest.fixture
def carol(sunrise: Provider) -> User:
    return f.make_member(provider=sunrise, username="carol", full_name="Carol Singh")


@pytest.fixture
def interview(sunrise: Provider, bob: User, dev: User, carol: User) -> Interview:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    dignity = f.make_criterion(
        stage=stage,
        core_value=f.make_value(provider=sunrise, name="Dignity and respect", order=1),
        prompt="Tell us about keeping someone's dignity.",
        order=1,
        essential=True,
    )
    compassion = f.make_criterion(
        stage=stage,
        core_value=f.make_value(provider=sunrise, name="Compassion", order=2),
        prompt="Describe noticing someone was upset.",
        order=2,
    )
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment = f.make_assessment(application=application, stage=stage)
    return Interview(
        assessment=assessment,
        dignity=dignity,
        compassion=compassion,
        bob=f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR),
        dev=f.make_panellist(
            assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
        ),
        carol=f.make_panellist(
            assessment=assessment, user=carol, panel_role=Panellist.PanelRole.STAFF_PEER
        ),
    )


def answers(i: Interview, dignity: str, compassion: str, **extra: str) -> dict[str, str]:
    data = {
        f"level_{i.dignity.pk}": dignity,
        f"evidence_{i.dignity.pk}": extra.pop(
            "dignity_evidence", "Closed the door and asked first."
        ),
        f"level_{i.compassion.pk}": compassion,
        f"evidence_{i.compassion.pk}": extra.pop(
            "compassion_evidence", "Sat with her and listened."
        ),
        "recommendation": "yes",
        "summary": "",
    }
    data.update(extra)
    return data


def submit(client: Client, i: Interview, dignity: str, compassion: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        i.url("scorecard-edit"), {**answers(i, dignity, compassion, **extra), "submit": "1"}
    )


# -- The scorecard -----------------------------------------------------------------------------


def test_scorecard_shows_prompts_values_levels_and_not_observed(
    as_bob: Client, interview: Interview
) -> None:
    response = as_bob.get(interview.url("scorecard-edit"))
    assert response.status_code == 200
    page = response.text
    assert "Tell us about keeping someone&#x27;s dignity." in page
    assert "Dignity and respect" in page and "Essential" in page
    assert "Strong evidence" in page and "Not observed" in page
    assert "Question 2 of 2" in page


def test_someone_not_on_the_panel_cannot_open_a_scorecard(
    alice: User, interview: Interview
) -> None:
    assert signed_in(alice).get(interview.url("scorecard-edit")).status_code == 404


def test_saving_a_draft_keeps_everything_typed(as_bob: Client, interview: Interview) -> None:
    data = answers(interview, "3", "", compassion_evidence="Half a thought")
    response = as_bob.post(interview.url("scorecard-edit"), {**data, "save": "1"}, follow=True)
    assert "Draft saved" in response.text
    scorecard = interview.bob.scorecard
    assert scorecard.submitted_at is None
    assert {(s.criterion_id, s.level, s.evidence) for s in scorecard.scores.all()} == {
        (interview.dignity.pk, 3, "Closed the door and asked first."),
        (interview.compassion.pk, None, "Half a thought"),
    }
    page = as_bob.get(interview.url("scorecard-edit")).text
    assert "Half a thought" in page


def test_scorecard_page_shows_each_question_with_its_values_indicators_and_levels(
    as_bob: Client, interview: Interview
) -> None:
    value = interview.dignity.core_value
    value.indicators.create(kind="positive", text="Knocks before entering", order=1)
    value.indicators.create(kind="negative", text="Talks over the person", order=2)
    value.indicators.create(kind="positive", text="Asks how they like to be called", order=3)
    page = as_bob.get(interview.url("scorecard-edit")).text
    dignity = re.search(rf'id="criterion-{interview.dignity.pk}-title">(.*?)</section>', page, re.S)
    compassion = re.search(
        rf'id="criterion-{interview.compassion.pk}-title">(.*?)</section>', page, re.S
    )
    assert dignity is not None and compassion is not None
    assert "Question 1 of 2:</span> Tell us about keeping someone&#x27;s dignity." in dignity[1]
    assert '<span class="badge text-bg-warning">Essential</span>' in dignity[1]
    assert "What dignity and respect looks like" in dignity[1]
    assert (
        '<h3 class="h6">Shows the value</h3><ul><li>Knocks before entering</li>'
        "<li>Asks how they like to be called</li></ul>"
    ) in dignity[1]
    assert (
        '<h3 class="h6">Goes against it</h3><ul><li>Talks over the person</li></ul>' in dignity[1]
    )
    pk = interview.dignity.pk
    assert (
        f'<input type="radio" name="level_{pk}" value="3" class="form-check-input" '
        f'id="id_level_{pk}_2">\n'
        f'              <label class="form-check-label" for="id_level_{pk}_2">'
        "<strong>3 — Good evidence</strong><br>"
        '<span class="text-body-secondary">Good evidence</span></label>'
    ) in dignity[1]
    # A value without indicators has no "looks like" to open; nor is its question essential.
    assert "Question 2 of 2:" in compassion[1] and "looks like" not in compassion[1]
    assert "Essential" not in compassion[1]


def test_autosave_stores_the_draft_and_says_so(as_bob: Client, interview: Interview) -> None:
    response = as_bob.post(interview.url("scorecard-autosave"), answers(interview, "2", "n"))
    assert response.status_code == 200
    assert "Draft saved at" in response.text
    levels = {
        s.criterion_id: (s.level, s.not_observed) for s in interview.bob.scorecard.scores.all()
    }
    assert levels == {interview.dignity.pk: (2, False), interview.compassion.pk: (None, True)}


AWKWARD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "  padded  ",
            "line one\r\nline two\rthree\n",
            "nul\x00inside",
            "\x00",
            " \r\n ",
            "x" * (MAX_EVIDENCE + 3),  # over the limit: a draft keeps it whole
            "<b>bold</b> & more",
        ]
    ),
)
AWKWARD_CHOICE = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "n", "", "0", "5", " 3", "3\x00", "yes", "no", "maybe"]),
    st.text(max_size=5),
)


POSTED_NAMES = [
    *("level_1", "level_2", "level_9", "evidence_1", "evidence_2", "evidence_9"),
    *("recommendation", "summary"),
]


@settings(max_examples=200, deadline=None)
@given(
    posted=st.lists(
        st.tuples(
            st.sampled_from(POSTED_NAMES),
            st.one_of(AWKWARD_CHOICE, AWKWARD_TEXT),
        ),
        max_size=10,
    )
)
def test_an_autosave_reads_a_post_as_the_scorecard_form_reads_a_draft(
    posted: list[tuple[str, str]],
) -> None:
    data = QueryDict(mutable=True)
    for name, value in posted:  # a name posted twice counts once, as the form reads it
        data.appendlist(name, value)
    criteria = [Criterion(pk=1), Criterion(pk=2)]
    form = ScorecardForm(data, criteria=criteria)
    form.is_valid()
    draft = draft_from(data, [1, 2])
    assert draft.answers == form.answers()
    assert draft.recommendation == form.recommendation_value()
    assert draft.summary == form.summary_value()


def test_submit_needs_every_question_answered_and_keeps_the_draft(
    as_bob: Client, interview: Interview
) -> None:
    response = submit(as_bob, interview, "3", "", compassion_evidence="Typed but no level")
    assert response.status_code == 200
    assert "Choose a level, or “Not observed” if you saw none." in response.text
    assert "Typed but no level" in response.text
    scorecard = Scorecard.objects.get(panellist=interview.bob)
    assert scorecard.submitted_at is None
    assert scorecard.scores.get(criterion=interview.compassion).evidence == "Typed but no level"


@pytest.mark.parametrize("level", ["1", "4"])
def test_extreme_levels_need_evidence(as_bob: Client, interview: Interview, level: str) -> None:
    response = submit(as_bob, interview, level, "3", dignity_evidence="")
    assert f"Level {level} needs evidence" in response.text
    assert not Scorecard.objects.submitted().exists()


def test_middle_levels_and_not_observed_need_no_evidence(
    as_bob: Client, interview: Interview
) -> None:
    response = submit(as_bob, interview, "2", "n", dignity_evidence="", compassion_evidence="")
    assert response.status_code == 302
    assert Scorecard.objects.get(panellist=interview.bob).is_submitted


def test_submit_needs_a_recommendation(as_bob: Client, interview: Interview) -> None:
    response = submit(as_bob, interview, "3", "3", recommendation="")
    assert "Choose an overall recommendation" in response.text


def test_a_double_clicked_submit_creates_one_scorecard(
    as_bob: Client, interview: Interview
) -> None:
    submit(as_bob, interview, "3", "3")
    second = submit(as_bob, interview, "1", "1", dignity_evidence="changed?")
    assert second.status_code == 302
    assert Scorecard.objects.filter(panellist=interview.bob).count() == 1
    assert interview.bob.scorecard.scores.get(criterion=interview.dignity).level == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCORECARD_SUBMITTED).count() == 1


# -- Independence ------------------------------------------------------------------------------


def test_panellist_sees_no_other_scores_before_submitting(
    as_bob: Client, dev: User, interview: Interview
) -> None:
    as_dev = signed_in(dev)
    submit(as_bob, interview, "4", "4", dignity_evidence="BOB-SECRET-EVIDENCE")
    application = interview.assessment.application
    pages = [
        as_dev.get(interview.url("scorecard-edit")),
        as_dev.get(interview.url("assessment-debrief")),
        as_dev.post(interview.url("scorecard-autosave"), answers(interview, "", "")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "BOB-SECRET-EVIDENCE" not in response.text
        assert "Strong yes" not in response.text or "radio" in response.text
    # Dev is a panel member: the application page is staff-only.
    assert (
        as_dev.get(reverse("application-detail", args=["sunrise", application.pk])).status_code
        == 403
    )
    assert "Please submit your own scorecard first" in pages[1].text


def test_manager_on_the_panel_sees_no_grid_until_submitted(
    as_bob: Client, dev: User, interview: Interview
) -> None:
    submit(signed_in(dev), interview, "2", "2")
    url = reverse("application-detail", args=["sunrise", interview.assessment.application_id])
    before = as_bob.get(url)
    assert "scores are hidden until you do" in before.text
    assert before.context["grid"] is None
    submit(as_bob, interview, "3", "3")
    after = as_bob.get(url)
    assert after.context["grid"] is not None
    assert "Dignity and respect" in after.text


def test_debrief_waits_for_the_whole_panel_or_the_chair(
    as_bob: Client, dev: User, interview: Interview
) -> None:
    submit(as_bob, interview, "4", "4", dignity_evidence="BOB-EVIDENCE")
    submit(signed_in(dev), interview, "2", "2", dignity_evidence="DEV-EVIDENCE")
    waiting = as_bob.get(interview.url("assessment-debrief"))
    assert "2 of 3 scorecards submitted" in waiting.text
    assert "BOB-EVIDENCE" not in waiting.text and "DEV-EVIDENCE" not in waiting.text
    as_bob.post(interview.url("assessment-close"))
    debrief = as_bob.get(interview.url("assessment-debrief"))
    assert "BOB-EVIDENCE" in debrief.text and "DEV-EVIDENCE" in debrief.text


def test_panel_member_who_is_not_chair_cannot_close_scoring(
    dev: User, interview: Interview
) -> None:
    as_dev = signed_in(dev)
    submit(as_dev, interview, "3", "3")
    assert as_dev.post(interview.url("assessment-close")).status_code == 403


# -- Locking and amendment ---------------------------------------------------------------------


def test_submitted_scorecard_is_locked(as_bob: Client, interview: Interview) -> None:
    submit(as_bob, interview, "3", "3")
    autosave = as_bob.post(interview.url("scorecard-autosave"), answers(interview, "1", "1"))
    assert autosave.status_code == 409
    as_bob.post(interview.url("scorecard-edit"), {**answers(interview, "1", "1"), "save": "1"})
    assert interview.bob.scorecard.scores.get(criterion=interview.dignity).level == 3


def test_amendment_needs_a_reason_and_keeps_the_earlier_version(
    as_bob: Client, bob: User, interview: Interview
) -> None:
    submit(as_bob, interview, "3", "3", dignity_evidence="First version")
    refused = as_bob.post(
        interview.url("scorecard-amend"), answers(interview, "2", "3", dignity_evidence="Second")
    )
    assert refused.status_code == 200 and "This field is required" in refused.text
    as_bob.post(
        interview.url("scorecard-amend"),
        answers(interview, "2", "3", dignity_evidence="Second", reason="Misread my notes"),
    )
    scorecard = interview.bob.scorecard
    assert scorecard.scores.get(criterion=interview.dignity).level == 2
    revision = scorecard.revisions.get()
    assert revision.reason == "Misread my notes" and revision.amended_by == bob
    previous = {s["criterion_id"]: s for s in revision.previous["scores"]}
    assert previous[interview.dignity.pk]["level"] == 3
    assert previous[interview.dignity.pk]["evidence"] == "First version"
    page = as_bob.get(interview.url("scorecard-edit")).text
    assert "Misread my notes" in page and "First version" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCORECARD_AMENDED).exists()


# -- Debrief figures on a worked example ---------------------------------------------------------


def test_debrief_figures_on_a_worked_example(interview: Interview) -> None:
    # Dignity (essential): Bob 4, Carol 3, Dev 2 -> median 3, spread 2 -> disagreement.
    # Compassion: Bob 2, Carol not observed, Dev 2 -> median 2, spread 0, not essential.
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 4, interview.compassion: 2},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.carol,
        levels={interview.dignity: 3, interview.compassion: None},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 2, interview.compassion: 2},
        submitted=True,
    )
    debrief = scoring.debrief_for(interview.assessment)
    dignity, compassion = debrief.criteria
    assert (dignity.stats.median, dignity.stats.spread, dignity.disagreement) == (3, 2, True)
    assert dignity.weak_essential is False
    assert dignity.expert_stats.median == 2 and dignity.staff_stats.median == 3.5
    assert (compassion.stats.median, compassion.stats.spread) == (2, 0)
    assert compassion.stats.not_observed == 1 and not compassion.weak_essential
    assert debrief.flags == [
        "Panel differs by 2 levels on: Tell us about keeping someone's dignity."
    ]


def test_weak_essential_value_is_flagged(interview: Interview) -> None:
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 2, interview.compassion: 3},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 1, interview.compassion: 3},
        submitted=True,
    )
    debrief = scoring.debrief_for(interview.assessment)
    assert debrief.values[0].weak_essential
    assert "Weak evidence on an essential value: Dignity and respect" in debrief.flags


def test_unsubmitted_scorecards_never_reach_the_debrief(interview: Interview) -> None:
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 4, interview.compassion: 4},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 1, interview.compassion: 1},
        submitted=False,
    )
    debrief = scoring.debrief_for(interview.assessment)
    assert [s.level for s in debrief.criteria[0].scores] == [4]


def test_debrief_page_shows_levels_flags_and_both_views(
    as_bob: Client, interview: Interview
) -> None:
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 4, interview.compassion: 3},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.carol,
        levels={interview.dignity: 4, interview.compassion: 3},
        submitted=True,
    )
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 2, interview.compassion: 3},
        submitted=True,
    )
    page = as_bob.get(interview.url("assessment-debrief")).text
    assert "Panel differs by 2 levels" in page
    assert "Experts by experience" in page and "Dev Raman" in page
    assert "Evidence for level 2" in page


def _debrief_rows(page: str, prompt: str) -> tuple[list[str], str]:
    """The cells of a question's row on the debrief, and its evidence notes."""
    row = re.search(
        rf'<th scope="row">{re.escape(escape(prompt))}.*?</th>(.*?)</tr>\s*'
        r'(?:<tr class="evidence-row">(.*?)</tr>)?',
        page,
        re.S,
    )
    assert row is not None
    return re.findall(r"<td>(.*?)</td>", row.group(1), re.S), row.group(2) or ""


def test_debrief_table_shows_each_level_under_its_panellist(
    as_bob: Client, interview: Interview
) -> None:
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 4, interview.compassion: None},
        submitted=True,
    )
    f.make_scorecard(panellist=interview.carol, levels={interview.dignity: 1}, submitted=True)
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 3, interview.compassion: 2},
        submitted=True,
    )
    page = as_bob.get(interview.url("assessment-debrief")).text

    header = re.search(r'<th scope="col">Question</th>(.*?)<th scope="col">Median', page, re.S)
    assert header is not None
    columns = re.findall(
        r'<th scope="col">([^<]+)<br><small class="text-body-secondary">([^<]+)</small></th>',
        header.group(1),
    )
    # In panel-role order; the expert by experience named as such.
    assert columns == [
        (interview.bob.user.display_name, "Chair"),
        ("Dev Raman", "Expert by experience"),
        (interview.carol.user.display_name, "Staff peer"),
    ]
    assert page.count('<td colspan="7">') == 2  # an evidence row per question: 3 panellists + 4

    cells, notes = _debrief_rows(page, interview.dignity.prompt)
    assert cells == [
        '<span class="level level-4">4</span>',
        '<span class="level level-3">3</span>',
        '<span class="level level-1">1</span>',
        "3",  # median
        "3",  # spread
        '<span class="badge text-bg-warning">Panel differs by 3 levels</span>',
    ]
    assert notes.count("<li>") == 3

    cells, notes = _debrief_rows(page, interview.compassion.prompt)
    assert cells == [
        '<span class="level level-na">Not observed</span>',
        '<span class="level level-2">2</span>',
        '<span class="text-body-secondary">—</span>',  # Carol gave no score
        "2",
        "0",
        "",
    ]
    assert "<strong>Dev Raman:</strong> Evidence for level 2</li>" in notes
    assert f"<strong>{interview.carol.user.display_name}:" not in notes
    assert notes.count("<li>") == 2

    caption = re.search(
        r'<caption class="caption-top" id="value-1-caption">(.*?)</caption>', page, re.S
    )
    assert caption is not None
    assert "<strong>Dignity and respect</strong>" in caption.group(1)
    assert "— median 3; experts 3; staff 2.5" in caption.group(1)


def test_debrief_table_shows_a_dash_for_a_question_nobody_observed(
    as_bob: Client, interview: Interview
) -> None:
    for panellist, level in ((interview.bob, 3), (interview.carol, 3), (interview.dev, 4)):
        f.make_scorecard(
            panellist=panellist,
            levels={interview.dignity: None, interview.compassion: level},
            submitted=True,
        )
    page = as_bob.get(interview.url("assessment-debrief")).text
    cells, _ = _debrief_rows(page, interview.dignity.prompt)
    assert cells[3:] == ["—", "—", ' <span class="badge text-bg-danger">Weak essential</span>']
    cells, _ = _debrief_rows(page, interview.compassion.prompt)
    assert cells[3:] == ["3", "1", ""]  # a spread of one level is not flagged
    caption = re.search(r'id="value-1-caption">(.*?)</caption>', page, re.S)
    assert caption is not None
    assert "— median —\n" in caption.group(1)  # neither experts' nor staff's median
    assert "Weak evidence on an essential value" in caption.group(1)


@pytest.mark.parametrize("n", [1, 50])
def test_debrief_query_count_does_not_grow_with_criteria(
    as_bob: Client, sunrise: Provider, interview: Interview, django_assert_num_queries, n: int
) -> None:
    value = interview.dignity.core_value
    extra = [
        f.make_criterion(
            stage=interview.assessment.stage,
            # Every other criterion evidences a value of its own, mapped to a national value.
            core_value=value if i % 2 else _mapped_value(interview, i),
            order=10 + i,
        )
        for i in range(n)
    ]
    for panellist in (interview.bob, interview.dev, interview.carol):
        f.make_scorecard(
            panellist=panellist, levels={c: 3 for c in [interview.dignity, *extra]}, submitted=True
        )
    # the signed-in person with their membership, assessment, panellists with users and scorecards,
    # criteria, the submitted scorecards' scores, and one for the national values that the
    # stage's values evidence (however many values there are)
    with django_assert_num_queries(6):
        response = as_bob.get(interview.url("assessment-debrief"))
    assert response.status_code == 200
    assert "(evidences: Value 0 of the Pathway (Care Workforce Pathway))" in response.text


def _mapped_value(interview: Interview, i: int) -> CoreValue:
    """A new value of the interview's provider, evidencing a national value of its own."""
    value_set, _ = ValueSet.objects.get_or_create(
        slug="care-workforce-pathway", version=1, defaults={"name": "Care Workforce Pathway"}
    )
    national = NationalValue.objects.create(
        value_set=value_set, name=f"Value {i} of the Pathway", order=i
    )
    value = f.make_value(provider=interview.assessment.application.provider, order=10 + i)
    value.evidences.add(national)
    return value


def test_the_debrief_and_the_application_page_say_what_each_value_evidences(
    as_bob: Client, sunrise: Provider, interview: Interview
) -> None:
    value_set = ValueSet.objects.create(slug="cwp", version=1, name="Care Workforce Pathway")
    six_cs = ValueSet.objects.create(slug="6cs", version=1, name="The 6Cs", order=2)
    dignity = interview.dignity.core_value
    dignity.evidences.add(
        NationalValue.objects.create(value_set=value_set, name="Respect"),
        NationalValue.objects.create(value_set=six_cs, name="Care"),
    )
    for panellist in (interview.bob, interview.dev, interview.carol):
        f.make_scorecard(
            panellist=panellist,
            levels={interview.dignity: 3, interview.compassion: 2},
            submitted=True,
        )
    words = "evidences: Respect (Care Workforce Pathway); Care (The 6Cs)"

    debrief = as_bob.get(interview.url("assessment-debrief")).text
    application = as_bob.get(
        reverse("application-detail", args=[sunrise.slug, interview.assessment.application_id])
    ).text

    assert f'Dignity and respect</strong> <span class="text-body-secondary">({words})' in debrief
    # Compassion evidences nothing: no words for it.
    assert debrief.count("evidences:") == 1
    # In the value × stage grid, and in the key under the values profile chart.
    assert f'<small class="fw-normal text-body-secondary">{words}</small>' in application
    assert f"<li>Dignity and respect — {words}</li>" in application
    assert "Compassion — evidences" not in application


# -- Decisions ---------------------------------------------------------------------------------


def bob_has_scored(interview: Interview) -> None:
    """Bob chairs the panel: deciding waits for his own scorecard (independence)."""
    f.make_scorecard(
        panellist=interview.bob,
        levels={interview.dignity: 3, interview.compassion: 3},
        submitted=True,
    )


def decide(client: Client, application: Application, **data: str):  # type: ignore[no-untyped-def]
    """Send the decision form as the page draws it now (with the stage and latest decision it
    carries back, see tests/test_races.py)."""
    seen = workflow.seen_now(Application.objects.get(pk=application.pk))
    drawn = {"at_stage": seen.stage_id or "", "last_decision": seen.decision_id or ""}
    return client.post(reverse("decision-create", args=["sunrise", application.pk]), drawn | data)


def test_progress_moves_to_the_next_stage_with_history(
    as_bob: Client, interview: Interview
) -> None:
    bob_has_scored(interview)
    application = interview.assessment.application
    response = decide(as_bob, application, kind="progress", reasons="Strong on dignity")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.current_stage.name == "Shadowing"
    assert StageEntry.objects.filter(
        application=application, stage=application.current_stage
    ).exists()
    decision = application.decisions.get()
    assert decision.reasons == "Strong on dignity"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DECISION_RECORDED, application_id=application.pk
    ).exists()


def test_deciding_against_the_experts_needs_a_recorded_reason(
    as_bob: Client, interview: Interview
) -> None:
    bob_has_scored(interview)
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 1, interview.compassion: 1},
        submitted=True,
    )
    Scorecard.objects.filter(panellist=interview.dev).update(recommendation="strong_no")
    application = interview.assessment.application
    refused = decide(as_bob, application, kind="offer", reasons="Good interview")
    assert refused.status_code == 200
    assert "The experts by experience were negative" in refused.text
    assert "Good interview" in refused.text
    assert not application.decisions.exists()
    decide(
        as_bob,
        application,
        kind="offer",
        reasons="Good interview",
        override_reason="Dev saw a nervous moment; references strong",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
    assert application.decisions.get().override_reason.startswith("Dev saw")


def test_decision_with_the_experts_needs_no_override(as_bob: Client, interview: Interview) -> None:
    bob_has_scored(interview)
    f.make_scorecard(
        panellist=interview.dev,
        levels={interview.dignity: 1, interview.compassion: 1},
        submitted=True,
    )
    Scorecard.objects.filter(panellist=interview.dev).update(recommendation="no")
    application = interview.assessment.application
    assert decide(as_bob, application, kind="decline", reasons="Little evidence").status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED


def test_hiring_creates_an_outcome_to_fill_in_later(as_bob: Client, interview: Interview) -> None:
    bob_has_scored(interview)
    application = interview.assessment.application
    decide(as_bob, application, kind="hire", reasons="Everyone agreed")
    outcome = Outcome.objects.get(application=application)
    url = reverse("outcome-edit", args=["sunrise", application.pk])
    bad = as_bob.post(
        url,
        {
            "start_date": "2026-05-01",
            "probation": "passed",
            "left_on": "2026-04-01",
            "leaving_reason": "",
        },
    )
    assert "The leaving date must be on or after the start date." in bad.text
    as_bob.post(
        url,
        {"start_date": "2026-05-01", "probation": "passed", "left_on": "", "leaving_reason": ""},
    )
    outcome.refresh_from_db()
    assert outcome.probation == Outcome.Probation.PASSED
    assert str(outcome.start_date) == "2026-05-01"


def test_decisions_on_another_providers_application_are_a_404(
    as_charlie: Client, interview: Interview
) -> None:
    application = interview.assessment.application
    assert (
        as_charlie.get(reverse("decision-create", args=["hillside", application.pk])).status_code
        == 404
    )
    assert (
        as_charlie.get(reverse("decision-create", args=["sunrise", application.pk])).status_code
        == 404
    )


def test_panel_member_cannot_decide(dev: User, interview: Interview) -> None:
    url = reverse("decision-create", args=["sunrise", interview.assessment.application_id])
    assert signed_in(dev).get(url).status_code == 403


@pytest.mark.parametrize("n", [1, 50])
def test_application_page_query_count_does_not_grow(
    as_alice: Client, sunrise: Provider, interview: Interview, django_assert_num_queries, n: int
) -> None:
    for i in range(n):
        f.make_criterion(
            stage=interview.assessment.stage,
            core_value=_mapped_value(interview, i),
            order=20 + i,
        )
    f.make_scorecard(
        panellist=interview.bob,
        levels={c: 3 for c in interview.assessment.criteria()},
        submitted=True,
    )
    application = interview.assessment.application
    SummaryJob.objects.create(
        provider=sunrise,
        application=application,
        status=SummaryJob.Status.READY,
        finished_at=timezone.make_aware(datetime(2026, 3, 4, 9, 30)),
    )
    url = reverse("application-detail", args=["sunrise", application.pk])
    # The signed-in person with their membership, application with its outcome and latest
    # PDF summary; the role's stages with their criteria and the national values each
    # value evidences (each value here evidences one); assessments with their panels (each
    # person and scorecard); the grid's scores; decisions; checks before shadowing with
    # this application's ticks (no DBS certificate seen and no message sent: no query for
    # either). That is the whole page view: nothing is fetched on arrival (no
    # hx-trigger="load").
    with django_assert_num_queries(7):
        response = as_alice.get(url)
    assert response.status_code == 200
    assert f"evidences: Value {n - 1} of the Pathway (Care Workforce Pathway)" in response.text
    assert 'hx-trigger="load"' not in response.text
    assert "Download the PDF summary</a> (made 4 Mar 2026 09:30)" in response.text
    assert Membership.objects.get(user__username="alice").is_admin


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"level_5": "3"},
        {"level_5": "n", "evidence_5": 'Said <b>"hello"</b> & smiled'},
        {"level_5": '"><script>', "evidence_5": "x" * 5001},
        {"level_5": "1", "evidence_5": ""},
        {"level_5": ""},
    ],
)
def test_scorecard_inputs_are_the_markup_django_would_render(data: dict | None) -> None:
    from types import SimpleNamespace

    from vbr.recruitment.forms.scoring import ScorecardForm, input_tag, textarea_tag

    criterion = SimpleNamespace(pk=5)
    if data is None:
        initial = {"level_5": "4", "evidence_5": "Kept <the> door &amp; shut"}
        form = ScorecardForm(initial=initial, criteria=[criterion])
    else:
        form = ScorecardForm(data, criteria=[criterion], submitting=True)
        form.is_valid()
    radios = [*form["level_5"], *form["recommendation"]]
    assert [str(input_tag(radio)) for radio in radios] == [str(radio.tag()) for radio in radios]
    evidence = form["evidence_5"]
    assert str(textarea_tag(evidence)) == str(evidence)
    assert str(form.summary_tag()) == str(form["summary"])


def _count(client: Client, url: str, data: dict[str, str] | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code in (200, 302)
    return len(queries)


@pytest.mark.parametrize("n", [1, 30])
def test_scorecard_pages_query_counts_do_not_grow_with_criteria(
    as_bob: Client, interview: Interview, n: int
) -> None:
    for i in range(n):
        f.make_criterion(
            stage=interview.assessment.stage, core_value=interview.dignity.core_value, order=10 + i
        )
    criteria = list(interview.assessment.criteria())
    draft = {f"level_{c.pk}": "3" for c in criteria} | {f"evidence_{c.pk}": "ok" for c in criteria}
    as_bob.post(interview.url("scorecard-autosave"), draft)  # the scorecard and its scores exist
    draft[f"level_{interview.dignity.pk}"] = "2"
    # The signed-in person with their membership, panel place with its assessment, stage
    # and scorecard, criteria ids; savepoint, the scorecard saved if still a draft (which
    # locks it), its scores written (one statement); release. (The session comes from the
    # cache.)
    assert _count(as_bob, interview.url("scorecard-autosave"), draft) == 7
    # The signed-in person with their membership, panel place with its scorecard, the
    # scorecard's scores, criteria, indicators, the values answers the candidate wrote when
    # applying (shown at the first stage)
    assert _count(as_bob, interview.url("scorecard-edit")) == 6
    submit = draft | {"recommendation": "yes", "submit": "1"}
    # the signed-in person with their membership, panel place, criteria; savepoint, the application,
    # the assessment (with its status) and the scorecard locked in that order in one statement, its
    # scores written, the scorecard saved, the application's submitted answers read once; then seven
    # writes: its per-value totals, the panel places' flags, the assessment's progress with "scoring
    # open", its agreement tallies cleared and stored, the audit event, the provider's reports
    # version — one statement on PostgreSQL; release
    writes = 1 if connection.vendor == "postgresql" else 7
    assert _count(as_bob, interview.url("scorecard-edit"), submit) == 3 + 6 + writes


def test_the_first_submit_opens_scoring_and_stores_the_panels_progress(
    as_bob: Client, interview: Interview
) -> None:
    criteria = list(interview.assessment.criteria())
    submit = (
        {f"level_{c.pk}": "3" for c in criteria}
        | {f"evidence_{c.pk}": "Listened first" for c in criteria}
        | {"recommendation": "yes", "submit": "1"}
    )
    assert interview.assessment.status == Assessment.Status.SCHEDULED
    assert as_bob.post(interview.url("scorecard-edit"), submit).status_code == 302
    interview.assessment.refresh_from_db()
    # "Scoring open" is stored with the progress, in the same statement.
    assert interview.assessment.status == Assessment.Status.SCORING
    assert (interview.assessment.submitted_count, interview.assessment.panel_size) == (1, 3)
    assert interview.assessment.application.value_levels
