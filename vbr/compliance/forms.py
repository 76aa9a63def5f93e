from __future__ import annotations

from typing import Any

from django import forms

from vbr.accounts.models import Provider
from vbr.compliance.checklists import Kind
from vbr.compliance.models import (
    Check,
    ChecklistItem,
    ComplianceSettings,
    EmploymentSpell,
    ReferenceRequest,
)
from vbr.recruitment.models import Role

DATE = forms.DateInput(attrs={"type": "date"})

# The evidence fields each kind of item asks for (status and notes always).
FIELDS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.IDENTITY: ("evidence_seen", "seen_on"),
    Kind.RIGHT_TO_WORK: (
        "right_to_work_method",
        "evidence_seen",
        "seen_on",
        "reference_number",
        "follow_up_on",
    ),
    Kind.CRIMINAL_RECORD: (
        "reference_number",
        "issued_on",
        "level",
        "barred_list_result",
        "decision",
        "seen_on",
        "follow_up_on",
    ),
    Kind.REFERENCES: ("evidence_seen", "seen_on", "authenticity"),
    Kind.EMPLOYMENT_HISTORY: ("seen_on",),
    Kind.REGISTRATION: ("reference_number", "issued_on", "follow_up_on"),
    Kind.QUALIFICATIONS: ("evidence_seen", "seen_on", "reference_number", "follow_up_on"),
    Kind.HEALTH: ("evidence_seen", "seen_on"),
    Kind.OTHER: ("evidence_seen", "seen_on", "reference_number", "follow_up_on"),
}

LABELS: dict[str, dict[str, str]] = {
    Kind.CRIMINAL_RECORD: {"reference_number": "Certificate number"},
    Kind.REGISTRATION: {"reference_number": "Registration number", "issued_on": "Registered on"},
    Kind.RIGHT_TO_WORK: {"reference_number": "Share code or document number"},
}


class CheckForm(forms.ModelForm[Check]):
    """A check's evidence and status; the fields shown depend on the item's kind."""

    class Meta:
        model = Check
        fields = (
            "status",
            "right_to_work_method",
            "evidence_seen",
            "seen_on",
            "reference_number",
            "issued_on",
            "level",
            "barred_list_result",
            "decision",
            "follow_up_on",
            "authenticity",
            "notes",
        )
        widgets = {
            "seen_on": DATE,
            "issued_on": DATE,
            "follow_up_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, data: Any = None, *, check: Check, nation: str) -> None:
        super().__init__(data, instance=check)
        kind = Kind(check.item.kind)
        wanted = set(FIELDS_BY_KIND.get(kind, FIELDS_BY_KIND[Kind.OTHER])) | {"status", "notes"}
        if kind == Kind.REFERENCES and nation != "wales":
            wanted.discard("authenticity")
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        for name, label in LABELS.get(kind, {}).items():
            if name in self.fields:
                self.fields[name].label = label

    def evidence(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("status",)}


class ChecklistItemForm(forms.Form):
    name = forms.CharField(label="What must be checked", max_length=150)
    regulation = forms.CharField(
        label="Why (a rule or your policy)", max_length=300, required=False
    )
    before_shadowing = forms.BooleanField(label="Verified before shadowing", required=False)


class ItemOptionsForm(forms.Form):
    before_shadowing = forms.BooleanField(label="Verified before shadowing", required=False)
    not_applicable_for = forms.ModelMultipleChoiceField(
        label="Not applicable for these roles",
        queryset=Role.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, provider: Provider, item: ChecklistItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["not_applicable_for"].queryset = provider.roles.all()  # type: ignore[attr-defined]
        self.prefix = f"item-{item.pk}"


class EmploymentSpellForm(forms.ModelForm[EmploymentSpell]):
    class Meta:
        model = EmploymentSpell
        fields = (
            "employer",
            "job_title",
            "started_on",
            "ended_on",
            "was_care_work",
            "reason_for_leaving",
        )
        labels = {
            "employer": "Employer (or study, caring, time out of work)",
            "ended_on": "Ended on (leave empty if it goes on)",
        }
        widgets = {"started_on": DATE, "ended_on": DATE}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end date is before the start date.")
        return cleaned


class GapExplanationForm(forms.Form):
    starts_on = forms.DateField(widget=forms.HiddenInput)
    ends_on = forms.DateField(widget=forms.HiddenInput)
    explanation = forms.CharField(
        label="Written explanation of this gap",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartDateForm(forms.Form):
    start_date = forms.DateField(label="First shift on", widget=DATE)


class ConditionalStartForm(forms.Form):
    reason = forms.CharField(
        label="Why they start before every check is back", widget=forms.Textarea(attrs={"rows": 2})
    )
    barred_list_reference = forms.CharField(
        label="Reference of the clear barred-list check (DBS Adult First or written confirmation)",
        max_length=40,
        required=False,
    )
    supervisor = forms.CharField(label="Named supervisor", max_length=150, required=False)
    risk_assessment = forms.CharField(
        label="Written risk assessment", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class ComplianceSettingsForm(forms.ModelForm[ComplianceSettings]):
    class Meta:
        model = ComplianceSettings
        fields = ("open_at", "gap_months", "keep_months_after_leaving")


class RefereeForm(forms.ModelForm[ReferenceRequest]):
    """The manager names a referee."""

    class Meta:
        model = ReferenceRequest
        fields = ("referee_name", "referee_email", "referee_organisation", "is_last_employer")
        labels = {"referee_name": "Referee's name", "referee_email": "Referee's email"}


class ReferenceAnswerForm(forms.ModelForm[ReferenceRequest]):
    """The referee's short structured form, with their declaration."""

    declaration = forms.BooleanField(
        label="I confirm that what I have written is true and that I am able to give this "
        "reference on behalf of my organisation.",
    )

    class Meta:
        model = ReferenceRequest
        fields = (
            "employed_from",
            "employed_to",
            "job_title",
            "dates_only",
            "conduct",
            "safeguarding_concerns",
            "disciplinary_action",
            "concerns_detail",
            "reason_for_leaving",
            "would_reemploy",
            "declaration_name",
        )
        labels = {"employed_from": "They worked for you from", "employed_to": "Until"}
        widgets = {
            "employed_from": DATE,
            "employed_to": DATE,
            "conduct": forms.Textarea(attrs={"rows": 4}),
            "concerns_detail": forms.Textarea(attrs={"rows": 3}),
            "reason_for_leaving": forms.Textarea(attrs={"rows": 2}),
            "would_reemploy": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("employed_from", "job_title", "declaration_name"):
            self.fields[name].required = True
        self.fields["would_reemploy"].choices = ReferenceRequest.Reemploy.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, ended = cleaned.get("employed_from"), cleaned.get("employed_to")
        if started and ended and ended < started:
            self.add_error("employed_to", "This date is before the start date.")
        if not cleaned.get("dates_only") and not (cleaned.get("conduct") or "").strip():
            self.add_error(
                "conduct", "Tell us about their conduct, or tick that you confirm dates only."
            )
        flagged = cleaned.get("safeguarding_concerns") or cleaned.get("disciplinary_action")
        if flagged and not (cleaned.get("concerns_detail") or "").strip():
            self.add_error("concerns_detail", "Tell us what happened.")
        return cleaned

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "declaration"}


class ReferenceVerifyForm(forms.Form):
    authenticity = forms.CharField(
        label="How authenticity was checked",
        max_length=300,
        required=False,
        help_text="For example: phoned the referee on the employer's published number.",
    )
