from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from vbr.accounts.models import AccessProfile, Membership
from vbr.accounts.people import PANEL_MEMBER_CONSENT


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


class AccessProfileForm(forms.ModelForm[AccessProfile]):
    class Meta:
        model = AccessProfile
        fields = [
            "text_size",
            "easy_read",
            "read_aloud",
            "high_contrast",
            "has_supporter",
            "notes_for_chair",
            "earliest_start",
            "latest_finish",
            "longest_minutes",
            "contact_by",
            "contact_email",
            "hear_about_decisions",
        ]
        widgets = {
            "text_size": forms.RadioSelect,
            "notes_for_chair": forms.Textarea(attrs={"rows": 4}),
            "earliest_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "latest_finish": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "contact_by": forms.RadioSelect,
            "hear_about_decisions": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post, it stays as it was (email unless they chose paper).
        self.fields["contact_by"].required = False
        self.fields["hear_about_decisions"].required = False
        profile = self.instance
        user = profile.user if profile.user_id else None
        if (
            profile.contact_by == AccessProfile.Contact.EMAIL
            and not profile.contact_email
            and (user is None or not user.email)
        ):
            # Nobody can email them yet: paper is what happens, so that is what the form
            # shows, and saving other choices does not ask for an address they never chose.
            self.initial["contact_by"] = AccessProfile.Contact.PRINTED

    def clean_contact_by(self) -> str:
        return str(self.cleaned_data.get("contact_by") or self.instance.contact_by)

    def clean_hear_about_decisions(self) -> str:
        # Left out of a post, it stays as it was.
        chosen = self.cleaned_data.get("hear_about_decisions")
        return str(chosen or self.instance.hear_about_decisions)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        earliest, latest = cleaned.get("earliest_start"), cleaned.get("latest_finish")
        if earliest and latest and latest <= earliest:
            self.add_error("latest_finish", "The latest finish must be after the earliest start.")
        chose_email = self.data.get("contact_by") == AccessProfile.Contact.EMAIL
        if chose_email and not cleaned.get("contact_email"):
            user = self.instance.user if self.instance.user_id else None
            if user is None or not user.email:
                self.add_error(
                    "contact_email",
                    "Write your email address, or choose “On paper” instead.",
                )
        return cleaned


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


class ProviderLogoForm(forms.Form):
    """A logo for PDF summaries, checked by what the file is, not by what it is called."""

    logo = forms.FileField(
        label="Logo",
        help_text="A PNG or JPEG picture, up to 1 MB and 4000 × 4000 pixels.",
    )

    def clean_logo(self) -> UploadedFile[Any]:
        logo: UploadedFile[Any] = self.cleaned_data["logo"]
        if logo.size is not None and logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("The picture is larger than 1 MB: choose a smaller one.")
        try:
            with Image.open(logo) as image:
                picture_format = image.format
                width, height = image.size
                if picture_format not in LOGO_FORMATS:
                    raise forms.ValidationError("Upload a PNG or JPEG picture.")
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                    raise forms.ValidationError(
                        f"The picture is {width} × {height} pixels: the most is "
                        f"{LOGO_MAX_SIDE} × {LOGO_MAX_SIDE}."
                    )
                image.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as e:
            raise forms.ValidationError(
                "That file is not a picture we can read: upload a PNG or JPEG."
            ) from e
        logo.seek(0)
        logo.name = f"logo.{LOGO_FORMATS[picture_format]}"
        return logo


class PanelMemberForm(forms.Form):
    full_name = forms.CharField(label="Their name", max_length=150)
    expert_by_experience = forms.BooleanField(
        label="They draw on care and support (an expert by experience)",
        required=False,
        initial=True,
    )
    consent = forms.BooleanField(
        label="They have agreed to take part, in these words:",
        help_text=f"“{PANEL_MEMBER_CONSENT}”",
        error_messages={"required": "Record their agreement before adding them."},
    )

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError("Enter their name.")
        return str(name)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)
