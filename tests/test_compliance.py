"""The safer-recruitment file: each nation's ready-made checklist, the file opened at offer
with one check per item, evidence and status, the checklist's versions, tenancy and the
personal-data register."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.compliance import workflow
from vbr.compliance.checklists import CHECKLISTS
from vbr.compliance.models import Check, CheckEvent, EmploymentSpell, SaferRecruitmentFile
from vbr.privacy.workflow import anonymise_candidate, erase_candidate
from vbr.recruitment.models import Application, Role


def offered(
    provider: Provider, *, role: Role | None = None, first_name: str = "Amira"
) -> Application:
    role = role or f.make_role(provider=provider)
    candidate = f.make_candidate(provider=provider, first_name=first_name, last_name="Hussain")
    return f.make_application(role=role, candidate=candidate, status=Application.Status.OFFERED)


def in_nation(provider: Provider, nation: str) -> Provider:
    provider.nation = nation
    provider.save(update_fields=["nation"])
    return provider


def keys(provider: Provider) -> list[str]:
    return list(workflow.current_checklist(provider).items.values_list("key", flat=True))


def check_of(file: SaferRecruitmentFile, key: str) -> Check:
    return file.checks.select_related("item", "file__provider").get(item__key=key)


# -- Each nation's checklist ---------------------------------------------------------------


def test_england_asks_for_an_enhanced_dbs_with_the_barred_list_before_shadowing(
    sunrise: Provider,
) -> None:
    in_nation(sunrise, "england")
    checklist = workflow.current_checklist(sunrise)
    dbs = checklist.items.get(key="criminal_record")
    assert "enhanced" in dbs.name and "barred list" in dbs.name
    assert dbs.before_shadowing
    assert "Regulated Activities) Regulations 2014, reg. 19" in dbs.regulation
    assert "registration" not in keys(sunrise)  # no register for care workers in England
    assert checklist.items.get(key="references").references_needed == 1


def test_wales_asks_for_two_references_and_social_care_wales_within_six_months(
    sunrise: Provider,
) -> None:
    in_nation(sunrise, "wales")
    checklist = workflow.current_checklist(sunrise)
    assert checklist.nation == "wales"
    references = checklist.items.get(key="references")
    assert references.references_needed == 2
    assert "last employer" in references.name
    registration = checklist.items.get(key="registration")
    assert registration.name == "Registered with Social Care Wales"
    assert (registration.due_months_after_start, registration.renew_months) == (6, 36)
    assert registration.after_start
    assert "(Wales) Regulations 2017" in checklist.items.get(key="identity").regulation


def test_scotland_asks_for_pvg_membership_and_sssc_registration(sunrise: Provider) -> None:
    in_nation(sunrise, "scotland")
    checklist = workflow.current_checklist(sunrise)
    assert "PVG" in checklist.items.get(key="criminal_record").name
    sssc = checklist.items.get(key="registration")
    assert "SSSC" in sssc.name and sssc.due_months_after_start == 6
    assert "five years" in sssc.guidance


def test_northern_ireland_asks_for_accessni_and_niscc_before_the_start(sunrise: Provider) -> None:
    in_nation(sunrise, "northern_ireland")
    checklist = workflow.current_checklist(sunrise)
    assert checklist.items.get(key="criminal_record").name == "AccessNI check"
    niscc = checklist.items.get(key="registration")
    assert not niscc.after_start  # registered before being supplied
    assert "offence" in niscc.guidance


def test_england_cites_the_paragraph_of_schedule_3_behind_each_item(sunrise: Provider) -> None:
    in_nation(sunrise, "england")
    cited = dict(workflow.current_checklist(sunrise).items.values_list("key", "regulation"))
    assert cited["identity"].endswith("reg. 19(3) and Sch. 3, para. 1")
    assert cited["criminal_record"].endswith("Sch. 3, paras. 2 and 3")
    assert cited["references"].endswith("Sch. 3, paras. 4 and 5")
    assert cited["qualifications"].endswith("reg. 19(1)(b); Sch. 3, para. 6")
    assert cited["employment_history"].endswith("Sch. 3, para. 7")
    assert cited["health"].endswith("reg. 19(1)(c); Sch. 3, para. 8")


def test_wales_cites_the_record_of_the_dbs_date_and_action_taken(sunrise: Provider) -> None:
    in_nation(sunrise, "wales")
    dbs = workflow.current_checklist(sunrise).items.get(key="criminal_record")
    assert dbs.regulation.endswith("reg. 35; Sch. 1, paras. 2 and 3; Sch. 2, para. 8(g)")


def test_northern_ireland_cites_the_2013_regulations_for_niscc(sunrise: Provider) -> None:
    in_nation(sunrise, "northern_ireland")
    niscc = workflow.current_checklist(sunrise).items.get(key="registration")
    assert "Fitness of Workers Regulations (Northern Ireland) 2013" in niscc.regulation
    assert "registered again before they start" in niscc.guidance


@pytest.mark.parametrize("nation", list(CHECKLISTS))
def test_every_nation_asks_for_identity_right_to_work_qualifications_and_health(
    sunrise: Provider, nation: str
) -> None:
    in_nation(sunrise, nation)
    assert {"identity", "right_to_work", "qualifications", "health", "references"} <= set(
        keys(sunrise)
    )
    right_to_work = workflow.current_checklist(sunrise).items.get(key="right_to_work")
    assert "Immigration, Asylum and Nationality Act 2006" in right_to_work.regulation


# -- Opening the file --------------------------------------------------------------------


def test_a_file_opens_at_offer_with_one_check_per_item(sunrise: Provider, bob: User) -> None:
    application = offered(sunrise)
    file = workflow.open_file(application=application, by=bob)
    assert file.checks.count() == len(CHECKLISTS["england"])
    assert set(file.checks.values_list("status", flat=True)) == {Check.Status.NOT_STARTED}
    assert workflow.open_file(application=application, by=bob) == file  # opening twice


def test_a_file_is_not_opened_before_the_offer_unless_the_provider_chooses(
    sunrise: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise)
    application = f.make_application(role=role)
    with pytest.raises(workflow.FileNotOpenable, match="when an offer is made"):
        workflow.open_file(application=application, by=bob)
    settings_row = workflow.ComplianceSettings.for_provider(sunrise)
    settings_row.open_at = settings_row.OpenAt.ANY_TIME
    settings_row.save()
    assert workflow.open_file(application=application, by=bob).application == application


def test_an_item_marked_not_applicable_for_a_role_opens_as_not_applicable(
    sunrise: Provider, bob: User
) -> None:
    pa_role = f.make_role(provider=sunrise, title="Personal assistant")
    item = workflow.current_checklist(sunrise).items.get(key="qualifications")
    workflow.set_item_options(
        provider=sunrise, item_key=item.pk, before_shadowing=False, not_applicable_for=[pa_role]
    )
    pa_file = workflow.open_file(application=offered(sunrise, role=pa_role), by=bob)
    other_file = workflow.open_file(application=offered(sunrise, first_name="Ben"), by=bob)
    assert check_of(pa_file, "qualifications").status == Check.Status.NOT_APPLICABLE
    assert check_of(other_file, "qualifications").status == Check.Status.NOT_STARTED


def test_a_file_keeps_the_checklist_it_was_opened_with(sunrise: Provider, bob: User) -> None:
    first = workflow.open_file(application=offered(sunrise), by=bob)
    workflow.add_checklist_item(
        provider=sunrise,
        name="Driving licence seen",
        regulation="Our policy",
        before_shadowing=False,
    )
    second = workflow.open_file(application=offered(sunrise, first_name="Ben"), by=bob)
    assert second.checklist.version == first.checklist.version + 1
    assert "Driving licence seen" in second.checks.values_list("item__name", flat=True)
    assert "Driving licence seen" not in first.checks.values_list("item__name", flat=True)


# -- Evidence and status ---------------------------------------------------------------------


def test_a_criminal_record_check_is_verified_only_with_number_date_level_and_decision(
    sunrise: Provider, bob: User
) -> None:
    file = workflow.open_file(application=offered(sunrise), by=bob)
    dbs = check_of(file, "criminal_record")
    with pytest.raises(workflow.CheckNotVerifiable, match="certificate number, issue date"):
        workflow.record_check(check=dbs, by=bob, status=Check.Status.VERIFIED)
    workflow.record_check(
        check=dbs,
        by=bob,
        status=Check.Status.VERIFIED,
        reference_number="001234567890",
        issued_on=date(2026, 3, 2),
        level=Check.Level.ENHANCED_BARRED,
        barred_list_result=Check.BarredList.CLEAR,
        decision=Check.Decision.CLEAR,
    )
    dbs.refresh_from_db()
    assert (dbs.status, dbs.verified_by) == (Check.Status.VERIFIED, bob)
    assert list(CheckEvent.objects.filter(check_row=dbs).values_list("status", flat=True)) == [
        "verified"
    ]


def test_the_check_page_asks_for_what_may_be_kept_and_shows_the_trail(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    application = offered(sunrise)
    application.role.managers.add(bob.memberships.get())
    file = workflow.open_file(application=application, by=bob)
    dbs = check_of(file, "criminal_record")
    page = as_bob.get(dbs.get_absolute_url())
    text = page.content.decode()
    assert "Certificate number" in text and "Barred-list result" in text
    assert 'type="file"' not in text  # never a copy of the certificate
    refused = as_bob.post(dbs.get_absolute_url(), {"status": "verified"})
    assert "Not verified yet: Give the certificate number" in refused.content.decode()
    done = as_bob.post(
        dbs.get_absolute_url(),
        {
            "status": "verified",
            "reference_number": "001234567890",
            "issued_on": "2026-03-02",
            "level": "enhanced_barred",
            "barred_list_result": "clear",
            "decision": "clear",
        },
    )
    assert done.status_code == 302
    trail = as_bob.get(dbs.get_absolute_url()).content.decode()
    assert "Verified (Status changed), by Bob Okafor" in trail
    detail = as_bob.get(file.get_absolute_url()).content.decode()
    assert "by Bob Okafor" in detail and "001234567890" in detail


# -- Who sees which file ------------------------------------------------------------------------


def test_managers_see_the_files_of_the_roles_they_manage_and_admins_all(
    sunrise: Provider, alice: User, bob: User, as_alice: Client, as_bob: Client
) -> None:
    mine = offered(sunrise, role=f.make_role(provider=sunrise, title="Night carer"))
    mine.role.managers.add(bob.memberships.get())
    not_mine = offered(sunrise, role=f.make_role(provider=sunrise, title="Cook"), first_name="Ben")
    my_file = workflow.open_file(application=mine, by=bob)
    other_file = workflow.open_file(application=not_mine, by=alice)
    assert as_bob.get(my_file.get_absolute_url()).status_code == 200
    assert as_bob.get(other_file.get_absolute_url()).status_code == 404
    assert as_alice.get(other_file.get_absolute_url()).status_code == 200
    listing = as_bob.get(reverse("compliance-file-list", args=[sunrise.slug])).content.decode()
    assert "Amira Hussain" in listing and "Ben Hussain" not in listing
    open_other = reverse("compliance-file-open", args=[sunrise.slug, not_mine.pk])
    assert as_bob.post(open_other).status_code == 404


def test_another_providers_file_is_a_404_and_panel_members_are_refused(
    sunrise: Provider, alice: User, as_charlie: Client, as_dev: Client
) -> None:
    file = workflow.open_file(application=offered(sunrise), by=alice)
    check = file.checks.first()
    assert check is not None
    for url in (file.get_absolute_url(), check.get_absolute_url()):
        assert as_charlie.get(url).status_code == 404
        assert as_dev.get(url).status_code == 403


def test_the_file_list_and_detail_take_the_same_queries_for_one_file_and_fifty(
    sunrise: Provider, alice: User, as_alice: Client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    role = f.make_role(provider=sunrise)
    file = workflow.open_file(application=offered(sunrise, role=role), by=alice)
    url = reverse("compliance-file-list", args=[sunrise.slug])
    as_alice.get(url)
    # the signed-in person with their membership, how many files, the page's files, their checks
    # counted
    with django_assert_num_queries(4) as one:
        as_alice.get(url)
    # the signed-in person with their membership, file (with provider, candidate and role), checks
    # with items and verifiers, the trail of every check with who made each change
    with django_assert_num_queries(4):
        as_alice.get(file.get_absolute_url())
    for n in range(49):
        workflow.open_file(application=offered(sunrise, role=role, first_name=f"P{n}"), by=alice)
    for check in file.checks.select_related("item", "file__provider"):
        for status in (Check.Status.REQUESTED, Check.Status.RECEIVED):
            workflow.record_check(check=check, by=alice, status=status)
    with django_assert_num_queries(len(one.captured_queries)):
        page = as_alice.get(url)
    assert page.content.decode().count("0 of 7") == 50
    with django_assert_num_queries(4):
        detail = as_alice.get(file.get_absolute_url()).content.decode()
    assert detail.count(": Received (Status changed), by Alice Morgan</li>") == 7
    # A 51st file: fifty to a page, newest first; the first file opened is on page 2.
    workflow.open_file(application=offered(sunrise, role=role, first_name="Newest"), by=alice)
    with django_assert_num_queries(len(one.captured_queries)):
        first = as_alice.get(url).content.decode()
    assert "Newest" in first and "Page 1 of 2" in first
    assert first.count("0 of 7") == 50
    second = as_alice.get(url, {"page": 2}).content.decode()
    assert second.count("0 of 7") == 1 and "Newest" not in second


def test_the_file_page_shows_the_trail_of_each_verification(
    sunrise: Provider, alice: User, bob: User, as_alice: Client
) -> None:
    file = workflow.open_file(application=offered(sunrise), by=alice)
    identity = check_of(file, "identity")
    assert (
        "No check has been updated yet." in as_alice.get(file.get_absolute_url()).content.decode()
    )
    workflow.record_check(check=identity, by=bob, status=Check.Status.REQUESTED)
    workflow.record_check(
        check=identity,
        by=alice,
        status=Check.Status.VERIFIED,
        evidence_seen="Passport, original",
        seen_on=date(2026, 3, 1),
    )
    page = " ".join(as_alice.get(file.get_absolute_url()).content.decode().split())
    trail = page[page.index("Trail of every check") :]
    requested = trail.index("Proof of identity with a recent photograph</a>: Requested")
    verified = trail.index("Proof of identity with a recent photograph</a>: Verified")
    assert requested < verified
    assert "by Bob Okafor</li>" in trail[requested:verified]
    assert "by Alice Morgan</li>" in trail[verified:]
    assert f'href="{identity.get_absolute_url()}"' in trail


# -- Retention, anonymisation, erasure ------------------------------------------------------


def filled_file(sunrise: Provider, bob: User) -> SaferRecruitmentFile:
    file = workflow.open_file(application=offered(sunrise), by=bob)
    workflow.record_check(
        check=check_of(file, "identity"),
        by=bob,
        status=Check.Status.VERIFIED,
        evidence_seen="Passport of Amira Hussain",
        seen_on=date(2026, 3, 1),
        notes="Photo matches Amira",
    )
    EmploymentSpell.objects.create(
        file=file, employer="Hussain Family Bakery", started_on=date(2020, 1, 1)
    )
    return file


def test_anonymising_a_file_blanks_its_evidence_and_drops_the_history(
    sunrise: Provider, bob: User
) -> None:
    file = filled_file(sunrise, bob)
    anonymise_candidate(candidate=file.application.candidate, by=None)
    identity = check_of(file, "identity")
    assert (identity.evidence_seen, identity.notes) == ("", "")
    assert identity.status == Check.Status.VERIFIED  # completeness figures keep their codes
    assert not EmploymentSpell.objects.filter(file=file).exists()


def test_erasing_a_candidate_removes_their_file(sunrise: Provider, bob: User) -> None:
    file = filled_file(sunrise, bob)
    erase_candidate(candidate=file.application.candidate, by=None)
    assert not SaferRecruitmentFile.objects.filter(pk=file.pk).exists()
    assert not Check.objects.filter(evidence_seen__contains="Amira").exists()


def test_a_hired_persons_file_is_not_due_with_unsuccessful_candidates(
    sunrise: Provider, bob: User
) -> None:
    from vbr.privacy.retention import due_for_anonymisation

    file = filled_file(sunrise, bob)
    Application.objects.filter(pk=file.application_id).update(
        status=Application.Status.HIRED, status_changed_at=date(2020, 1, 1)
    )
    assert file.application.candidate not in due_for_anonymisation(provider=sunrise)


def test_a_leavers_file_is_kept_for_the_providers_period_after_leaving_then_anonymised(
    sunrise: Provider, bob: User
) -> None:
    from vbr.compliance.retention import anonymise_leavers, leavers_due

    file = filled_file(sunrise, bob)
    application = file.application
    Application.objects.filter(pk=application.pk).update(status=Application.Status.HIRED)
    f.make_outcome(application=application, start_date=date(2020, 2, 1), left_on=date(2023, 1, 31))
    # Three years by default: still kept on 30 January 2026, due on 1 February.
    assert list(leavers_due(provider=sunrise, today=date(2026, 1, 30))) == []
    assert anonymise_leavers(today=date(2026, 1, 30)) == 0
    assert list(leavers_due(provider=sunrise, today=date(2026, 2, 1))) == [application.candidate]
    assert anonymise_leavers(today=date(2026, 2, 1)) == 1
    identity = check_of(file, "identity")
    assert identity.evidence_seen == "" and identity.status == Check.Status.VERIFIED
    application.candidate.refresh_from_db()
    assert application.candidate.anonymised_at is not None


def test_the_file_list_says_which_are_complete_conditional_or_of_concern(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    from django.utils import timezone

    role = f.make_role(provider=sunrise, title="Night carer")
    complete, conditional, concern = (
        workflow.open_file(application=offered(sunrise, role=role, first_name=name), by=alice)
        for name in ("Cara", "Dina", "Esme")
    )
    SaferRecruitmentFile.objects.filter(pk=complete.pk).update(
        completed_at=timezone.now(), start_date=date(2026, 3, 2), conditional_start=True
    )
    SaferRecruitmentFile.objects.filter(pk=conditional.pk).update(
        start_date=date(2026, 4, 6), conditional_start=True
    )
    Check.objects.filter(pk=concern.checks.first().pk).update(status=Check.Status.CONCERN)  # type: ignore[union-attr]
    page = as_alice.get(reverse("compliance-file-list", args=[sunrise.slug])).content.decode()
    rows = {
        name: row
        for row in page.split("<tr>")[2:]
        for name in ("Cara", "Dina", "Esme")
        if name in row
    }
    assert f'href="{complete.get_absolute_url()}">Cara Hussain</a>' in rows["Cara"]
    assert "Night carer" in rows["Cara"]
    assert "Complete</span>" in rows["Cara"] and "2 Mar 2026" in rows["Cara"]
    assert "Conditional" not in rows["Cara"]  # a complete file no longer needs the warning
    assert "Conditional</span>" in rows["Dina"] and "6 Apr 2026" in rows["Dina"]
    assert "Complete" not in rows["Dina"] and "Not confirmed" in rows["Esme"]
    assert 'text-bg-danger">1</span>' in rows["Esme"] and "None" in rows["Dina"]
