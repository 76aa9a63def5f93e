from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.privacy.models import DbsCheck, PrivacySettings

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
# What a file's first bytes must be for each extension we accept: the name alone proves
# nothing.
ACCEPTED_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_upload(upload: UploadedFile[Any]) -> UploadedFile[Any]:
    """Accept a PDF, PNG or JPEG of at most 5 MB, judged by size and by content."""
    if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
        raise forms.ValidationError("The file is larger than 5 MB. Please upload a smaller scan.")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    signatures = ACCEPTED_SIGNATURES.get(extension)
    if signatures is None:
        raise forms.ValidationError("Upload a PDF, PNG or JPEG file.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise forms.ValidationError(
            f"This file does not look like a {extension.upper()}. Upload the scan itself."
        )
    return upload


class PrivacySettingsForm(forms.ModelForm[PrivacySettings]):
    retention_months = forms.IntegerField(
        label="Months to keep unsuccessful candidates' personal data",
        min_value=1,
        max_value=120,
        help_text="After this many months without activity, their names, contacts, notes and "
        "files are removed; the anonymous scores stay for reports. Often 6.",
    )

    class Meta:
        model = PrivacySettings
        fields = ["keep_dbs_certificates", "privacy_notice"]

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["retention_months"].initial = provider.retention_months
        self.order_fields(["retention_months", "keep_dbs_certificates", "privacy_notice"])

    def clean_privacy_notice(self) -> str:
        notice = self.cleaned_data["privacy_notice"].replace("\r\n", "\n")
        if CONTROL_CHARACTERS.search(notice):
            raise forms.ValidationError("The notice contains characters that cannot be shown.")
        if len(notice) > 20000:
            raise forms.ValidationError("Please keep the notice under 20,000 characters.")
        return str(notice)


class DbsCheckForm(forms.ModelForm[DbsCheck]):
    class Meta:
        model = DbsCheck
        fields = ["certificate_number", "issued_on", "level", "decision", "seen_on", "certificate"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "seen_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"certificate_number": "As printed on the certificate, usually 12 digits."}

    def __init__(self, *args: Any, keep_certificates: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certificate_number"].required = True
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            ("", "Choose the level on the certificate"),
            *DbsCheck.Level.choices,
        ]
        if keep_certificates:
            self.fields["certificate"].label = "Copy of the certificate (optional)"
            self.fields["certificate"].help_text = "PDF, PNG or JPEG, at most 5 MB."
            self.fields["certificate"].widget = forms.ClearableFileInput(
                attrs={"accept": ".pdf,.png,.jpg,.jpeg"}
            )
        else:
            # The provider's setting says copies are not kept: the field is not offered.
            del self.fields["certificate"]

    def clean_certificate_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["certificate_number"])
        if not re.fullmatch(r"[A-Za-z0-9]{6,20}", number):
            raise forms.ValidationError(
                "Enter the certificate number using letters and digits only, as printed."
            )
        return number.upper()

    def clean_issued_on(self) -> Any:
        issued_on = self.cleaned_data["issued_on"]
        if issued_on and issued_on > timezone.localdate():
            raise forms.ValidationError("The issue date cannot be in the future.")
        return issued_on

    def clean_seen_on(self) -> Any:
        seen_on = self.cleaned_data["seen_on"]
        if seen_on and seen_on > timezone.localdate():
            raise forms.ValidationError("The date you saw it cannot be in the future.")
        return seen_on

    def clean_certificate(self) -> Any:
        upload = self.cleaned_data.get("certificate")
        if isinstance(upload, UploadedFile):
            return check_upload(upload)
        return upload


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="The candidate asked us to erase their data, and we have no reason to keep it.",
        required=True,
        error_messages={"required": "Tick the box to confirm the candidate asked for this."},
    )
