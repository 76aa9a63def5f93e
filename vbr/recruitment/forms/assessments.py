"""Forms for scheduling assessments and building panels, narrowed to the provider."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator

from vbr.accounts.models import Membership
from vbr.compiled import CompiledQuery
from vbr.recruitment.models import Application, Assessment, Panellist, Stage
from vbr.recruitment.models.assessments import LONDON, london_datetime
from vbr.recruitment.workflow import default_panel_role


def member_description(membership: Membership) -> str:
    """What a member is at the provider, as a manager choosing a panel reads it."""
    description = membership.get_role_display()
    if membership.is_expert_by_experience:
        description += ", expert by experience"
    return description


@dataclass(frozen=True)
class PanelRow:
    """One member in the scheduling form's panel: ticked or not, and their panel role."""

    membership: Membership
    description: str
    checkbox_id: str
    on_panel: bool
    panel_role: forms.BoundField


class StageChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.order}. {obj.name}"


class AssessmentForm(forms.Form):
    """When and where an assessment happens, what the panel should know and, when scheduling,
    who sits on the panel in which role.

    The stage and the panel are chosen only when scheduling: an existing assessment keeps its
    stage, and its panel changes on the assessment page.
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
        scheduler: Membership | None = None,
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
        self.members: list[Membership] = []
        if assessment is None:
            cast(
                "forms.ModelChoiceField[Any]", self.fields["stage"]
            ).queryset = application.role.stages.all()
            self.fields["stage"].initial = application.current_stage_id
            self._add_panel_fields(scheduler)
        else:
            del self.fields["stage"]

    def _add_panel_fields(self, scheduler: Membership | None) -> None:
        """A tick box per member of the provider (one field, `panel`) and a panel role each
        (`panel_role_<membership id>`), starting from their usual role. A hiring manager who
        schedules starts ticked as the chair: they usually run their own interviews."""
        self.members = list(
            self.application.provider.memberships.select_related("user").order_by(
                "user__full_name", "user__username", "pk"
            )
        )
        self.fields["panel"] = forms.MultipleChoiceField(
            choices=[(str(m.pk), m.user.display_name) for m in self.members],
            required=False,
            label="Panel",
            widget=forms.CheckboxSelectMultiple,
        )
        chair = scheduler if scheduler and scheduler.role == Membership.Role.MANAGER else None
        if chair is not None:
            self.fields["panel"].initial = [str(chair.pk)]
        for member in self.members:
            self.fields[f"panel_role_{member.pk}"] = forms.ChoiceField(
                choices=Panellist.PanelRole.choices,
                required=False,
                label=f"Panel role for {member.user.display_name}",
                widget=forms.Select(attrs={"class": "form-select"}),
                initial=(
                    Panellist.PanelRole.CHAIR
                    if chair is not None and member.pk == chair.pk
                    else default_panel_role(member)
                ),
            )

    def panel_rows(self) -> list[PanelRow]:
        ticked = {str(pk) for pk in self["panel"].value() or []} if self.members else set()
        return [
            PanelRow(
                membership=member,
                description=member_description(member),
                checkbox_id=f"id_panel_{member.pk}",
                on_panel=str(member.pk) in ticked,
                panel_role=self[f"panel_role_{member.pk}"],
            )
            for member in self.members
        ]

    def panel(self) -> list[tuple[Membership, str]]:
        """The members ticked, each with the panel role chosen for them, in the form's order."""
        ticked = set(self.cleaned_data.get("panel") or [])
        return [
            (member, self.cleaned_data.get(f"panel_role_{member.pk}") or "")
            for member in self.members
            if str(member.pk) in ticked
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.members:
            return cleaned
        chairs = [
            member.user.display_name
            for member, panel_role in self.panel()
            if panel_role == Panellist.PanelRole.CHAIR
        ]
        if len(chairs) > 1:
            self.add_error(
                "panel",
                f"Choose one chair: {' and '.join(chairs)} are each chosen as the chair.",
            )
        return cleaned

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


class MemberChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.display_name} ({member_description(obj).lower()})"


def _not_on_panel(provider_id: int, assessment_id: int) -> QuerySet[Membership]:
    """The provider's members who are not on the assessment's panel yet, by name."""
    return (
        Membership.objects.filter(provider_id=provider_id)
        .exclude(user__in=Panellist.objects.filter(assessment_id=assessment_id).values("user_id"))
        .select_related("user")
        .order_by("user__full_name", "user__username")
    )


# The assessment page draws the menu on every view (see vbr.compiled).
_NOT_ON_PANEL: CompiledQuery[Membership] = CompiledQuery(
    _not_on_panel, provider_id=int, assessment_id=int
)


class PanellistForm(forms.Form):
    """Add one of the provider's members to a panel, once: only people not on it yet are
    offered, in their usual panel role unless another is chosen."""

    member = MemberChoiceField(
        queryset=Membership.objects.none(), label="Person", empty_label="Choose a person"
    )
    panel_role = forms.ChoiceField(
        choices=[
            ("", "Their usual role"),
            *Panellist.PanelRole.choices,
        ],
        required=False,
        label="Panel role",
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        provider_id = assessment.application.provider_id
        member = cast("MemberChoiceField", self.fields["member"])
        # What a post is checked against...
        member.queryset = _not_on_panel(provider_id, assessment.pk)
        # ...and the menu drawn from the same people, labelled as the field labels them, read
        # when it is first drawn (a closed assessment's page has none), once.

        @functools.cache
        def menu() -> list[tuple[Any, str]]:
            people = _NOT_ON_PANEL.objects(provider_id=provider_id, assessment_id=assessment.pk)
            return [
                ("", str(member.empty_label)),
                *((person.pk, member.label_from_instance(person)) for person in people),
            ]

        member.widget.choices = CallableChoiceIterator(menu)
        self.fields["member"].error_messages["invalid_choice"] = (
            "Choose one of your organisation's people who is not on this panel yet."
        )
