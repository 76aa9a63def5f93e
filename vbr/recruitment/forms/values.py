"""Forms of the values library: a value and its behaviour indicators."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from vbr.accounts.models import Provider
from vbr.recruitment.models import CoreValue, Indicator

# Blank indicator rows offered under the existing ones; "Add more rows" offers more.
EXTRA_INDICATOR_ROWS = 3


class CoreValueForm(forms.ModelForm):
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


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["text", "kind"]
        labels = {"text": "Behaviour", "kind": "Shows or goes against the value"}


class BaseIndicatorFormSet(BaseInlineFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
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


def indicator_formset(
    *, instance: CoreValue, data: Any = None, add_rows: int = 0
) -> BaseIndicatorFormSet:
    """The indicators formset; `add_rows` offers that many more blank rows after a POST,
    keeping everything typed so far (the TOTAL_FORMS count is raised in a copy of the data)."""
    if data is not None and add_rows:
        data = data.copy()
        key = "indicators-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + add_rows)
    queryset = instance.indicators.all() if instance.pk else Indicator.objects.none()
    formset = IndicatorFormSet(data, instance=instance, queryset=queryset, prefix="indicators")
    return cast(BaseIndicatorFormSet, formset)
