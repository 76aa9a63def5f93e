"""Forms of role setup: a role, its stages and each stage's criteria."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q

from vbr.accounts.models import Membership, Provider
from vbr.recruitment.models import Criterion, Role, Stage
from vbr.recruitment.starter_values import DEFAULT_INTERVIEW_LEVELS, DEFAULT_OBSERVATION_LEVELS
from vbr.recruitment.workflow import next_criterion_order


class ManagersField(forms.ModelMultipleChoiceField[Any]):
    """Hiring managers, each shown by name."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.display_name


class RoleForm(forms.ModelForm[Role]):
    copy_stages_from = forms.ModelChoiceField(
        queryset=Role.objects.none(),
        required=False,
        label="Copy the stages of an existing role",
        help_text="Starts with the same stages and criteria; you can change them afterwards.",
        empty_label="No, start with no stages",
    )

    class Meta:
        model = Role
        fields = ["title", "service", "description", "is_open", "managers"]
        labels = {"is_open": "Open: we are recruiting for this role"}
        field_classes = {"managers": ManagersField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "managers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.provider = provider
        managers = cast("forms.ModelMultipleChoiceField[Any]", self.fields["managers"])
        managers.queryset = provider.memberships.filter(
            role=Membership.Role.MANAGER
        ).select_related("user")
        service = cast("forms.ModelChoiceField[Any]", self.fields["service"])
        service.queryset = provider.services.all()
        service.empty_label = "Not tied to one service"
        if not service.queryset.exists():
            del self.fields["service"]
        if not managers.queryset.exists():
            managers.help_text = (
                "Nobody at this provider is a hiring manager yet; admins see every role's reports."
            )
        if self.instance.pk:
            # Copying is offered when a role is created only.
            del self.fields["copy_stages_from"]
        else:
            copy_from = cast("forms.ModelChoiceField[Any]", self.fields["copy_stages_from"])
            copy_from.queryset = provider.roles.order_by("title")


class StageForm(forms.ModelForm[Stage]):
    class Meta:
        model = Stage
        fields = ["name", "kind", "description"]
        help_texts = {"name": "E.g. Values interview, Shadowing on the ground floor."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def default_levels(stage: Stage) -> tuple[str, str, str, str]:
    """Level descriptions to start from: an answer to a question, or an observation."""
    if stage.kind == Stage.Kind.INTERVIEW:
        return DEFAULT_INTERVIEW_LEVELS
    return DEFAULT_OBSERVATION_LEVELS


class CriterionForm(forms.ModelForm[Criterion]):
    class Meta:
        model = Criterion
        fields = [
            "prompt",
            "core_value",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "essential",
        ]
        labels = {
            "prompt": "Question or behaviour",
            "core_value": "The value it evidences",
        }
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 2}),
            "level_1": forms.Textarea(attrs={"rows": 2}),
            "level_2": forms.Textarea(attrs={"rows": 2}),
            "level_3": forms.Textarea(attrs={"rows": 2}),
            "level_4": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.stage = stage
        provider = stage.role.provider
        # Retired values are not offered for new criteria; a criterion that already uses one
        # keeps it when edited.
        offered = Q(retired_at__isnull=True)
        if self.instance.core_value_id:
            offered |= Q(pk=self.instance.core_value_id)
        core_value = cast("forms.ModelChoiceField[Any]", self.fields["core_value"])
        core_value.queryset = provider.core_values.filter(offered)
        core_value.empty_label = "Choose a value"
        core_value.error_messages["invalid_choice"] = (
            "Choose one of your organisation's current values."
        )
        if self.instance.pk:
            return
        if self.is_bound:
            # A new criterion goes last; "Move earlier" on the setup page moves it up.
            self.instance.order = next_criterion_order(stage)
        else:
            for number, text in enumerate(default_levels(stage), start=1):
                self.initial[f"level_{number}"] = text
