from __future__ import annotations

from django import forms

from vbr.accounts.models import AccessProfile


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=20,
        help_text=(
            "8 letters and numbers, for example ABCD-2345. Capitals or small letters both work."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg join-code",
            }
        ),
    )


class AccessProfileForm(forms.ModelForm):
    class Meta:
        model = AccessProfile
        fields = [
            "text_size",
            "easy_read",
            "read_aloud",
            "high_contrast",
            "has_supporter",
            "notes_for_chair",
        ]
        widgets = {
            "text_size": forms.RadioSelect,
            "notes_for_chair": forms.Textarea(attrs={"rows": 4}),
        }
