"""Easy-read scoring: the same four levels and "not sure", in plain words with pictures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from django import forms

from vbr.accounts.models import Membership, Provider
from vbr.recruitment.forms.scoring import MAX_EVIDENCE, NOT_OBSERVED, CommentField
from vbr.recruitment.models import Scorecard


@dataclass(frozen=True)
class EasyChoice:
    value: str
    words: str
    explanation: str
    picture: str
    picture_text: str


EASY_LEVELS = (
    EasyChoice("1", "No", "They did not show this.", "level-1.svg", "1 circle of 4 filled in"),
    EasyChoice(
        "2", "A little", "I saw a little of this.", "level-2.svg", "2 circles of 4 filled in"
    ),
    EasyChoice("3", "Yes", "I saw this.", "level-3.svg", "3 circles of 4 filled in"),
    EasyChoice("4", "Yes, a lot", "I saw this a lot.", "level-4.svg", "4 circles of 4 filled in"),
    EasyChoice(
        NOT_OBSERVED,
        "Not sure",
        "I am not sure. There was no chance to see it.",
        "not-sure.svg",
        "A question mark",
    ),
)
EASY_OVERALL = (
    EasyChoice(
        Scorecard.Recommendation.YES,
        "Yes",
        "I would like them to work here.",
        "yes.svg",
        "A smiling face",
    ),
    EasyChoice(
        Scorecard.Recommendation.NONE,
        "Not sure",
        "I am not sure.",
        "not-sure-face.svg",
        "A face with a straight mouth",
    ),
    EasyChoice(
        Scorecard.Recommendation.NO,
        "No",
        "I would not like them to work here.",
        "no.svg",
        "A sad face",
    ),
)
LEVEL_WORDS = {choice.value: choice for choice in EASY_LEVELS}
OVERALL_WORDS = {choice.value: choice for choice in EASY_OVERALL}


class EasyAnswerForm(forms.Form):
    """One question: a level (or not sure) and an optional comment. Never required: a person
    may move on and come back; the check page shows what is still open."""

    answer = forms.ChoiceField(
        choices=[(c.value, c.words) for c in EASY_LEVELS], widget=forms.RadioSelect, required=False
    )
    comment = CommentField(
        label="Anything you want to say? (you can leave this empty)",
        help_text=f"You can write up to {MAX_EVIDENCE:,} letters and spaces.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-lg"}),
        required=False,
        too_long=(
            "Your words are too long. Please take out {letters}. What you wrote is kept below."
        ),
    )

    def __init__(
        self,
        *args: Any,
        overall: bool = False,
        level_words: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`level_words`: the criterion's own easy-read description of each level (from the
        question bank), shown under the picture instead of the usual words."""
        super().__init__(*args, **kwargs)
        self.choices: tuple[EasyChoice, ...] = EASY_OVERALL if overall else EASY_LEVELS
        if level_words:
            self.choices = tuple(
                replace(choice, explanation=level_words.get(int(choice.value), choice.explanation))
                if choice.value.isdigit()
                else choice
                for choice in self.choices
            )
        cast(forms.ChoiceField, self.fields["answer"]).choices = [
            (c.value, c.words) for c in self.choices
        ]

    def options(self) -> list[tuple[Any, EasyChoice]]:
        return list(zip(self["answer"], self.choices, strict=True))

    def typed_answer(self) -> str:
        """The choice posted, if it is one of this question's (a draft takes any answer)."""
        value = str(self.data.get("answer", ""))
        return value if value in {c.value for c in self.choices} else ""

    def typed_comment(self) -> str:
        """The comment as typed, never cut: kept in the draft even when it is too long."""
        field = self.fields["comment"]
        assert isinstance(field, CommentField)
        return field.typed(self.data.get("comment", ""))

    @property
    def comment_too_long(self) -> bool:
        return self.is_bound and self.has_error("comment", "max_length")


class SupporterForm(forms.Form):
    """Who is answering: the panel member, or somebody helping them."""

    HELPER_CHOICES = [
        ("self", "I am answering myself"),
        ("supporter", "Someone is helping me"),
    ]
    helper = forms.ChoiceField(
        label="Who is answering?",
        choices=HELPER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who is answering: you, or someone helping you.",
            "invalid_choice": "Choose who is answering: you, or someone helping you.",
        },
    )
    supporter = forms.ModelChoiceField(
        label="Someone who works here (choose them)",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="— Choose their name —",
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={
            "invalid_choice": (
                "The person you chose is not on the list any more. "
                "Choose someone else, or write their name."
            )
        },
    )
    supporter_name = forms.CharField(
        label="Or someone else (write their name)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
        error_messages={"max_length": "This name is too long: write at most 150 characters."},
    )

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supporter = cast("forms.ModelChoiceField[Any]", self.fields["supporter"])
        supporter.queryset = (
            provider.memberships.staff().select_related("user").order_by("user__full_name")
        )
        supporter.label_from_instance = lambda m: m.user.display_name  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Asked only when nothing was given: a choice or a name refused has its own message.
        if (
            cleaned.get("helper") == "supporter"
            and not self.has_error("supporter")
            and not self.has_error("supporter_name")
            and not (cleaned.get("supporter") or (cleaned.get("supporter_name") or "").strip())
        ):
            self.add_error("supporter", "Please choose the person helping, or write their name.")
        return cleaned
