"""The words of the emails that bring a person to an advert shared for their views or to a
shortlisting: short sentences, one idea to a line, as easy read asks.

A person who joins by a personal link gets the link and its short code; a person who signs in
(a staff member, say) gets the page's address, as no link is made for them. The pages send
these through the outbox (`vbr.accounts.mail.queue_email`), never while the page waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


@dataclass(frozen=True)
class PersonalLink:
    """A new personal link as the email gives it: the link, or the code to type at `join_url`."""

    link: str
    code: str
    join_url: str
    expires_at: datetime


def _how_to_open(*, personal: PersonalLink | None, page_url: str) -> str:
    if personal is None:
        return f"Sign in, then open this page:\n{page_url}\n"
    return (
        f"Open this link:\n{personal.link}\n\n"
        f"Or go to {personal.join_url}\n"
        f"and type this code: {personal.code}\n\n"
        f"The link works until {personal.expires_at.day} {personal.expires_at:%B %Y}.\n"
        "It is only for you. Please do not pass it on.\n"
    )


def advert_email(
    *,
    name: str,
    provider: str,
    role: str,
    asked_by: str,
    personal: PersonalLink | None = None,
    page_url: str = "",
) -> Email:
    """Asking a person what they think of a job advert before it is published."""
    return Email(
        subject=f"What do you think of our job advert? ({provider})",
        body=(
            f"Hello {name},\n\n"
            f"{provider} is writing a job advert for a {role}.\n"
            "We would like to know what you think of it before we put it out.\n\n"
            + _how_to_open(personal=personal, page_url=page_url)
            + "\nYou read the advert one part at a time.\n"
            "You can tell us what you think, and suggest other words.\n"
            "Nothing is sent until you say so.\n"
            "You can stop and come back later.\n\n"
            f"If you have a question, please ask {asked_by}.\n\n"
            f"Thank you,\n{provider}\n"
        ),
    )


def shortlisting_email(
    *,
    name: str,
    provider: str,
    role: str,
    asked_by: str,
    personal: PersonalLink | None = None,
    page_url: str = "",
) -> Email:
    """Asking a person to help choose whom to meet for a role."""
    return Email(
        subject=f"Help us choose who to meet ({provider})",
        body=(
            f"Hello {name},\n\n"
            f"People have asked to work with {provider} as a {role}.\n"
            "We would like your help to choose who we meet.\n\n"
            + _how_to_open(personal=personal, page_url=page_url)
            + "\nYou see one person at a time.\n"
            "You read what they wrote about their values.\n"
            "Their name and contact details are hidden.\n"
            "For each person, you choose yes, not sure or no.\n"
            "You can stop and come back later.\n\n"
            f"If you have a question, please ask {asked_by}.\n\n"
            f"Thank you,\n{provider}\n"
        ),
    )
