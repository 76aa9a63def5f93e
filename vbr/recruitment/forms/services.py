"""A provider's services: the care homes, branches or teams its roles recruit for."""

from __future__ import annotations

from typing import Any

from django import forms

from vbr.accounts.models import Provider
from vbr.recruitment.models import Service


class ServiceForm(forms.ModelForm[Service]):
    class Meta:
        model = Service
        fields = ["name"]
        labels = {"name": "Name of the service"}
        help_texts = {
            "name": "For example: Sunrise House, the Riverside home-care branch, night team."
        }

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.instance.provider = provider

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        others = self.provider.services.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"You already have a service called “{name}”.")
        return name
