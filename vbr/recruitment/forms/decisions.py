from __future__ import annotations

from typing import Any, cast

from django import forms

from vbr.recruitment import rules, workflow
from vbr.recruitment.models import Application, Decision, Outcome


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Decision", choices=Decision.Kind.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Explain the decision in terms of the values and the evidence.",
    )
    override_reason = forms.CharField(
        label="Why are you deciding against the experts by experience?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="Needed when the decision goes against the view of the panel members who "
        "draw on care and support. They are told this reason in their message about the "
        "decision: write it in plain words, and give nobody's scores.",
    )
    feedback_to_candidate = forms.CharField(
        label="A sentence for the candidate (optional, when you decline)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=600,
        required=False,
        help_text="Sent to them as you write it, in the kind message that tells them. For "
        "example, what they could build on. Never scores, notes or what anyone on the panel "
        "said.",
    )
    # The application as the decider saw it (workflow.Seen), carried back with the decision
    # so that a form sent twice, or after somebody else decided, is not recorded again.
    at_stage = forms.IntegerField(required=False, widget=forms.HiddenInput)
    last_decision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, application: Application, experts_view: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        self.experts_view = experts_view
        if not self.is_bound:
            seen = workflow.seen_now(application)
            self.initial.update(at_stage=seen.stage_id, last_decision=seen.decision_id)
        choices = list(Decision.Kind.choices)
        if workflow.next_stage(application) is None:
            choices = [c for c in choices if c[0] != Decision.Kind.PROGRESS]
        if application.status == Application.Status.OFFERED:
            choices = [c for c in choices if c[0] != Decision.Kind.OFFER]
        cast(forms.ChoiceField, self.fields["kind"]).choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind != Decision.Kind.DECLINE:
            # Only a candidate turned down is sent it.
            cleaned["feedback_to_candidate"] = ""
        against = kind and rules.goes_against_experts(view=self.experts_view, kind=kind)
        if against and not (cleaned.get("override_reason") or "").strip():
            self.ask_for_override_reason()
        return cleaned

    def seen(self) -> workflow.Seen:
        return workflow.Seen(
            stage_id=self.cleaned_data.get("at_stage"),
            decision_id=self.cleaned_data.get("last_decision"),
        )

    def ask_for_override_reason(self, changed_to: str | None = None) -> None:
        """The decision goes against the experts and needs a reason. `changed_to`: their view
        when it changed after the page was drawn (an expert submitted or amended meanwhile)."""
        if changed_to is None:
            said = f"The experts by experience were {self.experts_view} about this candidate."
        else:
            self.experts_view = changed_to
            said = (
                f"The experts by experience were {changed_to} about this candidate: their "
                "view changed after this page was opened."
            )
        self.add_error("override_reason", f"{said} Record why you are deciding otherwise.")


class OutcomeForm(forms.ModelForm[Outcome]):
    class Meta:
        model = Outcome
        fields = ["start_date", "probation", "left_on", "leaving_reason", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"left_on": "Left on (if they have left)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leaving_reason"]).choices = [
            ("", "They have not left"),
            *Outcome.LeavingReason.choices,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, left = cleaned.get("start_date"), cleaned.get("left_on")
        if left and not start:
            self.add_error("start_date", "Enter the start date as well as the leaving date.")
        elif left and start and left < start:
            self.add_error("left_on", "The leaving date must be on or after the start date.")
        if left and not cleaned.get("leaving_reason"):
            self.add_error("leaving_reason", "Choose why they left.")
        return cleaned
