"""Forms of the shared library: mapping a value to national values, browsing the question bank
and adding a bank item to a stage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from vbr.accounts.models import Provider
from vbr.recruitment.models import BankItem, CoreValue, NationalValue, ValueSet


class NationalValueChoices(forms.ModelMultipleChoiceField[NationalValue]):
    def label_from_instance(self, obj: NationalValue) -> str:
        return obj.label


class MapValueForm(forms.Form):
    """Which national values one of the provider's values evidences."""

    evidences = NationalValueChoices(
        queryset=NationalValue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="This value evidences",
        help_text="Tick the national values this value shows. Reports name them beside it. "
        "Leave all unticked if none fits.",
    )

    def __init__(self, *args: Any, core_value: CoreValue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The newest version of each set, and whatever the value is mapped to already (an
        # older version stays offered so that saving the form does not drop it unseen).
        latest = ValueSet.objects.latest_versions()
        field = self.fields["evidences"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            NationalValue.objects.filter(
                models.Q(value_set__in=latest) | models.Q(core_values=core_value)
            )
            .distinct()
            .select_related("value_set")
            .order_by("value_set__order", "value_set__name", "value_set__version", "order")
        )


class BankFilterForm(forms.Form):
    """What the bank page shows: one value set, optionally one kind of item."""

    value_set = forms.ModelChoiceField(
        queryset=ValueSet.objects.none(),
        required=False,
        empty_label=None,
        label="Value set",
    )
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *BankItem.Kind.choices], required=False, label="Kind"
    )

    def __init__(self, *args: Any, sets: list[ValueSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["value_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ValueSet.objects.filter(pk__in=[s.pk for s in sets])
        # The set choices as already read, so that rendering asks the database nothing more.
        field.choices = [(s.pk, s.name) for s in sets]


class BankAddForm(forms.Form):
    """Which of the provider's values a bank item evidences once it is in a stage."""

    core_value = forms.ModelChoiceField(
        queryset=CoreValue.objects.none(),
        label="Evidences our value",
        empty_label="Choose a value",
    )

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["core_value"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = provider.core_values.current().order_by("order", "name")
