"""Forms for panel members' invitations, shadowing checks and views, and involvement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from vbr.accounts.models import Provider, User
from vbr.recruitment.forms.scoring import CommentField
from vbr.recruitment.models import Assessment, Involvement, ProviderCheck, SupportedPersonView


class InvitationForm(forms.Form):
    delivery = forms.ChoiceField(
        choices=[("print", "Print"), ("email", "Email")], widget=forms.HiddenInput
    )
    kiosk = forms.BooleanField(label="On a shared tablet (sign out after sending)", required=False)


class KioskEndForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control form-control-lg"}
        ),
    )


class ProviderCheckForm(forms.ModelForm[ProviderCheck]):
    class Meta:
        model = ProviderCheck
        fields = ["name", "required_before_shadowing"]
        labels = {"name": "Check", "required_before_shadowing": "Required before shadowing"}

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.provider.checks.filter(name__iexact=name).exists():
            raise forms.ValidationError("There is already a check with that name.")
        return str(name)


class RetireCheckForm(forms.Form):
    """Which of the provider's checks to stop asking for: the value of the row's button."""

    retire = forms.ModelChoiceField(queryset=ProviderCheck.objects.none())

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        retire = cast("forms.ModelChoiceField[Any]", self.fields["retire"])
        retire.queryset = provider.checks.filter(is_active=True)


class SupportedPersonViewForm(forms.ModelForm[SupportedPersonView]):
    consent = forms.ChoiceField(
        label="Do you agree to tell us what you think?",
        choices=[("yes", "Yes, I agree"), ("no", "No, I do not want to")],
        widget=forms.RadioSelect,
    )
    answer = forms.ChoiceField(
        label="Would you like this person to support you?",
        choices=SupportedPersonView.Answer.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    comment = CommentField(
        label="Anything else you want to say? (you can leave this empty)",
        limit=SupportedPersonView._meta.get_field("comment").max_length or 2000,
        required=False,
        too_long=(
            "Your words are too long. Please take out {letters}. What you wrote is kept below."
        ),
    )

    class Meta:
        model = SupportedPersonView
        fields = ["person_name", "supporter_name", "comment"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("consent") == "yes" and not cleaned.get("answer"):
            self.add_error("answer", "Choose yes, not sure or no.")
        return cleaned


class InvolvementForm(forms.ModelForm[Involvement]):
    class Meta:
        model = Involvement
        fields = [
            "user",
            "assessment",
            "date",
            "minutes",
            "payment_kind",
            "payment_amount",
            "expenses_amount",
            "supporter_expenses",
            "notes",
        ]
        labels = {
            "user": "Panel member",
            "assessment": "Assessment (optional)",
            "payment_kind": "Reward they chose",
            "payment_amount": "Payment or voucher amount (£)",
        }
        help_texts = {
            "payment_kind": "Ask the person: some choose a voucher or nothing, so that a "
            "payment does not affect their benefits.",
        }
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = cast("forms.ModelChoiceField[Any]", self.fields["user"])
        user_field.queryset = User.objects.filter(memberships__provider=provider)
        user_field.empty_label = "Choose a panel member"
        assessment_field = cast("forms.ModelChoiceField[Any]", self.fields["assessment"])
        assessment_field.queryset = Assessment.objects.filter(
            application__provider=provider
        ).select_related("stage", "application__candidate")
        assessment_field.empty_label = "Not for one assessment"
        # Most people come without a supporter: left empty, it is nothing.
        self.fields["supporter_expenses"].required = False

    def clean_supporter_expenses(self) -> Decimal:
        return self.cleaned_data.get("supporter_expenses") or Decimal(0)


class ShadowingNoteForm(forms.Form):
    noted_at = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
        error_messages={
            "required": "Enter the time it happened, for example 10:40.",
            "invalid": "Enter the time as hours and minutes, for example 10:40.",
        },
    )
    text = forms.CharField(
        label="What happened",
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": "Write a few words about what happened."},
    )

    # A refused note comes back on the scorecard page once, with what was typed (the page is
    # reached by a redirect, so the post is kept in the session until then).
    REFUSED_SESSION_KEY = "refused_shadowing_note"
    # Enough for anything the page lets a person type; a larger post is cut, not stored whole.
    KEPT_CHARACTERS = 2000

    @classmethod
    def keep_refused(cls, session: Any, *, assessment_id: int, data: Any) -> None:
        session[cls.REFUSED_SESSION_KEY] = {
            "assessment_id": assessment_id,
            "noted_at": str(data.get("noted_at", ""))[:20],
            "text": str(data.get("text", ""))[: cls.KEPT_CHARACTERS],
        }

    @classmethod
    def take_refused(cls, session: Any, *, assessment_id: int) -> ShadowingNoteForm | None:
        """The note refused on this assessment's scorecard, bound so that it shows what was
        typed and why it was refused; None when there is none. Shown once."""
        kept = session.get(cls.REFUSED_SESSION_KEY)
        if not kept or kept.get("assessment_id") != assessment_id:
            return None
        del session[cls.REFUSED_SESSION_KEY]
        form = cls({"noted_at": kept["noted_at"], "text": kept["text"]}, auto_id="note_%s")
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {
                        "class": "form-control is-invalid",
                        "aria-invalid": "true",
                        "aria-describedby": f"note_{name}-error",
                    }
                )
        return form
