"""Steps of involvement before the interview: sharing an advert for views, shortlisting.

Keyword-only, typed, atomic where they write several rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from vbr.accounts.models import User
from vbr.applicants.models import Vacancy, ValuesAnswer
from vbr.involvement.models import (
    AdvertComment,
    AdvertReview,
    AdvertSection,
    ShortlistAnswer,
    ShortlistEntry,
    Shortlister,
    Shortlisting,
)
from vbr.recruitment import workflow as recruitment
from vbr.recruitment.models import Application, Role, Stage

# -- The advert ----------------------------------------------------------------------------------


class AdvertAlreadySent(Exception):
    """The person has sent their comments: they are the manager's now, and stay as sent."""


@dataclass(frozen=True)
class AdvertPart:
    """One section of the advert as the easy-read pages show it."""

    section: str
    title: str
    paragraphs: tuple[str, ...]
    picture: str
    picture_text: str

    @property
    def text(self) -> str:
        """The section's words as one text: kept with a comment for the record."""
        return "\n\n".join(self.paragraphs)


PICTURES = {
    AdvertSection.SUMMARY: ("advert-job.svg", "A person with a name badge"),
    AdvertSection.DAY_TO_DAY: ("advert-day.svg", "A sun over a house"),
    AdvertSection.HOURS_AND_PAY: ("advert-hours.svg", "A clock and a coin"),
    AdvertSection.WHAT_TO_BRING: ("advert-bring.svg", "A bag"),
    AdvertSection.QUESTIONS: ("advert-questions.svg", "A speech bubble with a question mark"),
}


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"\n\s*\n", text) if part.strip())


def _pay(vacancy: Vacancy) -> str:
    pay = f"£{vacancy.pay_from:,.2f}"
    if vacancy.pay_to is not None and vacancy.pay_to != vacancy.pay_from:
        pay += f" to £{vacancy.pay_to:,.2f}"
    return f"Pay: {pay} {vacancy.get_pay_period_display()}."


def advert_parts(vacancy: Vacancy, questions: Iterable[str]) -> list[AdvertPart]:
    """The advert's sections in order, each in short paragraphs. A section with no words is
    left out (a vacancy without "what to bring", say)."""
    texts: dict[str, tuple[str, ...]] = {
        AdvertSection.SUMMARY: (vacancy.role.title, *_paragraphs(vacancy.summary)),
        AdvertSection.DAY_TO_DAY: _paragraphs(vacancy.day_to_day),
        AdvertSection.HOURS_AND_PAY: (
            f"Hours: {vacancy.hours}",
            f"{vacancy.get_employment_type_display()}.",
            _pay(vacancy),
            f"Where: {vacancy.town}.",
        ),
        AdvertSection.WHAT_TO_BRING: _paragraphs(vacancy.what_to_bring),
        AdvertSection.QUESTIONS: tuple(questions),
    }
    parts = []
    for section in AdvertSection:
        paragraphs = texts[section]
        if not paragraphs:
            continue
        picture, picture_text = PICTURES[section]
        parts.append(AdvertPart(section, section.label, paragraphs, picture, picture_text))
    return parts


def vacancy_parts(vacancy: Vacancy) -> list[AdvertPart]:
    """`advert_parts` with the vacancy's values questions read from the database."""
    return advert_parts(vacancy, vacancy.questions.values_list("prompt", flat=True))


@transaction.atomic
def share_advert(
    *, vacancy: Vacancy, people: Iterable[User], shared_by: User
) -> list[AdvertReview]:
    """Ask these people for their views on the vacancy's words. Sharing again with somebody
    who already has it changes nothing."""
    reviews = []
    for person in people:
        review, _ = AdvertReview.objects.get_or_create(
            vacancy=vacancy,
            reviewer=person,
            defaults={"provider_id": vacancy.provider_id, "shared_by": shared_by},
        )
        reviews.append(review)
    return reviews


@transaction.atomic
def save_advert_comment(
    *, review: AdvertReview, part: AdvertPart, comment: str, suggested_words: str
) -> AdvertComment | None:
    """Keep what the person wrote about one section (an empty comment is removed). Refused
    once they have sent their comments."""
    review = AdvertReview.objects.select_for_update().get(pk=review.pk)
    if review.is_sent:
        raise AdvertAlreadySent
    if not (comment.strip() or suggested_words.strip()):
        review.comments.filter(section=part.section).delete()
        return None
    saved, _ = AdvertComment.objects.update_or_create(
        review=review,
        section=part.section,
        defaults={
            "comment": comment,
            "suggested_words": suggested_words,
            "section_text": part.text,
        },
    )
    return saved


@transaction.atomic
def send_advert_comments(*, review: AdvertReview) -> None:
    """The person has finished: the manager sees their comments from now on."""
    updated = AdvertReview.objects.filter(pk=review.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not updated:
        raise AdvertAlreadySent


def record_comment_outcome(
    *, comment: AdvertComment, outcome: str, note: str, by: User
) -> AdvertComment:
    """What the manager did about a comment: accepted, changed another way, or not changed,
    with a short note of what changed or why not."""
    comment.outcome = outcome
    comment.outcome_note = note
    comment.outcome_by = by
    comment.outcome_at = timezone.now()
    comment.save(update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at"])
    return comment


# -- Shortlisting ---------------------------------------------------------------------------------


class AlreadyAnswered(Exception):
    """The shortlister has already sent their answer for this applicant: it stays as sent."""


class NotShortlistable(Exception):
    """There is no application to shortlist: none has values answers to read."""


def shortlistable_applications(role: Role, stage: Stage | None) -> QuerySet[Application]:
    """Open applications of the role (at the stage, when one is chosen) that came with
    values answers: shortlisting reads those answers and nothing else."""
    applications = role.applications.active().filter(online__answers__isnull=False)
    if stage is not None:
        applications = applications.filter(current_stage=stage)
    return applications.distinct().order_by("applied_at", "pk")


@transaction.atomic
def add_new_entries(*, shortlisting: Shortlisting) -> int:
    """Add the applications that can be shortlisted and are not yet in the shortlisting, each
    as the next "Applicant N". Returns how many were added."""
    shortlisting = Shortlisting.objects.select_for_update().get(pk=shortlisting.pk)
    there = shortlisting.entries.values("application_id")
    new = list(
        shortlistable_applications(shortlisting.role, shortlisting.stage)
        .exclude(pk__in=there)
        .values_list("pk", flat=True)
    )
    last = shortlisting.entries.aggregate(last=Max("number"))["last"] or 0
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(shortlisting=shortlisting, application_id=pk, number=last + n)
        for n, pk in enumerate(new, start=1)
    )
    return len(new)


@transaction.atomic
def open_shortlisting(
    *, role: Role, stage: Stage | None, people: Iterable[User], opened_by: User
) -> Shortlisting:
    """Open shortlisting for the role (or one of its stages) with the chosen people."""
    if not shortlistable_applications(role, stage).exists():
        raise NotShortlistable
    shortlisting = Shortlisting.objects.create(
        provider_id=role.provider_id, role=role, stage=stage, opened_by=opened_by
    )
    Shortlister.objects.bulk_create(
        Shortlister(shortlisting=shortlisting, user=person) for person in people
    )
    add_new_entries(shortlisting=shortlisting)
    return shortlisting


def send_shortlist_answer(
    *, shortlister: Shortlister, entry: ShortlistEntry, answer: str, comment: str
) -> ShortlistAnswer:
    """The shortlister's answer for one applicant, sent once and then fixed."""
    if entry.shortlisting_id != shortlister.shortlisting_id:
        raise ValueError("That applicant is in another shortlisting.")
    try:
        with transaction.atomic():
            return ShortlistAnswer.objects.create(
                shortlister=shortlister, entry=entry, answer=answer, comment=comment
            )
    except IntegrityError as sent_twice:
        raise AlreadyAnswered from sent_twice


@transaction.atomic
def decide_entry(*, entry: ShortlistEntry, move_on: bool, by: User) -> None:
    """The manager moves the application on to the role's next stage, or not. Moving on is
    refused, with the reason, when the application cannot move (closed, at the last stage)."""
    if move_on:
        recruitment.move_to_next_stage(application=entry.application, moved_by=by)
    outcome = ShortlistEntry.Outcome
    entry.outcome = outcome.MOVED_ON if move_on else outcome.NOT_MOVED_ON
    entry.outcome_by = by
    entry.outcome_at = timezone.now()
    entry.save(update_fields=["outcome", "outcome_by", "outcome_at"])


# -- What a shortlister reads: the values answers, and nothing that says who wrote them -----------

NAME_TAKEN_OUT = "(name taken out)"
CONTACT_TAKEN_OUT = "(contact details taken out)"
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)\+?\d[\d ()-]{7,}\d(?!\w)")
WEB = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class AnonymousAnswer:
    prompt: str
    value_name: str
    text: str


def without_identity(text: str, *, names: Iterable[str]) -> str:
    """`text` with the writer's names, any email address, phone number or web address taken
    out: a shortlister reads what the candidate wrote, not who they are."""
    text = EMAIL.sub(CONTACT_TAKEN_OUT, text)
    text = WEB.sub(CONTACT_TAKEN_OUT, text)
    text = PHONE.sub(CONTACT_TAKEN_OUT, text)
    for name in sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_TAKEN_OUT, text, flags=re.IGNORECASE)
    return text


def anonymous_answers(entry: ShortlistEntry) -> list[AnonymousAnswer]:
    """The values answers of the entry's application, without the candidate's name or
    contact details, in the order they were asked."""
    candidate = entry.application.candidate
    names = [candidate.full_name, candidate.email, candidate.phone]
    # Each part of a double or hyphenated name on its own, too ("Okonkwo-Reid", "Mary Ann").
    names += re.split(r"[\s-]+", f"{candidate.first_name} {candidate.last_name}")
    answers = ValuesAnswer.objects.filter(
        online_application__application_id=entry.application_id
    ).select_related("core_value")
    return [
        AnonymousAnswer(
            prompt=without_identity(answer.prompt, names=names),
            value_name=answer.core_value.name if answer.core_value else "",
            text=without_identity(answer.answer, names=names),
        )
        for answer in answers
    ]
