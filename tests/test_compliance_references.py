"""References by link: the manager names a referee, VBR emails a personal, expiring link,
the referee answers without an account, reminders follow until they do, and the manager
verifies. The link is hashed, one-use, revocable, rate-limited and opens no other page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import OutgoingEmail, Provider, User
from vbr.compliance import references, workflow
from vbr.compliance.models import Check, ReferenceRequest, SaferRecruitmentFile
from vbr.recruitment.models import Application

ANSWER = {
    "employed_from": "2021-03-01",
    "employed_to": "2025-12-31",
    "job_title": "Senior care assistant",
    "conduct": "Kind, punctual and trusted by residents; led our dignity champions group.",
    "reason_for_leaving": "Moved closer to family.",
    "would_reemploy": "yes",
    "declaration_name": "Rhian Evans",
    "declaration": "on",
}


def welsh_file(provider: Provider, manager: User) -> SaferRecruitmentFile:
    provider.nation = "wales"
    provider.save(update_fields=["nation"])
    role = f.make_role(provider=provider)
    role.managers.add(manager.memberships.get(provider=provider))
    candidate = f.make_candidate(provider=provider, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    return workflow.open_file(application=application, by=manager)


def ask(as_bob: Client, file: SaferRecruitmentFile, *, name: str, last: bool = True) -> str:
    """Name a referee through the page; returns the link emailed to them."""
    page = as_bob.post(
        reverse("compliance-references", args=[file.provider.slug, file.pk]),
        {
            "referee_name": name,
            "referee_email": f"{name.split()[0].lower()}@example.org",
            "referee_organisation": "Bryn Care Home",
            "is_last_employer": "on" if last else "",
        },
    )
    assert page.status_code == 302
    return link_in(OutgoingEmail.objects.order_by("-pk").first())


def link_in(email: OutgoingEmail | None) -> str:
    assert email is not None
    found = re.search(r"http://testserver(/reference/[^/\s]+/)", email.body)
    assert found, email.body
    return found.group(1)


def test_a_referee_answers_once_through_their_link_without_an_account(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = welsh_file(sunrise, bob)
    link = ask(as_bob, file, name="Rhian Evans")
    email = OutgoingEmail.objects.get()
    assert email.to_address == "rhian@example.org"
    assert email.subject == "Reference request for Amira Hussain"
    stored = ReferenceRequest.objects.get()
    assert link.split("/")[2] not in stored.token_hash  # only a keyed hash is kept
    referee = Client()
    form = referee.get(link)
    assert form.status_code == 200
    text = form.content.decode()
    assert "Reference for Amira Hussain" in text and "Bryn Care Home" in text
    assert "Were there any safeguarding concerns about them?" in text
    refused = referee.post(link, {**ANSWER, "declaration": ""}).content.decode()
    assert "This field is required" in refused and "Moved closer to family." in refused
    sent = referee.post(link, ANSWER)
    assert sent["Location"] == reverse("reference-sent")
    again = referee.get(link)
    assert again.status_code == 404
    assert "This reference has already been sent" in again.content.decode()
    stored.refresh_from_db()
    assert stored.received_at is not None and stored.declaration_name == "Rhian Evans"
    # No session was opened: no other page of VBR is reachable from here.
    assert "_auth_user_id" not in referee.session
    home = referee.get(reverse("provider-home", args=[sunrise.slug]))
    assert home.status_code == 302 and "/accounts/login/" in home["Location"]
    listing = as_bob.get(reverse("compliance-references", args=[sunrise.slug, file.pk]))
    assert "led our dignity champions group" in listing.content.decode()


def test_an_expired_link_and_a_revoked_link_are_refused(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = welsh_file(sunrise, bob)
    expired_link = ask(as_bob, file, name="Rhian Evans")
    ReferenceRequest.objects.filter(referee_name="Rhian Evans").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = Client().get(expired_link)
    assert page.status_code == 404 and "This link has expired" in page.content.decode()
    revoked_link = ask(as_bob, file, name="Owen Price", last=False)
    owen = ReferenceRequest.objects.get(referee_name="Owen Price")
    as_bob.post(reverse("compliance-reference-revoke", args=[sunrise.slug, file.pk, owen.pk]))
    page = Client().post(revoked_link, ANSWER)
    assert page.status_code == 404 and "withdrawn by the employer" in page.content.decode()
    owen.refresh_from_db()
    assert owen.received_at is None


def test_unknown_links_are_limited_per_address(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = welsh_file(sunrise, bob)
    link = ask(as_bob, file, name="Rhian Evans")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(references.WRONG_LINKS_PER_ADDRESS):
        assert guesser.get(f"/reference/guess-{n}/").status_code == 404
    # Past the limit, even the right link is not looked up from that address...
    blocked = guesser.get(link)
    assert blocked.status_code == 429 and "Too many links" in blocked.content.decode()
    # ...while the referee, elsewhere, is not held up.
    assert Client(REMOTE_ADDR="198.51.100.4").get(link).status_code == 200


def test_reminders_go_until_the_referee_answers_each_with_a_new_link(
    sunrise: Provider, bob: User, as_bob: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    monkeypatch.setattr(timezone, "now", lambda: start)
    file = welsh_file(sunrise, bob)
    first_link = ask(as_bob, file, name="Rhian Evans")
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=2))
    assert references.chase_references() == 0  # not yet three days
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=3, hours=1))
    assert references.chase_references() == 1
    assert references.chase_references() == 0  # a second run soon after sends nothing
    reminder = OutgoingEmail.objects.order_by("-pk").first()
    assert reminder is not None and reminder.subject == "Reminder: reference for Amira Hussain"
    second_link = link_in(reminder)
    assert Client().get(first_link).status_code == 404  # the earlier link is retired
    assert Client().post(second_link, ANSWER).status_code == 302
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=7))
    assert references.chase_references() == 0  # answered: no more reminders
    kinds = list(ReferenceRequest.objects.get().events.values_list("kind", flat=True))
    assert kinds == ["requested", "chased", "received"]


def test_wales_needs_two_references_one_from_the_last_employer_and_how_each_was_checked(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = welsh_file(sunrise, bob)
    check = file.checks.select_related("item", "file__provider").get(item__key="references")
    Client().post(ask(as_bob, file, name="Rhian Evans"), ANSWER)
    dates_only = {**ANSWER, "conduct": "", "dates_only": "on", "declaration_name": "HR team"}
    Client().post(ask(as_bob, file, name="Owen Price", last=False), dates_only)
    rhian, owen = ReferenceRequest.objects.order_by("pk")
    verify = reverse("compliance-reference-verify", args=[sunrise.slug, file.pk, rhian.pk])
    as_bob.post(verify, {"authenticity": ""})
    rhian.refresh_from_db()
    assert rhian.verified_at is None  # in Wales, how authenticity was checked is recorded
    as_bob.post(verify, {"authenticity": "Phoned Bryn Care Home's published number"})
    as_bob.post(
        reverse("compliance-reference-verify", args=[sunrise.slug, file.pk, owen.pk]),
        {"authenticity": "Emailed the HR team's published address"},
    )
    page = as_bob.get(reverse("compliance-references", args=[sunrise.slug, file.pk]))
    text = page.content.decode()
    assert "Dates only:</strong> not enough evidence of conduct" in text
    assert "2 verified written references with evidence of conduct are needed (1 so far)" in text
    with pytest.raises(workflow.CheckNotVerifiable, match="confirming dates only"):
        workflow.record_check(check=check, by=bob, status=Check.Status.VERIFIED)
    Client().post(ask(as_bob, file, name="Sian Lloyd", last=False), ANSWER)
    sian = ReferenceRequest.objects.get(referee_name="Sian Lloyd")
    references.verify_reference(reference=sian, by=bob, authenticity="Phoned her ward")
    workflow.record_check(check=check, by=bob, status=Check.Status.VERIFIED)
    check.refresh_from_db()
    assert check.status == Check.Status.VERIFIED


def test_a_referee_reaches_only_their_own_form(
    sunrise: Provider, bob: User, as_bob: Client
) -> None:
    file = welsh_file(sunrise, bob)
    link = ask(as_bob, file, name="Rhian Evans")
    referee = Client()
    referee.post(link, ANSWER)
    for url in (
        file.get_absolute_url(),
        reverse("compliance-references", args=[sunrise.slug, file.pk]),
        reverse("compliance-file-list", args=[sunrise.slug]),
    ):
        response = referee.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
