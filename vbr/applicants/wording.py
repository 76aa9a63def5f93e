"""The words of each notice to a candidate: our default wording, a provider's own, and the
safe filling-in of its placeholders.

A provider may rewrite any notice, for all its roles or for one role (which then wins). The
words are never run as a template: they may hold only the fixed placeholders below, written
`{first_name}`, which are replaced by plain substitution. Any other `{name}` is refused when
the wording is saved, with a message naming it. A line whose placeholders all come out empty
(the candidate has no personal page, or no feedback was written) is left out, so that
nothing reads "Your page: " with nothing after it.

What a notice can say is made only from the candidate's first name, the role, the provider,
the stage, times and places, their link and the feedback sentence a manager writes for them:
no score, note or panel member's view is ever among the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from vbr.accounts.models import Provider
from vbr.applicants.models import Notice, NoticeWording
from vbr.recruitment.models import Role

K = Notice.Kind

PLACEHOLDERS: dict[str, str] = {
    "first_name": "the candidate's first name",
    "role": "the job's title",
    "provider": "your organisation's name",
    "stage": "the stage, in small letters: for example values interview",
    "when": "the day and time booked (shorter in a text message)",
    "where": "the place booked, or its video link",
    "times": "the times they can choose from, one a line",
    "status_link": "the link to the candidate's own page (the line is left out when they "
    "have none: somebody a manager added)",
    "feedback": "the sentence you wrote for them when deciding (the line is left out when "
    "you wrote none)",
}

_BASE = ("first_name", "role", "provider", "status_link")
_BOOKED = (*_BASE, "stage", "when", "where")

# Which placeholders each kind of notice may use: the others have nothing to say there.
ALLOWED: dict[str, tuple[str, ...]] = {
    K.RECEIVED: _BASE,
    K.INVITED: (*_BASE, "stage", "times"),
    K.BOOKED: _BOOKED,
    K.BOOKING_CANCELLED: _BOOKED,
    K.REMINDER: _BOOKED,
    K.MOVED_ON: (*_BASE, "stage"),
    K.OFFER: _BASE,
    K.NOT_THIS_TIME: (*_BASE, "feedback"),
    K.WITHDRAWN: _BASE,
}

# What each notice is for, shown beside its wording.
WHEN_SENT: dict[str, str] = {
    K.RECEIVED: "As soon as a candidate sends an application from the vacancy page.",
    K.INVITED: "When a manager invites the candidate to choose a time at their stage.",
    K.BOOKED: "When the candidate books or moves a time. A calendar file goes with the email.",
    K.BOOKING_CANCELLED: "When a booked time is cancelled. A calendar file takes it out of "
    "their calendar.",
    K.REMINDER: "The day before a booked time.",
    K.MOVED_ON: "When the application moves on to the next stage.",
    K.OFFER: "When the decision is to offer the job (or to hire without an offer first).",
    K.NOT_THIS_TIME: "When the decision is not to take the application further.",
    K.WITHDRAWN: "When the candidate withdraws from their own page.",
}


@dataclass(frozen=True)
class Wording:
    subject: str
    email: str
    sms: str


SIGN_OFF = "\n\n{provider}"

DEFAULTS: dict[str, Wording] = {
    K.RECEIVED: Wording(
        subject="We have your application for {role}",
        email="Hello {first_name},\n\n"
        "Thank you for applying to {provider} for the job of {role}. We have your "
        "application.\n\n"
        "What happens next: someone from {provider} will read your answers and contact you "
        "within a few days.\n\n"
        "You can see where your application stands at any time on your own page:\n"
        "{status_link}\n\n"
        "Keep this link private: anyone who has it can see your page." + SIGN_OFF,
        sms="{provider}: we have your application for {role}. We will contact you within a "
        "few days.\nYour page: {status_link}",
    ),
    K.INVITED: Wording(
        subject="Please choose a time for your {stage}",
        email="Hello {first_name},\n\n"
        "Thank you for your application for the job of {role}. We would like to meet you "
        "for a {stage}.\n\n"
        "Please choose the time that suits you best:\n"
        "{times}\n\n"
        "Choose it on your own page, where you can also move or cancel it later: "
        "{status_link}" + SIGN_OFF,
        sms="{provider}: please choose a time for your {stage} for {role}.\n"
        "Choose here: {status_link}",
    ),
    K.BOOKED: Wording(
        subject="Your {stage} for {role}: {when}",
        email="Hello {first_name},\n\n"
        "Your {stage} for the job of {role} at {provider} is booked:\n\n"
        "{when}\n"
        "{where}\n\n"
        "The calendar file attached puts it in your calendar.\n\n"
        "To move or cancel it, use your own page: {status_link}" + SIGN_OFF,
        sms="{provider}: your {stage} is booked for {when}, {where}.\nTo change it: {status_link}",
    ),
    K.BOOKING_CANCELLED: Wording(
        subject="Your {stage} booking for {role} is cancelled",
        email="Hello {first_name},\n\n"
        "Your {stage} on {when} is cancelled. The calendar file attached takes it out of "
        "your calendar.\n\n"
        "You can choose another time on your own page: {status_link}" + SIGN_OFF,
        sms="{provider}: your {stage} on {when} is cancelled.\nChoose another time: {status_link}",
    ),
    K.REMINDER: Wording(
        subject="Reminder: your {stage} is {when}",
        email="Hello {first_name},\n\n"
        "A reminder of your {stage} for the job of {role} at {provider}:\n\n"
        "{when}\n"
        "{where}\n\n"
        "If you cannot come, please tell us as soon as you can. We look forward to meeting "
        "you." + SIGN_OFF,
        sms="{provider}: a reminder of your {stage} on {when}, {where}.",
    ),
    K.MOVED_ON: Wording(
        subject="Your application for {role} has moved on",
        email="Hello {first_name},\n\n"
        "Good news: your application for the job of {role} has moved on to the next step, "
        "a {stage}.\n\n"
        "We will be in touch soon to arrange a time.\n\n"
        "You can see where things stand on your own page: {status_link}" + SIGN_OFF,
        sms="{provider}: good news, your application for {role} has moved on to a {stage}. "
        "We will be in touch soon.\nYour page: {status_link}",
    ),
    K.OFFER: Wording(
        subject="We would like to offer you the job of {role}",
        email="Hello {first_name},\n\n"
        "We are very pleased to offer you the job of {role} at {provider}.\n\n"
        "We will contact you soon about the offer and about the checks everyone has before "
        "starting work in care.\n\n"
        "Your own page: {status_link}" + SIGN_OFF,
        sms="{provider}: we would like to offer you the job of {role}. We will contact you "
        "soon about the next steps.",
    ),
    K.NOT_THIS_TIME: Wording(
        subject="Your application for {role}",
        email="Hello {first_name},\n\n"
        "Thank you for applying for the job of {role} and for the time you gave us. We will "
        "not be taking your application further this time.\n\n"
        "{feedback}\n\n"
        "This is not a judgement of you as a person. You are welcome to apply for other jobs "
        "with us, and we wish you well." + SIGN_OFF,
        sms="{provider}: thank you for applying for {role}. We will not be taking your "
        "application further this time. We have sent you an email.",
    ),
    K.WITHDRAWN: Wording(
        subject="You have withdrawn your application for {role}",
        email="Hello {first_name},\n\n"
        "You have withdrawn your application to {provider} for the job of {role}. We will "
        "not contact you about this job again.\n\n"
        "Thank you for your interest. You are welcome to apply for other jobs with us." + SIGN_OFF,
        sms="{provider}: you have withdrawn your application for {role}. Thank you for your "
        "interest.",
    ),
}

# Editable kinds, in the order of a recruitment.
KINDS: tuple[str, ...] = (
    K.RECEIVED,
    K.INVITED,
    K.BOOKED,
    K.REMINDER,
    K.BOOKING_CANCELLED,
    K.MOVED_ON,
    K.OFFER,
    K.NOT_THIS_TIME,
    K.WITHDRAWN,
)

_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def unknown_placeholders(text: str, *, kind: str) -> list[str]:
    """Each `{…}` in `text` that this kind of notice cannot fill, in order, once each."""
    allowed = ALLOWED[kind]
    found: list[str] = []
    for name in _PLACEHOLDER.findall(text):
        if name not in allowed and name not in found:
            found.append(name)
    return found


def placeholder_problem(name: str, *, kind: str) -> str:
    """What a person is told about a placeholder the notice cannot fill."""
    label = Notice.Kind(kind).label.lower()
    if name in PLACEHOLDERS:
        return f"{{{name}}} has nothing to fill it in the notice “{label}”."
    return f"{{{name}}} is not one of the words in curly brackets we can fill in."


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each known placeholder by its value, by plain substitution (a value is never
    read for placeholders again). A line whose placeholders all come out empty is left out.
    Unknown placeholders are left as written: saving refuses them, so only old wording could
    hold one."""
    lines = []
    for line in text.split("\n"):
        names = [n for n in _PLACEHOLDER.findall(line) if n in values]
        if names and not any(values[n] for n in names):
            continue
        lines.append(
            _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)).strip("\n"), line)
        )
    filled = "\n".join(lines)
    # A line left out must not leave a gap of two blank lines behind.
    return re.sub(r"\n{3,}", "\n\n", filled).strip()


def wording_for(*, provider: Provider, role: Role | None, kind: str) -> Wording:
    """The words to send: the role's own if it has some, else the provider's, else ours
    (one query)."""
    mine = Q(role__isnull=True) if role is None else Q(role__isnull=True) | Q(role=role)
    rows = NoticeWording.objects.filter(mine, provider=provider, kind=kind)
    own = sorted(rows, key=lambda row: row.role_id is None)
    if own:
        return Wording(subject=own[0].subject, email=own[0].email, sms=own[0].sms)
    return DEFAULTS[kind]


@dataclass(frozen=True)
class Filled:
    subject: str
    email: str
    sms: str


def fill_wording(
    wording: Wording, *, email_values: dict[str, str], sms_values: dict[str, str]
) -> Filled:
    return Filled(
        subject=" ".join(fill(wording.subject, email_values).split()),
        email=fill(wording.email, email_values) + "\n",
        sms=fill(wording.sms, sms_values),
    )
