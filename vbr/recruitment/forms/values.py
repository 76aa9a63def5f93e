"""Forms of the values library: a value and its behaviour indicators."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm

from vbr.accounts.models import Provider
from vbr.recruitment.models import CoreValue, Indicator

# Blank indicator rows offered under the existing ones; "Add more rows" offers more.
EXTRA_INDICATOR_ROWS = 3


class CoreValueForm(forms.ModelForm[CoreValue]):
    class Meta:
        model = CoreValue
        fields = ["name", "description"]
        help_texts = {
            "name": "A few words, e.g. Compassion.",
            "description": "What this value means at your organisation, in a sentence or two.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.instance.provider = provider

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        # The unique constraint includes the provider, which is not a form field, so the
        # ModelForm would not check it: check here to give a message instead of an error page.
        clash = self.provider.core_values.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("You already have a value with this name.")
        return name


class IndicatorForm(forms.ModelForm[Indicator]):
    class Meta:
        model = Indicator
        fields = ["text", "kind"]
        labels = {"text": "Behaviour", "kind": "Shows or goes against the value"}


class BaseIndicatorFormSet(BaseInlineFormSet[Any, Any, Any]):
    # True when the page's hidden row counts did not come back as numbers and were counted
    # again from the rows that did (see `indicator_formset`).
    counts_repaired = False

    def add_fields(self, form: forms.ModelForm[Any], index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove"


IndicatorFormSet = inlineformset_factory(
    CoreValue,
    Indicator,
    form=IndicatorForm,
    formset=BaseIndicatorFormSet,
    extra=EXTRA_INDICATOR_ROWS,
    can_delete=True,
)


INDICATOR_PREFIX = "indicators"
_ROW_FIELD = re.compile(rf"^{INDICATOR_PREFIX}-(\d+)-")


def _rows_sent(data: Any) -> tuple[int, int]:
    """How many indicator rows a post holds, and how many of the first ones are existing
    indicators (they carry an id), read from the rows' own fields."""
    limit = IndicatorFormSet.absolute_max
    numbers = [int(m.group(1)) for key in data if (m := _ROW_FIELD.match(key))]
    total = min(max(numbers, default=-1) + 1, limit)
    initial = 0
    while initial < total and data.get(f"{INDICATOR_PREFIX}-{initial}-id"):
        initial += 1
    return total, initial


def indicator_formset(
    *, instance: CoreValue, data: Any = None, add_rows: int = 0
) -> BaseIndicatorFormSet:
    """The indicators formset; `add_rows` offers that many more blank rows after a POST,
    keeping everything typed so far (the TOTAL_FORMS count is raised in a copy of the data).

    The page's hidden row counts must describe the rows it sent. When they do not (missing,
    not numbers, negative, too few: a page changed on its way), Django would drop rows or
    fail; they are counted again from the rows themselves, so that no behaviour typed is
    lost, and the formset says so in `counts_repaired` for the page to ask for a check."""
    repaired = False
    if data is not None:
        data = data.copy()
        total, initial = _rows_sent(data)
        management = ManagementForm(data, prefix=INDICATOR_PREFIX)
        repaired = not management.is_valid() or (
            management.cleaned_data[TOTAL_FORM_COUNT],
            management.cleaned_data[INITIAL_FORM_COUNT],
        ) != (total, initial)
        data[f"{INDICATOR_PREFIX}-{INITIAL_FORM_COUNT}"] = str(initial)
        data[f"{INDICATOR_PREFIX}-{TOTAL_FORM_COUNT}"] = str(total + add_rows)
    queryset = instance.indicators.all() if instance.pk else Indicator.objects.none()
    formset = cast(
        BaseIndicatorFormSet,
        IndicatorFormSet(data, instance=instance, queryset=queryset, prefix=INDICATOR_PREFIX),
    )
    formset.counts_repaired = repaired
    return formset
