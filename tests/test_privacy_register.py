"""The personal-data register: every text field of the project is classified, and each entry
fits its field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from django.apps import apps
from django.db import models

from vbr.privacy.register import (
    REGISTER,
    Anonymise,
    Erase,
    NotPersonal,
    Subject,
    Table,
)

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
# EmailField and SlugField are CharFields; ImageField is a FileField.


def project_models() -> Iterator[type[models.Model]]:
    for config in apps.get_app_configs():
        if config.name.startswith("vbr."):
            yield from config.get_models()


def text_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    return [field for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)]


def unclassified_fields(register: Iterable[Table]) -> list[str]:
    """Text, JSON, e-mail and file fields of the project's models that `register` does not
    list, as personal or as not personal."""
    listed = {(table.model, entry.field) for table in register for entry in table.fields}
    return sorted(
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in text_fields(model)
        if (model._meta.label, field.name) not in listed
    )


# -- The register itself --------------------------------------------------------------------


def test_every_text_json_email_and_file_field_of_the_project_is_in_the_register() -> None:
    missing = unclassified_fields(REGISTER)
    assert not missing, (
        "Classify these fields in vbr/privacy/register.py, as Personal (with what "
        "anonymisation, erasure and subject access do) or as NotPersonal (with why): "
        + ", ".join(missing)
    )


def test_the_coverage_check_names_a_field_left_out_of_the_register() -> None:
    without_note_text = [
        replace(table, fields=tuple(e for e in table.fields if e.field != "text"))
        if table.model == "recruitment.ShadowingNote"
        else table
        for table in REGISTER
    ]
    assert unclassified_fields(without_note_text) == ["recruitment.ShadowingNote.text"]


def test_each_register_entry_names_a_real_field_once() -> None:
    seen: set[tuple[str, str]] = set()
    for table in REGISTER:
        model = table.model_class
        for entry in table.fields:
            model._meta.get_field(entry.field)  # raises FieldDoesNotExist
            assert (table.model, entry.field) not in seen, f"{table.model}.{entry.field} twice"
            seen.add((table.model, entry.field))
            if isinstance(entry, NotPersonal):
                assert entry.why, f"{table.model}.{entry.field}: say why it is not personal"


def test_register_actions_fit_their_fields() -> None:
    for table in REGISTER:
        model = table.model_class
        for step in ("anonymise", "erase"):
            actions = {getattr(entry, step) for entry in table.personal}
            if Anonymise.DELETE_ROW in actions or Erase.DELETE_ROW in actions:
                # Deleting a row is done to all of it.
                assert len(actions) == 1, f"{table.model}: {step} mixes deleting the row"
        if table.rows is None:
            # Nothing walks a table that is not found by a candidate.
            assert all(
                (e.anonymise, e.erase) == (Anonymise.KEEP, Erase.KEEP) for e in table.personal
            ), table.model
        for entry in table.personal:
            name = f"{table.model}.{entry.field}"
            field = model._meta.get_field(entry.field)
            if entry.anonymise is Anonymise.PLACEHOLDER:
                assert entry.placeholder, name
            if entry.anonymise is Anonymise.SCRUB:
                assert isinstance(field, models.JSONField) and entry.free_text_keys, name
            if entry.anonymise is Anonymise.DELETE_FILE:
                assert isinstance(field, models.FileField), name
            if entry.export:
                assert table.section, f"{name} is exported: give its table a section"
            elif entry.subject is Subject.CANDIDATE:
                assert entry.why, f"{name} is the candidate's but not exported: say why"
            if entry.subject in (Subject.PERSON_SUPPORTED, Subject.SUPPORTER):
                # Third parties are not named in a candidate's subject access export.
                assert not entry.export, name
