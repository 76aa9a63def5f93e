"""Forms of the candidate's side: the vacancy a manager writes, the application a candidate
sends."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone

from vbr.accounts.models import AccessProfile, Membership, Provider
from vbr.applicants import panel_needs, wording
from vbr.applicants.models import (
    ApplicantSettings,
    NoticeWording,
    Slot,
    Vacancy,
    VacancyQuestion,
)
from vbr.recruitment.models import Application, CoreValue, Service, Stage

# The most values questions a role asks: the form stays short on a phone.
MAX_QUESTIONS = 3
# Answers are free text; this is about two pages, far more than anybody needs.
ANSWER_MAX_LENGTH = 4000
# A person takes longer than this to read and fill the form; a script does not.
MIN_SECONDS_TO_APPLY = 4
_STARTED_SALT = "vbr.applicants.apply.started"


class VacancyForm(forms.ModelForm[Vacancy]):
    class Meta:
        model = Vacancy
        fields = [
            "status",
            "summary",
            "day_to_day",
            "hours",
            "employment_type",
            "pay_from",
            "pay_to",
            "pay_period",
            "town",
            "postcode",
            "pathway_category",
            "what_to_bring",
            "closes_on",
        ]
        widgets = {
            "day_to_day": forms.Textarea(attrs={"rows": 6}),
            "what_to_bring": forms.Textarea(attrs={"rows": 3}),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"pay_from": "Pay from (£)", "pay_to": "Pay up to (£)"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("pay_from"), cleaned.get("pay_to")
        if low is not None and high is not None and high < low:
            self.add_error("pay_to", "Pay up to must be at least the pay from.")
        return cleaned


class VacancyQuestionForm(forms.ModelForm[VacancyQuestion]):
    class Meta:
        model = VacancyQuestion
        fields = ["core_value", "prompt"]
        labels = {"core_value": "Value", "prompt": "Question"}

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["core_value"].queryset = CoreValue.objects.filter(  # type: ignore[attr-defined]
            provider=provider
        ).current()


VacancyQuestionFormSet = forms.inlineformset_factory(
    Vacancy,
    VacancyQuestion,
    form=VacancyQuestionForm,
    extra=MAX_QUESTIONS,
    max_num=MAX_QUESTIONS,
    validate_max=True,
    can_delete=True,
)


def started_token() -> str:
    """A signed note of when the form was shown, for the time check."""
    return signing.dumps(time.time(), salt=_STARTED_SALT)


# How a candidate names each source: their words, not the report's.
SOURCE_CHOICES = [
    ("", "Choose one"),
    (Application.Source.REFERRAL, "Someone who works here recommended me"),
    (Application.Source.WEBSITE, "Your website"),
    (Application.Source.JOB_BOARD, "A job website"),
    (Application.Source.SOCIAL_MEDIA, "Social media"),
    (Application.Source.JOBCENTRE, "Jobcentre"),
    (Application.Source.OTHER, "Somewhere else"),
]


class ApplyForm(forms.Form):
    """The candidate's application: short, no CV, and the role's values questions.

    `website` is a honeypot: hidden from people (and from screen readers), filled in by
    scripts that fill every box. `started` is when the form was shown, signed.
    """

    first_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Mobile phone number",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    texts_agreed = forms.BooleanField(
        label="Text me about my application as well",
        required=False,
        help_text="We send a text at each step to the mobile number above.",
    )
    source = forms.ChoiceField(label="How did you hear about this job?", choices=SOURCE_CHOICES)
    referrer_name = forms.CharField(
        label="Name of the person who recommended you",
        max_length=150,
        required=False,
        help_text="Only if someone who works here recommended you.",
    )
    availability = forms.CharField(
        label="When can you work?",
        help_text="For example: weekdays after 3pm, any nights, not Sundays.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    privacy = forms.BooleanField(
        label="I have read how my information will be used",
        error_messages={
            "required": "Tick the box to say you have read how we use your information."
        },
    )
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, questions: list[VacancyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=f"{number}. {question.prompt}",
                help_text="Answer in your own words. A few sentences is fine.",
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": "Write an answer to this question."},
            )
        self.initial.setdefault("started", started_token())

    @property
    def is_bot(self) -> bool:
        """Filled in the box no person sees."""
        return bool(str(self.data.get("website", "")).strip())

    def clean_first_name(self) -> str:
        return str(self.cleaned_data["first_name"]).strip()

    def clean_last_name(self) -> str:
        return str(self.cleaned_data["last_name"]).strip()

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data["phone"]).strip()
        digits = [c for c in phone if c.isdigit()]
        if phone and (len(digits) < 10 or any(c not in "0123456789 +()-" for c in phone)):
            raise forms.ValidationError("Enter a phone number like 07700 900123.")
        return phone

    def _started_in_time(self) -> bool:
        token = self.data.get("started", "")
        try:
            shown = float(signing.loads(token, salt=_STARTED_SALT, max_age=60 * 60 * 24))
        except (signing.BadSignature, TypeError, ValueError):
            return False
        return time.time() - shown >= MIN_SECONDS_TO_APPLY

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self._started_in_time():
            # A new time, so that sending again (after checking) passes.
            fresh = self.data.copy()  # type: ignore[attr-defined]
            fresh["started"] = started_token()
            self.data = fresh
            raise forms.ValidationError(
                "That was very quick. Please check your answers, then send them again."
            )
        no_contact = not cleaned.get("email") and not cleaned.get("phone")
        if no_contact and not self.has_error("email") and not self.has_error("phone"):
            self.add_error("email", "Give an email address or a mobile number, so we can reply.")
        referred = cleaned.get("source") == Application.Source.REFERRAL
        if referred and not str(cleaned.get("referrer_name", "")).strip():
            self.add_error("referrer_name", "Write the name of the person who recommended you.")
        if not referred:
            cleaned["referrer_name"] = ""
        return cleaned

    def answers(self) -> list[tuple[VacancyQuestion, str]]:
        return [(q, str(self.cleaned_data[f"answer_{q.pk}"]).strip()) for q in self.questions]


class SaveForLaterForm(forms.Form):
    """Saving an application part-way needs only the address the link back goes to."""

    email = forms.EmailField(
        error_messages={
            "required": "To save your application for later, give your email address: we "
            "send you a link to come back to it.",
            "invalid": "Enter an email address like name@example.com, so we can send you "
            "the link to come back.",
        }
    )


class WithdrawByCandidateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        help_text="It helps us do better. You do not have to say.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SlotForm(forms.ModelForm[Slot]):
    """A time a manager offers for a stage, with its panel; for shadowing, where, who
    supervises, and the consent of the person supported."""

    video_link = forms.URLField(required=False, assume_scheme="https")
    consent = forms.BooleanField(
        label="The person supported has agreed to a candidate shadowing at this time",
        required=False,
    )
    agreed_with_panel = forms.BooleanField(
        label="I have agreed this time with the panel members it does not suit",
        required=False,
        help_text="Only if this time is outside what someone said in their “working with me”.",
    )
    supporter_coming = forms.BooleanField(
        label="The supporters of the panel members who have one can come at this time",
        required=False,
    )

    class Meta:
        model = Slot
        fields = [
            "starts_at",
            "minutes",
            "place",
            "video_link",
            "capacity",
            "panel",
            "service",
            "supervisor_name",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "panel": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        panel = self.fields["panel"]
        panel.queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(provider_id=stage.role.provider_id)
            .select_related("user")
            .order_by("user__full_name", "user__username")
        )
        # What each member said in their "working with me", beside their name.
        self.profiles = {
            profile.user_id: profile
            for profile in AccessProfile.objects.filter(
                user__memberships__provider_id=stage.role.provider_id
            ).select_related("user")
        }
        panel.label_from_instance = self._panel_label  # type: ignore[attr-defined]
        if stage.is_shadowing:
            service = self.fields["service"]
            service.queryset = Service.objects.filter(  # type: ignore[attr-defined]
                provider_id=stage.role.provider_id
            )
            service.required = True
            service.empty_label = "Choose the service"  # type: ignore[attr-defined]
            service.error_messages["required"] = "Say where the shadowing happens."
            if not self.is_bound and stage.role.service_id:
                self.initial.setdefault("service", stage.role.service_id)
        else:
            for name in ("service", "supervisor_name", "consent"):
                del self.fields[name]

    def _panel_label(self, membership: Membership) -> str:
        label = membership.user.display_name
        if membership.is_expert_by_experience:
            label += " (expert by experience)"
        profile = self.profiles.get(membership.user_id)
        if profile is not None:
            said = panel_needs.in_words(profile)
            if said:
                label += f": {said}"
        return label

    def clean_starts_at(self) -> Any:
        starts_at = self.cleaned_data["starts_at"]
        if starts_at is not None and starts_at <= timezone.now():
            raise forms.ValidationError("Choose a time still to come.")
        return starts_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("place") and not cleaned.get("video_link"):
            self.add_error("place", "Give a place or a video link.")
        self._check_panel_needs(cleaned)
        if self.stage.is_shadowing:
            if not cleaned.get("supervisor_name"):
                self.add_error("supervisor_name", "Name the member of staff who supervises.")
            if not cleaned.get("consent"):
                self.add_error(
                    "consent",
                    "Ask the person supported first: a shadowing time is offered only with "
                    "their agreement.",
                )
        return cleaned

    def _check_panel_needs(self, cleaned: dict[str, Any]) -> None:
        """A time outside what a panel member said they can do is refused until the manager
        says they agreed it with them; a supporter's coming is confirmed."""
        starts_at, minutes = cleaned.get("starts_at"), cleaned.get("minutes")
        chosen = cleaned.get("panel") or []
        profiles = [self.profiles[m.user_id] for m in chosen if m.user_id in self.profiles]
        if starts_at is not None and minutes:
            unmet = panel_needs.needs_not_met(
                starts_at=starts_at, minutes=minutes, profiles=profiles
            )
            if unmet and not cleaned.get("agreed_with_panel"):
                self.add_error(
                    "agreed_with_panel",
                    "This time does not suit everyone on the panel. "
                    + " ".join(unmet)
                    + " Choose another time, or agree it with them and tick this box.",
                )
        supported = panel_needs.with_supporters(profiles)
        if supported and not cleaned.get("supporter_coming"):
            self.add_error(
                "supporter_coming",
                f"{' and '.join(supported)} {'comes' if len(supported) == 1 else 'come'} with "
                "a supporter. Check that the supporter can come at this time, then tick this "
                "box.",
            )


class ApplicantSettingsForm(forms.ModelForm[ApplicantSettings]):
    class Meta:
        model = ApplicantSettings
        fields = ["first_contact_hours", "scorecard_reminder_hours", "draft_days"]


class NoticeWordingForm(forms.ModelForm[NoticeWording]):
    """A provider's words for one kind of notice. Only the placeholders that kind can fill
    are accepted, each named in the message when it is not."""

    class Meta:
        model = NoticeWording
        fields = ["subject", "email", "sms"]
        widgets = {
            "email": forms.Textarea(attrs={"rows": 12}),
            "sms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "sms": "Sent only to candidates who agreed to texts. Keep it short: a text of "
            "more than 160 characters is sent in several parts.",
        }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _checked(self, name: str) -> str:
        text = str(self.cleaned_data[name]).replace("\r\n", "\n")
        unknown = wording.unknown_placeholders(text, kind=self.kind)
        if unknown:
            allowed = ", ".join(f"{{{n}}}" for n in wording.ALLOWED[self.kind])
            problems = [wording.placeholder_problem(n, kind=self.kind) for n in unknown]
            raise forms.ValidationError(
                " ".join(problems) + f" The words you can use here are: {allowed}."
            )
        return text

    def clean_subject(self) -> str:
        return " ".join(self._checked("subject").split())

    def clean_email(self) -> str:
        return self._checked("email").strip()

    def clean_sms(self) -> str:
        return self._checked("sms").strip()


class PreviewWithForm(forms.Form):
    """Which candidate a preview is written for: a made-up one, or one of the provider's
    recent applications (to the role, for a role's own wording)."""

    application = forms.TypedChoiceField(
        label="Show the preview for", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, applications: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = {application.pk: application for application in applications}
        field = self.fields["application"]
        field.choices = [("", "A made-up candidate, Sam")] + [  # type: ignore[attr-defined]
            (
                application.pk,
                f"{application.candidate.full_name}, {application.role.title} "
                f"(applied {application.applied_at:%-d %b %Y})",
            )
            for application in applications
        ]

    def chosen(self) -> Application | None:
        if not self.is_valid():
            return None
        return self.applications.get(self.cleaned_data["application"])
