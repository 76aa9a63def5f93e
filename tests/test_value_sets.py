"""National value sets from the fixtures: loading is safe to repeat and version-aware, every
value comes with questions and activities, and a provider's copy is its own."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.recruitment import pdf, workflow
from vbr.recruitment.models import Application, BankItem, Indicator, NationalValue, ValueSet
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


# -- On the values library page ------------------------------------------------------------------


def test_manager_starts_from_the_pathway_on_the_values_page(
    as_bob: Client, sunrise: Provider
) -> None:
    workflow.load_value_sets()
    pathway = ValueSet.objects.get(slug="care-workforce-pathway")
    page = as_bob.get(reverse("corevalue-list", args=[sunrise.slug])).text
    assert "Start from a national set" in page and "Care Workforce Pathway" in page

    response = as_bob.post(reverse("value-set-adopt", args=[sunrise.slug, pathway.pk]), follow=True)

    assert "Added 7 values from Care Workforce Pathway: Kind, compassionate" in response.text
    assert response.text.count("Evidences: ") == 7
    assert "Evidences: Respect (Care Workforce Pathway)." in response.text
    assert sunrise.core_values.count() == 7


def test_manager_maps_an_own_value_to_national_values(as_bob: Client, sunrise: Provider) -> None:
    workflow.load_value_sets()
    kindness = f.make_value(provider=sunrise, name="Kindness")
    respect = NationalValue.objects.get(name="Respect")
    compassion = NationalValue.objects.get(name="Compassion", value_set__slug="six-cs")
    url = reverse("corevalue-map", args=[sunrise.slug, kindness.pk])
    assert "Respect (Care Workforce Pathway)" in as_bob.get(url).text

    response = as_bob.post(url, {"evidences": [respect.pk, compassion.pk]}, follow=True)

    assert "“Kindness” now evidences Respect (Care Workforce Pathway), Compassion (The 6Cs)." in (
        response.text
    )
    assert "Evidences: Respect (Care Workforce Pathway); Compassion (The 6Cs)." in response.text
    as_bob.post(url, {}, follow=True)
    assert not kindness.evidences.exists()


def test_another_providers_value_cannot_be_mapped(
    as_bob: Client, sunrise: Provider, hillside: Provider
) -> None:
    theirs = f.make_value(provider=hillside, name="Kindness")
    assert as_bob.get(reverse("corevalue-map", args=[sunrise.slug, theirs.pk])).status_code == 404


# -- Shown in reports and the PDF summary ---------------------------------------------------------


@pytest.fixture
def mapped_and_scored(sunrise: Provider, bob: User) -> Application:
    """Sunrise's "Kindness" evidences the Pathway's Respect; Bob submitted a level 3 on it."""
    workflow.load_value_sets()
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    kindness = f.make_value(provider=sunrise, name="Kindness")
    kindness.evidences.add(NationalValue.objects.get(name="Respect"))
    unmapped = f.make_value(provider=sunrise, name="Humour")
    criteria = [
        f.make_criterion(stage=stage, core_value=kindness, prompt="Tell us about kindness"),
        f.make_criterion(stage=stage, core_value=unmapped, prompt="Tell us a joke"),
    ]
    candidate = f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment = f.make_assessment(application=application, stage=stage)
    panellist = f.make_panellist(assessment=assessment, user=bob, panel_role="chair")
    f.make_scorecard(panellist=panellist, levels=dict.fromkeys(criteria, 3), submitted=True)
    return application


def test_the_values_report_says_what_each_value_evidences(
    as_alice: Client, sunrise: Provider, mapped_and_scored: Application
) -> None:
    response = as_alice.get(reverse("report-detail", args=[sunrise.slug, "values"]))
    section = next(
        s for s in response.context["report"].sections if s.heading == "Levels per value"
    )
    assert section.table.headers[-1] == "Evidences (national values)"
    rows = {row[0]: row[-1] for row in section.table.rows}
    assert rows == {"Kindness": "Respect (Care Workforce Pathway)", "Humour": ""}
    assert "<td>Respect (Care Workforce Pathway)</td>" in response.text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_summary_says_what_each_value_evidences(
    mapped_and_scored: Application, bob: User
) -> None:
    content = pdf.render_summary_pdf(application=mapped_and_scored, requested_by=bob)
    extracted = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(extracted.split())

    evidence = text[text.index("Evidence per value") :]
    assert "Kindness evidences: Respect (Care Workforce Pathway) Across stages" in evidence
    assert text.count("evidences:") == 1  # Humour evidences nothing


def test_the_demo_loads_the_sets_and_maps_sunrises_values_to_the_pathway(
    db: None, client: Client
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    assert ValueSet.objects.count() == 3
    assert (
        BankItem.objects.filter(provider__isnull=True).count() >= 3 * NationalValue.objects.count()
    )
    sunrise = Provider.objects.get(slug="sunrise")
    dignity = sunrise.core_values.get(name="Dignity and respect")
    assert [n.label for n in dignity.evidences.all()] == ["Respect (Care Workforce Pathway)"]
    client.force_login(User.objects.get(username="bob"))
    page = client.get(reverse("corevalue-list", args=["sunrise"])).text
    assert "Evidences: Respect (Care Workforce Pathway)." in page
    assert "Not linked to a national value." in page  # Working together


def test_the_operator_sees_the_sets_and_the_bank_in_the_django_admin(
    db: None, client: Client
) -> None:
    workflow.load_value_sets()
    operator = User.objects.create_superuser(username="op", password="op-password-2026")
    client.force_login(operator)
    pathway = ValueSet.objects.get(slug="care-workforce-pathway")

    sets = client.get(reverse("admin:recruitment_valueset_changelist")).text
    one = client.get(reverse("admin:recruitment_valueset_change", args=[pathway.pk])).text
    bank = client.get(reverse("admin:recruitment_bankitem_changelist") + "?kind=scenario").text

    assert "Care Workforce Pathway" in sets and "The 6Cs" in sets
    assert "See the whole person" in one
    assert "The locked door" in bank and "Seeing it their way" not in bank
