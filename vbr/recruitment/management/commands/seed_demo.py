"""Load the demo: a care home and an individual employer, with candidates at every point.

Idempotent: a provider that already exists is left as it is; demo users get their demo
password back so that the printed logins always work.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Outcome,
    Panellist,
    Role,
    Score,
    Scorecard,
    Stage,
    StageEntry,
)
from vbr.recruitment.starter_values import DEFAULT_INTERVIEW_LEVELS, STARTER_BEHAVIOURS
from vbr.recruitment.workflow import copy_starter_values
from vbr.reports.caching import reports_changed

DEMO_PASSWORD = "vbr-demo-2026"  # noqa: S105 -- demo data only, printed on purpose

DEMO_USERS = (
    # username, full name, provider slug, role, expert by experience
    ("alice", "Alice Morgan", "sunrise", Membership.Role.ADMIN, False),
    ("bob", "Bob Okafor", "sunrise", Membership.Role.MANAGER, False),
    ("carol", "Carol Singh", "sunrise", Membership.Role.MANAGER, False),
    ("dev", "Dev Raman", "sunrise", Membership.Role.PANEL, True),
    ("jo", "Jo Whitfield", "jo-whitfield", Membership.Role.ADMIN, False),
)

INTERVIEW_QUESTIONS = (
    ("Dignity and respect", "Tell us about a time you made sure someone kept their dignity.", True),
    ("Compassion", "Describe a time you noticed someone was upset. What did you do?", True),
    ("Courage", "Tell us about a time you spoke up because something was not right.", False),
    ("Working together", "How have you helped a colleague who was struggling?", False),
)


class Command(BaseCommand):
    help = "Load demo providers, users and candidates (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            self.users = self._users()
            sunrise, new_sunrise = Provider.objects.get_or_create(
                slug="sunrise",
                defaults={
                    "name": "Sunrise Care Home",
                    "kind": Provider.Kind.CARE_HOME,
                    "nation": Provider.Nation.ENGLAND,
                    "retention_months": 6,
                },
            )
            jo, new_jo = Provider.objects.get_or_create(
                slug="jo-whitfield",
                defaults={
                    "name": "Jo Whitfield (individual employer)",
                    "kind": Provider.Kind.INDIVIDUAL_EMPLOYER,
                    "nation": Provider.Nation.WALES,
                    "retention_months": 6,
                },
            )
            providers = {"sunrise": sunrise, "jo-whitfield": jo}
            for username, _, slug, role, expert in DEMO_USERS:
                Membership.objects.get_or_create(
                    user=self.users[username],
                    provider=providers[slug],
                    defaults={"role": role, "is_expert_by_experience": expert},
                )
            if new_sunrise:
                self._care_home(sunrise)
            if new_jo:
                self._individual_employer(jo)
            self._equality_monitoring(sunrise)
            # Written directly, as a data load: the reports cached before are out of date.
            for provider in providers.values():
                reports_changed(provider_id=provider.pk)
        self._print_logins()
        self._panel_link(sunrise)

    # -- people -----------------------------------------------------------------------------

    def _users(self) -> dict[str, User]:
        users = {}
        for username, full_name, *_ in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.full_name = full_name
            user.email = f"{username}@example.org"
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        return users

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for username, full_name, slug, role, expert in DEMO_USERS:
            label = Membership.Role(role).label + (" (expert by experience)" if expert else "")
            self.stdout.write(f"  {username:<6} / {DEMO_PASSWORD}   {full_name}, {label} — {slug}")

    # -- the care home ------------------------------------------------------------------------

    def _care_home(self, provider: Provider) -> None:
        copy_starter_values(provider=provider)
        values = {v.name: v for v in provider.core_values.all()}
        care = self._role(provider, values, "Care assistant", "Days, 30 hours a week.")
        night = self._role(provider, values, "Night care assistant", "Three nights a week.")
        now = timezone.now()
        bob, carol, dev = self.users["bob"], self.users["carol"], self.users["dev"]
        # Each manager sees their own role's reports; alice (admin) sees both.
        care.managers.set(provider.memberships.filter(user=bob))
        night.managers.set(provider.memberships.filter(user=carol))
        interview, shadowing = care.stages.all()

        amira = self._apply(provider, care, interview, "Amira", "Hussain", days_ago=3)
        self._assessment(amira, interview, now + timedelta(days=2), [bob, dev])

        ben = self._apply(provider, care, interview, "Ben", "Carter", days_ago=8)
        a = self._assessment(ben, interview, now - timedelta(days=1), [bob, dev])
        self._score(a, bob, [3, 3, 2, 3], submitted=True, recommendation="yes")
        self._score(a, dev, [3, None, None, None], submitted=False)

        chloe = self._apply(provider, care, interview, "Chloe", "Davies", days_ago=12)
        a = self._assessment(chloe, interview, now - timedelta(days=3), [bob, carol, dev])
        self._score(a, bob, [4, 4, 3, 3], submitted=True, recommendation="strong_yes")
        self._score(a, carol, [3, 4, 3, 0], submitted=True, recommendation="yes")
        self._score(a, dev, [2, 2, 3, 3], submitted=True, recommendation="no")

        daniel = self._apply(provider, care, shadowing, "Daniel", "Evans", days_ago=20)
        a = self._assessment(daniel, interview, now - timedelta(days=10), [bob, dev])
        self._score(a, bob, [3, 4, 3, 3], submitted=True, recommendation="yes")
        self._score(a, dev, [4, 3, 3, 3], submitted=True, recommendation="strong_yes")
        self._decide(
            daniel,
            Decision.Kind.PROGRESS,
            "Clear, warm examples; panel agreed.",
            stage=interview,
            days_ago=9,
        )
        self._assessment(daniel, shadowing, now + timedelta(days=1), [carol, dev])

        ellie = self._apply(provider, care, shadowing, "Ellie", "Foster", days_ago=120)
        a = self._assessment(ellie, interview, now - timedelta(days=110), [bob, dev])
        self._score(a, bob, [4, 3, 4, 3], submitted=True, recommendation="strong_yes")
        self._score(a, dev, [4, 4, 3, 3], submitted=True, recommendation="strong_yes")
        a = self._assessment(ellie, shadowing, now - timedelta(days=105), [carol, dev])
        self._score(a, carol, [4, 4, 3, 3, 4, 3, 3], submitted=True, recommendation="yes")
        self._score(a, dev, [4, 3, 4, 3, 4, 0, 3], submitted=True, recommendation="strong_yes")
        self._decide(
            ellie,
            Decision.Kind.HIRE,
            "Strong on every value; residents warmed to her.",
            stage=shadowing,
            days_ago=100,
        )
        ellie.status = Application.Status.HIRED
        ellie.save(update_fields=["status"])
        Outcome.objects.create(
            application=ellie,
            start_date=(now - timedelta(days=90)).date(),
            probation=Outcome.Probation.PASSED,
        )

        farid = self._apply(provider, care, interview, "Farid", "Khan", days_ago=15)
        farid.status = Application.Status.WITHDRAWN
        farid.save(update_fields=["status"])

        night_interview = night.stages.first()
        for first, last, days in (
            ("Grace", "Lewis", 2),
            ("Harry", "Moss", 5),
            ("Isla", "Nowak", 9),
        ):
            self._apply(provider, night, night_interview, first, last, days_ago=days)

    # -- the individual employer ----------------------------------------------------------------

    def _individual_employer(self, provider: Provider) -> None:
        copy_starter_values(provider=provider)
        values = {v.name: v for v in provider.core_values.all()}
        role = self._role(
            provider, values, "Personal assistant", "Mornings, helping me get up and out."
        )
        interview = role.stages.get(order=1)
        jo = self.users["jo"]
        kim = self._apply(provider, role, interview, "Kim", "Osei", days_ago=4)
        a = self._assessment(kim, interview, timezone.now() - timedelta(days=1), [jo])
        self._score(a, jo, [3, 4, 2, 3], submitted=True, recommendation="yes")
        self._apply(provider, role, interview, "Leo", "Price", days_ago=1)

    # -- building blocks ------------------------------------------------------------------------

    def _role(
        self, provider: Provider, values: dict[str, CoreValue], title: str, description: str
    ) -> Role:
        role = Role.objects.create(provider=provider, title=title, description=description)
        interview = Stage.objects.create(
            role=role, name="Values interview", kind=Stage.Kind.INTERVIEW, order=1
        )
        for order, (value_name, prompt, essential) in enumerate(INTERVIEW_QUESTIONS, start=1):
            Criterion.objects.create(
                stage=interview,
                core_value=values[value_name],
                order=order,
                prompt=prompt,
                essential=essential,
                **dict(
                    zip(
                        ("level_1", "level_2", "level_3", "level_4"),
                        DEFAULT_INTERVIEW_LEVELS,
                        strict=True,
                    )
                ),
            )
        if provider.kind != Provider.Kind.INDIVIDUAL_EMPLOYER:
            shadowing = Stage.objects.create(
                role=role,
                name="Shadowing on the unit",
                kind=Stage.Kind.SHADOWING,
                order=2,
                description="An hour with residents, observed by a member of staff and an "
                "expert by experience.",
            )
            for order, behaviour in enumerate(STARTER_BEHAVIOURS, start=1):
                Criterion.objects.create(
                    stage=shadowing,
                    core_value=values[behaviour.value],
                    order=order,
                    prompt=behaviour.prompt,
                    essential=behaviour.name in ("Respectful touch", "Warmth"),
                    **dict(
                        zip(
                            ("level_1", "level_2", "level_3", "level_4"),
                            behaviour.levels,
                            strict=True,
                        )
                    ),
                )
        return role

    def _apply(
        self,
        provider: Provider,
        role: Role,
        stage: Stage | None,
        first: str,
        last: str,
        *,
        days_ago: int,
    ) -> Application:
        candidate = Candidate.objects.create(
            provider=provider,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@example.com",
        )
        when = timezone.now() - timedelta(days=days_ago)
        application = Application.objects.create(
            provider=provider,
            candidate=candidate,
            role=role,
            current_stage=stage,
            source=Application.Source.WEBSITE,
            applied_at=when,
            stage_entered_at=when,
            status_changed_at=when,
        )
        # The stages this application has been through, a few days apart.
        reached = [s for s in role.stages.all() if stage and s.order <= stage.order]
        for i, past_stage in enumerate(reached):
            entered = when + timedelta(days=i * max(days_ago // (len(reached) + 1), 1))
            StageEntry.objects.create(application=application, stage=past_stage, entered_at=entered)
        if reached:
            application.stage_entered_at = entered
            application.save(update_fields=["stage_entered_at"])
        return application

    def _assessment(
        self, application: Application, stage: Stage, when: Any, panel: list[User]
    ) -> Assessment:
        assessment = Assessment.objects.create(
            application=application,
            stage=stage,
            criteria_version=stage.criteria_version,
            scheduled_at=when,
            place="Garden room" if stage.kind == Stage.Kind.INTERVIEW else "Rose unit",
            status=Assessment.Status.SCORING
            if when < timezone.now()
            else Assessment.Status.SCHEDULED,
        )
        for i, user in enumerate(panel):
            membership = user.memberships.get(provider=application.provider)
            if membership.is_expert_by_experience:
                panel_role = Panellist.PanelRole.EXPERT_BY_EXPERIENCE
            elif i == 0:
                panel_role = Panellist.PanelRole.CHAIR
            else:
                panel_role = Panellist.PanelRole.STAFF_PEER
            Panellist.objects.create(assessment=assessment, user=user, panel_role=panel_role)
        Assessment.objects.filter(pk=assessment.pk).refresh_scoring_progress()
        return assessment

    def _score(
        self,
        assessment: Assessment,
        user: User,
        levels: list[int | None],
        *,
        submitted: bool,
        recommendation: str = "",
    ) -> Scorecard:
        """Levels per criterion in order: 1–4, 0 for not observed, None for not yet answered."""
        panellist = assessment.panellists.get(user=user)
        scorecard = Scorecard.objects.create(
            assessment=assessment,
            panellist=panellist,
            recommendation=recommendation,
            summary="Good examples, especially about residents' choices." if submitted else "",
            submitted_at=timezone.now() if submitted else None,
        )
        # The whole panel has submitted: the demo shows that assessment as closed.
        panel_size = assessment.panellists.count()
        if submitted and assessment.scorecards.submitted().count() == panel_size:
            assessment.status = Assessment.Status.CLOSED
            assessment.closed_at = timezone.now()
            assessment.save(update_fields=["status", "closed_at"])
        for criterion, level in zip(assessment.criteria(), levels, strict=False):
            if level is None:
                continue
            Score.objects.create(
                scorecard=scorecard,
                criterion=criterion,
                level=level or None,
                not_observed=level == 0,
                evidence=_EVIDENCE.get(level, ""),
            )
        if submitted:
            workflow.refresh_from_scores([assessment])  # as submitting would
        return scorecard

    def _decide(
        self, application: Application, kind: str, reasons: str, *, stage: Stage, days_ago: int = 0
    ) -> Decision:
        """A decision made at `stage` (the demo creates applications where they are now, so
        the stage they were decided at is said, not read from them)."""
        decision = Decision.objects.create(
            application=application,
            stage=stage,
            kind=kind,
            reasons=reasons,
            decided_by=self.users["bob"],
        )
        # auto_now_add stamps today; the demo's history needs the real day it was decided.
        Decision.objects.filter(pk=decision.pk).update(
            decided_at=timezone.now() - timedelta(days=days_ago)
        )
        return decision

    # -- joining a panel without a password -----------------------------------------------------

    def _panel_link(self, provider: Provider) -> None:
        """A fresh invitation for Dev's next unscored panel, printed so that a newcomer can try
        the easy-read pages. Only hashes are stored, so every run makes a new link (and the
        earlier demo link stops working)."""
        from vbr.accounts.invitations import create_invitation
        from vbr.accounts.models import AccessProfile
        from vbr.accounts.people import PANEL_MEMBER_CONSENT
        from vbr.privacy.models import Consent
        from vbr.recruitment.models import ProviderCheck

        ProviderCheck.objects.get_or_create(provider=provider, name="DBS check seen")
        dev = self.users["dev"]
        Consent.objects.get_or_create(
            provider=provider,
            kind=Consent.Kind.PANEL_MEMBER,
            user=dev,
            defaults={"statement": PANEL_MEMBER_CONSENT, "recorded_by": self.users["alice"]},
        )
        AccessProfile.objects.get_or_create(
            user=dev,
            defaults={
                "has_supporter": True,
                "notes_for_chair": "I like a short break after 30 minutes.",
            },
        )
        place = (
            Panellist.objects.filter(user=dev, assessment__application__provider=provider)
            .exclude(scorecard__isnull=False)
            .order_by("assessment__scheduled_at")
            .first()
        )
        if place is None:
            return
        issued = create_invitation(panellist=place, created_by=self.users["bob"])
        base = "http://127.0.0.1:8000"
        self.stdout.write(
            "  Dev joins a panel without a password (easy read): "
            f"{base}/join/{issued.token}/  or type code {issued.display_code} at {base}/join/"
        )

    # -- equality monitoring (reports) ------------------------------------------------------

    def _equality_monitoring(self, provider: Provider) -> None:
        """Invite every Sunrise applicant to the optional equality questions; most answer.

        Idempotent: applications already invited are left alone. The answers are linked by
        the invitation's key only, as in real use.
        """
        from vbr.reports.models import EqualityResponse, MonitoringInvite

        answers = ("white", "white", "asian", "black", "white", "mixed", "", "white", "asian")
        invited = MonitoringInvite.objects.filter(application__provider=provider)
        already = set(invited.values_list("application_id", flat=True))
        for index, application in enumerate(provider.applications.order_by("pk")):
            if application.pk in already:
                continue
            invite = MonitoringInvite.objects.create(application=application)
            ethnicity = answers[index % len(answers)]
            if ethnicity:
                EqualityResponse.objects.create(
                    provider=provider,
                    key=invite.key,
                    ethnicity=ethnicity,
                    sex=("female", "male", "prefer_not")[index % 3],
                    disability=("no", "yes", "no", "prefer_not")[index % 4],
                )


_EVIDENCE = {
    0: "",
    1: "Could not give an example; talked about tasks rather than the person.",
    2: "A general answer; little about what they did themselves.",
    3: "Gave a clear example from caring for their grandmother.",
    4: "Specific example of closing the door and asking before helping; reflected on it.",
}
