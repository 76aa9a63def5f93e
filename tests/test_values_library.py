"""The values library: a provider's values and behaviours, kept whole for past scorecards."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import CoreValue, Indicator, NationalValue
from vbr.recruitment.starter_values import STARTER_VALUES
from vbr.recruitment.workflow import copy_starter_values


def values_url(provider: Provider, name: str = "corevalue-list", *args: Any) -> str:
    return reverse(name, args=[provider.slug, *args])


def indicator_post(
    *, name: str, description: str = "", rows: list[tuple[str, str]], existing: int = 0
) -> dict[str, str]:
    """A POST of the value form: `rows` of (text, kind); the first `existing` carry ids
    that the caller adds."""
    data = {
        "name": name,
        "description": description,
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": str(existing),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for i, (text, kind) in enumerate(rows):
        data[f"indicators-{i}-text"] = text
        data[f"indicators-{i}-kind"] = kind
    return data


def test_copying_the_starter_set_adds_its_values_once(as_bob: Client, sunrise: Provider) -> None:
    first = as_bob.post(values_url(sunrise, "starter-values-copy"), follow=True)
    assert f"Added {len(STARTER_VALUES)} values from the starter set" in first.text
    assert "Compassion" in first.text
    assert "Notices distress or discomfort and responds gently" in first.text

    second = as_bob.post(values_url(sunrise, "starter-values-copy"), follow=True)
    assert "You already have every value of the starter set" in second.text
    assert sunrise.core_values.count() == len(STARTER_VALUES)
    assert Indicator.objects.filter(core_value__provider=sunrise).count() == sum(
        len(s.positive) + len(s.negative) for s in STARTER_VALUES
    )


def test_copying_the_starter_set_keeps_values_already_edited(sunrise: Provider) -> None:
    f.make_value(provider=sunrise, name="Compassion", order=1)
    created = copy_starter_values(provider=sunrise)
    assert "Compassion" not in [v.name for v in created]
    assert sunrise.core_values.get(name="Compassion").indicators.count() == 0
    # New values go after the provider's own.
    assert min(v.order for v in created) > 1


def test_manager_creates_a_value_with_positive_and_negative_behaviours(
    as_bob: Client, sunrise: Provider
) -> None:
    f.make_value(provider=sunrise, name="Courage", order=5)
    response = as_bob.post(
        values_url(sunrise, "corevalue-create"),
        indicator_post(
            name="Patience",
            description="Gives people the time they need.",
            rows=[
                ("Waits for an answer without finishing sentences", "positive"),
                ("Hurries people to fit the rota", "negative"),
                ("", "positive"),
            ],
        ),
        follow=True,
    )
    assert "Saved the value “Patience”" in response.text
    patience = sunrise.core_values.get(name="Patience")
    assert [(i.kind, i.text) for i in patience.indicators.all()] == [
        ("negative", "Hurries people to fit the rota"),
        ("positive", "Waits for an answer without finishing sentences"),
    ]
    assert "Hurries people to fit the rota" in response.text
    # A new value goes to the end of the library.
    assert [v.name for v in response.context["current_values"]] == ["Courage", "Patience"]
    assert AuditEvent.objects.filter(
        provider=sunrise, action=AuditEvent.Action.CRITERIA_CHANGED, subject_id=patience.pk
    ).exists()


def test_editing_a_value_changes_removes_and_adds_behaviours(
    as_alice: Client, sunrise: Provider
) -> None:
    value = f.make_value(provider=sunrise, name="Kindness")
    keep = Indicator.objects.create(core_value=value, text="Smiles", kind="positive")
    drop = Indicator.objects.create(core_value=value, text="Ignores people", kind="negative")
    data = indicator_post(
        name="Kindness and warmth",
        rows=[
            ("Smiles and says hello", "positive"),
            ("Ignores people", "negative"),
            ("Offers help", "positive"),
        ],
        existing=2,
    )
    data.update(
        {
            "indicators-0-id": str(keep.pk),
            "indicators-1-id": str(drop.pk),
            "indicators-1-DELETE": "on",
        }
    )
    response = as_alice.post(values_url(sunrise, "corevalue-edit", value.pk), data)
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.name == "Kindness and warmth"
    assert sorted(value.indicators.values_list("text", flat=True)) == [
        "Offers help",
        "Smiles and says hello",
    ]


def test_a_value_with_errors_comes_back_with_everything_typed(
    as_bob: Client, sunrise: Provider
) -> None:
    f.make_value(provider=sunrise, name="Courage")
    response = as_bob.post(
        values_url(sunrise, "corevalue-create"),
        indicator_post(
            name="courage",
            description="Speaks up about poor care.",
            rows=[("Raises concerns with the manager", "positive"), ("Stays quiet", "negative")],
        ),
    )
    assert response.status_code == 200
    assert "You already have a value with this name." in response.text
    assert 'value="courage"' in response.text
    assert "Speaks up about poor care." in response.text
    assert 'value="Raises concerns with the manager"' in response.text
    assert 'value="Stays quiet"' in response.text
    assert '<option value="negative" selected>' in response.text
    assert sunrise.core_values.count() == 1


def test_asking_for_more_rows_keeps_what_was_typed_and_saves_nothing(
    as_bob: Client, sunrise: Provider
) -> None:
    data = indicator_post(name="", rows=[("Listens well", "positive")])
    data["add_rows"] = "1"
    response = as_bob.post(values_url(sunrise, "corevalue-create"), data)
    assert response.status_code == 200
    assert 'value="Listens well"' in response.text
    assert "This field is required" not in response.text
    assert len(response.context["formset"].forms) == 4
    assert not sunrise.core_values.exists()


def test_values_move_up_and_down_with_buttons(as_bob: Client, sunrise: Provider) -> None:
    first = f.make_value(provider=sunrise, name="First", order=1)
    f.make_value(provider=sunrise, name="Second", order=2)
    third = f.make_value(provider=sunrise, name="Third", order=3)

    as_bob.post(values_url(sunrise, "corevalue-move", third.pk), {"direction": "up"})
    as_bob.post(values_url(sunrise, "corevalue-move", first.pk), {"direction": "down"})
    # Already last: nothing moves.
    as_bob.post(values_url(sunrise, "corevalue-move", first.pk), {"direction": "down"})
    as_bob.post(values_url(sunrise, "corevalue-move", first.pk), {"direction": "down"})

    names = [v.name for v in as_bob.get(values_url(sunrise)).context["current_values"]]
    assert names == ["Third", "Second", "First"]


def test_moving_needs_a_post(as_bob: Client, sunrise: Provider) -> None:
    value = f.make_value(provider=sunrise)
    assert as_bob.get(values_url(sunrise, "corevalue-move", value.pk)).status_code == 405


def test_retired_value_leaves_the_criterion_choices_but_past_scorecards_keep_it(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    courage = f.make_value(provider=sunrise, name="Courage")
    f.make_value(provider=sunrise, name="Compassion")
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=courage, prompt="When did you speak up?")
    assessment = f.make_assessment(application=f.make_application(role=role), stage=stage)
    panellist = f.make_panellist(assessment=assessment, user=bob)
    f.make_scorecard(panellist=panellist, levels={criterion: 3}, submitted=True)

    response = as_bob.post(values_url(sunrise, "corevalue-retire", courage.pk), follow=True)
    assert "Retired “Courage”" in response.text
    assert response.context["retired_values"] == [courage]
    courage.refresh_from_db()
    assert courage.is_retired

    # The past assessment still reads its criterion and value.
    assert [(c.prompt, c.core_value.name) for c in assessment.criteria()] == [
        ("When did you speak up?", "Courage")
    ]
    # New criteria are not offered the retired value.
    other = f.make_stage(role=role, name="Group activity", order=2)
    form = as_bob.get(reverse("criterion-create", args=[sunrise.slug, role.pk, other.pk])).context[
        "form"
    ]
    assert [v.name for v in form.fields["core_value"].queryset] == ["Compassion"]
    # A used value cannot be deleted, only retired.
    deleted = as_bob.post(values_url(sunrise, "corevalue-delete", courage.pk), follow=True)
    assert "cannot be deleted. Retire it instead." in deleted.text
    assert CoreValue.objects.filter(pk=courage.pk).exists()

    restored = as_bob.post(values_url(sunrise, "corevalue-restore", courage.pk), follow=True)
    assert [v.name for v in restored.context["current_values"]] == ["Compassion", "Courage"]


def test_an_unused_value_can_be_deleted_after_confirming(as_bob: Client, sunrise: Provider) -> None:
    value = f.make_value(provider=sunrise, name="Typo valeu")
    confirm = as_bob.get(values_url(sunrise, "corevalue-delete", value.pk))
    assert "Delete “Typo valeu”?" in confirm.text
    response = as_bob.post(values_url(sunrise, "corevalue-delete", value.pk), follow=True)
    assert "Deleted “Typo valeu”" in response.text
    assert not sunrise.core_values.exists()


@pytest.mark.parametrize(
    "name", ["corevalue-edit", "corevalue-delete", "corevalue-retire", "corevalue-move"]
)
def test_another_providers_value_is_a_404(
    as_charlie: Client, hillside: Provider, sunrise: Provider, name: str
) -> None:
    value = f.make_value(provider=sunrise, name="Sunrise only")
    url = values_url(hillside, name, value.pk)
    assert as_charlie.post(url).status_code == 404
    assert as_charlie.get(values_url(sunrise)).status_code == 404


def test_values_list_shows_only_this_providers_values(
    as_charlie: Client, hillside: Provider, sunrise: Provider
) -> None:
    f.make_value(provider=sunrise, name="Sunrise only")
    f.make_value(provider=hillside, name="Hillside own")
    response = as_charlie.get(values_url(hillside))
    assert "Hillside own" in response.text
    assert "Sunrise only" not in response.text


@pytest.mark.parametrize(
    "name,post",
    [("corevalue-list", False), ("corevalue-create", False), ("starter-values-copy", True)],
)
def test_panel_member_cannot_manage_values(
    as_dev: Client, sunrise: Provider, name: str, post: bool
) -> None:
    url = values_url(sunrise, name)
    response = as_dev.post(url) if post else as_dev.get(url)
    assert response.status_code == 403
    assert not sunrise.core_values.exists()


def test_staff_see_values_in_the_navigation_and_panel_members_do_not(
    as_bob: Client, as_dev: Client, sunrise: Provider
) -> None:
    link = f'href="{values_url(sunrise)}"'
    assert link in as_bob.get(reverse("provider-home", args=[sunrise.slug])).text
    assert f'{link} aria-current="page"' in as_bob.get(values_url(sunrise)).text
    assert link not in as_dev.get(reverse("provider-home", args=[sunrise.slug])).text


@pytest.mark.parametrize("n", [1, 50])
def test_values_list_query_count_does_not_grow(
    as_bob: Client, sunrise: Provider, django_assert_num_queries: Any, n: int
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    workflow.load_value_sets()
    respect = NationalValue.objects.get(name="Respect")
    for i in range(n):
        value = f.make_value(provider=sunrise, name=f"Value {i}", order=i)
        Indicator.objects.create(core_value=value, text=f"Shows {i}", kind="positive")
        Indicator.objects.create(core_value=value, text=f"Against {i}", kind="negative")
        f.make_criterion(stage=stage, core_value=value)
        value.evidences.add(respect)
        if i % 2:
            value.retire()
    # the signed-in person with their membership, values with use counts, their indicators, the
    # national values they evidence (with their sets), the sets to start from
    with django_assert_num_queries(5):
        response = as_bob.get(values_url(sunrise))
    assert len(response.context["current_values"]) + len(response.context["retired_values"]) == n
    assert f"Against {n - 1}" in response.text
    assert response.text.count("Evidences: Respect (Care Workforce Pathway).") == n
    assert 'Start from this set<span class="visually-hidden">: The 6Cs</span>' in response.text


def test_another_providers_behaviour_cannot_be_edited_through_a_value_form(
    as_bob: Client, sunrise: Provider, hillside: Provider
) -> None:
    ours = f.make_value(provider=sunrise, name="Kindness")
    theirs = Indicator.objects.create(
        core_value=f.make_value(provider=hillside, name="Theirs"), text="Hillside text"
    )
    data = indicator_post(name="Kindness", rows=[("Overwritten", "positive")], existing=1)
    data["indicators-0-id"] = str(theirs.pk)
    as_bob.post(values_url(sunrise, "corevalue-edit", ours.pk), data)
    theirs.refresh_from_db()
    assert (theirs.text, theirs.core_value.name) == ("Hillside text", "Theirs")
    assert list(Indicator.objects.values_list("core_value__name", "text")) == [
        ("Theirs", "Hillside text")
    ]
