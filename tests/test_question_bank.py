"""The question and activity bank: items copied into a stage become criteria of their own, frozen
like any other once scored; editing the bank never changes them."""

from __future__ import annotations

import pytest

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
        level_1_easy_read="No",
        level_2_easy_read="A little",
        level_3_easy_read="Yes",
        level_4_easy_read="Yes, a lot",
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
    assert criterion.easy_levels()[4] == "Yes, a lot"
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
