"""Employment history gaps (worked dates), and the gates: no shadowing before the checks
marked "before shadowing" are verified, no start date before the file is complete except
through the nation's recorded conditional start."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import OutgoingEmail, Provider, User
from vbr.compliance import workflow
from vbr.compliance.gaps import Gap, find_gaps
from vbr.compliance.models import Check, EmploymentSpell, SaferRecruitmentFile
from vbr.recruitment import workflow as recruitment
from vbr.recruitment.models import Application, Stage

# -- Gaps, worked through ---------------------------------------------------------------------


def test_exactly_three_months_between_jobs_is_not_a_gap_one_day_more_is() -> None:
    jobs = [(date(2019, 1, 1), date(2020, 1, 31)), (date(2020, 5, 1), None)]
    # 1 February to 30 April: exactly three months.
    assert find_gaps(jobs, longer_than_months=3, until=date(2026, 1, 1)) == []
    jobs = [(date(2019, 1, 1), date(2020, 1, 31)), (date(2020, 5, 2), None)]
    assert find_gaps(jobs, longer_than_months=3, until=date(2026, 1, 1)) == [
        Gap(date(2020, 2, 1), date(2020, 5, 1))
    ]


def test_overlapping_jobs_cover_each_other_and_order_does_not_matter() -> None:
    jobs = [
        (date(2021, 9, 1), date(2022, 6, 30)),  # a second job, started during the first
        (date(2018, 3, 1), date(2022, 1, 31)),
        (date(2023, 1, 9), date(2025, 12, 31)),
    ]
    gaps = find_gaps(jobs, longer_than_months=3, until=date(2026, 2, 1))
    # After the later of the two overlapping jobs ends (30 June 2022) until 8 January 2023.
    assert gaps == [Gap(date(2022, 7, 1), date(2023, 1, 8))]
    assert gaps[0].days == 192


def test_time_since_the_last_job_counts_up_to_the_file_and_a_current_job_closes_it() -> None:
    ended = [(date(2020, 1, 1), date(2025, 6, 30))]
    assert find_gaps(ended, longer_than_months=3, until=date(2026, 3, 1)) == [
        Gap(date(2025, 7, 1), date(2026, 3, 1))
    ]
    ongoing = [(date(2020, 1, 1), None), (date(2019, 1, 1), date(2019, 12, 31))]
    assert find_gaps(ongoing, longer_than_months=3, until=date(2026, 3, 1)) == []


def test_a_provider_may_allow_longer_gaps_a_leap_day_included() -> None:
    jobs = [(date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 7, 1), None)]
    # 1 January to 30 June 2024: six months (182 days, with 29 February).
    assert find_gaps(jobs, longer_than_months=3, until=date(2026, 1, 1))[0].days == 182
    assert find_gaps(jobs, longer_than_months=6, until=date(2026, 1, 1)) == []


# -- The history page and verification ------------------------------------------------------------


def offered_file(provider: Provider, by: User, *, nation: str = "england") -> SaferRecruitmentFile:
    provider.nation = nation
    provider.save(update_fields=["nation"])
    role = f.make_role(provider=provider)
    role.managers.add(by.memberships.get(provider=provider))
    candidate = f.make_candidate(provider=provider, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    return workflow.open_file(application=application, by=by)


def check_of(file: SaferRecruitmentFile, key: str) -> Check:
    return file.checks.select_related("item", "file__provider").get(item__key=key)


def test_the_history_cannot_be_verified_until_each_gap_is_explained_in_writing(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = offered_file(sunrise, bob)
    url = reverse("compliance-history", args=[sunrise.slug, file.pk])
    as_bob.post(
        url,
        {
            "action": "add",
            "employer": "Sunny Days Nursery",
            "started_on": "2018-09-01",
            "ended_on": "2021-07-31",
        },
    )
    as_bob.post(
        url,
        {
            "action": "add",
            "employer": "Brook House",
            "started_on": "2022-01-10",
            "was_care_work": "on",
        },
    )
    page = as_bob.get(url).content.decode()
    assert "Gap: 1 August 2021 to 9 January 2022 (162 days)" in page
    assert "Needs an explanation" in page
    history = check_of(file, "employment_history")
    refused = as_bob.post(history.get_absolute_url(), {"status": "verified"}).content.decode()
    assert "1 gap in the employment history needs a written explanation" in refused
    as_bob.post(
        url,
        {
            "action": "explain",
            "starts_on": "2021-08-01",
            "ends_on": "2022-01-09",
            "explanation": "Travelled, then looked after her father after his operation.",
        },
    )
    page = as_bob.get(url).content.decode()
    assert "Explained: Travelled, then looked after her father" in page
    assert "Needs an explanation" not in page
    done = as_bob.post(history.get_absolute_url(), {"status": "verified"})
    assert done.status_code == 302
    history.refresh_from_db()
    assert history.status == Check.Status.VERIFIED


def test_the_gap_length_comes_from_the_providers_setting(sunrise: Provider, bob: User) -> None:
    file = offered_file(sunrise, bob)
    EmploymentSpell.objects.create(
        file=file, employer="A", started_on=date(2020, 1, 1), ended_on=date(2020, 12, 31)
    )
    EmploymentSpell.objects.create(file=file, employer="B", started_on=date(2021, 5, 1))
    assert len(workflow.employment_history(file).unexplained) == 1
    settings_row = workflow.ComplianceSettings.for_provider(sunrise)
    settings_row.gap_months = 6
    settings_row.save()
    assert workflow.employment_history(file).unexplained == []


# -- Shadowing -----------------------------------------------------------------------------------


def test_shadowing_is_refused_until_the_before_shadowing_checks_are_verified(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = offered_file(sunrise, bob)
    application = file.application
    shadowing = f.make_stage(
        role=application.role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2
    )
    with pytest.raises(
        recruitment.ShadowingChecksOutstanding,
        match="verify in the safer-recruitment file: DBS check: enhanced",
    ):
        recruitment.ensure_can_schedule(application=application, stage=shadowing)
    with pytest.raises(ValidationError, match="verify in the safer-recruitment file"):
        recruitment.schedule_assessment(
            application=application, stage=shadowing, scheduled_at=timezone.now()
        )
    assert not application.assessments.exists()
    workflow.record_check(
        check=check_of(file, "criminal_record"),
        by=bob,
        status=Check.Status.VERIFIED,
        reference_number="001234567890",
        issued_on=date(2026, 3, 2),
        level=Check.Level.ENHANCED_BARRED,
        barred_list_result=Check.BarredList.CLEAR,
        decision=Check.Decision.CLEAR,
    )
    recruitment.ensure_can_schedule(application=application, stage=shadowing)


def test_a_provider_can_mark_another_item_before_shadowing(sunrise: Provider, bob: User) -> None:
    references = workflow.current_checklist(sunrise).items.get(key="references")
    workflow.set_item_options(
        provider=sunrise, item_key=references.pk, before_shadowing=True, not_applicable_for=[]
    )
    file = offered_file(sunrise, bob)
    names = workflow.outstanding_before_shadowing(file.application)
    assert names == ["DBS check: enhanced, with the adults' barred list", references.name]


# -- The first shift ----------------------------------------------------------------------------


def verify_all(file: SaferRecruitmentFile, by: User, *, except_keys: tuple[str, ...] = ()) -> None:
    """Mark checks verified directly (what each needs is tested above)."""
    file.checks.exclude(item__key__in=except_keys).update(status=Check.Status.VERIFIED)


def test_a_start_date_is_refused_while_checks_are_outstanding(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = offered_file(sunrise, bob)
    verify_all(file, bob, except_keys=("references",))
    url = reverse("compliance-start", args=[sunrise.slug, file.pk])
    page = as_bob.post(url, {"action": "start", "start_date": "2026-04-01"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "once every check is verified" in text
    assert "Evidence of conduct in previous care work: not started" in text
    file.refresh_from_db()
    assert file.start_date is None
    verify_all(file, bob)
    assert as_bob.post(url, {"action": "start", "start_date": "2026-04-01"}).status_code == 302
    file.refresh_from_db()
    assert (file.start_date, file.start_confirmed_by) == (date(2026, 4, 1), bob)


def test_registration_within_six_months_does_not_hold_back_the_start_in_wales(
    sunrise: Provider, bob: User
) -> None:
    file = offered_file(sunrise, bob, nation="wales")
    verify_all(file, bob, except_keys=("registration",))
    workflow.confirm_start(file=file, start_date=date(2026, 4, 1), by=bob)
    file.refresh_from_db()
    assert file.start_date == date(2026, 4, 1)


def test_england_conditional_start_needs_adult_first_supervisor_and_risk_assessment(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = offered_file(sunrise, bob)
    url = reverse("compliance-start", args=[sunrise.slug, file.pk])
    page = as_bob.post(url, {"action": "conditional", "reason": "Short-staffed on nights"})
    assert page.status_code == 422
    assert (
        "A conditional start needs the reference of the clear barred-list check, the named "
        "supervisor, the written risk assessment." in page.content.decode()
    )
    recorded = as_bob.post(
        url,
        {
            "action": "conditional",
            "reason": "Short-staffed on nights; DBS certificate applied for on 2 March",
            "barred_list_reference": "AF-2026-0042",
            "supervisor": "Grace Adeyemi, senior carer",
            "risk_assessment": "Works only alongside Grace; no lone working until the DBS is back.",
        },
    )
    assert recorded.status_code == 302
    assert as_bob.post(url, {"action": "start", "start_date": "2026-04-01"}).status_code == 302
    file.refresh_from_db()
    assert file.conditional_start and file.conditional_by == bob and file.start_date
    detail = as_bob.get(file.get_absolute_url()).content.decode()
    assert "Conditional start:" in detail and "Grace Adeyemi" in detail
    start_page = as_bob.get(url).content.decode()
    assert "Conditional start recorded</strong> by Bob Okafor" in start_page
    assert "Short-staffed on nights" in start_page


def test_wales_has_no_conditional_start(sunrise: Provider, bob: User, as_bob: Client) -> None:
    file = offered_file(sunrise, bob, nation="wales")
    with pytest.raises(workflow.StartRefused, match="no conditional start in this nation"):
        workflow.record_conditional_start(
            file=file,
            by=bob,
            reason="Urgent",
            supervisor="Grace",
            risk_assessment="Supervised",
            barred_list_reference="X",
        )
    page = as_bob.get(reverse("compliance-start", args=[sunrise.slug, file.pk])).content.decode()
    assert "In Wales there is no conditional start" in page


def test_northern_ireland_conditional_start_needs_written_barred_list_confirmation(
    sunrise: Provider, bob: User
) -> None:
    file = offered_file(sunrise, bob, nation="northern_ireland")
    with pytest.raises(workflow.StartRefused, match="barred-list check"):
        workflow.record_conditional_start(
            file=file,
            by=bob,
            reason="Urgent",
            supervisor="",
            risk_assessment="",
            barred_list_reference="",
        )
    workflow.record_conditional_start(
        file=file,
        by=bob,
        reason="Urgent",
        supervisor="",
        risk_assessment="",
        barred_list_reference="ANI-778",
    )
    workflow.confirm_start(file=file, start_date=date(2026, 4, 1), by=bob)


def test_a_concern_on_a_check_stops_a_conditional_start(sunrise: Provider, bob: User) -> None:
    file = offered_file(sunrise, bob)
    file.checks.filter(item__key="references").update(status=Check.Status.CONCERN)
    with pytest.raises(workflow.StartRefused, match="concern"):
        workflow.record_conditional_start(
            file=file,
            by=bob,
            reason="Urgent",
            supervisor="Grace",
            risk_assessment="Supervised",
            barred_list_reference="AF-1",
        )


def test_the_application_page_leads_to_the_file_once_offered(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    role = f.make_role(provider=sunrise)
    role.managers.add(bob.memberships.get())
    application = f.make_application(role=role, status=Application.Status.OFFERED)
    page = as_bob.get(application.get_absolute_url()).content.decode()
    open_url = reverse("compliance-file-open", args=[sunrise.slug, application.pk])
    assert f'action="{open_url}"' in page
    opened = as_bob.post(open_url)
    file = SaferRecruitmentFile.objects.get(application=application)
    assert opened["Location"] == file.get_absolute_url()
    assert as_bob.post(open_url)["Location"] == file.get_absolute_url()  # the same file again


def test_a_file_opens_before_the_offer_when_the_role_has_shadowing(
    sunrise: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    application = f.make_application(role=role)
    file = workflow.open_file(application=application, by=bob)
    assert workflow.outstanding_before_shadowing(application) == [
        "DBS check: enhanced, with the adults' barred list"
    ]
    assert file.application == application


def test_the_candidate_enters_their_own_history_through_a_link(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = offered_file(sunrise, bob)
    candidate = file.application.candidate
    candidate.email = "amira@example.org"
    candidate.save()
    with_link = as_bob.post(reverse("compliance-history-link", args=[sunrise.slug, file.pk]))
    assert with_link.status_code == 302
    with_message = as_bob.get(with_link["Location"]).content.decode()
    assert "sent to amira@example.org" in with_message
    email = OutgoingEmail.objects.get(to_address="amira@example.org")
    link = re.search(r"http://testserver(/reference/history/[^/\s]+/)", email.body)
    assert link, email.body
    amira = Client()
    page = amira.get(link.group(1)).content.decode()
    assert "Your work history" in page and "Amira" in page
    for employer, started, ended in (
        ("Sunny Days Nursery", "2018-09-01", "2021-07-31"),
        ("Brook House", "2022-01-10", ""),
    ):
        amira.post(
            link.group(1),
            {"action": "add", "employer": employer, "started_on": started, "ended_on": ended},
        )
    page = amira.get(link.group(1)).content.decode()
    assert "Time between jobs: 1 August 2021 to 9 January 2022" in page
    amira.post(
        link.group(1),
        {
            "action": "explain",
            "starts_on": "2021-08-01",
            "ends_on": "2022-01-09",
            "explanation": "I looked after my father after his operation.",
        },
    )
    assert "You said: I looked after my father" in amira.get(link.group(1)).content.decode()
    done = amira.post(link.group(1), {"action": "finish"})
    assert "Your work history has been sent" in done.content.decode()
    assert amira.get(link.group(1)).status_code == 404
    assert "_auth_user_id" not in amira.session
    manager_page = as_bob.get(reverse("compliance-history", args=[sunrise.slug, file.pk]))
    text = manager_page.content.decode()
    assert "Sunny Days Nursery" in text and "Explained: I looked after my father" in text


def test_an_offer_opens_the_file(sunrise: Provider, bob: User) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    application = f.make_application(role=role, stage=stage)
    recruitment.record_decision(
        application=application, kind="offer", reasons="Strong on dignity.", decided_by=bob
    )
    file = SaferRecruitmentFile.objects.get(application=application)
    assert file.opened_by == bob and file.checks.count() == 7


def test_confirming_the_start_gives_the_hire_its_start_date_for_the_retention_figures(
    sunrise: Provider, bob: User
) -> None:
    file = offered_file(sunrise, bob)
    verify_all(file, bob)
    recruitment.record_decision(
        application=file.application, kind="hire", reasons="Complete file.", decided_by=bob
    )
    workflow.confirm_start(file=file, start_date=date(2026, 4, 1), by=bob)
    file.application.outcome.refresh_from_db()
    assert file.application.outcome.start_date == date(2026, 4, 1)
