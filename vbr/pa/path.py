"""The guided page: each step of an individual employer's path from "I need a PA" to a hire,
with where they are on it.

Everything the page shows is read in a fixed number of queries, however many people apply:
the job, its advert, the interview's questions, the open interviews and their panels, the
applications with their files, and the employer's own scorecards still to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Membership
from vbr.applicants.models import Vacancy
from vbr.compliance import checklists
from vbr.compliance.models import SaferRecruitmentFile
from vbr.pa.models import PaJob
from vbr.pa.workflow import OPEN_INTERVIEW
from vbr.recruitment.models import Application, Assessment, CoreValue, Panellist, Role, Stage


class State(StrEnum):
    DONE = "done"
    NOW = "now"
    LATER = "later"


STATE_WORDS = {State.DONE: "Done", State.NOW: "Do this now", State.LATER: "Later"}


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    # A POST button (publishing, putting someone on a panel) rather than a link.
    post: bool = False
    primary: bool = False


@dataclass(frozen=True)
class Row:
    """One line of a step about one person or one interview, with what to do about it."""

    text: str
    actions: tuple[Action, ...] = ()


@dataclass
class Step:
    number: int
    key: str
    title: str
    done: bool
    summary: str
    actions: list[Action] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: State = State.LATER

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


def _url(name: str, membership: Membership, *args: object) -> str:
    return reverse(name, args=[membership.provider.slug, *args])


def _when(assessment_time: datetime | None) -> str:
    if assessment_time is None:
        return "no time set yet"
    local = timezone.localtime(assessment_time)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def no_job_steps(membership: Membership) -> list[Step]:
    """The page before there is a job: the first step only, to start."""
    start = Step(
        1,
        "advert",
        "Say what help you need and write your advert",
        done=False,
        summary="Start here when you need a new personal assistant (PA).",
        actions=[Action("I need a PA: start", _url("pa-job-new", membership), primary=True)],
        state=State.NOW,
    )
    return [start, *_later_steps(membership)]


def _later_steps(membership: Membership) -> list[Step]:
    return [
        Step(2, "questions", "Choose your interview questions", False, "After step 1."),
        Step(3, "companion", "Do not interview alone", False, "After step 1."),
        Step(4, "offer", "Choose your PA and offer the job", False, "After step 1."),
        Step(5, "checks", "Checks before they start", False, "After an offer."),
    ]


def guided_steps(membership: Membership, role: Role) -> list[Step]:
    """The five steps of one PA job, each with its state."""
    job: PaJob | None = getattr(role, "pa_job", None)
    vacancy = Vacancy.objects.filter(role=role).first()
    stage = (
        role.stages.filter(kind=Stage.Kind.INTERVIEW)
        .annotate(questions=Count("criteria", filter=Q(criteria__version=F("criteria_version"))))
        .order_by("order", "pk")
        .first()
    )
    values = list(job.values.all()) if job is not None else []
    # Every interview of the job (one query): the open ones need someone beside the employer.
    all_interviews = list(
        Assessment.objects.filter(application__role=role, stage__kind=Stage.Kind.INTERVIEW)
        .exclude(status=Assessment.Status.CANCELLED)
        .select_related("application__candidate")
        .order_by("scheduled_at", "pk")
    )
    interviews = [a for a in all_interviews if a.status in OPEN_INTERVIEW]
    panels: dict[int, list[Panellist]] = {a.pk: [] for a in interviews}
    for place in Panellist.objects.filter(assessment__in=[a.pk for a in interviews]).select_related(
        "user"
    ):
        panels[place.assessment_id].append(place)
    applications = list(
        role.applications.filter(
            status__in=(
                Application.Status.ACTIVE,
                Application.Status.OFFERED,
                Application.Status.HIRED,
            )
        )
        .select_related("candidate")
        .prefetch_related(
            Prefetch(
                "safer_recruitment_file",
                queryset=SaferRecruitmentFile.objects.with_counts(),
            )
        )
        .order_by("applied_at", "pk")
    )
    owed = dict(
        Panellist.objects.filter(user=membership.user, assessment__application__role=role)
        .not_submitted()
        .exclude(assessment__status="cancelled")
        .values_list("assessment__application_id", "assessment_id")
    )
    interview_by_application = {a.application_id: a for a in all_interviews}
    steps = [
        _advert_step(membership, role, job, vacancy, values),
        _questions_step(membership, role, stage),
        _companion_step(membership, job, interviews, panels),
        _offer_step(membership, applications, owed, interview_by_application),
        _checks_step(membership, applications),
    ]
    now_given = False
    for step in steps:
        if step.done:
            step.state = State.DONE
        elif not now_given:
            step.state = State.NOW
            now_given = True
    return steps


def _advert_step(
    membership: Membership,
    role: Role,
    job: PaJob | None,
    vacancy: Vacancy | None,
    values: list[CoreValue],
) -> Step:
    step = Step(1, "advert", "Say what help you need and write your advert", False, "")
    edit = Action("Change the words", _url("pa-job-edit", membership, role.pk))
    if vacancy is None or job is None:
        step.summary = "Write about the job in your own words. We turn it into an advert."
        step.actions = [Action("Write about the job", edit.url, primary=True)]
        return step
    if vacancy.is_published:
        step.done = True
        step.summary = "Your advert is published. Anyone can read it and apply."
        step.actions = [
            Action("See my advert", _url("vacancy-detail", membership, vacancy.pk)),
            edit,
        ]
    else:
        step.summary = "Your advert is written. Nobody can see it until you publish it."
        step.actions = [
            Action("See my advert", _url("pa-job-edit", membership, role.pk) + "#advert"),
            Action(
                "Publish my advert",
                _url("pa-publish", membership, role.pk),
                post=True,
                primary=True,
            ),
            edit,
        ]
    if values:
        step.notes.append(
            "Your values in the advert: " + ", ".join(value.name for value in values) + "."
        )
    return step


def _questions_step(membership: Membership, role: Role, stage: Stage | None) -> Step:
    step = Step(2, "questions", "Choose your interview questions", False, "")
    count = getattr(stage, "questions", 0) if stage is not None else 0
    choose = Action("Choose questions", _url("pa-questions", membership, role.pk))
    if count:
        step.done = True
        step.summary = (
            "You have 1 interview question."
            if count == 1
            else f"You have {count} interview questions."
        )
        step.actions = [
            Action("Add more questions", choose.url),
            Action("See all the questions", _url("role-setup", membership, role.pk)),
        ]
    else:
        step.summary = "Pick a few questions for each of your values. They are ready to use."
        step.actions = [Action(choose.label, choose.url, primary=True)]
    return step


def _companion_step(
    membership: Membership,
    job: PaJob | None,
    interviews: list[Assessment],
    panels: dict[int, list[Panellist]],
) -> Step:
    step = Step(3, "companion", "Do not interview alone", False, "")
    if job is None:
        step.summary = "After step 1."
        return step
    choose = Action(
        "Choose who sits with you", _url("pa-companion", membership, job.role_id), primary=True
    )
    companion = job.companion
    if companion is None:
        step.summary = (
            "Ask a friend, someone in your family or your advocate to sit with you at the "
            "interviews. They get their own link: no password."
        )
        step.actions = [choose]
        return step
    who = f"{companion.user.display_name} ({job.get_companion_relationship_display().lower()})"
    step.summary = f"{who} sits with you at the interviews."
    step.actions = [Action("Choose someone else", choose.url)]
    all_seated = True
    for assessment in interviews:
        places = panels[assessment.pk]
        candidate = assessment.application.candidate.full_name
        when = _when(assessment.scheduled_at)
        seated = any(place.user_id == companion.user_id for place in places)
        if seated:
            text = f"Interview with {candidate}, {when}: {companion.user.display_name} is on it."
            actions = (
                Action(
                    f"Give {companion.user.display_name} their link",
                    _url("invitation-list", membership, assessment.pk),
                ),
            )
        else:
            all_seated = False
            text = f"Interview with {candidate}, {when}: nobody is with you yet."
            actions = (
                Action(
                    f"Put {companion.user.display_name} on this interview",
                    _url("pa-companion-seat", membership, job.role_id, assessment.pk),
                    post=True,
                    primary=True,
                ),
            )
        step.rows.append(Row(text, actions))
    step.done = all_seated
    return step


def _offer_step(
    membership: Membership,
    applications: list[Application],
    owed: dict[int, int],
    interview_by_application: dict[int, Assessment],
) -> Step:
    step = Step(4, "offer", "Choose your PA and offer the job", False, "")
    offered = [a for a in applications if a.status != Application.Status.ACTIVE]
    waiting = [a for a in applications if a.status == Application.Status.ACTIVE]
    if offered:
        step.done = True
        names = ", ".join(a.candidate.full_name for a in offered)
        step.summary = f"You offered the job to {names}."
    elif waiting:
        step.summary = "Meet the people who applied. Then decide, and we tell them."
    else:
        step.summary = "Nobody has applied yet. When people apply, they are listed here."
    for application in waiting:
        name = application.candidate.full_name
        if application.pk in owed:
            text = f"{name}: fill in your scores from the interview first."
            actions: tuple[Action, ...] = (
                Action(
                    "Fill in my scores",
                    _url("scorecard-edit", membership, owed[application.pk]),
                    primary=True,
                ),
            )
        elif application.pk in interview_by_application:
            interview = interview_by_application[application.pk]
            text = f"{name}: interview {_when(interview.scheduled_at)}."
            actions = (
                Action("Decide", _url("pa-offer", membership, application.pk), primary=True),
            )
        else:
            text = f"{name}: applied {application.applied_at:%-d %B}. No interview yet."
            actions = (
                Action(
                    "Set an interview time",
                    _url("assessment-add", membership, application.pk),
                    primary=True,
                ),
                Action("Decide", _url("pa-offer", membership, application.pk)),
            )
        step.rows.append(Row(text, actions))
    for application in offered:
        step.rows.append(
            Row(
                f"{application.candidate.full_name}: {application.get_status_display().lower()}.",
                (Action("See their page", _url("application-detail", membership, application.pk)),),
            )
        )
    return step


def _checks_step(membership: Membership, applications: list[Application]) -> Step:
    step = Step(5, "checks", "Checks before they start", False, "")
    needed = checklists.checklist_for(membership.provider.nation, individual_employer=True)
    step.notes = [spec.name for spec in needed]
    offered = [a for a in applications if a.status != Application.Status.ACTIVE]
    if not offered:
        step.summary = "After you offer the job, you check these things before their first day:"
        return step
    step.summary = "Check these things before their first day:"
    complete = True
    for application in offered:
        file = getattr(application, "safer_recruitment_file", None)
        name = application.candidate.full_name
        if file is None:
            complete = False
            step.rows.append(Row(f"{name}: the checks have not started."))
            continue
        done, total = file.checks_done, file.checks_total
        if file.completed_at is None:
            complete = False
        step.rows.append(
            Row(
                f"{name}: {done} of {total} checks done.",
                (
                    Action(
                        "Open the checks",
                        _url("compliance-file-detail", membership, file.pk),
                        primary=file.completed_at is None,
                    ),
                ),
            )
        )
    step.done = complete
    return step
