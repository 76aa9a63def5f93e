"""Factory functions for tests: keyword-only, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from vbr.accounts.invitations import IssuedInvitation
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants.models import OnlineApplication, Vacancy, VacancyQuestion, ValuesAnswer
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Panellist,
    Role,
    Score,
    Scorecard,
    Stage,
)
from vbr.reports.caching import reports_changed

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_provider(
    *, name: str = "", slug: str = "", kind: str = Provider.Kind.CARE_HOME
) -> Provider:
    n = next(_seq)
    return Provider.objects.create(
        name=name or f"Provider {n}", slug=slug or f"provider-{n}", kind=kind
    )


def make_user(*, username: str = "", full_name: str = "", password: str | None = PASSWORD) -> User:
    username = username or f"user{next(_seq)}"
    user = User(username=username, full_name=full_name or username.title())
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def make_member(
    *,
    provider: Provider,
    role: str = Membership.Role.MANAGER,
    username: str = "",
    full_name: str = "",
    expert: bool = False,
    password: str | None = PASSWORD,
) -> User:
    user = make_user(username=username, full_name=full_name, password=password)
    Membership.objects.create(
        user=user, provider=provider, role=role, is_expert_by_experience=expert
    )
    return user


# Factories that write what reports show do what the workflow does: they tell the reports
# cache (`reports_changed`), so that a report seen earlier in a test is not served again.


def make_value(*, provider: Provider, name: str = "", order: int = 0) -> CoreValue:
    reports_changed(provider_id=provider.pk)
    return CoreValue.objects.create(
        provider=provider, name=name or f"Value {next(_seq)}", order=order
    )


def make_role(*, provider: Provider, title: str = "Care assistant") -> Role:
    reports_changed(provider_id=provider.pk)
    return Role.objects.create(provider=provider, title=title)


def make_stage(
    *, role: Role, name: str = "Values interview", kind: str = Stage.Kind.INTERVIEW, order: int = 1
) -> Stage:
    reports_changed(provider_id=role.provider_id)
    return Stage.objects.create(role=role, name=name, kind=kind, order=order)


def make_criterion(
    *,
    stage: Stage,
    core_value: CoreValue,
    prompt: str = "Tell us about a time…",
    order: int = 0,
    essential: bool = False,
    version: int | None = None,
) -> Criterion:
    return Criterion.objects.create(
        stage=stage,
        core_value=core_value,
        prompt=prompt,
        order=order,
        essential=essential,
        version=version or stage.criteria_version,
        level_1="No evidence",
        level_2="Some evidence",
        level_3="Good evidence",
        level_4="Strong evidence",
    )


def make_candidate(
    *, provider: Provider, first_name: str = "", last_name: str = "Smith"
) -> Candidate:
    return Candidate.objects.create(
        provider=provider, first_name=first_name or f"Sam{next(_seq)}", last_name=last_name
    )


def make_application(
    *,
    role: Role,
    stage: Stage | None = None,
    candidate: Candidate | None = None,
    status: str = Application.Status.ACTIVE,
) -> Application:
    provider = role.provider
    reports_changed(provider_id=provider.pk)
    return Application.objects.create(
        provider=provider,
        role=role,
        candidate=candidate or make_candidate(provider=provider),
        current_stage=stage,
        status=status,
    )


def make_assessment(
    *, application: Application, stage: Stage, scheduled_at: datetime | None = None
) -> Assessment:
    reports_changed(provider_id=application.provider_id)
    return Assessment.objects.create(
        application=application,
        stage=stage,
        criteria_version=stage.criteria_version,
        scheduled_at=scheduled_at or timezone.now(),
    )


def make_panellist(
    *, assessment: Assessment, user: User, panel_role: str = Panellist.PanelRole.MANAGER
) -> Panellist:
    reports_changed(provider_id=assessment.application.provider_id)
    panellist = Panellist.objects.create(assessment=assessment, user=user, panel_role=panel_role)
    Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
    return panellist


def make_scorecard(
    *,
    panellist: Panellist,
    levels: dict[Criterion, int | None] | None = None,
    submitted: bool = False,
) -> Scorecard:
    """`levels` maps criteria to 1–4, or None for not observed."""
    scorecard = Scorecard.objects.create(
        assessment=panellist.assessment,
        panellist=panellist,
        submitted_at=timezone.now() if submitted else None,
    )
    for criterion, level in (levels or {}).items():
        Score.objects.create(
            scorecard=scorecard,
            criterion=criterion,
            level=level,
            not_observed=level is None,
            evidence=f"Evidence for level {level}",
        )
    if submitted:
        workflow.refresh_from_scores([panellist.assessment])  # as submitting would
        reports_changed(provider_id=panellist.assessment.application.provider_id)
    return scorecard


def make_decision(
    *,
    application: Application,
    kind: str = "progress",
    reasons: str = "Good evidence on every value.",
    decided_at: datetime | None = None,
    decided_by: User | None = None,
    stage: Stage | None = None,
) -> Decision:
    """A decision at the application's current stage unless `stage` is given, as
    `record_decision` would record it. Unlike that, it neither moves the application on nor
    checks the experts' view."""
    reports_changed(provider_id=application.provider_id)
    decision = Decision.objects.create(
        application=application,
        stage_id=stage.pk if stage is not None else application.current_stage_id,
        kind=kind,
        reasons=reasons,
        decided_by=decided_by,
    )
    if decided_at is not None:
        # decided_at is set on creation; tests that need another time move it afterwards.
        Decision.objects.filter(pk=decision.pk).update(decided_at=decided_at)
        decision.refresh_from_db()
    return decision


def make_invitation(
    *, panellist: Panellist, created_by: User, kiosk: bool = False, days: int | None = None
) -> IssuedInvitation:
    from vbr.accounts.invitations import create_invitation

    return create_invitation(panellist=panellist, created_by=created_by, kiosk=kiosk, days=days)


def make_stage_entry(*, application: Application, stage: Stage, entered_at: datetime) -> None:
    from vbr.recruitment.models import StageEntry

    reports_changed(provider_id=application.provider_id)
    StageEntry.objects.create(application=application, stage=stage, entered_at=entered_at)


def make_outcome(
    *,
    application: Application,
    start_date: date,
    probation: str = "passed",
    left_on: date | None = None,
) -> None:
    from vbr.recruitment.models import Outcome

    reports_changed(provider_id=application.provider_id)
    Outcome.objects.create(
        application=application, start_date=start_date, probation=probation, left_on=left_on
    )


def make_equality_response(*, application: Application, **answers: str) -> None:
    """Invite the candidate and record their answers, linked by the opaque key only."""
    from vbr.reports.models import EqualityResponse, MonitoringInvite

    reports_changed(provider_id=application.provider_id)
    invite = MonitoringInvite.objects.create(application=application)
    EqualityResponse.objects.create(provider=application.provider, key=invite.key, **answers)


def make_vacancy(
    *,
    role: Role,
    status: str = "published",
    summary: str = "Support people to live well at home.",
    questions: int = 0,
) -> Vacancy:
    """A vacancy for `role`, published by default, with `questions` values questions (each
    for a new value of the provider)."""
    vacancy = Vacancy.objects.create(
        provider=role.provider,
        role=role,
        status=status,
        summary=summary,
        day_to_day="You help people get up, wash and dress.\n\nYou cook with them.",
        hours="Three 12-hour day shifts a week",
        pay_from=Decimal("12.60"),
        pay_to=Decimal("13.10"),
        town="Leeds",
        postcode="LS1 4AP",
        published_at=timezone.now() if status == "published" else None,
    )
    for number in range(questions):
        VacancyQuestion.objects.create(
            vacancy=vacancy,
            core_value=make_value(provider=role.provider),
            prompt=f"Question {number + 1}: tell us about a time you helped someone.",
            order=number,
        )
    return vacancy


def make_online_application(
    *,
    application: Application,
    referrer_name: str = "",
    availability: str = "Weekdays",
    answer: str = "I sat with my neighbour every day.",
) -> OnlineApplication:
    """What the candidate of `application` wrote when applying online, with one answer."""
    vacancy = Vacancy.objects.filter(role=application.role).first() or make_vacancy(
        role=application.role
    )
    online = OnlineApplication.objects.create(
        application=application,
        vacancy=vacancy,
        referrer_name=referrer_name,
        availability=availability,
        privacy_acknowledged_at=timezone.now(),
    )
    ValuesAnswer.objects.create(
        online_application=online, prompt="Tell us about a time you helped someone.", answer=answer
    )
    return online
