"""The question and activity bank: items copied into a stage become criteria of their own, frozen
like any other once scored; editing the bank never changes them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import BankItem, NationalValue, Panellist, ValueSet


def make_national_value(*, name: str = "Respect") -> NationalValue:
    value_set, _ = ValueSet.objects.get_or_create(
        slug="care-workforce-pathway", version=1, defaults={"name": "Care Workforce Pathway"}
    )
    return NationalValue.objects.create(value_set=value_set, name=name, order=1)


def make_bank_item(
    *,
    national_value: NationalValue,
    kind: str = BankItem.Kind.INTERVIEW_QUESTION,
    prompt: str = "Tell us about a time you respected someone's choice you disagreed with.",
    provider: Provider | None = None,
) -> BankItem:
    return BankItem.objects.create(
        provider=provider,
        national_value=national_value,
        kind=kind,
        title="A choice you disagreed with",
        prompt=prompt,
        prompt_easy_read="Did they let the person choose?",
        level_1="Overrode the person's choice",
        level_2="Went along with it but grudgingly",
        level_3="Respected the choice and explained why",
        level_4="Respected it and helped the person carry it out safely",
        level_1_easy_read="They chose for the person.",
        level_2_easy_read="They let the person choose, but were not happy.",
        level_3_easy_read="They let the person choose.",
        level_4_easy_read="They let the person choose, and helped them do it.",
    )


def test_a_bank_item_copied_into_a_stage_keeps_its_wording_after_the_bank_changes(
    sunrise: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    respect = f.make_value(provider=sunrise, name="Respect")
    item = make_bank_item(national_value=make_national_value())

    criterion = workflow.copy_bank_item_into_stage(item=item, stage=stage, core_value=respect)

    item.prompt = "A different question altogether"
    item.prompt_easy_read = "Something else"
    item.level_4 = "Changed"
    item.save()
    criterion.refresh_from_db()
    assert criterion.prompt.startswith("Tell us about a time you respected")
    assert criterion.easy_prompt == "Did they let the person choose?"
    assert criterion.level_4 == "Respected it and helped the person carry it out safely"
    assert criterion.easy_levels()[4] == "They let the person choose, and helped them do it."
    assert criterion.core_value == respect
    assert criterion.version == stage.criteria_version
    assert list(stage.current_criteria()) == [criterion]


def test_no_bank_item_goes_into_a_stage_once_its_criteria_are_scored(
    sunrise: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    respect = f.make_value(provider=sunrise, name="Respect")
    first = f.make_criterion(stage=stage, core_value=respect)
    application = f.make_application(role=role, stage=stage)
    assessment = f.make_assessment(application=application, stage=stage)
    panellist = f.make_panellist(assessment=assessment, user=bob)
    f.make_scorecard(panellist=panellist, levels={first: 3}, submitted=True)
    item = make_bank_item(national_value=make_national_value())

    with pytest.raises(workflow.CriteriaFrozen):
        workflow.copy_bank_item_into_stage(item=item, stage=stage, core_value=respect)
    assert list(stage.current_criteria()) == [first]

    # A new version takes it, and carries the easy-read wording forward to later versions.
    workflow.start_new_criteria_version(stage=stage, actor=bob)
    stage.refresh_from_db()
    criterion = workflow.copy_bank_item_into_stage(item=item, stage=stage, core_value=respect)
    workflow.start_new_criteria_version(stage=stage, actor=bob)
    stage.refresh_from_db()
    carried = stage.current_criteria().get(bank_item=item)
    assert carried.pk != criterion.pk
    assert carried.prompt_easy_read == "Did they let the person choose?"
    assert Panellist.objects.filter(assessment=assessment).count() == 1


def test_another_providers_bank_item_or_value_cannot_be_copied(
    sunrise: Provider, hillside: Provider
) -> None:
    stage = f.make_stage(role=f.make_role(provider=sunrise))
    ours = f.make_value(provider=sunrise, name="Respect")
    theirs = f.make_value(provider=hillside, name="Respect")
    national = make_national_value()
    their_item = make_bank_item(national_value=national, provider=hillside)
    shared = make_bank_item(national_value=national)

    with pytest.raises(workflow.NotThisProvidersItem):
        workflow.copy_bank_item_into_stage(item=their_item, stage=stage, core_value=ours)
    with pytest.raises(workflow.NotThisProvidersItem):
        workflow.copy_bank_item_into_stage(item=shared, stage=stage, core_value=theirs)
    assert not stage.criteria.exists()
    assert list(BankItem.objects.available_to(sunrise)) == [shared]


# -- The bank page and adding from it ----------------------------------------------------------


def bank_url(provider: Provider, **query: object) -> str:
    url = reverse("bank-list", args=[provider.slug])
    return f"{url}?{urlencode(query)}" if query else url


@pytest.mark.parametrize("n", [1, 50])
def test_bank_page_query_count_does_not_grow(
    as_bob: Client, sunrise: Provider, django_assert_num_queries: Any, n: int
) -> None:
    national = make_national_value()
    for i in range(n):
        make_bank_item(national_value=national, prompt=f"Question {i}")
    make_bank_item(national_value=national, provider=sunrise, prompt="Our own question")
    stage = f.make_stage(role=f.make_role(provider=sunrise))
    for i in range(n):
        f.make_value(provider=sunrise, name=f"Value {i}").evidences.add(national)
    # 1 the signed-in person with their membership (the session comes from the cache);
    # 2 the sets; 3 the stage with its flags; 4 the set's values; 5 the shared items; 6 the
    # provider's own; 7-8 the provider's values and what they evidence.
    with django_assert_num_queries(8):
        response = as_bob.get(bank_url(sunrise, stage=stage.pk))
    page = response.content.decode()
    assert page.count("Add to Values interview") == n + 1
    assert "Our own question" in page


def test_the_bank_shows_items_by_value_and_kind_and_never_another_providers(
    as_bob: Client, sunrise: Provider, hillside: Provider
) -> None:
    respect = make_national_value()
    make_bank_item(national_value=respect, prompt="An interview question about respect")
    make_bank_item(
        national_value=respect,
        kind=BankItem.Kind.SCENARIO,
        prompt="A scenario about respect",
    )
    make_bank_item(national_value=respect, provider=hillside, prompt="Hillside's own question")

    everything = as_bob.get(bank_url(sunrise)).content.decode()
    scenarios = as_bob.get(bank_url(sunrise, kind=BankItem.Kind.SCENARIO)).content.decode()

    assert '<h2 class="h4" id="value-' in everything and ">Respect</h2>" in everything
    assert "An interview question about respect" in everything
    assert "A scenario about respect" in everything
    assert "Hillside's own question" not in everything
    assert "A scenario about respect" in scenarios
    assert "An interview question about respect" not in scenarios
    # Without a stage there is nothing to add to.
    assert "Add to" not in everything


def test_manager_adds_a_bank_item_to_a_stage_from_the_bank_page(
    as_bob: Client, sunrise: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    respect = f.make_value(provider=sunrise, name="Respect")
    item = make_bank_item(national_value=make_national_value())

    setup = as_bob.get(reverse("role-setup", args=[sunrise.slug, role.pk])).content.decode()
    assert f"?stage={stage.pk}&amp;kind=interview_question" in setup
    page = as_bob.get(bank_url(sunrise, stage=stage.pk)).content.decode()
    # The value of the same name is chosen already.
    assert f'<option value="{respect.pk}" selected>Respect</option>' in page
    response = as_bob.post(
        reverse("bank-item-add", args=[sunrise.slug, role.pk, stage.pk, item.pk]),
        {"core_value": respect.pk, "kind": "interview_question"},
        follow=True,
    )

    assert "Added “A choice you disagreed with” to Values interview" in response.content.decode()
    criterion = stage.current_criteria().get()
    assert criterion.prompt == item.prompt and criterion.core_value == respect
    assert response.redirect_chain[-1][0].endswith(f"#bank-item-{item.pk}")


def test_another_providers_stage_or_value_is_refused(
    as_bob: Client, sunrise: Provider, hillside: Provider
) -> None:
    item = make_bank_item(national_value=make_national_value())
    their_role = f.make_role(provider=hillside)
    their_stage = f.make_stage(role=their_role)
    our_role = f.make_role(provider=sunrise)
    our_stage = f.make_stage(role=our_role)
    their_value = f.make_value(provider=hillside, name="Respect")

    assert as_bob.get(bank_url(sunrise, stage=their_stage.pk)).status_code == 404
    url = reverse("bank-item-add", args=[sunrise.slug, their_role.pk, their_stage.pk, item.pk])
    assert as_bob.post(url, {"core_value": their_value.pk}).status_code == 404
    ours = reverse("bank-item-add", args=[sunrise.slug, our_role.pk, our_stage.pk, item.pk])
    response = as_bob.post(ours, {"core_value": their_value.pk}, follow=True)
    assert "Choose which of your values this evidences" in response.content.decode()
    assert not their_stage.criteria.exists() and not our_stage.criteria.exists()


def test_easy_read_scorecard_shows_the_bank_items_easy_read_words(
    as_dev: Client, sunrise: Provider, dev: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    respect = f.make_value(provider=sunrise, name="Respect")
    workflow.copy_bank_item_into_stage(
        item=make_bank_item(national_value=make_national_value()),
        stage=stage,
        core_value=respect,
    )
    assessment = f.make_assessment(application=f.make_application(role=role), stage=stage)
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )

    page = as_dev.get(
        reverse("easy-question", args=[sunrise.slug, assessment.pk, 1])
    ).content.decode()

    assert "Did they let the person choose?" in page
    assert "Tell us about a time you respected" not in page
    assert "They let the person choose, and helped them do it." in page
    assert "I saw this a lot." not in page
    assert "Went along with it" not in page


def test_a_criterion_saved_to_the_bank_is_offered_to_other_roles_of_this_provider_only(
    as_bob: Client, as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    kindness = f.make_value(provider=sunrise, name="Kindness")
    kindness.evidences.add(make_national_value(name="Kind, compassionate and empathetic"))
    criterion = f.make_criterion(
        stage=stage, core_value=kindness, prompt="How do you cheer someone up on a bad day?"
    )
    url = reverse("criterion-to-bank", args=[sunrise.slug, role.pk, stage.pk, criterion.pk])

    setup = as_bob.get(reverse("role-setup", args=[sunrise.slug, role.pk])).text
    assert "Save to our bank" in setup
    first = as_bob.post(url, follow=True).text
    again = as_bob.post(url, follow=True).text

    assert "Saved “How do you cheer someone up on a bad day?” to your question bank" in first
    assert "is already in your question bank" in again
    item = sunrise.bank_items.get()
    assert (item.kind, item.core_value, item.prompt) == (
        BankItem.Kind.INTERVIEW_QUESTION,
        kindness,
        criterion.prompt,
    )
    other_stage = f.make_stage(role=f.make_role(provider=sunrise, title="Night care"))
    page = as_bob.get(bank_url(sunrise, stage=other_stage.pk)).text
    assert "Your own questions and activities" in page
    assert (
        "Ours, for Kindness, evidencing Kind, compassionate and empathetic "
        "(Care Workforce Pathway)" in page
    )
    assert f'<option value="{kindness.pk}" selected>Kindness</option>' in page
    theirs = as_charlie.get(bank_url(hillside)).text
    assert "cheer someone up" not in theirs
