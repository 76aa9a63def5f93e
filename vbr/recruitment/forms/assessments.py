"""Forms for scheduling assessments and building panels, narrowed to the provider."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from vbr.accounts.models import Membership
from vbr.recruitment.models import Application, Assessment, Panellist, Stage
from vbr.recruitment.models.assessments import LONDON, london_datetime


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.order}. {obj.name}"


class AssessmentForm(forms.Form):
    """When and where an assessment happens, and what the panel should know.

    The stage is chosen only when scheduling; an existing assessment keeps its stage.
    """

    stage = StageChoiceField(queryset=Stage.objects.none(), empty_label=None)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(max_length=200, required=False)
    notes_for_panel = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Notes for the panel",
        help_text="What the panel should know beforehand: access needs, parking, who to ask for.",
    )

    def __init__(
        self,
        *args: Any,
        application: Application,
        assessment: Assessment | None = None,
        **kwargs: Any,
    ) -> None:
        if assessment is not None and "initial" not in kwargs:
            local = (
                timezone.localtime(assessment.scheduled_at, LONDON)
                if assessment.scheduled_at
                else None
            )
            kwargs["initial"] = {
                "date": local.date() if local else None,
                "time": local.time().replace(second=0, microsecond=0) if local else None,
                "place": assessment.place,
                "notes_for_panel": assessment.notes_for_panel,
            }
        super().__init__(*args, **kwargs)
        self.application = application
        self.assessment = assessment
        if assessment is None:
            cast(
                forms.ModelChoiceField, self.fields["stage"]
            ).queryset = application.role.stages.all()
            self.fields["stage"].initial = application.current_stage_id
        else:
            del self.fields["stage"]

    def clean_stage(self) -> Stage:
        stage: Stage = self.cleaned_data["stage"]
        existing = self.application.assessments.filter(stage=stage).first()
        if existing is not None:
            if existing.status == Assessment.Status.CANCELLED:
                raise forms.ValidationError(
                    f"This application has a cancelled assessment at {stage.name}: "
                    "open it and reschedule it instead."
                )
            raise forms.ValidationError(
                f"This application already has an assessment at {stage.name}."
            )
        return stage

    @property
    def scheduled_at(self) -> datetime:
        return london_datetime(self.cleaned_data["date"], self.cleaned_data["time"])


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.user.display_name} ({obj.get_role_display().lower()}"
        if obj.is_expert_by_experience:
            label += ", expert by experience"
        return label + ")"


class PanellistForm(forms.Form):
    """Add one of the provider's members to a panel, once."""

    member = MemberChoiceField(
        queryset=Membership.objects.none(), label="Person", empty_label="Choose a person"
    )
    panel_role = forms.ChoiceField(
        choices=[
            ("", "Expert by experience for experts, otherwise choose"),
            *Panellist.PanelRole.choices,
        ],
        required=False,
        label="Panel role",
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        cast(
            forms.ModelChoiceField, self.fields["member"]
        ).queryset = assessment.application.provider.memberships.select_related("user").order_by(
            "user__full_name", "user__username"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        member: Membership | None = cleaned.get("member")
        if member is None:
            return cleaned
        if self.assessment.panellists.filter(user_id=member.user_id).exists():
            self.add_error("member", f"{member.user.display_name} is already on this panel.")
        if not cleaned.get("panel_role") and not member.is_expert_by_experience:
            self.add_error(
                "panel_role", f"Choose the panel role {member.user.display_name} will take."
            )
        return cleaned
