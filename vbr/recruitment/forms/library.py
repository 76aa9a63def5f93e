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


class BankItemForm(forms.ModelForm[BankItem]):
    """A question or activity a provider writes for its own bank, in plain and easy-read words.

    The values offered are the provider's own current values only; another provider's value
    cannot be chosen."""

    class Meta:
        model = BankItem
        fields = [
            "core_value",
            "kind",
            "title",
            "prompt",
            "prompt_easy_read",
            "level_1",
            "level_1_easy_read",
            "level_2",
            "level_2_easy_read",
            "level_3",
            "level_3_easy_read",
            "level_4",
            "level_4_easy_read",
        ]
        labels = {
            "core_value": "Evidences our value",
            "kind": "Kind",
            "title": "A short name",
            "prompt": "The question, behaviour or activity, in plain words",
            "prompt_easy_read": "The same in easy read",
            "level_1": "Level 1 — no evidence shown",
            "level_2": "Level 2 — some evidence",
            "level_3": "Level 3 — good evidence",
            "level_4": "Level 4 — strong evidence",
            "level_1_easy_read": "Level 1 in easy read",
            "level_2_easy_read": "Level 2 in easy read",
            "level_3_easy_read": "Level 3 in easy read",
            "level_4_easy_read": "Level 4 in easy read",
        }
        help_texts = {
            "title": "How the bank lists it. Left empty, the first words of the question.",
            "prompt": "What the panel asks, or what it watches for at the stage.",
            "prompt_easy_read": "Short sentences and everyday words, for panel members who "
            "use the easy-read scorecard.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in fields
            if name not in ("core_value", "kind", "title")
        }

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["core_value"]
        assert isinstance(field, forms.ModelChoiceField)
        # Current values, and the one the item serves already even if it has been retired.
        field.queryset = provider.core_values.filter(
            models.Q(retired_at__isnull=True) | models.Q(pk=self.instance.core_value_id)
        ).order_by("order", "name")
        field.required = True
        field.empty_label = "Choose a value"
        self.fields["title"].required = False

    def clean_title(self) -> str:
        title = str(self.cleaned_data.get("title") or "").strip()
        prompt = str(self.data.get(self.add_prefix("prompt"), "")).strip()
        if title or not prompt:
            return title
        return prompt if len(prompt) <= 80 else prompt[:79] + "…"
