"""The scorecard form: one level (or not observed) and evidence per criterion, plus an overall
recommendation. Drafts accept anything; submitting needs every criterion answered and
evidence for the extreme levels (`rules.needs_written_evidence`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.forms.utils import ErrorList
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from vbr.recruitment import rules
from vbr.recruitment.forms.widgets import attrs_html
from vbr.recruitment.models import Criterion, Scorecard
from vbr.recruitment.workflow import Answer

NOT_OBSERVED = "n"
LEVEL_CHOICES = [
    ("1", "1 — No evidence shown"),
    ("2", "2 — Some evidence"),
    ("3", "3 — Good evidence"),
    ("4", "4 — Strong evidence"),
    (NOT_OBSERVED, "Not observed"),
]
MAX_EVIDENCE = 5000


def normalise_line_breaks(text: str) -> str:
    """Line breaks as the person typed them: one character each. Browsers send each line
    break of a text box as two (CR LF) but count it as one while the person types."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class CommentField(forms.CharField):
    """Free text typed in a box: evidence, a summary, a panel member's comment.

    Its length is checked after line breaks are normalised, so that the limit is the one the
    person sees while typing. The page sets no `maxlength`, which would let the browser cut a
    paste short: a comment over the limit is refused with a message, and the form shows it
    again in full for the person to shorten. The one character PostgreSQL text cannot hold
    (NUL) is dropped rather than refused: nobody types it on purpose.
    """

    default_too_long = (
        "This is {count:,} characters long and the most is {limit:,}. "
        "Please shorten it by {over:,}: what you wrote is kept."
    )

    def __init__(self, *, limit: int = MAX_EVIDENCE, too_long: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit
        self.too_long = too_long or self.default_too_long

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = normalise_line_breaks(value.replace("\x00", ""))
        return str(super().to_python(value))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > self.limit:
            over = len(value) - self.limit
            letters = f"{over:,} letter or space" if over == 1 else f"{over:,} letters or spaces"
            raise forms.ValidationError(
                self.too_long.format(
                    count=len(value), limit=self.limit, over=over, letters=letters
                ),
                code="max_length",
            )

    def typed(self, data: Any) -> str:
        """What was typed, as this field cleans it but never cut, valid or not: a draft keeps
        every word."""
        return self.to_python(data if isinstance(data, str) else "")


@dataclass(frozen=True)
class CriterionFields:
    """One criterion's question on the scorecard page, ready to show: what the template
    prints, worked out once, with the bound fields' ids, errors and tags."""

    pk: int
    number: int
    of: int  # how many questions there are
    prompt: str
    value_name: str
    essential: bool
    # The value's indicators, when it has any: the texts that show it and go against it.
    has_indicators: bool
    shows: tuple[str, ...]
    goes_against: tuple[str, ...]
    level_id: str
    level_errors: ErrorList
    # Each radio button: its `<input>` tag, id, label and the criterion's own description of
    # that level.
    options: tuple[tuple[SafeString, str, str, str], ...]
    evidence_id: str
    evidence_label: str
    evidence_errors: ErrorList
    evidence_help: str
    evidence_tag: SafeString

    @classmethod
    def of_criterion(
        cls,
        criterion: Criterion,
        *,
        number: int,
        of: int,
        level: forms.BoundField,
        evidence: forms.BoundField,
    ) -> CriterionFields:
        descriptions = [text for _, text in criterion.level_descriptions()]
        descriptions.append("There was no chance to show this. Not a low score.")
        core_value = criterion.core_value
        indicators = list(core_value.indicators.all())
        return cls(
            pk=criterion.pk,
            number=number,
            of=of,
            prompt=criterion.prompt,
            value_name=core_value.name,
            essential=criterion.essential,
            has_indicators=bool(indicators),
            shows=tuple(i.text for i in indicators if i.kind == "positive"),
            goes_against=tuple(i.text for i in indicators if i.kind == "negative"),
            level_id=level.auto_id,
            level_errors=level.errors,
            options=tuple(
                (input_tag(radio), radio.id_for_label, radio.choice_label, description)
                for radio, description in zip(level, descriptions, strict=True)
            ),
            evidence_id=evidence.id_for_label,
            evidence_label=str(evidence.label),
            evidence_errors=evidence.errors,
            evidence_help=str(evidence.help_text),
            evidence_tag=textarea_tag(evidence),
        )


# A scorecard page has five radios and a text box per criterion: rendering each through
# Django's widget templates was most of the page's time. These give the same markup (a
# test compares them) with plain string formatting.


def input_tag(radio: BoundWidget) -> SafeString:
    """The same markup as `radio.tag()` (Django's widgets/input.html)."""
    data = radio.data
    value = "" if data["value"] is None else f' value="{conditional_escape(data["value"])}"'
    html = (
        f'<input type="{conditional_escape(data["type"])}" '
        f'name="{conditional_escape(data["name"])}"{value}{attrs_html(data["attrs"])}>'
    )
    return mark_safe(html)  # noqa: S308 (every part above is escaped)


def textarea_tag(field: forms.BoundField) -> SafeString:
    """The same markup as `str(field)` for a Textarea (BoundField.as_widget and Django's
    widgets/textarea.html)."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    data = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    text = conditional_escape(data["value"]) if data["value"] else ""
    html = (
        f'<textarea name="{conditional_escape(data["name"])}"{attrs_html(data["attrs"])}>\n'
        f"{text}</textarea>"
    )
    return mark_safe(html)  # noqa: S308 (every part above is escaped)


@dataclass(frozen=True)
class Draft:
    """What an autosave posted: the answers per criterion id, the recommendation, the
    summary."""

    answers: dict[int, Answer]
    recommendation: str
    summary: str


# Cleans a typed text as a draft keeps it (see `CommentField.typed`).
_TYPED_TEXT = CommentField(required=False)


def draft_from(data: Mapping[str, Any], criterion_ids: Iterable[int]) -> Draft:
    """Read an autosave as `ScorecardForm(data, criteria=...)` reads a draft (its `answers`,
    `recommendation_value` and `summary_value` after `is_valid`), without building two fields
    per criterion and cleaning them: a draft is saved unvalidated, so the fields would only
    pass on what was typed. A test compares the two on awkward posts."""
    return Draft(
        answers={
            pk: _answer(
                _raw_choice(data.get(f"level_{pk}")), _TYPED_TEXT.typed(data.get(f"evidence_{pk}"))
            )
            for pk in criterion_ids
        },
        recommendation=_recommendation(_raw_choice(data.get("recommendation"))),
        summary=_TYPED_TEXT.typed(data.get("summary")).strip(),
    )


def _raw_choice(value: Any) -> str:
    return str(value or "").replace("\x00", "")


def _answer(level: str, evidence: str) -> Answer:
    """One question's answer from its level and evidence as typed (a draft's or a form's)."""
    return Answer(
        level=int(level) if level in {"1", "2", "3", "4"} else None,
        not_observed=level == NOT_OBSERVED,
        evidence=evidence.strip(),
    )


def _recommendation(value: str) -> str:
    return value if value in Scorecard.Recommendation.values else ""


class ScorecardForm(forms.Form):
    # The hint under each evidence box, which the box names in its aria-describedby.
    evidence_hint = f"Needed for levels {rules.evidence_levels_in_words()}."

    recommendation = forms.ChoiceField(
        label="Overall recommendation",
        choices=Scorecard.Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
    )
    summary = CommentField(
        label="Summary for the panel (optional)",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[Criterion],
        submitting: bool = False,
        amending: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.submitting = submitting or amending
        for criterion in self.criteria:
            self.fields[f"level_{criterion.pk}"] = forms.ChoiceField(
                label="Level",
                choices=LEVEL_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )
            self.fields[f"evidence_{criterion.pk}"] = CommentField(
                label="Evidence: what did you see or hear?",
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                required=False,
                help_text=self.evidence_hint,
            )
        if amending:
            self.fields["reason"] = forms.CharField(
                label="Why are you changing a submitted scorecard?",
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                max_length=2000,
                help_text="Kept in the scorecard's history with the earlier version.",
            )

    @classmethod
    def initial_from(cls, scorecard: Scorecard | None) -> dict[str, Any]:
        if scorecard is None:
            return {}
        initial: dict[str, Any] = {
            "recommendation": scorecard.recommendation,
            "summary": scorecard.summary,
        }
        for score in scorecard.scores.all():
            if score.not_observed:
                initial[f"level_{score.criterion_id}"] = NOT_OBSERVED
            elif score.level:
                initial[f"level_{score.criterion_id}"] = str(score.level)
            initial[f"evidence_{score.criterion_id}"] = score.evidence
        return initial

    def criterion_fields(self) -> list[CriterionFields]:
        """Each question, ready to show (its criterion's value and indicators loaded)."""
        return [
            CriterionFields.of_criterion(
                criterion,
                number=number,
                of=len(self.criteria),
                level=self[f"level_{criterion.pk}"],
                evidence=self[f"evidence_{criterion.pk}"],
            )
            for number, criterion in enumerate(self.criteria, start=1)
        ]

    def recommendation_options(self) -> list[tuple[SafeString, str, str]]:
        """Each recommendation's radio button: its `<input>` tag, id and label."""
        return [
            (input_tag(radio), radio.id_for_label, radio.choice_label)
            for radio in self["recommendation"]
        ]

    def summary_tag(self) -> SafeString:
        return textarea_tag(self["summary"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.submitting:
            return cleaned
        missing = 0
        for criterion in self.criteria:
            level = cleaned.get(f"level_{criterion.pk}")
            evidence = (cleaned.get(f"evidence_{criterion.pk}") or "").strip()
            if not level:
                missing += 1
                self.add_error(
                    f"level_{criterion.pk}", "Choose a level, or “Not observed” if you saw none."
                )
            elif (
                level != NOT_OBSERVED and rules.needs_written_evidence(int(level)) and not evidence
            ):
                self.add_error(
                    f"evidence_{criterion.pk}",
                    f"Level {level} needs evidence: write what you saw or heard.",
                )
        if not cleaned.get("recommendation"):
            self.add_error(
                "recommendation", "Choose an overall recommendation (or “No recommendation”)."
            )
        if missing:
            raise forms.ValidationError(
                f"Questions still without an answer: {missing} of {len(self.criteria)}."
            )
        return cleaned

    def answers(self) -> dict[int, Answer]:
        """What was typed, per criterion id. Works on a form that did not validate, so that a
        draft is saved even when a submit was refused."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            criterion.pk: _answer(
                self._raw(data, f"level_{criterion.pk}"),
                self._raw(data, f"evidence_{criterion.pk}"),
            )
            for criterion in self.criteria
        }

    def recommendation_value(self) -> str:
        return _recommendation(self._raw(getattr(self, "cleaned_data", {}), "recommendation"))

    def summary_value(self) -> str:
        return self._raw(getattr(self, "cleaned_data", {}), "summary").strip()

    def _raw(self, cleaned: dict[str, Any], name: str) -> str:
        """A field's value as typed, valid or not: a draft is saved unvalidated and is never
        cut short (a text over the limit is kept, and refused only on submitting)."""
        if name in cleaned and cleaned[name] is not None:
            return str(cleaned[name])
        value = self.data.get(self.add_prefix(name), "") or ""
        field = self.fields.get(name)
        if isinstance(field, CommentField):
            return field.typed(value)
        # Drop the one character PostgreSQL text cannot hold.
        return str(value).replace("\x00", "")
