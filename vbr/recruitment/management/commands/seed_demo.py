"""Load the demo: a care home and an individual employer, with candidates at every point.

Idempotent: a provider that already exists is left as it is; demo users get their demo
password back so that the printed logins always work.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    BankItem,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Outcome,
    Panellist,
    Role,
    Score,
    Scorecard,
    Service,
    Stage,
    StageEntry,
    ValueSet,
)
from vbr.recruitment.starter_values import DEFAULT_INTERVIEW_LEVELS, STARTER_BEHAVIOURS
from vbr.recruitment.workflow import copy_starter_values, load_value_sets
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

# Which of the Care Workforce Pathway's values each starter value evidences in the demo.
# "Working together" is about colleagues more than the person supported: left unmapped.
PATHWAY_MAPPING: dict[str, tuple[str, ...]] = {
    "Dignity and respect": ("Respect",),
    "Compassion": ("Kind, compassionate and empathetic",),
    "Courage": ("Courageous and principled",),
    "Person-centred": ("See the whole person",),
    "Integrity": ("Honest, trustworthy and reliable",),
}


class Command(BaseCommand):
    help = "Load demo providers, users and candidates (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            # The national value sets and the question bank, from the fixtures folder.
            load_value_sets()
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
                self._safer_recruitment(sunrise)
            self._map_to_pathway(sunrise)
            self._vacancy(sunrise)
            self._involvement(sunrise)
            if new_jo:
                self._individual_employer(jo)
            self._closing_the_loop(sunrise)
            self._equality_monitoring(sunrise)
            # Written directly, as a data load: the reports cached before are out of date.
            for provider in providers.values():
                reports_changed(provider_id=provider.pk)
        self._print_logins()
        self._panel_link(sunrise)
        self._involvement_links(sunrise)

    # -- people -----------------------------------------------------------------------------

    def _users(self) -> dict[str, User]:
        users = {}
        for username, full_name, _slug, _role, expert in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.full_name = full_name
            user.email = f"{username}@example.org"
            # An expert by experience has no password: they join with a link or a short code.
            if expert:
                user.set_unusable_password()
            else:
                user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        return users

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for username, full_name, slug, role, expert in DEMO_USERS:
            if expert:
                continue  # no password: their link and code are printed below
            label = Membership.Role(role).label
            self.stdout.write(f"  {username:<6} / {DEMO_PASSWORD}   {full_name}, {label} — {slug}")

    # -- the care home ------------------------------------------------------------------------

    def _care_home(self, provider: Provider) -> None:
        """Each candidate's history runs in order: added when they applied, scored on the day
        of their assessment, decided after the scores, moved on after the decision."""
        copy_starter_values(provider=provider)
        values = {v.name: v for v in provider.core_values.all()}
        care = self._role(provider, values, "Care assistant", "Days, 30 hours a week.")
        night = self._role(provider, values, "Night care assistant", "Three nights a week.")
        # Two services, so that reports and the safer-recruitment files show the split.
        care.service = Service.objects.create(provider=provider, name="Sunrise House")
        night.service = Service.objects.create(provider=provider, name="Sunrise Lodge")
        care.save(update_fields=["service"])
        night.save(update_fields=["service"])
        bob, carol, dev = self.users["bob"], self.users["carol"], self.users["dev"]
        # Each manager sees their own role's reports; alice (admin) sees both.
        care.managers.set(provider.memberships.filter(user=bob))
        night.managers.set(provider.memberships.filter(user=carol))
        interview, shadowing = care.stages.all()
        source = Application.Source

        amira = self._apply(care, "Amira", "Hussain", days_ago=3, source=source.WEBSITE)
        self._assessment(amira, interview, _days_ago(-2), [bob, dev])

        ben = self._apply(care, "Ben", "Carter", days_ago=8, source=source.JOB_BOARD)
        a = self._assessment(ben, interview, _days_ago(1), [bob, dev])
        self._score(a, bob, BEN["bob"], submitted=True, recommendation="yes")
        self._score(a, dev, BEN["dev"], submitted=False)

        chloe = self._apply(care, "Chloe", "Davies", days_ago=12, source=source.REFERRAL)
        a = self._assessment(chloe, interview, _days_ago(3), [bob, carol, dev])
        self._score(a, bob, CHLOE["bob"], submitted=True, recommendation="strong_yes")
        self._score(a, carol, CHLOE["carol"], submitted=True, recommendation="yes")
        self._score(a, dev, CHLOE["dev"], submitted=True, recommendation="no")

        daniel = self._apply(care, "Daniel", "Evans", days_ago=20, source=source.JOBCENTRE)
        a = self._assessment(daniel, interview, _days_ago(10), [bob, dev])
        self._score(a, bob, DANIEL["bob"], submitted=True, recommendation="yes")
        self._score(a, dev, DANIEL["dev"], submitted=True, recommendation="strong_yes")
        self._decide(
            daniel,
            Decision.Kind.PROGRESS,
            "Clear, warm examples; panel agreed.",
            stage=interview,
            days_ago=9,
        )
        self._move(daniel, shadowing, days_ago=9)
        self._assessment(daniel, shadowing, _days_ago(-1), [carol, dev])

        ellie = self._apply(care, "Ellie", "Foster", days_ago=120, source=source.WEBSITE)
        a = self._assessment(ellie, interview, _days_ago(110), [bob, dev])
        self._score(a, bob, ELLIE["bob"], submitted=True, recommendation="strong_yes")
        self._score(a, dev, ELLIE["dev"], submitted=True, recommendation="strong_yes")
        self._decide(
            ellie,
            Decision.Kind.PROGRESS,
            "Strong, specific examples; Dev keen to see her on the unit.",
            stage=interview,
            days_ago=109,
        )
        self._move(ellie, shadowing, days_ago=109)
        a = self._assessment(ellie, shadowing, _days_ago(105), [carol, dev])
        self._score(a, carol, ELLIE["carol"], submitted=True, recommendation="yes")
        self._score(a, dev, ELLIE["dev shadowing"], submitted=True, recommendation="strong_yes")
        self._decide(
            ellie,
            Decision.Kind.HIRE,
            "Strong on every value; residents warmed to her.",
            stage=shadowing,
            days_ago=100,
        )
        self._close(ellie, Application.Status.HIRED, days_ago=100)
        Outcome.objects.create(
            application=ellie,
            start_date=_days_ago(90).date(),
            probation=Outcome.Probation.PASSED,
        )

        farid = self._apply(care, "Farid", "Khan", days_ago=15, source=source.SOCIAL_MEDIA)
        self._close(farid, Application.Status.WITHDRAWN, days_ago=6)

        for first, last, days, where in (
            ("Grace", "Lewis", 2, source.JOB_BOARD),
            ("Harry", "Moss", 5, source.WEBSITE),
            ("Isla", "Nowak", 9, source.REFERRAL),
        ):
            self._apply(night, first, last, days_ago=days, source=where)

    # -- safer-recruitment files ----------------------------------------------------------------

    def _safer_recruitment(self, provider: Provider) -> None:
        """Two safer-recruitment files: Ellie's, complete, with her right to work to check
        again within the month (on the dashboard); Daniel's, in progress before his shadowing
        (identity, right to work and DBS verified, a reference asked for, a gap explained)."""
        from vbr.compliance import workflow as files
        from vbr.compliance.models import (
            Check,
            CheckEvent,
            EmploymentSpell,
            ReferenceEvent,
            ReferenceRequest,
        )

        bob = self.users["bob"]
        today = timezone.localdate()
        ellie = provider.applications.get(candidate__first_name="Ellie")
        daniel = provider.applications.get(candidate__first_name="Daniel")

        def opened(application: Application, days_ago: int) -> Any:
            file = files.open_file(application=application, by=bob)
            type(file).objects.filter(pk=file.pk).update(opened_at=_days_ago(days_ago))
            return file

        def checks_of(file: Any) -> dict[str, Any]:
            return {c.item.key: c for c in file.checks.select_related("item", "file__provider")}

        def seen(check: Any, what: str, on: Any, **evidence: Any) -> None:
            files.record_check(
                check=check,
                by=bob,
                status=Check.Status.VERIFIED,
                evidence_seen=what,
                seen_on=on,
                **evidence,
            )

        def dbs(check: Any, number: str, issued: Any) -> None:
            files.record_check(
                check=check,
                by=bob,
                status=Check.Status.VERIFIED,
                reference_number=number,
                issued_on=issued,
                level=Check.Level.ENHANCED_BARRED,
                barred_list_result=Check.BarredList.CLEAR,
                decision=Check.Decision.CLEAR,
            )

        def reference(file: Any, name: str, organisation: str, **answer: Any) -> Any:
            # A demo reference: its link's token is thrown away, so nobody can open it.
            return ReferenceRequest.objects.create(
                file=file,
                referee_name=name,
                referee_email=f"{name.split()[0].lower()}@example.org",
                referee_organisation=organisation,
                is_last_employer=True,
                token_hash=secrets.token_hex(32),
                site_origin="http://127.0.0.1:8000",
                expires_at=timezone.now() + timedelta(days=14),
                requested_by=bob,
                **answer,
            )

        def backdate(file: Any, days_ago: int) -> None:
            # Written as if the checks were done on that day, in the order they were done.
            when = _days_ago(days_ago)
            for n, event in enumerate(CheckEvent.objects.filter(check_row__file=file)):
                CheckEvent.objects.filter(pk=event.pk).update(at=when + timedelta(minutes=n))
            file.checks.exclude(verified_at=None).update(verified_at=when)

        # Ellie: complete before she started, 90 days ago.
        file = opened(ellie, 100)
        checks = checks_of(file)
        seen(checks["identity"], "Passport, original; photo matches", _days_ago(98).date())
        seen(
            checks["right_to_work"],
            "Home Office online check: permission to work until next month",
            _days_ago(98).date(),
            right_to_work_method=Check.RightToWork.SHARE_CODE,
            reference_number="WX7 4KP 9RT",
            follow_up_on=today + timedelta(days=24),
        )
        dbs(checks["criminal_record"], "001786543210", _days_ago(99).date())
        EmploymentSpell.objects.create(
            file=file,
            employer="Meadow View Care Home",
            job_title="Care assistant",
            started_on=_days_ago(900).date(),
            ended_on=_days_ago(101).date(),
            was_care_work=True,
            reason_for_leaving="Wanted day shifts nearer home.",
        )
        found = reference(
            file,
            "Sarah Whitley",
            "Meadow View Care Home",
            received_at=_days_ago(97),
            employed_from=_days_ago(900).date(),
            employed_to=_days_ago(101).date(),
            job_title="Care assistant",
            conduct="Patient and cheerful; residents and families trusted her.",
            reason_for_leaving="She wanted day shifts nearer home.",
            would_reemploy=ReferenceRequest.Reemploy.YES,
            declaration_name="Sarah Whitley",
            verified_by=bob,
            verified_at=_days_ago(96),
        )
        for kind, days in (
            (ReferenceEvent.Kind.REQUESTED, 99),
            (ReferenceEvent.Kind.RECEIVED, 97),
            (ReferenceEvent.Kind.VERIFIED, 96),
        ):
            ReferenceEvent.objects.create(reference=found, kind=kind, actor=bob, at=_days_ago(days))
        for key in ("references", "employment_history"):
            files.record_check(check=checks[key], by=bob, status=Check.Status.VERIFIED)
        seen(checks["qualifications"], "Care Certificate, original", _days_ago(98).date())
        seen(checks["health"], "Health questionnaire after the offer", _days_ago(97).date())
        files.confirm_start(file=file, start_date=_days_ago(90).date(), by=bob)
        backdate(file, 96)

        # Daniel: shadowing tomorrow, so the checks before shadowing are done; the rest not.
        file = opened(daniel, 9)
        checks = checks_of(file)
        seen(checks["identity"], "Driving licence, original; photo matches", _days_ago(8).date())
        seen(
            checks["right_to_work"],
            "British passport, original",
            _days_ago(8).date(),
            right_to_work_method=Check.RightToWork.MANUAL,
        )
        dbs(checks["criminal_record"], "001799012345", _days_ago(7).date())
        asked = reference(file, "Tom Price", "Greenway Supermarkets")
        ReferenceEvent.objects.create(
            reference=asked, kind=ReferenceEvent.Kind.REQUESTED, actor=bob, at=_days_ago(7)
        )
        files.record_check(check=checks["references"], by=bob, status=Check.Status.REQUESTED)
        EmploymentSpell.objects.create(
            file=file,
            employer="Greenway Supermarkets",
            job_title="Shop assistant",
            started_on=_days_ago(1500).date(),
            ended_on=_days_ago(700).date(),
            reason_for_leaving="To look after his father.",
        )
        EmploymentSpell.objects.create(
            file=file,
            employer="Riverside Café",
            job_title="Kitchen assistant",
            started_on=_days_ago(450).date(),
        )
        for gap in files.employment_history(file).gaps:
            files.explain_gap(
                file=file,
                starts_on=gap.gap.starts_on,
                ends_on=gap.gap.ends_on,
                explanation="Cared full time for his father until he moved into a care home.",
                by=bob,
            )
        files.record_check(check=checks["employment_history"], by=bob, status=Check.Status.RECEIVED)
        backdate(file, 7)

    # -- the care assistant's vacancy, times to book and an online application ------------------

    def _vacancy(self, provider: Provider) -> None:
        """The care assistant's job published with two values questions, three interview
        times with Bob and Dev on the panel (at times Dev said suit him), and Priya, who
        applied online this morning, answered the questions and booked the first time.

        Only once: a care home that already has the vacancy is left as it is."""
        from decimal import Decimal

        from vbr.accounts.models import AccessProfile
        from vbr.applicants import booking
        from vbr.applicants.models import Slot, Vacancy, VacancyQuestion
        from vbr.applicants.status import issue_status_link
        from vbr.applicants.workflow import submit_application

        care = provider.roles.filter(title="Care assistant").first()
        if care is None or Vacancy.objects.filter(role=care).exists():
            return
        values = {v.name: v for v in provider.core_values.all()}
        vacancy = Vacancy.objects.create(
            provider=provider,
            role=care,
            status=Vacancy.Status.PUBLISHED,
            summary="Help the people who live at Sunrise House to have good days, their way.",
            day_to_day="You help people get up, wash and dress, at the pace they choose. You "
            "eat with them, chat, and join in with the garden club and the quiz.\n\nYou write "
            "short notes about each shift, and you work with a small team who help each other.",
            hours="Days, 30 hours a week: 8am to 2pm, five days out of seven.",
            employment_type=Vacancy.EmploymentType.PART_TIME,
            pay_from=Decimal("12.60"),
            pay_to=Decimal("13.40"),
            town="Leeds",
            postcode="LS6 2QT",
            pathway_category=Vacancy.PathwayCategory.NEW_TO_CARE,
            what_to_bring="Proof of your right to work in the UK and a photo ID. Comfortable "
            "shoes for the shadowing.",
            published_at=timezone.now() - timedelta(days=7),
        )
        questions = [
            VacancyQuestion.objects.create(
                vacancy=vacancy, core_value=values[name], prompt=prompt, order=order
            )
            for order, (name, prompt) in enumerate(
                (
                    (
                        "Dignity and respect",
                        "Tell us about a time you helped someone keep their privacy or do "
                        "something their own way.",
                    ),
                    (
                        "Compassion",
                        "Think of someone who was having a hard day. What did you notice, and "
                        "what did you do?",
                    ),
                )
            )
        ]
        # What Dev said suits him: the times below respect it.
        AccessProfile.objects.update_or_create(
            user=self.users["dev"],
            defaults={
                "earliest_start": time(10, 0),
                "latest_finish": time(15, 0),
                "longest_minutes": 60,
                "contact_by": AccessProfile.Contact.PRINTED,
            },
        )
        interview = care.stages.order_by("order").first()
        assert interview is not None
        panel = provider.memberships.filter(user__in=[self.users["bob"], self.users["dev"]])
        slots = []
        for days in (2, 3, 5):
            day = timezone.localdate() + timedelta(days=days)
            starts = timezone.make_aware(datetime.combine(day, time(11, 0)))
            slot = Slot.objects.create(
                provider=provider,
                stage=interview,
                starts_at=starts,
                minutes=45,
                place="Sunrise House, the quiet lounge",
                capacity=1,
            )
            slot.panel.set(panel)
            slots.append(slot)
        submitted = submit_application(
            vacancy=vacancy,
            first_name="Priya",
            last_name="Shah",
            email="priya.shah@example.com",
            phone="07700 900461",
            source=Application.Source.WEBSITE,
            referrer_name="",
            availability="Weekdays, and Saturday mornings.",
            answers=[
                (
                    questions[0],
                    "My nan lived with us. She liked to choose her own clothes even when it "
                    "took a long time, so I laid two outfits out and waited while she "
                    "decided. I always knocked before I went into her room.",
                ),
                (
                    questions[1],
                    "A boy at the football club I help at went quiet after his dad moved "
                    "away. I sat with him at half time and asked about his team. I told the "
                    "coach, gently, so he could keep an eye out.",
                ),
            ],
            texts_agreed=True,
        )
        issue_status_link(online=submitted.online)
        booking.book_slot(application=submitted.application, slot_id=slots[0].pk)

    # -- Dev's views on the advert, and shortlisting --------------------------------------------

    def _involvement(self, provider: Provider) -> None:
        """Bob asks Dev what he thinks of the care assistant's advert, and opens shortlisting
        of its applications with Dev and himself. Only once each."""
        from vbr.applicants.models import Vacancy
        from vbr.involvement import workflow as involvement

        vacancy = Vacancy.objects.filter(provider=provider, role__title="Care assistant").first()
        if vacancy is None:
            return
        bob, dev = self.users["bob"], self.users["dev"]
        involvement.share_advert(vacancy=vacancy, people=[dev], shared_by=bob)
        if vacancy.role.shortlistings.exists():
            return
        try:
            involvement.open_shortlisting(
                role=vacancy.role, stage=None, people=[dev, bob], opened_by=bob
            )
        except involvement.NotShortlistable:
            return

    def _involvement_links(self, provider: Provider) -> None:
        """Fresh links for Dev to the advert and to shortlisting, printed like his panel link."""
        from vbr.accounts.invitations import create_involvement_invitation
        from vbr.involvement.models import AdvertReview, Shortlister

        dev, bob = self.users["dev"], self.users["bob"]
        base = "http://127.0.0.1:8000"
        review = AdvertReview.objects.filter(provider=provider, reviewer=dev).first()
        if review is not None and not review.is_sent:
            issued = create_involvement_invitation(advert_review=review, created_by=bob)
            self.stdout.write(f"  Dev's views on a job advert: {base}/join/{issued.token}/")
        place = Shortlister.objects.filter(shortlisting__provider=provider, user=dev).first()
        if place is not None:
            issued = create_involvement_invitation(shortlister=place, created_by=bob)
            self.stdout.write(f"  Dev shortlists applicants: {base}/join/{issued.token}/")

    def _map_to_pathway(self, provider: Provider) -> None:
        """Sunrise's values say which of the Care Workforce Pathway's values they evidence, so
        that its reports name them. Values already mapped are left as the provider set them."""
        pathway = ValueSet.objects.filter(slug="care-workforce-pathway").order_by("-version")
        latest = pathway.first()
        if latest is None:
            return
        national = {value.name: value for value in latest.national_values.all()}
        for core_value in provider.core_values.filter(evidences__isnull=True):
            names = PATHWAY_MAPPING.get(core_value.name, ())
            core_value.evidences.add(*[national[name] for name in names if name in national])

    # -- the individual employer ----------------------------------------------------------------

    def _individual_employer(self, provider: Provider) -> None:
        """Jo, part-way along the PA path: the advert in her words is published, her
        interview has questions from the bank, her friend Amir sits with her, and Kim is
        waiting for her decision (the offer and the checks are still to come)."""
        from decimal import Decimal

        from vbr.pa import workflow as pa

        copy_starter_values(provider=provider)
        if not BankItem.objects.filter(provider__isnull=True).exists():
            workflow.load_value_sets()
        values = {v.name: v for v in provider.core_values.all()}
        jo = self.users["jo"]
        chosen = [values[name] for name, _prompt, _essential in INTERVIEW_QUESTIONS]
        job = pa.save_job(
            provider=provider,
            by=jo,
            words=pa.JobWords(
                title="Personal assistant, mornings",
                help_needed="Getting up, a shower and getting dressed. Making breakfast with "
                "me. Sometimes the shops or the library.",
                what_matters="A sense of humour: mornings go better with a laugh. Respect for "
                "my faith: I am Muslim, so halal food and time to pray. Liking music or "
                "rugby is a bonus.",
                values=chosen,
                hours="Weekday mornings, 7.30 to 10.30",
                pay_from=Decimal("13.20"),
                town="Swansea",
            ),
        )
        pa.publish_advert(job=job)
        interview = pa.interview_stage(job.role)
        assert interview is not None
        # The first question the bank offers for each of her values (`KIM` scores them in
        # this order).
        for core_value, items in pa.bank_questions(provider=provider, job=job):
            workflow.copy_bank_item_into_stage(
                item=items[0], stage=interview, core_value=core_value, actor=jo
            )
        role = job.role
        kim = self._apply(role, "Kim", "Osei", days_ago=4, source=Application.Source.SOCIAL_MEDIA)
        a = self._assessment(kim, interview, _days_ago(1), [jo])
        pa.choose_companion(job=job, full_name="Amir Khan", relationship="friend", email="", by=jo)
        self._score(a, jo, KIM["jo"], submitted=True, recommendation="yes")
        self._apply(role, "Leo", "Price", days_ago=1, source=Application.Source.WEBSITE)

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
        self, role: Role, first: str, last: str, *, days_ago: int, source: str
    ) -> Application:
        """A candidate added on the day they applied, at the role's first stage."""
        when = _days_ago(days_ago)
        candidate = Candidate.objects.create(
            provider=role.provider,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@example.com",
        )
        # auto_now_add stamps today: the candidate was added when they applied.
        Candidate.objects.filter(pk=candidate.pk).update(created_at=when)
        first_stage = role.stages.order_by("order").first()
        application = Application.objects.create(
            provider=role.provider,
            candidate=candidate,
            role=role,
            current_stage=first_stage,
            source=source,
            applied_at=when,
            stage_entered_at=when,
            status_changed_at=when,
        )
        if first_stage is not None:
            StageEntry.objects.create(application=application, stage=first_stage, entered_at=when)
        return application

    def _move(self, application: Application, stage: Stage, *, days_ago: int) -> None:
        """Moved on to `stage` (after the decision to progress, on the same day)."""
        when = _days_ago(days_ago) + timedelta(hours=4)
        StageEntry.objects.create(application=application, stage=stage, entered_at=when)
        application.current_stage = stage
        application.stage_entered_at = when
        application.save(update_fields=["current_stage", "stage_entered_at"])

    def _close(self, application: Application, status: str, *, days_ago: int) -> None:
        application.status = status
        application.status_changed_at = _days_ago(days_ago) + timedelta(hours=4)
        application.save(update_fields=["status", "status_changed_at"])

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
        answers: Answers,
        *,
        submitted: bool,
        recommendation: str = "",
    ) -> Scorecard:
        """One panellist's scorecard: their summary, then per criterion in order a level (1–4,
        0 for not observed) and their own evidence; criteria after the last are unanswered.
        Submitted two hours after the assessment began."""
        summary, scores = answers
        panellist = assessment.panellists.get(user=user)
        submitted_at = (assessment.scheduled_at or timezone.now()) + timedelta(hours=2)
        scorecard = Scorecard.objects.create(
            assessment=assessment,
            panellist=panellist,
            recommendation=recommendation,
            summary=summary if submitted else "",
            submitted_at=submitted_at if submitted else None,
        )
        # The whole panel has submitted: the demo shows that assessment as closed.
        panel_size = assessment.panellists.count()
        if submitted and assessment.scorecards.submitted().count() == panel_size:
            assessment.status = Assessment.Status.CLOSED
            assessment.closed_at = submitted_at
            assessment.save(update_fields=["status", "closed_at"])
        for criterion, (level, evidence) in zip(assessment.criteria(), scores, strict=False):
            Score.objects.create(
                scorecard=scorecard,
                criterion=criterion,
                level=level or None,
                not_observed=level == 0,
                evidence=evidence,
            )
        if submitted:
            workflow.refresh_from_scores([assessment])  # as submitting would
        return scorecard

    def _decide(
        self, application: Application, kind: str, reasons: str, *, stage: Stage, days_ago: int = 0
    ) -> Decision:
        """A decision made at `stage`, on the afternoon of the day `days_ago`: after that
        stage's scorecards, before the application moves on."""
        decision = Decision.objects.create(
            application=application,
            stage=stage,
            kind=kind,
            reasons=reasons,
            decided_by=self.users["bob"],
        )
        # auto_now_add stamps today; the demo's history needs the real day it was decided.
        Decision.objects.filter(pk=decision.pk).update(
            decided_at=_days_ago(days_ago) + timedelta(hours=3)
        )
        return decision

    # -- closing the loop and paying panel members ------------------------------------------

    def _closing_the_loop(self, provider: Provider) -> None:
        """Dev hears about decisions on his next visit: Ellie's hire waits for him on his panel
        page. His time at Daniel's interview is not paid yet and falls due in two days (on the
        dashboard); his time at Ellie's was paid. Only once."""
        from decimal import Decimal

        from vbr.accounts.models import AccessProfile
        from vbr.recruitment.models import DecisionMessage, Involvement

        dev, bob = self.users["dev"], self.users["bob"]
        AccessProfile.objects.update_or_create(
            user=dev, defaults={"hear_about_decisions": AccessProfile.HearAboutDecisions.NEXT_VISIT}
        )
        hired = Decision.objects.filter(
            application__provider=provider,
            application__candidate__first_name="Ellie",
            kind=Decision.Kind.HIRE,
        ).first()
        if hired is not None:
            DecisionMessage.objects.get_or_create(
                decision=hired,
                user=dev,
                defaults={
                    "provider": provider,
                    "channel": DecisionMessage.Channel.NEXT_VISIT,
                    "own_view": "strong_yes",
                    "weighed": DecisionMessage.Weighed.WITH,
                },
            )
        if provider.involvements.exists():
            return
        today = timezone.localdate()
        for first_name, days_ago, paid, supported in (
            ("Ellie", 110, True, False),
            ("Daniel", 12, False, True),
        ):
            assessment = (
                Assessment.objects.filter(
                    application__provider=provider,
                    application__candidate__first_name=first_name,
                    panellists__user=dev,
                )
                .order_by("scheduled_at")
                .first()
            )
            entry = workflow.record_involvement(
                involvement=Involvement(
                    user=dev,
                    assessment=assessment,
                    date=today - timedelta(days=days_ago),
                    minutes=75,
                    payment_kind=Involvement.PaymentKind.PAYMENT,
                    payment_amount=Decimal("25.00"),
                    expenses_amount=Decimal("6.40"),
                    supporter_expenses=Decimal("12.00" if supported else "0"),
                    notes="Bus fare" + ("; his support worker came too" if supported else ""),
                ),
                provider=provider,
                by=bob,
            )
            if paid:
                workflow.mark_paid(involvement=entry, paid_on=entry.date + timedelta(days=9))

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


def _days_ago(days: float) -> datetime:
    """A time `days` before now (negative: in the future), at half past ten in the morning."""
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=10, minute=30, second=0, microsecond=0)


# What each panellist wrote: a summary, then a level (0: not observed) and evidence for each
# question or behaviour in order. Experts by experience write in their own words.
Answers = tuple[str, list[tuple[int, str]]]

BEN: dict[str, Answers] = {
    "bob": (
        "Good, honest examples from his hotel work; less sure about speaking up.",
        [
            (3, "Drew the curtains and covered his grandad's legs before the nurse came in."),
            (3, "Noticed a guest crying in the lobby, sat with her and asked what would help."),
            (2, "Said he would tell a manager, but could not give a time he had done it."),
            (3, "Showed a new colleague the booking system and covered her first late shift."),
        ],
    ),
    # Dev's scorecard is a draft: one answer so far.
    "dev": ("", [(3, "He talked about his grandad kindly.")]),
}

CHLOE: dict[str, Answers] = {
    "bob": (
        "Specific, reflective answers; put residents' choices first every time.",
        [
            (
                4,
                "Knocked, waited and asked a resident how she liked to be helped to wash; "
                "reflected on why it mattered to her.",
            ),
            (
                4,
                "Saw a man go quiet after a phone call, sat with him while he talked about his "
                "wife, and told his key worker.",
            ),
            (3, "Told the nurse in charge when a colleague rushed someone's meal."),
            (3, "Paired up with a new starter on nights and checked in with her after each shift."),
        ],
    ),
    "carol": (
        "Warm and thoughtful; we ran out of time for the teamwork question.",
        [
            (3, "Talked about keeping doors shut and people covered: right, if a little general."),
            (
                4,
                "Her example of the man after the phone call was detailed: what she noticed, "
                "what she said and who she told.",
            ),
            (3, "Clear about why rushed mealtimes matter and who she raised it with."),
            (0, "Not asked: we ran out of time."),
        ],
    ),
    "dev": (
        "She was kind, but she talked to the staff more than to me.",
        [
            (2, "She said the right things but not how she asks the person first."),
            (2, "She told us what she did, not how the man felt."),
            (3, "She told the nurse when someone was rushed with their dinner. That was brave."),
            (3, "She helped a new worker on nights. She sounded kind about it."),
        ],
    ),
}

DANIEL: dict[str, Answers] = {
    "bob": (
        "Calm and kind; clear examples from caring for his mum.",
        [
            (3, "Helps his mum dress in her own time and lets her choose her clothes."),
            (
                4,
                "Noticed a woman at the day centre was not eating, asked gently, found she had "
                "a sore mouth and told the staff.",
            ),
            (3, "Asked a relative to stop speaking over his mum at her appointments."),
            (3, "Shares the evening routine with his sister; they leave each other notes."),
        ],
    ),
    "dev": (
        "He listened to me properly and did not rush his answers.",
        [
            (4, "He lets his mum choose her clothes and waits. He said it is her day, not his."),
            (3, "He saw the lady was not eating and asked her why. Good."),
            (3, "He told his cousin to let his mum speak for herself."),
            (3, "He and his sister write notes for each other."),
        ],
    ),
}

ELLIE: dict[str, Answers] = {
    "bob": (
        "Experienced and reflective; her examples were her own.",
        [
            (
                4,
                "Closes the door and covers a resident during personal care, and asks each time "
                "how she wants it done.",
            ),
            (3, "Sat with a resident who was missing her dog and found photos to talk about."),
            (
                4,
                "Reported a colleague who shouted at a resident, knowing it would be hard, and "
                "followed it up.",
            ),
            (3, "Swapped shifts to help a colleague through childcare problems."),
        ],
    ),
    "dev": (
        "She talked to me like a person. I would like her to help me.",
        [
            (4, "She asks before she helps. She said she would want that too."),
            (4, "She found photos of the lady's dog. That was kind."),
            (3, "She told the manager about someone shouting. She knew it was right."),
            (3, "She helps her friends at work with their shifts."),
        ],
    ),
    "carol": (
        "Settled in quickly; residents were at ease with her by the end of the hour.",
        [
            (
                4,
                "Greeted each resident by name with a smile; Mrs Ahmed was laughing with her "
                "within minutes.",
            ),
            (4, "Let Mr Jones finish his story about the railway without hurrying him."),
            (3, "Fetched a blanket for a resident who was cold, after checking with me first."),
            (3, "Slowed down for Mrs Ahmed; could use pictures more with people with dementia."),
            (4, "Asked before taking Mr Jones's arm and let him set the pace."),
            (3, "Mostly at eye level; stood over the table at lunch."),
            (3, "Started a game of dominoes that two residents joined."),
        ],
    ),
    "dev shadowing": (
        "She sat with us and did not rush. She asked me before she helped me.",
        [
            (4, "She smiled and said hello to everyone, even people who do not talk."),
            (3, "She listened to me. Once she asked the staff instead of me."),
            (4, "She saw I dropped my cup and helped straight away, but asked first."),
            (3, "She spoke slowly when I asked her to."),
            (4, "She asked before she moved my chair."),
            (0, "I could not see from where I sat."),
            (3, "She played dominoes with us."),
        ],
    ),
}

KIM: dict[str, Answers] = {
    "jo": (
        "Kind and practical; she asked me good questions about how I like things done.",
        [
            (3, "Said she would ask me how I like my mornings and write it down."),
            (
                4,
                "Noticed her flatmate was low after losing her job, cooked with her and sat up "
                "talking.",
            ),
            (2, "Said she would speak up, but has not had to yet."),
            (3, "Taught a new colleague at the café to use the till."),
        ],
    ),
}
