"""Forms for candidates and their applications. Every choice is narrowed to the provider."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django import forms

from vbr.accounts.models import Provider
from vbr.compiled import CompiledQuery
from vbr.recruitment.forms.widgets import QuickSelect
from vbr.recruitment.models import Application, Candidate, Role, Stage


class RoleChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class StageChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.role.title}: {obj.name}"


class AddCandidateForm(forms.Form):
    """A new candidate and the role they apply for."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    role = RoleChoiceField(
        queryset=Role.objects.none(),
        label="Role applied for",
        empty_label="Choose a role",
        help_text="Only open roles are listed.",
    )
    source = forms.ChoiceField(
        choices=[("", "Not known"), *Application.Source.choices],
        required=False,
        label="Where did they hear about the job?",
    )

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        cast(
            "forms.ModelChoiceField[Any]", self.fields["role"]
        ).queryset = provider.roles.open().order_by("title")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        role = cleaned.get("role")
        if email:
            existing = (
                self.provider.candidates.filter(email__iexact=email, anonymised_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if existing is not None:
                if role is not None and existing.applications.filter(role=role).exists():
                    self.add_error(
                        "role", f"{existing.full_name} has already applied for {role.title}."
                    )
                else:
                    self.add_error(
                        "email",
                        f"{existing.full_name} is already a candidate with this email. "
                        "Open one of their applications and choose “Apply to another role”.",
                    )
        return cleaned


class ApplyToRoleForm(forms.Form):
    """An existing candidate applying for another of the provider's open roles."""

    role = RoleChoiceField(
        queryset=Role.objects.none(), label="Role applied for", empty_label="Choose a role"
    )
    source = forms.ChoiceField(
        choices=[("", "Not known"), *Application.Source.choices],
        required=False,
        label="Where did they hear about the job?",
    )

    def __init__(self, *args: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        cast(
            "forms.ModelChoiceField[Any]", self.fields["role"]
        ).queryset = candidate.provider.roles.open().order_by("title")

    def clean_role(self) -> Role:
        role: Role = self.cleaned_data["role"]
        if self.candidate.applications.filter(role=role).exists():
            raise forms.ValidationError(
                f"{self.candidate.full_name} has already applied for {role.title}."
            )
        return role


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Reason (optional)",
        help_text="What the candidate told you, if anything.",
    )


class ApplicationFilterForm(forms.Form):
    """Search and filters of the applications list (a GET form: invalid filters are ignored)."""

    q = forms.CharField(required=False, label="Name or email", max_length=200)
    role = RoleChoiceField(
        queryset=Role.objects.none(), required=False, empty_label="Any role", widget=QuickSelect
    )
    stage = StageChoiceField(
        queryset=Stage.objects.none(), required=False, empty_label="Any stage", widget=QuickSelect
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Application.Status.choices],
        required=False,
        widget=QuickSelect,
    )
    waiting = forms.BooleanField(required=False, label="Only those waiting for a decision")

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["role"]).queryset = provider.roles.order_by(
            "title"
        )
        stages = Stage.objects.filter(role__provider=provider)
        cast("forms.ModelChoiceField[Any]", self.fields["stage"]).queryset = stages
        # The menus drawn from plain values, as the fields would label them: a large
        # provider's every role and stage, without a model instance for each.
        self.fields["role"].widget.choices = [
            ("", "Any role"),
            *_ROLE_CHOICES.rows(provider_id=provider.pk),
        ]
        self.fields["stage"].widget.choices = [
            ("", "Any stage"),
            *(
                (pk, f"{role_title}: {name}")
                for pk, role_title, name in _STAGE_CHOICES.rows(provider_id=provider.pk)
            ),
        ]

    # Drawn on every view, never kept: what is typed to search is often a person's name.
    TYPED = frozenset({"q"})

    def drawn_key(self) -> str:
        """A digest of everything the form's menus and choices draw: the menus and what was
        chosen in them (their errors follow from these two), not the search text (`TYPED`).
        The same digest is the same HTML, so that drawing can be kept; a renamed role, a new
        stage or another choice is another digest, never a stale drawing."""
        shown = (
            [list(self.fields[name].widget.choices) for name in ("role", "stage")],
            [self[name].value() for name in self.fields if name not in self.TYPED],
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


# The filter's menus, on every view of the applications list (see vbr.compiled).
_ROLE_CHOICES: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: (
        Role.objects.filter(provider_id=provider_id).order_by("title").values_list("pk", "title")
    ),
    provider_id=int,
)
_STAGE_CHOICES: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: (
        Stage.objects.filter(role__provider_id=provider_id)
        .order_by("role__title", "order", "pk")
        .values_list("pk", "role__title", "name")
    ),
    provider_id=int,
)
