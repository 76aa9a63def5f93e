"""Applications candidates send themselves, and linking a returning candidate.

An application from the vacancy page lands in the role's pipeline exactly as one a manager
adds (`add_candidate`), with its source; what only a candidate tells us (availability, who
recommended them, their values answers) is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vbr.accounts.models import User
from vbr.applicants import booking, notices
from vbr.applicants.models import (
    Notice,
    OnlineApplication,
    Vacancy,
    VacancyQuestion,
    ValuesAnswer,
)
from vbr.recruitment.models import Application, Candidate
from vbr.recruitment.workflow.applications import add_candidate


def normalised_phone(phone: str) -> str:
    """Digits only, with +44 read as 0: "07700 900123" and "+44 7700 900123" match."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("44") and phone.strip().startswith("+"):
        digits = "0" + digits[2:]
    return digits


def find_possible_duplicate(*, candidate: Candidate) -> Candidate | None:
    """An earlier, not anonymised candidate of the same provider with the same email or
    phone: the person may have applied before. The newest such candidate."""
    others = Candidate.objects.filter(
        provider_id=candidate.provider_id, anonymised_at__isnull=True
    ).exclude(pk=candidate.pk)
    match = Q()
    if candidate.email:
        match |= Q(email__iexact=candidate.email)
    phone = normalised_phone(candidate.phone)
    if len(phone) >= 10:
        # Phones are typed in many ways; the last ten digits are compared in Python below.
        match |= Q(phone__contains=phone[-4:])
    if not match:
        return None
    for other in others.filter(match).order_by("-created_at", "-pk")[:50]:
        if candidate.email and other.email.casefold() == candidate.email.casefold():
            return other
        if len(phone) >= 10 and normalised_phone(other.phone)[-10:] == phone[-10:]:
            return other
    return None


@dataclass(frozen=True)
class Submitted:
    application: Application
    online: OnlineApplication


@transaction.atomic
def submit_application(
    *,
    vacancy: Vacancy,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    source: str,
    referrer_name: str,
    availability: str,
    answers: list[tuple[VacancyQuestion, str]],
    texts_agreed: bool = False,
) -> Submitted:
    """Take in a candidate's application for a published vacancy.

    A new candidate is always made: a match with an earlier candidate is only noted, for a
    manager to confirm (`link_to_earlier_candidate`), never merged silently.
    """
    application = add_candidate(
        provider=vacancy.provider,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        role=vacancy.role,
        source=source,
    )
    online = OnlineApplication.objects.create(
        application=application,
        vacancy=vacancy,
        referrer_name=referrer_name,
        availability=availability,
        privacy_acknowledged_at=timezone.now(),
        texts_agreed=texts_agreed and bool(phone),
        possible_duplicate=find_possible_duplicate(candidate=application.candidate),
    )
    ValuesAnswer.objects.bulk_create(
        ValuesAnswer(
            online_application=online,
            core_value_id=question.core_value_id,
            prompt=question.prompt,
            answer=answer,
            order=number,
        )
        for number, (question, answer) in enumerate(answers)
    )
    return Submitted(application=application, online=online)


@transaction.atomic
def link_to_earlier_candidate(*, online: OnlineApplication, by: User) -> Candidate:
    """A manager confirmed that the person who applied is the earlier candidate: the
    application moves to that candidate, so their earlier applications show beside it, and
    the candidate made for it goes if nothing else is theirs.

    The earlier candidate's contact details are brought up to date with what they typed now.
    """
    online = OnlineApplication.objects.select_for_update().get(pk=online.pk)
    earlier = online.possible_duplicate
    if earlier is None or online.duplicate_checked_at is not None:
        raise ValidationError("There is no earlier candidate waiting to be linked.")
    application = online.application
    made_now = application.candidate
    if earlier.applications.filter(role_id=application.role_id).exists():
        raise ValidationError(
            f"{earlier.full_name} has already applied for {application.role.title}: "
            "their earlier application for this role stays as it is."
        )
    application.candidate = earlier
    application.save(update_fields=["candidate"])
    earlier.email = made_now.email or earlier.email
    earlier.phone = made_now.phone or earlier.phone
    earlier.save(update_fields=["email", "phone"])
    if not made_now.applications.exists():
        made_now.delete()
    online.duplicate_checked_at = timezone.now()
    online.save(update_fields=["duplicate_checked_at"])
    return earlier


@transaction.atomic
def keep_apart(*, online: OnlineApplication) -> None:
    """A manager said the match is somebody else: nothing is linked, the question is closed."""
    OnlineApplication.objects.filter(pk=online.pk, duplicate_checked_at__isnull=True).update(
        duplicate_checked_at=timezone.now()
    )


@transaction.atomic
def invite_to_book(*, application: Application, site: str) -> list[Notice]:
    """A manager invites the candidate to choose one of the times offered at their stage:
    the notice lists the times and carries the link to their own page, where they book.
    It counts as first contact. Refused when there is nothing the candidate could book, or
    no page to book it on (somebody a manager added)."""
    online = getattr(application, "online", None)
    if online is None:
        raise ValidationError(
            "Only people who applied online have a page to book from. Arrange a time with "
            "them yourself."
        )
    if not application.is_open:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: there is "
            "nothing to book."
        )
    stage = application.current_stage.name if application.current_stage else "this stage"
    if booking.live_booking(application) is not None:
        raise ValidationError(
            f"{application.candidate.first_name} has already booked a time for the "
            f"{stage.lower()}. They can move it from their own page."
        )
    slots = booking.bookable_slots(application)
    if not slots:
        raise ValidationError(
            f"No times can be booked at the {stage.lower()} yet. Offer some times first."
        )
    OnlineApplication.objects.filter(pk=online.pk, contacted_at__isnull=True).update(
        contacted_at=timezone.now()
    )
    return notices.tell_candidate(
        application=application, kind=Notice.Kind.INVITED, site=site, slots=slots
    )
