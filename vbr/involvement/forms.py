"""Forms of the advert and shortlisting pages, narrowed to the provider."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from vbr.accounts.models import Provider, User
from vbr.involvement.models import MAX_COMMENT, AdvertComment, ShortlistAnswer
from vbr.recruitment.forms.easy_read import EasyChoice
from vbr.recruitment.forms.scoring import CommentField
from vbr.recruitment.models import Role, Stage

TOO_LONG = "Your words are too long. Please take out {letters}. What you wrote is kept below."


def _people_field(label: str, help_text: str) -> forms.ModelMultipleChoiceField[Any]:
    return forms.ModelMultipleChoiceField(
        label=label,
        help_text=help_text,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one person."},
    )


def _narrow_people(field: Any, provider: Provider) -> None:
    """The provider's people, experts by experience first."""
    people = cast("forms.ModelMultipleChoiceField[Any]", field)
    memberships = {
        m.user_id: m
        for m in provider.memberships.select_related("user").order_by(
            "-is_expert_by_experience", "user__full_name", "user__username"
        )
    }
    people.queryset = User.objects.filter(pk__in=list(memberships)).order_by(
        "full_name", "username"
    )

    def label(user: User) -> str:
        membership = memberships[user.pk]
        if membership.is_expert_by_experience:
            return f"{user.display_name} (expert by experience)"
        return f"{user.display_name} ({membership.get_role_display().lower()})"

    people.label_from_instance = label  # type: ignore[method-assign,assignment]


class AdvertShareForm(forms.Form):
    people = _people_field(
        "Who would you like to ask?",
        "People without a staff account get a personal link or code to open it.",
    )

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow_people(self.fields["people"], provider)


class AdvertCommentForm(forms.Form):
    """What a person thinks of one section, and other words they would use. Both optional."""

    comment = CommentField(
        label="What do you think of this part? (you can leave this empty)",
        limit=MAX_COMMENT,
        too_long=TOO_LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-lg"}),
    )
    suggested_words = CommentField(
        label="Would you say it in other words? Write them here (you can leave this empty)",
        limit=MAX_COMMENT,
        too_long=TOO_LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-lg"}),
    )


class CommentOutcomeForm(forms.ModelForm[AdvertComment]):
    class Meta:
        model = AdvertComment
        fields = ["outcome", "outcome_note"]
        labels = {"outcome": "What did you do?", "outcome_note": "What we changed, or why not"}
        widgets = {
            "outcome": forms.RadioSelect(attrs={"class": "form-check-input"}),
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["outcome"].error_messages["required"] = "Choose what you did."
        cast(forms.ChoiceField, self.fields["outcome"]).choices = AdvertComment.Outcome.choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("outcome") == AdvertComment.Outcome.NOT_CHANGED
            and not (cleaned.get("outcome_note") or "").strip()
        ):
            self.add_error("outcome_note", "Say why it was not changed: they will want to know.")
        return cleaned


class ShortlistingOpenForm(forms.Form):
    stage = forms.ModelChoiceField(
        label="Which applications?",
        queryset=Stage.objects.none(),
        required=False,
        empty_label="Every open application of the role",
        help_text="Only applications that came with values answers can be shortlisted.",
    )
    people = _people_field(
        "Who shortlists?",
        "Each person answers on their own. Nobody sees the others' answers for an applicant "
        "until they have sent their own.",
    )

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = cast("forms.ModelChoiceField[Any]", self.fields["stage"])
        stage.queryset = role.stages.all()
        stage.label_from_instance = lambda s: f"Those at the stage: {s.name}"  # type: ignore[method-assign,assignment]
        _narrow_people(self.fields["people"], role.provider)


SHORTLIST_CHOICES = (
    EasyChoice(
        ShortlistAnswer.Answer.YES,
        "Yes",
        "I would like to meet this person.",
        "yes.svg",
        "A smiling face",
    ),
    EasyChoice(
        ShortlistAnswer.Answer.NOT_SURE,
        "Not sure",
        "I am not sure.",
        "not-sure-face.svg",
        "A face with a straight mouth",
    ),
    EasyChoice(
        ShortlistAnswer.Answer.NO,
        "No",
        "I would not like to meet this person.",
        "no.svg",
        "A sad face",
    ),
)
SHORTLIST_WORDS = {choice.value: choice for choice in SHORTLIST_CHOICES}


class ShortlistAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Would you like to meet this person?",
        choices=[(c.value, c.words) for c in SHORTLIST_CHOICES],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose yes, not sure or no."},
    )
    comment = CommentField(
        label="Anything you want to say? (you can leave this empty)",
        limit=1000,
        too_long=TOO_LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-lg"}),
    )

    def options(self) -> list[tuple[Any, EasyChoice]]:
        return list(zip(self["answer"], SHORTLIST_CHOICES, strict=True))
