"""National value sets from the fixtures: loading is safe to repeat and version-aware, every
value comes with questions and activities, and a provider's copy is its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories as f
from vbr.accounts.models import Provider
from vbr.recruitment import workflow
from vbr.recruitment.models import BankItem, Indicator, NationalValue, ValueSet
from vbr.recruitment.value_sets import fixtures_dir

# The universal care sector values of the Care Workforce Pathway, as the Pathway names them.
PATHWAY_VALUES = [
    "Kind, compassionate and empathetic",
    "Honest, trustworthy and reliable",
    "Respect",
    "Courageous and principled",
    "See the whole person",
    "Flexible, open and learning",
    "Proud and positive",
]
SIX_CS = ["Care", "Compassion", "Competence", "Communication", "Courage", "Commitment"]


def test_loading_the_sets_twice_stores_them_once(db: None) -> None:
    first = workflow.load_value_sets()
    counts = (ValueSet.objects.count(), NationalValue.objects.count(), BankItem.objects.count())
    second = workflow.load_value_sets()

    assert len(first.sets_added) == 3 and first.bank_items_added == BankItem.objects.count()
    assert second.sets_added == () and len(second.sets_kept) == 3
    assert (second.bank_items_added, second.bank_items_updated) == (0, 0)
    assert counts == (
        ValueSet.objects.count(),
        NationalValue.objects.count(),
        BankItem.objects.count(),
    )
    pathway = ValueSet.objects.get(slug="care-workforce-pathway")
    assert [v.name for v in pathway.national_values.all()] == PATHWAY_VALUES
    six_cs = ValueSet.objects.get(slug="six-cs")
    assert [v.name for v in six_cs.national_values.all()] == SIX_CS


def test_the_command_says_what_it_loaded(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_value_sets")
    call_command("load_value_sets")
    out = capsys.readouterr().out
    assert "Added Care Workforce Pathway (version 1)" in out
    assert "Already loaded: Care Workforce Pathway (version 1)" in out
    assert "Question bank: 0 added, 0 updated" in out


def test_every_value_of_every_set_has_questions_and_activities_in_both_wordings(
    db: None,
) -> None:
    workflow.load_value_sets()
    for national in NationalValue.objects.prefetch_related("bank_items"):
        items = list(national.bank_items.all())
        assert len(items) >= 3, national.label
        assert national.positive_indicators and national.negative_indicators, national.label
        assert len({item.kind for item in items}) >= 2, national.label
        for item in items:
            assert item.prompt and item.prompt_easy_read, item.key
            assert all(plain and easy for _, plain, easy in item.level_descriptions()), item.key


def _copy_fixtures(to: Path) -> Path:
    folder = to / "value_sets"
    shutil.copytree(fixtures_dir(), folder)
    return folder


def test_a_new_version_is_added_beside_the_old_and_leaves_providers_alone(
    sunrise: Provider, tmp_path: Path
) -> None:
    folder = _copy_fixtures(tmp_path)
    workflow.load_value_sets(folder=folder)
    v1 = ValueSet.objects.get(slug="care-workforce-pathway", version=1)
    adopted = workflow.adopt_value_set(provider=sunrise, value_set=v1)
    respect = sunrise.core_values.get(name="Respect")
    respect.description = "Our own words about respect"
    respect.save()

    raw = json.loads((folder / "care-workforce-pathway.json").read_text())
    raw["version"] = 2
    raw["values"][2]["description"] = "A new description in version 2"
    raw["values"][2]["positive"].append("A new indicator in version 2")
    (folder / "care-workforce-pathway-v2.json").write_text(json.dumps(raw))
    loaded = workflow.load_value_sets(folder=folder)

    assert loaded.sets_added == ("Care Workforce Pathway (version 2)",)
    assert ValueSet.objects.filter(slug="care-workforce-pathway").count() == 2
    assert [
        s.version for s in ValueSet.objects.latest_versions() if s.slug == "care-workforce-pathway"
    ] == [2]
    v1_respect = v1.national_values.get(name="Respect")
    assert v1_respect.description != "A new description in version 2"
    # What Sunrise adopted is untouched and still evidences version 1.
    respect.refresh_from_db()
    assert respect.description == "Our own words about respect"
    assert list(respect.evidences.all()) == [v1_respect]
    assert not respect.indicators.filter(text="A new indicator in version 2").exists()
    assert len(adopted.created) == 7


def test_changed_bank_wording_updates_the_library_but_not_criteria_made_from_it(
    sunrise: Provider, tmp_path: Path
) -> None:
    folder = _copy_fixtures(tmp_path)
    workflow.load_value_sets(folder=folder)
    item = BankItem.objects.get(key="a-choice-you-disagreed-with")
    stage = f.make_stage(role=f.make_role(provider=sunrise))
    respect = f.make_value(provider=sunrise, name="Respect")
    criterion = workflow.copy_bank_item_into_stage(item=item, stage=stage, core_value=respect)

    path = folder / "care-workforce-pathway.json"
    path.write_text(path.read_text().replace("How did you respect it?", "What did you do?"))
    loaded = workflow.load_value_sets(folder=folder)

    item.refresh_from_db()
    criterion.refresh_from_db()
    assert loaded.bank_items_updated == 1
    assert item.prompt.endswith("What did you do?")
    assert criterion.prompt.endswith("How did you respect it?")


def test_starting_from_a_set_copies_values_and_indicators_and_maps_them(
    sunrise: Provider,
) -> None:
    workflow.load_value_sets()
    six_cs = ValueSet.objects.get(slug="six-cs")
    f.make_value(provider=sunrise, name="Courage")  # Sunrise's own, kept as it is

    first = workflow.adopt_value_set(provider=sunrise, value_set=six_cs)
    again = workflow.adopt_value_set(provider=sunrise, value_set=six_cs)

    assert [v.name for v in first.created] == [n for n in SIX_CS if n != "Courage"]
    assert [v.name for v in first.mapped] == ["Courage"]
    assert again.created == ()
    assert sunrise.core_values.count() == 6
    care = sunrise.core_values.get(name="Care")
    national_care = six_cs.national_values.get(name="Care")
    assert care.description == national_care.description
    assert (
        list(care.indicators.filter(kind=Indicator.Kind.POSITIVE).values_list("text", flat=True))
        == national_care.positive_indicators
    )
    assert list(care.evidences.all()) == [national_care]
    courage = sunrise.core_values.get(name="Courage")
    assert courage.evidences.get().label == "Courage (The 6Cs)"
    assert not courage.indicators.exists()
