"""Closing the loop: experts by experience are told what was decided about a candidate they
assessed, and how their view was weighed.

Panel members who draw on care have told researchers that they were never told who was
appointed. So every decision (except a hold) on an application writes one `DecisionMessage`
per expert by experience who submitted a scorecard on it (or, for an offer, a hire or a
decline, gave a shortlisting answer on it), in the decision's own transaction, by the way
they chose in "working with me":

- email: the text goes into the email outbox, and the worker sends it once the decision is
  committed (never in the request);
- a printed letter: listed for the manager to print and hand over;
- on their next visit: shown on their panel page the next time they open their link.

What the message says is built by `letter_for` alone, for all three. It tells the decision,
the expert's own view as it was when the decision was made, and whether the decision went
with or against the experts by experience (`rules.goes_against_experts`, the one home of that
rule) with the recorded reason when it went against them. It never tells anybody else's
scores or recommendations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from vbr.accounts import mail
from vbr.accounts.models import AccessProfile, Provider, User
from vbr.recruitment import rules
from vbr.recruitment.models import Decision, DecisionMessage, Panellist, Scorecard

# A message shown "on the next visit" stays on the panel page for a day after it was first
# seen, so that reloading the page or coming back after a break does not lose it.
NEXT_VISIT_SHOWN_FOR = timedelta(days=1)

_POSITIVE = frozenset(rules.POSITIVE)
_NEGATIVE = frozenset(rules.NEGATIVE)


@dataclass(frozen=True)
class Letter:
    """What an expert is told, in easy read: the same words by email, on paper and on the
    panel page."""

    greeting: str
    heading: str
    decided: str
    own_view: str
    compared: str
    weighed: str
    reason: str = ""
    closing: list[str] = field(default_factory=list)
    picture: str = "yes.svg"
    picture_text: str = "A smiling face"

    def as_text(self) -> str:
        """The letter as a plain-text email."""
        lines = [self.greeting, "", self.heading, "", self.decided, ""]
        lines += [self.own_view, self.compared, "", self.weighed]
        if self.reason:
            lines += ["", self.reason]
        return "\n".join([*lines, "", *self.closing, ""])


def _decided_words(kind: str, first_name: str, role_title: str) -> str:
    if kind == Decision.Kind.PROGRESS:
        return f"{first_name} is going on to the next step for the job of {role_title}."
    if kind == Decision.Kind.OFFER:
        return f"We have offered {first_name} the job of {role_title}."
    if kind == Decision.Kind.HIRE:
        return f"{first_name} has got the job of {role_title}."
    return f"{first_name} did not get the job of {role_title}. They will not go on."


def _own_view_words(own_view: str) -> str:
    if own_view in _POSITIVE:
        return "You said yes: you would like them to work here."
    if own_view in _NEGATIVE:
        return "You said no: you would not like them to work here."
    return "You said you were not sure."


def _direction_of_view(own_view: str) -> str:
    if own_view in _POSITIVE:
        return "positive"
    if own_view in _NEGATIVE:
        return "negative"
    return "none"


def _compared_words(*, own_view: str, kind: str) -> str:
    """Whether the decision is the one the expert asked for (their own view only)."""
    mine = _direction_of_view(own_view)
    if mine == "none":
        return "The decision was made after listening to everyone on the panel."
    if rules.follows_experts(view=mine, kind=kind):
        return "The decision is the same as what you said."
    return "The decision is different from what you said."


def letter_for(message: DecisionMessage) -> Letter:
    """The easy-read words of one message (no query when its decision, application,
    candidate, role, decider and user are selected with it)."""
    decision = message.decision
    application = decision.application
    first_name = application.candidate.first_name
    decided = _decided_words(decision.kind, first_name, application.role.title)
    weighed = {
        DecisionMessage.Weighed.WITH: "The manager decided the way the experts by experience "
        "said. Thank you: your view helped to decide.",
        DecisionMessage.Weighed.AGAINST: "The manager did not decide the way the experts by "
        "experience said. When that happens, the manager must write down why.",
        DecisionMessage.Weighed.OTHER: "Your view was listened to, with the views of everyone "
        "on the panel.",
    }[DecisionMessage.Weighed(message.weighed)]
    reason = ""
    if message.weighed == DecisionMessage.Weighed.AGAINST:
        reason = f"This is why: {decision.override_reason.strip()}"
    decider = decision.decided_by.display_name if decision.decided_by else "the manager"
    closing = [
        f"If you want to ask about this, you can talk to {decider}.",
        "Thank you for helping us choose who works here.",
        f"From {message.provider.name}",
    ]
    positive = decision.kind != Decision.Kind.DECLINE
    return Letter(
        greeting=f"Hello {message.user.display_name},",
        heading=f"What happened with {first_name}",
        decided=decided,
        own_view=_own_view_words(message.own_view),
        compared=_compared_words(own_view=message.own_view, kind=decision.kind),
        weighed=weighed,
        reason=reason,
        closing=closing,
        picture="yes.svg" if positive else "no.svg",
        picture_text="A smiling face" if positive else "A sad face",
    )


def messages_with_letters(messages: QuerySet[DecisionMessage]) -> QuerySet[DecisionMessage]:
    """`messages` with everything `letter_for` reads, in the same query."""
    return messages.select_related(
        "provider",
        "user",
        "decision__decided_by",
        "decision__application__candidate",
        "decision__application__role",
    )


# A shortlisting answer as the recommendation it amounts to, for the message's words.
SHORTLIST_VIEWS = {"yes": Scorecard.Recommendation.YES, "no": Scorecard.Recommendation.NO}


def _shortlisters(decision: Decision) -> dict[int, str]:
    """Experts by experience who gave a shortlisting answer on the application, with it as
    a recommendation ("" for not sure). One query."""
    # Imported here: the involvement app builds on recruitment, not the other way round.
    from vbr.accounts.models import Membership
    from vbr.involvement.models import ShortlistAnswer

    experts = Membership.objects.filter(
        provider_id=decision.application.provider_id, is_expert_by_experience=True
    ).values("user_id")
    return {
        user_id: SHORTLIST_VIEWS.get(answer, "")
        for user_id, answer in ShortlistAnswer.objects.filter(
            entry__application_id=decision.application_id,
            shortlister__user_id__in=experts,
        ).values_list("shortlister__user_id", "answer")
    }


def _experts_to_tell(decision: Decision) -> dict[int, str]:
    """The experts by experience to tell, each with their own view: those who submitted a
    scorecard at the decision's stage when it moves the candidate on; when it is an offer,
    a hire or a decline, those who assessed the candidate at any stage (their view at the
    latest stage they assessed) or shortlisted them (their shortlisting answer, when they
    did not assess them too). One or two queries."""
    scorecards = Scorecard.objects.filter(
        assessment__application_id=decision.application_id,
        submitted_at__isnull=False,
        panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    )
    if decision.kind == Decision.Kind.PROGRESS:
        # Moving on is decided at a stage (none only for an application not started, where
        # nobody has assessed the candidate yet).
        if decision.stage_id is None:
            return {}
        scorecards = scorecards.filter(assessment__stage_id=decision.stage_id)
    own: dict[int, str] = {}
    if decision.kind != Decision.Kind.PROGRESS:
        own.update(_shortlisters(decision))
    for user_id, recommendation in scorecards.order_by(
        "assessment__stage__order", "assessment__stage_id"
    ).values_list("panellist__user_id", "recommendation"):
        own[user_id] = recommendation  # the latest stage they assessed wins
    return own


def _weighed(*, view: str, kind: str) -> DecisionMessage.Weighed:
    if rules.goes_against_experts(view=view, kind=kind):
        return DecisionMessage.Weighed.AGAINST
    if rules.follows_experts(view=view, kind=kind):
        return DecisionMessage.Weighed.WITH
    return DecisionMessage.Weighed.OTHER


@transaction.atomic
def tell_experts(*, decision: Decision, view: str) -> list[DecisionMessage]:
    """Write the messages telling the experts by experience of `decision`; `view` is the
    experts' view at the decision's stage, as the decision was weighed against it.

    Called by `record_decision` in its transaction: if the decision is rolled back, so are
    the messages and their emails. Emails go through the outbox and are sent by the worker
    after commit, to the address they gave in "working with me" (else their account's).
    Someone who chose email but has no address gets a printed letter."""
    if decision.kind == Decision.Kind.HOLD:
        return []
    own = _experts_to_tell(decision)
    if not own:
        return []
    application = decision.application
    provider = application.provider
    weighed = _weighed(view=view, kind=decision.kind)
    profiles = {
        profile.user_id: profile
        for profile in AccessProfile.objects.filter(user_id__in=list(own)).select_related("user")
    }
    users = {user.pk: user for user in User.objects.filter(pk__in=list(own))}
    made = []
    for user_id, own_view in own.items():
        user = users[user_id]
        profile = profiles.get(user_id)
        channel = (
            profile.hear_about_decisions if profile else AccessProfile.HearAboutDecisions.LETTER
        )
        # The address they gave in "working with me" first, else their account's.
        address = (profile.contact_email if profile else "") or user.email
        if channel == DecisionMessage.Channel.EMAIL and not address:
            channel = DecisionMessage.Channel.LETTER
        message = DecisionMessage.objects.create(
            provider=provider,
            decision=decision,
            user=user,
            channel=channel,
            own_view=own_view,
            weighed=weighed,
        )
        if channel == DecisionMessage.Channel.EMAIL:
            letter = letter_for(message)
            message.email = mail.queue_email(
                provider=provider,
                to=address,
                subject=f"News about a person you met, from {provider.name}",
                body=letter.as_text(),
            )
            message.save(update_fields=["email"])
        made.append(message)
    return made


def mark_letter_given(*, message: DecisionMessage, now: datetime | None = None) -> None:
    """The manager has printed the letter and given or posted it."""
    if message.delivered_at is None:
        message.delivered_at = now or timezone.now()
        message.save(update_fields=["delivered_at"])


def next_visit_news(*, user: User, provider: Provider, now: datetime | None = None) -> list[Letter]:
    """The messages to show on the expert's panel page on this visit: those not seen yet
    (now marked seen) and those first seen in the last day. Two queries (one when there is
    nothing new)."""
    now = now or timezone.now()
    shown = list(
        messages_with_letters(
            DecisionMessage.objects.for_next_visit().filter(
                user=user,
                provider=provider,
                decision__application__candidate__anonymised_at__isnull=True,
            )
        )
        .exclude(delivered_at__lt=now - NEXT_VISIT_SHOWN_FOR)
        .order_by("created_at", "pk")
    )
    unseen = [message.pk for message in shown if message.delivered_at is None]
    if unseen:
        DecisionMessage.objects.filter(pk__in=unseen).update(delivered_at=now)
    return [letter_for(message) for message in shown]
