"""Forms for the involvement log's payments and the provider's promise to pay on time."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from vbr.accounts.models import Provider


class PayWithinForm(forms.ModelForm[Provider]):
    class Meta:
        model = Provider
        fields = ["pay_within_days"]

    def clean_pay_within_days(self) -> int:
        days = int(self.cleaned_data["pay_within_days"])
        if not 1 <= days <= 90:
            raise forms.ValidationError("Choose a number of days from 1 to 90.")
        return days


class PaidForm(forms.Form):
    paid_on = forms.DateField(
        label="Paid on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "Enter the day it was paid.", "invalid": "Enter a date."},
    )

    def clean_paid_on(self) -> object:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("The day it was paid cannot be in the future.")
        return paid_on
