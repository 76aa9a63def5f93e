"""Forms of the PA path: short, plain words, one thing per page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from vbr.accounts.models import Provider
from vbr.pa.models import PaJob
from vbr.pa.workflow import JobWords
from vbr.recruitment.models import BankItem, CoreValue, Decision


class JobForm(forms.Form):
    """Step 1: the job and its advert, in the employer's own words."""

    title = forms.CharField(
        label="What is the job called?",
        max_length=150,
        initial="Personal assistant",
        help_text="For example: Personal assistant, mornings.",
    )
    help_needed = forms.CharField(
        label=PaJob._meta.get_field("help_needed").verbose_name,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=PaJob._meta.get_field("help_needed").help_text,
    )
    what_matters = forms.CharField(
        label=PaJob._meta.get_field("what_matters").verbose_name,
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=PaJob._meta.get_field("what_matters").help_text,
    )
    values = forms.ModelMultipleChoiceField(
        label="Which of your values matter most?",
        queryset=CoreValue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They go in the advert. You choose questions for them in the next step.",
    )
    hours = forms.CharField(
        label="When do you need help?",
        max_length=200,
        help_text="For example: weekday mornings, 7 to 10.",
    )
    pay_from = forms.DecimalField(
        label="Pay for each hour (£)",
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
    )
    town = forms.CharField(
        label="Which town do you live in?",
        max_length=100,
        help_text="The advert shows the town, not your address.",
    )

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.fields["values"]
        assert isinstance(values, forms.ModelMultipleChoiceField)
        values.queryset = (
            CoreValue.objects.filter(provider=provider).current().order_by("order", "pk")
        )

    def words(self) -> JobWords:
        data = self.cleaned_data
        return JobWords(
            title=data["title"],
            help_needed=data["help_needed"],
            what_matters=data["what_matters"],
            values=list(data["values"]),
            hours=data["hours"],
            pay_from=data["pay_from"],
            town=data["town"],
        )


class QuestionsForm(forms.Form):
    """Step 2: questions from the bank, a few for each of the employer's values. One field
    per value, so that the page reads value by value."""

    def __init__(
        self,
        *args: Any,
        choices_by_value: list[tuple[CoreValue, list[BankItem]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.values_by_field: dict[str, CoreValue] = {}
        self.items_by_field: dict[str, dict[str, BankItem]] = {}
        for core_value, items in choices_by_value:
            name = f"value_{core_value.pk}"
            self.values_by_field[name] = core_value
            self.items_by_field[name] = {str(item.pk): item for item in items}
            self.fields[name] = forms.MultipleChoiceField(
                label=core_value.name,
                choices=[(str(item.pk), item.prompt) for item in items],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError("Choose at least one question.")
        return cleaned

    def chosen(self) -> list[tuple[CoreValue, BankItem]]:
        return [
            (self.values_by_field[name], self.items_by_field[name][pk])
            for name in self.fields
            for pk in self.cleaned_data.get(name, [])
        ]


class CompanionForm(forms.Form):
    """Step 3: the person who sits with the employer, so that they never interview alone."""

    full_name = forms.CharField(label="Their name", max_length=150)
    relationship = forms.ChoiceField(
        label="Who are they?",
        choices=PaJob.Relationship.choices,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label="Their email address (if they have one)",
        required=False,
        help_text="We can email them their link. Or you can print it for them.",
    )


class OfferForm(forms.Form):
    """Step 4: offer the job, or tell the candidate kindly that it is not this time."""

    kind = forms.ChoiceField(
        label="What have you decided?",
        choices=[
            (Decision.Kind.OFFER, "Offer them the job"),
            (Decision.Kind.DECLINE, "Not this time"),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Why? Say what you saw of your values.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept with your records. The candidate does not see it.",
    )
    feedback_to_candidate = forms.CharField(
        label="If it is “not this time”: one kind sentence for them (you can leave it empty)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="We send it to them as you write it. For example: you were warm and kind; "
        "I needed someone who drives.",
    )
    override_reason = forms.CharField(
        label="The people on your panel who draw on care thought differently. Why did you "
        "decide this?",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
