"""Every URL name × every persona: who gets what status.

A new route without a row in ACCESS fails `test_every_url_name_has_a_row`, so nobody can
add a page without deciding who may open it. Two-factor is required for admins here, as
in production, and the admin personas have verified their code.

The expert by experience signs in through an invitation link, as they do for real: a link
session reaches only their own panel work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.compliance.models import SaferRecruitmentFile
from vbr.compliance.workflow import current_checklist
from vbr.privacy.models import DbsCheck
from vbr.recruitment.models import (
    Application,
    BankItem,
    DecisionMessage,
    Involvement,
    NationalValue,
    Panellist,
    Service,
    SummaryBatch,
    ValueSet,
)
from vbr.reports.models import ExportJob, MonitoringInvite

PERSONAS = ("admin", "manager", "panel", "expert", "other_provider", "anonymous")
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Row:
    method: str
    admin: int
    manager: int
    panel: int
    expert: int
    other_provider: int
    anonymous: int


def staff_only(method: str = "GET", ok: int = 200) -> Row:
    return Row(method, ok, ok, 403, 403, 404, 302)


def admin_only(method: str = "GET", ok: int = 200) -> Row:
    return Row(method, ok, 403, 403, 403, 404, 302)


def any_member(method: str = "GET") -> Row:
    return Row(method, 200, 200, 200, 200, 404, 302)


# The expert by experience is signed in by invitation link: that session reaches only their
# own easy-read panel pages, "working with me", the privacy notice and sign-out (403 else).
ACCESS: dict[str, Row] = {
    # Signed-in people with one provider are sent straight to it.
    "home": Row("GET", 302, 302, 302, 302, 302, 302),
    "healthz": Row("GET", 200, 200, 200, 200, 200, 200),
    "login": Row("GET", 302, 302, 302, 403, 302, 200),
    "logout": Row("POST", 302, 302, 302, 302, 302, 302),
    "account-security": Row("GET", 200, 200, 200, 403, 200, 302),
    # Only people with an authenticator app have a code to give; others are sent on.
    "two-factor-verify": Row("GET", 200, 302, 302, 403, 200, 302),
    "provider-home": Row("GET", 200, 200, 200, 403, 404, 302),
    "role-detail": staff_only(),
    "application-detail": staff_only(),
    "audit-list": admin_only(),
    "application-audit": admin_only(),
    "privacy-notice": any_member(),
    "privacy-settings": admin_only(),
    "retention-preview": admin_only(),
    "candidate-privacy": admin_only(),
    "candidate-export-json": admin_only(),
    "candidate-export-pdf": admin_only(),
    "candidate-anonymise": admin_only("POST", ok=302),
    "candidate-erase": admin_only(),
    "dbs-check-create": staff_only(),
    "dbs-certificate-download": staff_only(),
    # The world's application is declined and has no submitted scorecards: the decision
    # page sends staff on, and there is no outcome to edit for a person not hired.
    "decision-create": staff_only(ok=302),
    "outcome-edit": Row("GET", 404, 404, 403, 403, 404, 302),
    # Scorecards belong to the panellists on the assessment (pat and dev); other members
    # are not on that panel, so there is nothing of theirs to find.
    "scorecard-edit": Row("GET", 404, 404, 200, 403, 404, 302),
    "scorecard-autosave": Row("POST", 404, 404, 200, 403, 404, 302),
    "scorecard-amend": Row("GET", 404, 404, 302, 403, 404, 302),
    "assessment-debrief": Row("GET", 200, 200, 200, 403, 404, 302),
    "assessment-close": staff_only("POST", ok=302),
    "application-list": staff_only(),
    "application-add": staff_only(),
    "application-move": staff_only("POST", ok=302),
    "application-withdraw": staff_only(),
    "candidate-apply": staff_only(),
    "assessment-list": staff_only(),
    "assessment-add": staff_only(),
    "assessment-detail": staff_only(),
    "assessment-edit": staff_only(),
    "assessment-cancel": staff_only("POST", ok=302),
    # An empty post re-renders the form with its messages.
    "panellist-add": staff_only("POST"),
    "panellist-remove": staff_only("POST", ok=302),
    "corevalue-list": staff_only(),
    "corevalue-create": staff_only(),
    "corevalue-edit": staff_only(),
    # The world's value and stage are in use: deleting them sends staff back with a message.
    "corevalue-delete": staff_only(ok=302),
    "corevalue-move": staff_only("POST", ok=302),
    "corevalue-restore": staff_only("POST", ok=302),
    "corevalue-retire": staff_only("POST", ok=302),
    "corevalue-map": staff_only(),
    "value-set-adopt": staff_only("POST", ok=302),
    "bank-list": staff_only(),
    # An empty post (no value chosen) goes back to the bank with a message.
    "bank-item-add": staff_only("POST", ok=302),
    "criterion-to-bank": staff_only("POST", ok=302),
    # The provider's own bank items: the list, a new one, changing one and removing one.
    "bank-own-list": staff_only(),
    "bank-item-new": staff_only(),
    "bank-item-edit": staff_only(),
    "bank-item-delete": staff_only(),
    "starter-values-copy": staff_only("POST", ok=302),
    "starter-behaviours-add": staff_only("POST", ok=302),
    "starter-questions-add": staff_only("POST", ok=302),
    "role-create": staff_only(),
    "role-edit": staff_only(),
    "role-setup": staff_only(),
    "stage-create": staff_only(),
    "stage-edit": staff_only(),
    "stage-delete": staff_only(ok=302),
    "stage-move": staff_only("POST", ok=302),
    "criterion-create": staff_only(),
    "criterion-edit": staff_only(),
    "criterion-delete": staff_only("POST", ok=302),
    "criterion-move": staff_only("POST", ok=302),
    "criteria-version-create": staff_only("POST", ok=302),
    # Invitation, easy-read, checks and reports routes. Where every member still gets 404,
    # the world has no such object (a summary or export job, a timed note, a pre-shadowing
    # check, a shadowing stage, a logo, a hire's outcome), so only refusal is tested there.
    "access-profile": Row("GET", 200, 200, 200, 200, 200, 302),
    "application-export": staff_only(),
    "check-list": admin_only(),
    "check-tick": Row("POST", 404, 404, 403, 403, 404, 302),
    "easy-check": Row("GET", 404, 404, 200, 200, 404, 302),
    "easy-question": Row("GET", 404, 404, 200, 200, 404, 302),
    "easy-sent": Row("GET", 404, 404, 302, 302, 404, 302),
    "easy-start": Row("GET", 404, 404, 200, 200, 404, 302),
    "equality-form": Row("GET", 200, 200, 200, 403, 200, 200),
    "equality-invite": staff_only(),
    # A finished export the manager asked for: the admin sees every export, a manager their own.
    "export-job-detail": staff_only(),
    "export-job-download": staff_only(),
    "invitation-create": staff_only("POST", ok=302),
    "invitation-list": staff_only(),
    "invitation-print": Row("GET", 200, 200, 403, 403, 404, 302),
    "invitation-revoke": Row("POST", 302, 302, 403, 403, 404, 302),
    "involvement-export": staff_only(),
    "involvement-list": staff_only(),
    # Payments of the involvement log: marked paid by staff; how soon to pay, by admins.
    "involvement-paid": staff_only("POST", ok=302),
    "involvement-settings": admin_only("POST", ok=302),
    # Letters telling experts by experience of decisions: printed and handed over by staff.
    "letter-list": staff_only(),
    "letter-detail": staff_only(),
    "letter-given": staff_only("POST", ok=302),
    "join": Row("GET", 200, 200, 200, 200, 200, 200),
    "join-unusable": Row("GET", 200, 200, 200, 200, 200, 200),
    "join-signed-out": Row("GET", 200, 200, 200, 200, 200, 200),
    "join-link": Row("GET", 200, 200, 200, 200, 200, 200),
    "report-detail": staff_only(),
    "report-index": staff_only(),
    "report-pack-request": staff_only("POST", ok=302),
    "research-export": admin_only(),
    "score-export": staff_only(),
    "shadowing-note-create": Row("POST", 404, 404, 404, 403, 404, 302),
    "shadowing-note-delete": Row("POST", 404, 404, 404, 403, 404, 302),
    "supported-person-view-create": Row("GET", 404, 404, 404, 403, 404, 302),
    "supported-person-kiosk-start": Row("POST", 404, 404, 404, 403, 404, 302),
    "supported-person-kiosk-end": Row("GET", 404, 404, 404, 403, 404, 302),
    # PDF summaries: staff, and panel chairs (pat and dev are not chairs here).
    "summary-detail": Row("GET", 200, 200, 403, 403, 404, 302),
    "summary-create": Row("POST", 302, 302, 403, 403, 404, 302),
    "summary-download": Row("GET", 404, 404, 403, 403, 404, 302),
    "summary-batch-create": staff_only("POST", ok=302),
    "summary-batch-detail": Row("GET", 200, 200, 403, 403, 404, 302),
    "summary-batch-download": Row("GET", 404, 404, 403, 403, 404, 302),
    "provider-logo": admin_only(),
    "people-list": admin_only(),
    # A provider's services (care homes, branches, teams): admins list, add and rename them.
    "service-list": admin_only(),
    "service-edit": admin_only(),
    # An empty post re-renders the form with its messages.
    "panel-member-add": admin_only("POST"),
    "membership-change": admin_only("POST", ok=302),
    "membership-remove": admin_only("POST", ok=302),
    # What a reset means, first; the reset itself is a POST from there.
    "two-factor-reset": admin_only(),
    # No logo uploaded in this world.
    "provider-logo-image": Row("GET", 404, 404, 404, 403, 404, 302),
    # Safer-recruitment files: admins see every file, managers those of the roles they manage
    # (Bob does not manage the world's role), panel members and link sessions none.
    "compliance-file-list": staff_only(),
    "compliance-checklist": admin_only(),
    # The world's application is declined: no file can be opened, the admin is sent back.
    "compliance-file-open": Row("POST", 302, 404, 403, 403, 404, 302),
    "compliance-file-detail": Row("GET", 200, 404, 403, 403, 404, 302),
    "compliance-check-edit": Row("GET", 200, 404, 403, 403, 404, 302),
    "compliance-history": Row("GET", 200, 404, 403, 403, 404, 302),
    "compliance-start": Row("GET", 200, 404, 403, 403, 404, 302),
    "compliance-references": Row("GET", 200, 404, 403, 403, 404, 302),
    # No reference was asked for in this world: only refusal is tested.
    "compliance-reference-revoke": Row("POST", 404, 404, 403, 403, 404, 302),
    "compliance-reference-verify": Row("POST", 404, 404, 403, 403, 404, 302),
    # The referee's pages need no account; a panel member's link session stays in its own.
    "reference-form": Row("GET", 404, 404, 404, 403, 404, 404),
    "reference-sent": Row("GET", 200, 200, 200, 403, 200, 200),
    "compliance-completeness": staff_only(),
    "compliance-completeness-csv": staff_only(),
    # The admin asks for a PDF of the world's file; no PDF was made before, so only refusal
    # is tested for the job's page and download.
    "compliance-file-pdf-create": Row("POST", 302, 404, 403, 403, 404, 302),
    "compliance-file-pdf-detail": Row("GET", 404, 404, 403, 403, 404, 302),
    "compliance-file-pdf-download": Row("GET", 404, 404, 403, 403, 404, 302),
    # The world's candidate has no email address: the admin is sent back with a message.
    "compliance-history-link": Row("POST", 302, 404, 403, 403, 404, 302),
    "history-form": Row("GET", 404, 404, 404, 403, 404, 404),
    # Vacancies and applying: public, for anyone but a panel member's link session.
    "provider-vacancies": Row("GET", 200, 200, 200, 403, 200, 200),
    "vacancy-detail": Row("GET", 200, 200, 200, 403, 200, 200),
    "vacancy-apply": Row("GET", 200, 200, 200, 403, 200, 200),
    "vacancy-applied": Row("GET", 200, 200, 200, 403, 200, 200),
    "vacancy-edit": staff_only(),
    # The world's application was added by a manager: there is no match to check.
    "duplicate-check": Row("GET", 404, 404, 403, 403, 404, 302),
    # The candidate's own page: the world's token is not a status link, so nothing is found.
    "candidate-status": Row("GET", 404, 404, 404, 403, 404, 404),
    "candidate-withdraw": Row("GET", 404, 404, 404, 403, 404, 404),
    "candidate-book": Row("POST", 404, 404, 404, 403, 404, 404),
    "candidate-cancel-booking": Row("POST", 404, 404, 404, 403, 404, 404),
    "slot-list": staff_only(),
    # No slot in this world: only refusal is tested (the slot tests withdraw real ones).
    "slot-cancel": Row("POST", 404, 404, 403, 403, 404, 302),
    # Notes for panel members who hear about their panel work on paper.
    "panel-notes": staff_only(),
    "panel-notes-handed-over": staff_only("POST", ok=302),
    "panel-note-print": Row("GET", 404, 404, 403, 403, 404, 302),
    "applicant-settings": admin_only(),
    # The world's application was added by a manager: it has no online application to mark.
    "first-contact-mark": Row("POST", 404, 404, 403, 403, 404, 302),
    # The world's application is declined: inviting it to book is refused with a message.
    "application-invite-to-book": staff_only("POST", ok=302),
    # The words of the messages to candidates: admins for all roles, and for one role its
    # hiring managers too (Bob does not manage the world's role).
    "notice-wording-list": staff_only(),
    "notice-wording-edit": admin_only(),
    "notice-wording-role-edit": Row("GET", 200, 403, 403, 403, 404, 302),
    # Saved to finish later: public, and the world's token opens no saved application.
    "vacancy-draft-saved": Row("GET", 200, 200, 200, 403, 200, 200),
    "vacancy-apply-resume": Row("GET", 404, 404, 404, 403, 404, 404),
    # The PA path is only for an individual employer: the world's care home has none (404 for
    # its staff, as for anyone else's), panel members are refused first.
    "pa-home": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-job-new": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-job": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-job-edit": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-publish": Row("POST", 404, 404, 403, 403, 404, 302),
    "pa-questions": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-companion": Row("GET", 404, 404, 403, 403, 404, 302),
    "pa-companion-seat": Row("POST", 404, 404, 403, 403, 404, 302),
    "pa-offer": Row("GET", 404, 404, 403, 403, 404, 302),
    # The advert shared for views and the shortlisting are Pat's (a panel member signing in
    # with a password); Dev's link session is for his panel place only, so neither is his.
    # Pat has sent the comments: their parts and check page send Pat to the thank-you.
    "advert-start": Row("GET", 404, 404, 200, 404, 404, 302),
    "advert-section": Row("GET", 404, 404, 302, 404, 404, 302),
    "advert-check": Row("GET", 404, 404, 302, 404, 404, 302),
    "shortlist-start": Row("GET", 404, 404, 200, 404, 404, 302),
    "shortlist-answer": Row("GET", 404, 404, 200, 404, 404, 302),
    # An empty share is refused with a message, back to the vacancy.
    "advert-share": staff_only("POST", ok=302),
    "advert-comment-outcome": staff_only(),
    # A new personal link is shown once, on the page the POST answers with.
    "advert-review-link": staff_only("POST"),
    "shortlister-link": staff_only("POST"),
    "shortlisting-list": staff_only(),
    "shortlisting-detail": staff_only(),
    # The world's application is declined: moving it on is refused with a message.
    "shortlist-entry-decide": staff_only("POST", ok=302),
}


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> set[str]:
    """Every named route in the project, walking included URLconfs."""
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            names |= url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_name_has_a_row() -> None:
    missing = sorted(url_names() - set(ACCESS))
    stale = sorted(set(ACCESS) - url_names())
    assert not missing, f"Add a row to ACCESS in tests/test_url_access.py for: {missing}"
    assert not stale, f"Remove rows for URL names that no longer exist: {stale}"


def verified(user: User) -> Client:
    """Signed in with password and a verified authenticator code."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def world(sunrise: Provider, settings, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    application = f.make_application(role=role, stage=stage, status=Application.Status.DECLINED)
    assessment = f.make_assessment(application=application, stage=stage)
    core_value = f.make_value(provider=sunrise)
    criterion = f.make_criterion(stage=stage, core_value=core_value)
    value_set = ValueSet.objects.create(slug="care-workforce-pathway", name="Pathway")
    bank_item = BankItem.objects.create(
        national_value=NationalValue.objects.create(value_set=value_set, name="Respect"),
        kind=BankItem.Kind.INTERVIEW_QUESTION,
        title="A choice",
        prompt="Tell us about a choice you respected.",
        level_1="1",
        level_2="2",
        level_3="3",
        level_4="4",
    )
    check = DbsCheck.objects.create(
        provider=sunrise,
        application=application,
        certificate_number="001234567890",
        issued_on=date(2026, 1, 1),
        level=DbsCheck.Level.ENHANCED,
        certificate=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    vacancy = f.make_vacancy(role=role)
    # Opened before the application was declined.
    checklist = current_checklist(sunrise)
    safer_recruitment_file = SaferRecruitmentFile.objects.create(
        provider=sunrise, application=application, checklist=checklist
    )
    file_check = safer_recruitment_file.checks.create(item=checklist.items.first())
    expert = f.make_member(provider=sunrise, role=Membership.Role.PANEL, username="ivy")
    involvement = Involvement.objects.create(
        provider=sunrise, user=expert, date=date(2026, 11, 2), minutes=60, payment_amount=20
    )
    letter = DecisionMessage.objects.create(
        provider=sunrise,
        decision=f.make_decision(application=application, kind="decline"),
        user=expert,
        channel=DecisionMessage.Channel.LETTER,
        own_view="yes",
        weighed=DecisionMessage.Weighed.OTHER,
    )
    return {
        "involvement_id": involvement.pk,
        "message_id": letter.pk,
        "provider_slug": sunrise.slug,
        "file_id": safer_recruitment_file.pk,
        "file_check_id": file_check.pk,
        "reference_id": 999999,
        "pdf_job_id": 999999,
        "vacancy_id": vacancy.pk,
        "slot_id": 999999,
        "vacancy": vacancy,
        "service_id": Service.objects.create(provider=sunrise, name="Sunrise House").pk,
        "role_id": role.pk,
        "application_id": application.pk,
        "candidate_id": application.candidate_id,
        "check_id": check.pk,
        "assessment_id": assessment.pk,
        "stage_id": stage.pk,
        "value_id": core_value.pk,
        "criterion_id": criterion.pk,
        "set_id": value_set.pk,
        "item_id": bank_item.pk,
        # One of Sunrise's own bank items (the shared one above is not found on these pages).
        "bank_item_id": BankItem.objects.create(
            provider=sunrise,
            core_value=core_value,
            kind=BankItem.Kind.SCENARIO,
            title="Ours",
            prompt="What would you do if someone refused their tea?",
            level_1="1",
            level_2="2",
            level_3="3",
            level_4="4",
        ).pk,
        # Placeholders for routes merged from main (see the note in ACCESS).
        "file_format": "csv",
        "number": 1,
        "key": "no-such-key",
        "token": "no-such-token",
        "job_id": 999999,
        "invitation_id": 999999,
        "note_id": 999999,
        "batch_id": 999999,
        "report": "funnel",
        "kind": "not_this_time",
        "assessment": assessment,
    }


@pytest.fixture
def personas(
    world: dict[str, Any], alice: User, bob: User, dev: User, charlie: User, sunrise: Provider
) -> dict[str, Client]:
    pat = f.make_member(provider=sunrise, role=Membership.Role.PANEL, username="pat")
    world["panellist_id"] = f.make_panellist(assessment=world["assessment"], user=pat).pk
    world["membership_id"] = pat.memberships.get().pk
    _involvement_world(world, pat=pat, bob=bob)
    # Real objects for the routes that need one, so that their rows test the allowed path.
    world["key"] = MonitoringInvite.objects.create(application_id=world["application_id"]).key
    batch = SummaryBatch.objects.create(
        provider=sunrise, role_id=world["role_id"], stage_id=world["stage_id"], requested_by=bob
    )
    world["batch_id"] = batch.pk
    job = ExportJob.objects.create(
        provider=sunrise,
        requested_by=bob,
        kind=ExportJob.Kind.SCORES_XLSX,
        status=ExportJob.Status.DONE,
    )
    job.file.save("scores.xlsx", ContentFile(b"PK"), save=True)
    world["job_id"] = job.pk
    dev_place = f.make_panellist(
        assessment=world["assessment"],
        user=dev,
        panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    )
    bob_client, pat_client, dev_client = Client(), Client(), Client()
    bob_client.force_login(bob)
    pat_client.force_login(pat)
    # The expert by experience signs in the way they really do: by their invitation link.
    issued = f.make_invitation(panellist=dev_place, created_by=bob)
    joined = dev_client.post(reverse("join-link", args=[issued.token]))
    assert joined.status_code == 302, "signing in by invitation link failed"
    world["invitation_id"] = issued.invitation.pk
    world["token"] = issued.token
    return {
        "admin": verified(alice),
        "manager": bob_client,
        "panel": pat_client,
        "expert": dev_client,
        "other_provider": verified(charlie),
        "anonymous": Client(),
    }


def _involvement_world(world: dict[str, Any], *, pat: User, bob: User) -> None:
    """Pat's views on the world's vacancy (sent, with a comment) and Pat's place in a
    shortlisting of the world's application."""
    from vbr.involvement.models import AdvertComment, AdvertReview, Shortlisting

    vacancy = world["vacancy"]
    review = AdvertReview.objects.create(
        provider=vacancy.provider, vacancy=vacancy, reviewer=pat, shared_by=bob
    )
    comment = AdvertComment.objects.create(review=review, section="summary", comment="Shorter")
    AdvertReview.objects.filter(pk=review.pk).update(sent_at=review.shared_at)
    shortlisting = Shortlisting.objects.create(
        provider=vacancy.provider, role_id=world["role_id"], opened_by=bob
    )
    entry = shortlisting.entries.create(application_id=world["application_id"], number=1)
    world.update(
        advert_review_id=review.pk,
        comment_id=comment.pk,
        shortlisting_id=shortlisting.pk,
        shortlister_id=shortlisting.shortlisters.create(user=pat).pk,
        entry_id=entry.pk,
    )


def url_for(name: str, world: dict[str, Any]) -> str:
    params = get_resolver().reverse_dict.getlist(name)[0][0][0][1]
    unknown = [p for p in params if p not in world]
    assert not unknown, f"Add a value for {unknown} to the world fixture"
    return reverse(name, kwargs={p: world[p] for p in params})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_persona_gets_the_expected_status(
    name: str, persona: str, world: dict[str, Any], personas: dict[str, Client], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VBR_REQUIRE_ADMIN_2FA = True
    row = ACCESS[name]
    client = personas[persona]
    url = url_for(name, world)
    response = client.post(url) if row.method == "POST" else client.get(url)
    expected = getattr(row, persona)
    assert response.status_code == expected, (
        f"{row.method} {url} as {persona}: got {response.status_code}, expected {expected}"
        + (f" (to {response['Location']})" if response.status_code == 302 else "")
    )
