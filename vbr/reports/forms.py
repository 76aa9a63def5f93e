from __future__ import annotations

from typing import Any

from django import forms

from vbr.accounts.access import withheld_application_ids
from vbr.accounts.models import Membership
from vbr.recruitment.forms.widgets import QuickSelect
from vbr.recruitment.models import Role, Stage
from vbr.reports.models import EqualityResponse
from vbr.reports.queries import ReportFilter, characteristic_choices


class ReportFilterForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=Role.objects.none(), required=False, empty_label="All roles", widget=QuickSelect
    )
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.none(), required=False, empty_label="All stages", widget=QuickSelect
    )
    date_from = forms.DateField(
        label="Applied from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Applied to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    characteristic = forms.ChoiceField(
        label="Group by (fairness report)",
        required=False,
        choices=characteristic_choices,
        initial="ethnicity",
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("characteristic"):
            # Other filters chosen but no grouping: the report groups by the default, so the
            # form must show (and send again) the default, not the list's first choice.
            self.data = {
                **{name: self.data[name] for name in self.data},  # every filter is one value
                "characteristic": self.fields["characteristic"].initial,
            }
        roles = Role.objects.reported_to(membership).order_by("title")
        # Admins see every role; a hiring manager only the roles they manage (see ReportFilter),
        # named above the filters (`scoped_roles`).
        self.scoped_roles: list[Role] | None = None if membership.is_admin else list(roles)
        self.role_scope: tuple[int, ...] | None = (
            None if self.scoped_roles is None else tuple(role.pk for role in self.scoped_roles)
        )
        # Independence: the applications on which the reader still owes a scorecard are left
        # out of every figure and export they see (named above the filters).
        self.withheld = withheld_application_ids(membership, membership.provider)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]
        stages = Stage.objects.filter(role__in=roles)
        self.fields["stage"].queryset = stages  # type: ignore[attr-defined]
        # The menus drawn from plain values, as the fields would label them: a large
        # provider's every role and stage, without a model instance for each (a chosen role
        # or stage is still checked against the querysets).
        self.fields["role"].widget.choices = [
            ("", "All roles"),
            *(
                ((role.pk, role.title) for role in self.scoped_roles)
                if self.scoped_roles is not None
                else roles.values_list("pk", "title")
            ),
        ]
        self.fields["stage"].widget.choices = [
            ("", "All stages"),
            *(
                (pk, f"{role_title}: {name}")
                for pk, role_title, name in stages.order_by(
                    "role__title", "order", "pk"
                ).values_list("pk", "role__title", "name")
            ),
        ]
        for name, field in self.fields.items():
            css = "form-select" if name in ("role", "stage", "characteristic") else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def report_filter(self) -> ReportFilter:
        """The filters chosen; an invalid form filters nothing rather than failing."""
        if not self.is_valid():
            return ReportFilter(role_scope=self.role_scope, withheld=self.withheld)
        data = self.cleaned_data
        return ReportFilter(
            role_scope=self.role_scope,
            withheld=self.withheld,
            role_id=data["role"].pk if data.get("role") else None,
            stage_id=data["stage"].pk if data.get("stage") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            characteristic=data.get("characteristic") or "ethnicity",
        )


class EqualityResponseForm(forms.ModelForm[EqualityResponse]):
    class Meta:
        model = EqualityResponse
        fields = list(EqualityResponse.CHARACTERISTICS)
        widgets = {name: forms.RadioSelect for name in EqualityResponse.CHARACTERISTICS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            # Drop the blank "---------" radio: leaving a question unanswered is the same.
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[attr-defined]
