"""A provider's own questions and activities: a manager writes one from scratch, in plain and
easy-read words, and changes or removes it. The shared library stays read-only, another
provider's items are not found, and a stage that copied an item keeps its own words."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.test_question_bank import make_bank_item, make_national_value
from vbr.accounts.models import Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import BankItem, CoreValue

WORDS = {
    "kind": BankItem.Kind.SHADOWING_BEHAVIOUR,
    "title": "",
    "prompt": "Watch how they offer a drink: do they ask what the person would like?",
    "prompt_easy_read": "Did they ask what drink I wanted?",
    "level_1": "Made a drink without asking",
    "level_1_easy_read": "They did not ask me.",
    "level_2": "Asked, but offered only tea",
    "level_2_easy_read": "They asked, but only about tea.",
    "level_3": "Asked what the person would like and made it",
    "level_3_easy_read": "They asked what I wanted.",
    "level_4": "Asked, showed the choices, and made it how the person likes it",
    "level_4_easy_read": "They showed me the choices and made it my way.",
}


def own_url(name: str, provider: Provider, *args: int) -> str:
    return reverse(name, args=[provider.slug, *args])


def write(client: Client, provider: Provider, value: CoreValue, **changes: Any) -> Any:
    data = WORDS | {"core_value": value.pk} | changes
    return client.post(own_url("bank-item-new", provider), data, follow=True)


def own_item(
    provider: Provider, value: CoreValue, prompt: str = "Ask how they like it"
) -> BankItem:
    """One of the provider's own items, for `value` and a national value of its own."""
    item = make_bank_item(national_value=make_national_value(name=f"Respect: {prompt}"))
    item.provider, item.core_value, item.prompt = provider, value, prompt
    item.save()
    return item


def test_a_manager_writes_a_question_of_their_own_in_plain_and_easy_read_words(
    as_bob: Client, as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    choice = f.make_value(provider=sunrise, name="Choice")
    choice.evidences.add(make_national_value(name="See the whole person"))

    page = write(as_bob, sunrise, choice).text

    item = sunrise.bank_items.get()
    assert "Added “Watch how they offer a drink: do they ask what the person would like?”" in page
    assert (item.core_value, item.kind, item.national_value.name) == (
        choice,
        BankItem.Kind.SHADOWING_BEHAVIOUR,
        "See the whole person",
    )
    assert item.level_4_easy_read == "They showed me the choices and made it my way."
    assert "For Choice, evidencing See the whole person (Care Workforce Pathway)." in page
    assert "Easy read:</span> Did they ask what drink I wanted?" in page
    # Listed first on the bank page, to add to any stage; nobody else sees it.
    bank = as_bob.get(own_url("bank-list", sunrise)).text
    assert "Your own questions and activities" in bank and "offer a drink" in bank
    assert "offer a drink" not in as_charlie.get(own_url("bank-list", hillside)).text
    assert "offer a drink" not in as_charlie.get(own_url("bank-own-list", hillside)).text


def test_a_form_with_a_gap_keeps_what_was_typed_and_offers_only_our_values(
    as_bob: Client, sunrise: Provider, hillside: Provider
) -> None:
    ours = f.make_value(provider=sunrise, name="Choice")
    theirs = f.make_value(provider=hillside, name="Hillside kindness")
    form = as_bob.get(own_url("bank-item-new", sunrise)).text
    assert "Choice" in form and "Hillside kindness" not in form

    missing = write(as_bob, sunrise, ours, level_3="").text
    other = write(as_bob, sunrise, theirs).text

    assert "This field is required." in missing
    assert "They showed me the choices and made it my way." in missing
    assert "Select a valid choice." in other
    assert not BankItem.objects.filter(provider__isnull=False).exists()
    assert ours.pk


def test_changing_or_removing_an_item_never_changes_a_stage_that_copied_it(
    as_bob: Client, sunrise: Provider, bob: User
) -> None:
    choice = f.make_value(provider=sunrise, name="Choice")
    write(as_bob, sunrise, choice)
    item = sunrise.bank_items.get()
    stage = f.make_stage(role=f.make_role(provider=sunrise))
    criterion = workflow.copy_bank_item_into_stage(item=item, stage=stage, core_value=choice)

    listed = as_bob.get(own_url("bank-own-list", sunrise)).text
    changed = as_bob.post(
        own_url("bank-item-edit", sunrise, item.pk),
        WORDS
        | {
            "core_value": choice.pk,
            "title": "Offering a drink",
            "prompt": "Do they let the person make the drink themselves if they can?",
            "prompt_easy_read": "Did they let me make it?",
            "level_4": "Helped the person make it themselves",
        },
        follow=True,
    ).text

    assert "Used in 1 stage question, which keeps its own words." in listed
    assert (
        "Saved “Offering a drink”. Stages that already use it keep the words they had." in changed
    )
    item.refresh_from_db()
    assert item.prompt_easy_read == "Did they let me make it?"
    criterion.refresh_from_db()
    assert criterion.prompt == WORDS["prompt"]
    assert criterion.prompt_easy_read == "Did they ask what drink I wanted?"
    assert criterion.level_4 == WORDS["level_4"]

    confirm = as_bob.get(own_url("bank-item-delete", sunrise, item.pk)).text
    removed = as_bob.post(own_url("bank-item-delete", sunrise, item.pk), follow=True).text

    assert "The 1 stage question copied from it stays as it is." in confirm
    assert "Removed “Offering a drink” from your question bank." in removed
    assert not sunrise.bank_items.exists()
    criterion.refresh_from_db()
    assert (criterion.prompt, criterion.bank_item_id) == (WORDS["prompt"], None)


def test_shared_and_other_providers_items_cannot_be_changed_or_removed(
    as_bob: Client, as_charlie: Client, sunrise: Provider, hillside: Provider
) -> None:
    shared = make_bank_item(national_value=make_national_value())
    ours = own_item(sunrise, f.make_value(provider=sunrise))
    for name in ("bank-item-edit", "bank-item-delete"):
        assert as_bob.get(own_url(name, sunrise, shared.pk)).status_code == 404
        assert as_bob.post(own_url(name, sunrise, shared.pk), WORDS).status_code == 404
        assert as_charlie.get(own_url(name, hillside, ours.pk)).status_code == 404
        assert as_charlie.post(own_url(name, hillside, ours.pk), WORDS).status_code == 404
        assert as_charlie.get(own_url(name, sunrise, ours.pk)).status_code == 404
    shared.refresh_from_db()
    ours.refresh_from_db()
    assert (
        shared.prompt.startswith("Tell us about a time") and ours.prompt == "Ask how they like it"
    )
    # The bank page offers no change to the shared items.
    bank = as_bob.get(own_url("bank-list", sunrise)).text
    assert own_url("bank-item-edit", sunrise, shared.pk) not in bank


def test_the_workflow_refuses_a_shared_item_or_another_providers_value(
    sunrise: Provider, hillside: Provider
) -> None:
    shared = make_bank_item(national_value=make_national_value())
    with pytest.raises(workflow.NotThisProvidersItem):
        workflow.save_own_bank_item(item=shared, provider=sunrise)
    with pytest.raises(workflow.NotThisProvidersItem):
        workflow.remove_own_bank_item(item=shared)
    theirs = own_item(hillside, f.make_value(provider=hillside))
    with pytest.raises(workflow.NotThisProvidersItem):
        workflow.save_own_bank_item(item=theirs, provider=sunrise)


@pytest.mark.parametrize("n", [1, 50])
def test_own_items_page_query_count_does_not_grow(
    as_bob: Client, sunrise: Provider, django_assert_num_queries: Any, n: int
) -> None:
    value = f.make_value(provider=sunrise, name="Choice")
    for i in range(n):
        own_item(sunrise, value, prompt=f"Question {i}")
    # the signed-in person with their membership, the items with their values, national values,
    # sets and how many criteria were copied from each
    with django_assert_num_queries(2):
        page = as_bob.get(own_url("bank-own-list", sunrise))
    assert page.text.count("Change<span") == n
