"""Setting up a role: stages in order, criteria per stage, the value × stage matrix, and
criteria that freeze once somebody has been scored against them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.recruitment.models import CoreValue, Criterion, Role, Stage
from vbr.recruitment.scoring import value_stage_matrix
from vbr.recruitment.starter_values import (
    DEFAULT_INTERVIEW_LEVELS,
    DEFAULT_OBSERVATION_LEVELS,
    STARTER_BEHAVIOURS,
    STARTER_QUESTIONS,
)
from vbr.recruitment.workflow import start_new_criteria_version


def setup_url(role: Role) -> str:
    return reverse("role-setup", args=[role.provider.slug, role.pk])


def stage_url(name: str, stage: Stage, *args: Any) -> str:
    return reverse(name, args=[stage.role.provider.slug, stage.role_id, stage.pk, *args])


def criterion_post(core_value: CoreValue, prompt: str = "Tell us about a time you helped") -> dict:
    return {
        "prompt": prompt,
        "core_value": str(core_value.pk),
        "level_1": "None",
        "level_2": "Some",
        "level_3": "Good",
        "level_4": "Strong",
        "essential": "on",
    }


@pytest.fixture
def compassion(sunrise: Provider) -> CoreValue:
    return f.make_value(provider=sunrise, name="Compassion", order=1)


@pytest.fixture
def courage(sunrise: Provider) -> CoreValue:
    return f.make_value(provider=sunrise, name="Courage", order=2)


@pytest.fixture
def care_assistant(sunrise: Provider) -> Role:
    return f.make_role(provider=sunrise, title="Care assistant")


def test_manager_creates_a_role_and_is_taken_to_its_setup(
    as_bob: Client, sunrise: Provider
) -> None:
    response = as_bob.post(
        reverse("role-create", args=[sunrise.slug]),
        {"title": "Night care assistant", "description": "Waking nights", "is_open": "on"},
        follow=True,
    )
    role = sunrise.roles.get()
    assert role.title == "Night care assistant" and role.is_open
    assert response.redirect_chain[-1][0] == setup_url(role)
    assert "This role has no stages yet" in response.text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_CHANGED, subject_id=role.pk
    ).exists()


def test_provider_home_offers_a_new_role_and_the_role_page_links_to_setup(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    home = as_bob.get(reverse("provider-home", args=[sunrise.slug]))
    assert reverse("role-create", args=[sunrise.slug]) in home.text
    role_page = as_bob.get(care_assistant.get_absolute_url())
    assert "Set up stages and criteria" in role_page.text
    assert setup_url(care_assistant) in role_page.text


def test_editing_a_role_can_close_it(
    as_alice: Client, sunrise: Provider, care_assistant: Role
) -> None:
    response = as_alice.post(
        reverse("role-edit", args=[sunrise.slug, care_assistant.pk]),
        {"title": "Senior care assistant", "description": ""},
        follow=True,
    )
    care_assistant.refresh_from_db()
    assert care_assistant.title == "Senior care assistant"
    assert not care_assistant.is_open
    assert "Closed" in response.text
    # Copying stages is offered when creating a role only.
    form = as_alice.get(reverse("role-edit", args=[sunrise.slug, care_assistant.pk])).context[
        "form"
    ]
    assert "copy_stages_from" not in form.fields


def test_a_new_role_can_copy_the_stages_and_current_criteria_of_another(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    compassion: CoreValue,
    courage: CoreValue,
) -> None:
    interview = f.make_stage(role=care_assistant, name="Values interview", order=1)
    shadowing = f.make_stage(
        role=care_assistant, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    f.make_criterion(stage=interview, core_value=compassion, prompt="Old question", version=1)
    interview.criteria_version = 2
    interview.save()
    f.make_criterion(stage=interview, core_value=compassion, prompt="Current question")
    f.make_criterion(stage=shadowing, core_value=courage, prompt="Speaks up", essential=True)

    response = as_bob.post(
        reverse("role-create", args=[sunrise.slug]),
        {
            "title": "Night care assistant",
            "is_open": "on",
            "copy_stages_from": str(care_assistant.pk),
        },
        follow=True,
    )

    night = sunrise.roles.get(title="Night care assistant")
    copied = list(night.stages.order_by("order"))
    assert [(s.name, s.kind, s.order, s.criteria_version) for s in copied] == [
        ("Values interview", "interview", 1, 1),
        ("Shadowing", "shadowing", 2, 1),
    ]
    assert [c.prompt for c in copied[0].current_criteria()] == ["Current question"]
    speaks_up = copied[1].current_criteria().get()
    assert speaks_up.core_value == courage and speaks_up.essential
    assert "Current question" in response.text and "Old question" not in response.text
    # The template role is untouched.
    assert care_assistant.stages.count() == 2


def test_copying_stages_from_another_providers_role_is_refused(
    as_charlie: Client, hillside: Provider, care_assistant: Role
) -> None:
    f.make_stage(role=care_assistant)
    response = as_charlie.post(
        reverse("role-create", args=[hillside.slug]),
        {"title": "Copycat", "copy_stages_from": str(care_assistant.pk)},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not hillside.roles.exists()


def test_stages_are_added_reordered_edited_and_deleted(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    for name, kind in [
        ("Interview", "interview"),
        ("Shadowing", "shadowing"),
        ("Group task", "group_activity"),
    ]:
        as_bob.post(
            reverse("stage-create", args=[sunrise.slug, care_assistant.pk]),
            {"name": name, "kind": kind, "description": ""},
        )
    interview, shadowing, group = care_assistant.stages.order_by("order")
    assert [s.order for s in (interview, shadowing, group)] == [1, 2, 3]

    as_bob.post(stage_url("stage-move", group), {"direction": "up"})
    as_bob.post(
        stage_url("stage-edit", shadowing), {"name": "Shadowing on Oak wing", "kind": "shadowing"}
    )
    confirm = as_bob.get(stage_url("stage-delete", interview))
    assert "Delete the stage “Interview”?" in confirm.text
    assert care_assistant.stages.count() == 3
    as_bob.post(stage_url("stage-delete", interview))

    page = as_bob.get(setup_url(care_assistant))
    assert [s.name for s in page.context["stages"]] == ["Group task", "Shadowing on Oak wing"]
    assert "1. Group task" in page.text


def test_a_stage_with_candidates_cannot_be_deleted(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    stage = f.make_stage(role=care_assistant)
    f.make_application(role=care_assistant, stage=stage)
    page = as_bob.get(setup_url(care_assistant))
    assert stage_url("stage-delete", stage) not in page.text
    assert as_bob.get(stage_url("stage-delete", stage)).status_code == 302
    response = as_bob.post(stage_url("stage-delete", stage), follow=True)
    assert "has candidates or assessments, so it cannot be deleted" in response.text
    assert care_assistant.stages.filter(pk=stage.pk).exists()


def test_new_interview_criterion_starts_from_the_default_levels(
    as_bob: Client, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    form = as_bob.get(stage_url("criterion-create", stage)).context["form"]
    assert form.initial["level_1"] == DEFAULT_INTERVIEW_LEVELS[0]
    assert form.initial["level_4"] == DEFAULT_INTERVIEW_LEVELS[3]
    assert DEFAULT_INTERVIEW_LEVELS[0] in as_bob.get(stage_url("criterion-create", stage)).text


def test_criteria_are_added_edited_and_deleted(
    as_bob: Client, care_assistant: Role, compassion: CoreValue, courage: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    as_bob.post(stage_url("criterion-create", stage), criterion_post(compassion))
    criterion = stage.current_criteria().get()
    assert criterion.essential and criterion.version == 1 and criterion.core_value == compassion

    as_bob.post(
        stage_url("criterion-edit", stage, criterion.pk),
        criterion_post(courage, prompt="When did you speak up?"),
    )
    criterion.refresh_from_db()
    assert (criterion.prompt, criterion.core_value) == ("When did you speak up?", courage)
    page = as_bob.get(setup_url(care_assistant))
    assert "When did you speak up?" in page.text

    as_bob.post(stage_url("criterion-delete", stage, criterion.pk))
    assert not stage.criteria.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CRITERIA_CHANGED).count() == 3


def criteria_in_page_order(page: str, stage: Stage) -> list[str]:
    """The prompts in the stage's criteria table, top to bottom, as the manager reads them."""
    table = page[page.index(f"Criteria of {stage.name}") :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row" class="fw-normal">([^<]*)</th>', table)


def test_criteria_are_put_in_order_with_buttons_not_position_numbers(
    as_bob: Client, care_assistant: Role, compassion: CoreValue, courage: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    form = as_bob.get(stage_url("criterion-create", stage))
    assert "Position" not in form.text and 'name="order"' not in form.text
    f.make_criterion(stage=stage, core_value=courage, prompt="First question", order=7)
    for prompt in ("Second question", "Third question"):
        as_bob.post(stage_url("criterion-create", stage), criterion_post(compassion, prompt))
    page = as_bob.get(setup_url(care_assistant)).text
    # New criteria go last.
    assert criteria_in_page_order(page, stage) == [
        "First question",
        "Second question",
        "Third question",
    ]

    third = stage.current_criteria().get(prompt="Third question")
    moved = as_bob.post(
        stage_url("criterion-move", stage, third.pk), {"direction": "up"}, follow=True
    )
    assert "Moved “Third question” earlier." in moved.text
    assert criteria_in_page_order(moved.text, stage) == [
        "First question",
        "Third question",
        "Second question",
    ]
    first = stage.current_criteria().get(prompt="First question")
    as_bob.post(stage_url("criterion-move", stage, first.pk), {"direction": "down"})
    page = as_bob.get(setup_url(care_assistant)).text
    assert criteria_in_page_order(page, stage) == [
        "Third question",
        "First question",
        "Second question",
    ]
    # Scorecards ask them in the same order.
    assessment = f.make_assessment(application=f.make_application(role=care_assistant), stage=stage)
    assert [c.prompt for c in assessment.criteria().order_by("order", "pk")] == [
        "Third question",
        "First question",
        "Second question",
    ]
    assert AuditEvent.objects.filter(summary__startswith="Moved criterion").count() == 2


def test_save_and_add_another_comes_back_to_an_empty_criterion_form(
    as_bob: Client, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    response = as_bob.post(
        stage_url("criterion-create", stage),
        {**criterion_post(compassion, "First question"), "another": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == stage_url("criterion-create", stage)
    assert "Added the criterion. Now add the next one." in response.text
    assert "First question" not in response.text
    assert DEFAULT_INTERVIEW_LEVELS[0] in response.text
    assert stage.current_criteria().count() == 1


def test_a_frozen_criterion_cannot_be_moved(
    as_bob: Client, bob: User, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    first = f.make_criterion(stage=stage, core_value=compassion, prompt="First", order=1)
    f.make_criterion(stage=stage, core_value=compassion, prompt="Second", order=2)
    submit_scorecard(stage=stage, user=bob)
    response = as_bob.post(
        stage_url("criterion-move", stage, first.pk), {"direction": "down"}, follow=True
    )
    assert "cannot change" in response.text
    assert [c.prompt for c in stage.current_criteria().order_by("order")] == ["First", "Second"]
    assert 'Move later<span class="visually-hidden">: criterion' not in response.text


def test_starter_questions_give_an_interview_one_question_per_value(
    as_bob: Client, sunrise: Provider, care_assistant: Role, compassion: CoreValue
) -> None:
    interview = f.make_stage(role=care_assistant, name="First interview")
    f.make_criterion(stage=interview, core_value=compassion, prompt="Our own question", order=1)
    page = as_bob.get(setup_url(care_assistant))
    assert "Add the interview questions from the starter set" in page.text
    assert "Add the observed behaviours from the starter set" not in page.text

    response = as_bob.post(stage_url("starter-questions-add", interview), follow=True)

    criteria = list(interview.current_criteria().order_by("order").select_related("core_value"))
    # After the stage's own question, one per starter value, on the interview levels.
    assert [c.prompt for c in criteria] == ["Our own question"] + [
        q.prompt for q in STARTER_QUESTIONS
    ]
    assert {c.core_value.name for c in criteria[1:]} == {q.value for q in STARTER_QUESTIONS}
    assert criteria[2].core_value == compassion
    assert criteria[1].level_1 == DEFAULT_INTERVIEW_LEVELS[0]
    assert "Added 6 interview questions." in response.text
    for question in STARTER_QUESTIONS:
        assert question.prompt in response.text.replace("&#x27;", "'")
    again = as_bob.post(stage_url("starter-questions-add", interview), follow=True)
    assert "already has every starter question" in again.text
    assert interview.criteria.count() == len(STARTER_QUESTIONS) + 1


def test_the_stage_kind_is_shown_only_when_the_name_does_not_say_it(
    as_bob: Client, care_assistant: Role
) -> None:
    f.make_stage(role=care_assistant, name="Values interview", order=1)
    f.make_stage(
        role=care_assistant, name="Shadowing on the ground floor", kind="shadowing", order=2
    )
    f.make_stage(role=care_assistant, name="Meet the residents", kind="shadowing", order=3)
    page = as_bob.get(setup_url(care_assistant)).text
    headings = re.findall(r'<h3 class="h5 card-title mb-1">(.*?)</h3>', page)
    assert headings == [
        "1. Values interview",
        "2. Shadowing on the ground floor",
        '3. Meet the residents <span class="badge text-bg-light">Shadowing</span>',
    ]


def test_a_criterion_cannot_evidence_another_providers_value(
    as_bob: Client, hillside: Provider, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    theirs = f.make_value(provider=hillside, name="Hillside value")
    response = as_bob.post(stage_url("criterion-create", stage), criterion_post(theirs))
    assert response.status_code == 200
    assert "Choose one of your organisation&#x27;s current values." in response.text
    assert "Tell us about a time you helped" in response.text
    assert not stage.criteria.exists()
    choices = [v.name for v in response.context["form"].fields["core_value"].queryset]
    assert choices == ["Compassion"]


@pytest.mark.parametrize("name", ["role-setup", "role-edit", "stage-create"])
def test_another_providers_role_is_a_404(
    as_charlie: Client, hillside: Provider, care_assistant: Role, name: str
) -> None:
    assert as_charlie.get(reverse(name, args=[hillside.slug, care_assistant.pk])).status_code == 404


@pytest.mark.parametrize(
    "name,method",
    [
        ("stage-edit", "get"),
        ("stage-delete", "post"),
        ("stage-move", "post"),
        ("criterion-create", "get"),
        ("criteria-version-create", "post"),
        ("starter-behaviours-add", "post"),
    ],
)
def test_another_providers_stage_is_a_404(
    as_charlie: Client, hillside: Provider, care_assistant: Role, name: str, method: str
) -> None:
    stage = f.make_stage(role=care_assistant)
    # Even under one of Charlie's own roles, Sunrise's stage is not found.
    own_role = f.make_role(provider=hillside)
    for role_id in (care_assistant.pk, own_role.pk):
        url = reverse(name, args=[hillside.slug, role_id, stage.pk])
        assert getattr(as_charlie, method)(url).status_code == 404
    assert care_assistant.stages.filter(pk=stage.pk).exists()


def test_panel_member_cannot_set_up_roles(
    as_dev: Client, sunrise: Provider, care_assistant: Role
) -> None:
    stage = f.make_stage(role=care_assistant)
    assert as_dev.get(setup_url(care_assistant)).status_code == 403
    assert as_dev.get(reverse("role-create", args=[sunrise.slug])).status_code == 403
    assert as_dev.post(stage_url("stage-delete", stage)).status_code == 403
    assert care_assistant.stages.exists()


def test_starter_behaviours_fill_a_shadowing_stage_with_the_providers_values(
    as_bob: Client, sunrise: Provider, care_assistant: Role, compassion: CoreValue
) -> None:
    shadowing = f.make_stage(role=care_assistant, name="Shadowing", kind=Stage.Kind.SHADOWING)
    page = as_bob.get(setup_url(care_assistant))
    assert "Add the observed behaviours from the starter set" in page.text

    response = as_bob.post(stage_url("starter-behaviours-add", shadowing), follow=True)

    criteria = list(shadowing.current_criteria().select_related("core_value"))
    assert [c.prompt for c in criteria] == [b.prompt for b in STARTER_BEHAVIOURS]
    # Compassion was the provider's own; the other values came from the starter set.
    warmth = criteria[0]
    assert warmth.core_value == compassion
    assert {c.core_value.name for c in criteria} == {b.value for b in STARTER_BEHAVIOURS}
    assert sunrise.core_values.get(name="Person-centred").indicators.exists()
    assert "Added these values from the starter set to your library" in response.text
    # Twice adds nothing.
    again = as_bob.post(stage_url("starter-behaviours-add", shadowing), follow=True)
    assert "already has every observed behaviour" in again.text
    assert shadowing.criteria.count() == len(STARTER_BEHAVIOURS)


def test_matrix_counts_criteria_per_value_and_stage_and_lists_uncovered_values(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    compassion: CoreValue,
    courage: CoreValue,
) -> None:
    dignity = f.make_value(provider=sunrise, name="Dignity", order=3)
    teamwork = f.make_value(provider=sunrise, name="Working together", order=4)
    honesty = f.make_value(provider=sunrise, name="Honesty", order=5)
    interview = f.make_stage(role=care_assistant, name="Interview", order=1)
    shadowing = f.make_stage(
        role=care_assistant, name="Shadowing", order=2, kind=Stage.Kind.SHADOWING
    )
    f.make_criterion(stage=interview, core_value=compassion)
    f.make_criterion(stage=interview, core_value=compassion)
    f.make_criterion(stage=interview, core_value=courage)
    f.make_criterion(stage=shadowing, core_value=compassion)
    f.make_criterion(stage=shadowing, core_value=dignity)
    # A retired value still used by the role stays as a row; an unused one disappears.
    f.make_criterion(stage=shadowing, core_value=teamwork)
    teamwork.retire()
    f.make_value(provider=sunrise, name="Old value", order=6).retire()
    # An older criteria version does not count.
    f.make_criterion(stage=interview, core_value=honesty, version=1)
    interview.criteria_version = 2
    interview.save()
    Criterion.objects.filter(stage=interview, version=1).exclude(core_value=honesty).update(
        version=2
    )

    response = as_bob.get(setup_url(care_assistant))
    matrix = response.context["matrix"]

    assert [(row.core_value.name, row.counts) for row in matrix.rows] == [
        ("Compassion", (2, 1)),
        ("Courage", (1, 0)),
        ("Dignity", (0, 1)),
        ("Working together", (0, 1)),
        ("Honesty", (0, 0)),
    ]
    assert [v.name for v in matrix.uncovered] == ["Honesty"]
    assert "Values no stage covers" in response.text


def test_matrix_of_a_role_without_criteria_lists_every_current_value_as_uncovered(
    compassion: CoreValue, courage: CoreValue, care_assistant: Role
) -> None:
    stage = f.make_stage(role=care_assistant)
    matrix = value_stage_matrix(stages=[stage], criteria=[], current_values=[compassion, courage])
    assert [row.counts for row in matrix.rows] == [(0,), (0,)]
    assert list(matrix.uncovered) == [compassion, courage]


def submit_scorecard(*, stage: Stage, user: User) -> Any:
    """A candidate assessed at `stage` on its current version, with one submitted scorecard."""
    assessment = f.make_assessment(application=f.make_application(role=stage.role), stage=stage)
    panellist = f.make_panellist(assessment=assessment, user=user)
    levels: dict[Criterion, int | None] = dict.fromkeys(assessment.criteria(), 3)
    f.make_scorecard(panellist=panellist, levels=levels, submitted=True)
    return assessment


def test_criteria_freeze_once_a_scorecard_is_submitted_and_a_new_version_takes_changes(
    as_bob: Client, bob: User, care_assistant: Role, compassion: CoreValue, courage: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    criterion = f.make_criterion(stage=stage, core_value=compassion, prompt="Original question")
    assert not stage.criteria_frozen()
    # A draft scorecard does not freeze anything.
    draft = f.make_assessment(application=f.make_application(role=care_assistant), stage=stage)
    f.make_scorecard(panellist=f.make_panellist(assessment=draft, user=bob))
    assert not stage.criteria_frozen()

    old = submit_scorecard(stage=stage, user=bob)
    assert stage.criteria_frozen()

    refused = as_bob.post(
        stage_url("criterion-edit", stage, criterion.pk),
        criterion_post(courage, prompt="Changed question"),
        follow=True,
    )
    assert "cannot change" in refused.text
    criterion.refresh_from_db()
    assert criterion.prompt == "Original question"
    add = as_bob.post(stage_url("criterion-create", stage), criterion_post(courage), follow=True)
    assert "cannot change" in add.text
    as_bob.post(stage_url("criterion-delete", stage, criterion.pk))
    assert stage.criteria.count() == 1
    assert "Start a new version for later candidates" in refused.text

    page = as_bob.post(stage_url("criteria-version-create", stage), follow=True)
    assert "Started version 2" in page.text
    stage.refresh_from_db()
    assert stage.criteria_version == 2
    assert not stage.criteria_frozen()

    new_criterion = stage.current_criteria().get()
    as_bob.post(
        stage_url("criterion-edit", stage, new_criterion.pk),
        criterion_post(courage, prompt="Changed question"),
    )
    # The old assessment keeps what it was scored against; a new one uses the new version.
    assert [(c.prompt, c.core_value) for c in old.criteria()] == [("Original question", compassion)]
    later = f.make_assessment(application=f.make_application(role=care_assistant), stage=stage)
    assert later.criteria_version == 2
    assert [(c.prompt, c.core_value) for c in later.criteria()] == [("Changed question", courage)]
    # The old version's criterion cannot be reached for editing any more.
    assert as_bob.get(stage_url("criterion-edit", stage, criterion.pk)).status_code == 404


def test_a_new_version_is_only_started_when_the_criteria_are_frozen(
    as_bob: Client, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    f.make_criterion(stage=stage, core_value=compassion)
    response = as_bob.post(stage_url("criteria-version-create", stage), follow=True)
    assert "can still be changed as they are" in response.text
    stage.refresh_from_db()
    assert stage.criteria_version == 1


def test_starting_a_new_version_copies_every_current_criterion(
    bob: User, care_assistant: Role, compassion: CoreValue, courage: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    f.make_criterion(stage=stage, core_value=compassion, order=1, essential=True)
    f.make_criterion(stage=stage, core_value=courage, order=2)
    assert start_new_criteria_version(stage=stage, actor=bob) == 2
    assert [(c.core_value, c.order, c.essential) for c in stage.criteria.filter(version=2)] == [
        (compassion, 1, True),
        (courage, 2, False),
    ]
    assert stage.criteria.filter(version=1).count() == 2


@pytest.mark.parametrize("n", [1, 50])
def test_role_setup_query_count_does_not_grow(
    as_bob: Client,
    bob: User,
    sunrise: Provider,
    care_assistant: Role,
    django_assert_num_queries: Any,
    n: int,
) -> None:
    for i in range(n):
        value = f.make_value(provider=sunrise, name=f"Value {i}", order=i)
        stage = f.make_stage(role=care_assistant, name=f"Stage {i}", order=i)
        f.make_criterion(stage=stage, core_value=value, prompt=f"Question {i}")
        f.make_criterion(stage=stage, core_value=value, prompt=f"Behaviour {i}")
    submit_scorecard(stage=stage, user=bob)
    f.make_application(role=care_assistant, stage=stage)
    # the signed-in person with their membership, role, stages with frozen/in-use flags,
    # current criteria with values, current values
    with django_assert_num_queries(5):
        response = as_bob.get(setup_url(care_assistant))
    assert len(response.context["stages"]) == n
    assert f"Behaviour {n - 1}" in response.text
    assert "Start a new version for later candidates" in response.text


def test_a_shadowing_criterion_starts_from_observation_levels(
    as_bob: Client, care_assistant: Role, compassion: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant, kind=Stage.Kind.SHADOWING)
    form = as_bob.get(stage_url("criterion-create", stage)).context["form"]
    assert form.initial["level_1"] == DEFAULT_OBSERVATION_LEVELS[0]


def test_editing_a_criterion_keeps_its_retired_value(
    as_bob: Client, care_assistant: Role, compassion: CoreValue, courage: CoreValue
) -> None:
    stage = f.make_stage(role=care_assistant)
    criterion = f.make_criterion(stage=stage, core_value=courage, prompt="Speak up?")
    courage.retire()
    response = as_bob.post(
        stage_url("criterion-edit", stage, criterion.pk),
        criterion_post(courage, prompt="When did you speak up?"),
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.prompt, criterion.core_value) == ("When did you speak up?", courage)


@pytest.mark.parametrize("n", [1, 20])
def test_whether_criteria_are_frozen_is_one_query_however_many_assessments(
    bob: User, care_assistant: Role, compassion: CoreValue, django_assert_num_queries: Any, n: int
) -> None:
    stage = f.make_stage(role=care_assistant)
    f.make_criterion(stage=stage, core_value=compassion)
    for _ in range(n):
        submit_scorecard(stage=stage, user=bob)
    stage = Stage.objects.get(pk=stage.pk)
    # one EXISTS over submitted scorecards on the stage's current version
    with django_assert_num_queries(1):
        assert stage.criteria_frozen()


# Every route of this feature: (URL name, needs a POST, what kind of object it takes).
SETUP_ROUTES = [
    ("corevalue-list", False, ""),
    ("corevalue-create", False, ""),
    ("starter-values-copy", True, ""),
    ("corevalue-edit", False, "value"),
    ("corevalue-move", True, "value"),
    ("corevalue-retire", True, "value"),
    ("corevalue-restore", True, "value"),
    ("corevalue-delete", False, "value"),
    ("role-create", False, ""),
    ("role-edit", False, "role"),
    ("role-setup", False, "role"),
    ("stage-create", False, "role"),
    ("stage-edit", False, "stage"),
    ("stage-move", True, "stage"),
    ("stage-delete", False, "stage"),
    ("criterion-create", False, "stage"),
    ("criterion-edit", False, "criterion"),
    ("criterion-delete", True, "criterion"),
    ("criterion-move", True, "criterion"),
    ("criteria-version-create", True, "stage"),
    ("starter-behaviours-add", True, "stage"),
    ("starter-questions-add", True, "stage"),
]


@pytest.mark.parametrize("name,post,kind", SETUP_ROUTES)
def test_every_setup_route_answers_staff_and_refuses_panel_members_and_outsiders(
    client: Client,
    alice: User,
    bob: User,
    dev: User,
    charlie: User,
    sunrise: Provider,
    care_assistant: Role,
    compassion: CoreValue,
    name: str,
    post: bool,
    kind: str,
) -> None:
    stage = f.make_stage(role=care_assistant, kind=Stage.Kind.SHADOWING)
    criterion = f.make_criterion(stage=stage, core_value=compassion)
    args: list[Any] = {
        "": [],
        "value": [compassion.pk],
        "role": [care_assistant.pk],
        "stage": [care_assistant.pk, stage.pk],
        "criterion": [care_assistant.pk, stage.pk, criterion.pk],
    }[kind]
    url = reverse(name, args=[sunrise.slug, *args])
    # Refusals first, so that nothing has been changed when they are checked; then one
    # staff member (a second could find the object already deleted).
    staff = bob if name.endswith("delete") else alice
    expected = {dev: {403}, charlie: {404}, staff: {200, 302}}
    for person, statuses in expected.items():
        client.force_login(person)
        response = client.post(url) if post else client.get(url)
        assert response.status_code in statuses, (person.username, response.status_code)
