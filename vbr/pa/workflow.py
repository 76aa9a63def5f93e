"""Steps of an individual employer's path to a personal assistant: writing the job and its
advert from their own words, publishing it, and the person who sits with them at interviews.

The rest of the path uses the steps every provider uses (criteria from the question bank,
panels and invitation links, decisions, the safer-recruitment file): an individual employer
is a provider like any other, at a small scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vbr.accounts import people
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants.models import Vacancy
from vbr.pa.models import PaJob
from vbr.recruitment import workflow as recruitment
from vbr.recruitment.models import Assessment, BankItem, CoreValue, Panellist, Role, Stage

INTERVIEW_NAME = "Interview"


@dataclass(frozen=True)
class JobWords:
    """What the employer wrote on the job page."""

    title: str
    help_needed: str
    what_matters: str
    values: Sequence[CoreValue]
    hours: str
    pay_from: Decimal
    town: str


def advert_text(words: JobWords) -> str:
    """The advert's "day to day" in the employer's own words, in short parts with headings a
    candidate can scan."""
    parts = [f"The help I need:\n{words.help_needed.strip()}"]
    if words.what_matters.strip():
        parts.append(f"What matters to me in a PA:\n{words.what_matters.strip()}")
    if words.values:
        names = ", ".join(value.name for value in words.values)
        parts.append(f"My values: {names}.")
    return "\n\n".join(parts)


def advert_summary(words: JobWords) -> str:
    return f"{words.title.strip()} in {words.town.strip()}: {words.hours.strip()}"[:200]


def interview_stage(role: Role) -> Stage | None:
    """The role's first values interview: the stage the bank's questions go into."""
    return role.stages.filter(kind=Stage.Kind.INTERVIEW).order_by("order", "pk").first()


@transaction.atomic
def save_job(*, provider: Provider, words: JobWords, by: User, job: PaJob | None = None) -> PaJob:
    """Write the role and its advert from the employer's words: a new job (with an interview
    stage, ready for questions) when `job` is None, else the same job written again. The
    advert stays as it was (a draft, or published) until the employer publishes it."""
    if job is None:
        role = recruitment.create_role(
            role=Role(provider=provider, title=words.title.strip()),
            copy_stages_from=None,
            actor=by,
        )
        recruitment.add_stage(
            stage=Stage(role=role, name=INTERVIEW_NAME, kind=Stage.Kind.INTERVIEW), actor=by
        )
        job = PaJob(provider=provider, role=role)
    role = job.role
    role.title = words.title.strip()
    role.description = words.help_needed.strip()
    role.save(update_fields=["title", "description"])
    job.help_needed = words.help_needed.strip()
    job.what_matters = words.what_matters.strip()
    job.save()
    job.values.set([value for value in words.values if value.provider_id == provider.pk])
    vacancy = Vacancy.objects.filter(role=role).first() or Vacancy(provider=provider, role=role)
    vacancy.summary = advert_summary(words)
    vacancy.day_to_day = advert_text(words)
    vacancy.hours = words.hours.strip()
    vacancy.pay_from = words.pay_from
    vacancy.pay_period = Vacancy.PayPeriod.HOUR
    vacancy.town = words.town.strip()
    vacancy.employment_type = Vacancy.EmploymentType.PART_TIME
    if vacancy.pay_to is not None and vacancy.pay_to < words.pay_from:
        vacancy.pay_to = None
    vacancy.save()
    return job


@transaction.atomic
def publish_advert(*, job: PaJob) -> Vacancy:
    """Show the advert to the public (publishing twice changes nothing)."""
    vacancy = Vacancy.objects.select_for_update().get(role=job.role)
    if not vacancy.is_published:
        vacancy.status = Vacancy.Status.PUBLISHED
        vacancy.published_at = vacancy.published_at or timezone.now()
        vacancy.save(update_fields=["status", "published_at", "updated_at"])
    return vacancy


# Interviews still to happen or to be scored.
OPEN_INTERVIEW = (Assessment.Status.SCHEDULED, Assessment.Status.SCORING)


def open_interviews(role: Role) -> list[Assessment]:
    """The role's interviews still to happen or to be scored."""
    return list(
        Assessment.objects.filter(
            application__role=role, stage__kind=Stage.Kind.INTERVIEW, status__in=OPEN_INTERVIEW
        )
        .select_related("application__candidate", "stage")
        .order_by("scheduled_at", "pk")
    )


@transaction.atomic
def choose_companion(
    *,
    job: PaJob,
    full_name: str,
    relationship: str,
    email: str,
    by: User,
) -> Membership:
    """The friend, family member or advocate who sits with the employer at interviews: a
    panel member without a password (they join by their invitation link), put on every
    interview of the job still to come."""
    companion = people.add_panel_member(
        provider=job.provider, full_name=full_name, expert_by_experience=False, added_by=by
    )
    if email.strip():
        companion.user.email = email.strip()
        companion.user.save(update_fields=["email"])
    job.companion = companion
    job.companion_relationship = relationship
    job.save(update_fields=["companion", "companion_relationship", "updated_at"])
    for assessment in open_interviews(job.role):
        seat_companion(job=job, assessment=assessment)
    return companion


def seat_companion(*, job: PaJob, assessment: Assessment) -> Panellist | None:
    """Put the companion on one interview's panel, once (None when already there)."""
    assert job.companion is not None
    if assessment.application.role_id != job.role_id:
        raise ValueError("That interview is for another job.")
    if assessment.panellists.filter(user_id=job.companion.user_id).exists():
        return None
    return recruitment.add_panellist(assessment=assessment, membership=job.companion)


# How many questions the bank offers for each value: a few to choose from, not a catalogue.
QUESTIONS_PER_VALUE = 4


def bank_questions(*, provider: Provider, job: PaJob) -> list[tuple[CoreValue, list[BankItem]]]:
    """For each of the employer's chosen values (all their values when they chose none), a
    few interview questions from the bank, in one query: the provider's own written for the
    value first, then those of a national value it evidences or of the same name (a value
    copied from the starter set is named as the set names it)."""
    values = list(job.values.filter(retired_at__isnull=True).order_by("order", "pk"))
    if not values:
        values = list(provider.core_values.current().order_by("order", "pk"))
    names = {value.name.casefold(): value for value in values}
    evidenced = {
        national_id: value_id
        for value_id, national_id in CoreValue.evidences.through.objects.filter(
            corevalue__in=values
        ).values_list("corevalue_id", "nationalvalue_id")
    }
    items = (
        BankItem.objects.available_to(provider)
        .filter(kind=BankItem.Kind.INTERVIEW_QUESTION)
        .filter(
            Q(core_value__in=values)
            | Q(national_value__in=list(evidenced))
            | Q(national_value__name__in=[value.name for value in values])
        )
        .select_related("national_value")
        .order_by(
            F("core_value").asc(nulls_last=True), "national_value__value_set__order", "order", "pk"
        )
    )
    found: dict[int, list[BankItem]] = {value.pk: [] for value in values}
    prompts: dict[int, set[str]] = {value.pk: set() for value in values}
    for item in items:
        if item.core_value_id in found:
            value_id = item.core_value_id
        elif item.national_value_id in evidenced:
            value_id = evidenced[item.national_value_id]
        elif item.national_value and item.national_value.name.casefold() in names:
            value_id = names[item.national_value.name.casefold()].pk
        else:
            continue
        if item.prompt in prompts[value_id] or len(found[value_id]) >= QUESTIONS_PER_VALUE:
            continue
        prompts[value_id].add(item.prompt)
        found[value_id].append(item)
    return [(value, found[value.pk]) for value in values if found[value.pk]]
