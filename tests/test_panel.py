"""Panel members who draw on care: joining by link or code, easy-read scoring with a
supporter, shadowing checks, the supported person's view, and the involvement log."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.invitations import IssuedInvitation
from vbr.accounts.models import (
    AccessProfile,
    AuditEvent,
    Membership,
    PanelInvitation,
    Provider,
    User,
)
from vbr.celery import app as celery_app
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Assessment,
    Criterion,
    Involvement,
    Panellist,
    ProviderCheck,
    Scorecard,
    Stage,
    SupportedPersonView,
)


@dataclass
class Panel:
    provider: Provider
    assessment: Assessment
    criteria: list[Criterion]
    dev: Panellist
    bob: Panellist
    other: Assessment
    shadowing: Stage

    def url(self, name: str, *extra: int) -> str:
        return reverse(name, args=[self.provider.slug, self.assessment.pk, *extra])


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def panel(sunrise: Provider, bob: User, dev: User) -> Panel:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    criteria = [
        f.make_criterion(
            stage=stage,
            core_value=f.make_value(provider=sunrise, name=name, order=i),
            prompt=prompt,
            order=i,
        )
        for i, (name, prompt) in enumerate(
            [
                ("Dignity", "Did they talk about keeping people's dignity?"),
                ("Compassion", "Did they notice when someone was upset?"),
            ],
            start=1,
        )
    ]
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment = f.make_assessment(application=application, stage=stage)
    other_application = f.make_application(role=role, stage=stage)
    other = f.make_assessment(application=other_application, stage=stage)
    f.make_panellist(
        assessment=other, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    return Panel(
        provider=sunrise,
        assessment=assessment,
        criteria=criteria,
        dev=f.make_panellist(
            assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
        ),
        bob=f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR),
        other=other,
        shadowing=shadowing,
    )


def join_by_link(client: Client, issued: IssuedInvitation) -> None:
    response = client.post(reverse("join-link", args=[issued.token]))
    assert response.status_code == 302, response


def answer_everything(client: Client, panel: Panel) -> None:
    for number, _ in enumerate(panel.criteria, start=1):
        client.post(panel.url("easy-question", number), {"answer": "3", "action": "next"})
    client.post(panel.url("easy-question", len(panel.criteria) + 1), {"answer": "yes"})


# -- Joining by link or code ----------------------------------------------------------------------


def test_opening_a_link_shows_a_start_button_and_does_not_sign_in_yet(
    client: Client, panel: Panel, bob: User
) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    response = client.get(reverse("join-link", args=[issued.token]))
    assert "Hello Dev Raman" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_link_sign_in_reaches_the_members_easy_read_scoring(
    client: Client, panel: Panel, bob: User
) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    response = client.post(reverse("join-link", args=[issued.token]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hello Dev Raman" in page
    assert "Chloe" in page
    assert "There are 3 questions" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_BY_LINK)
    assert event.actor.username == "dev"


def test_link_session_cannot_reach_staff_pages_or_other_assessments(
    client: Client, panel: Panel, bob: User
) -> None:
    join_by_link(client, f.make_invitation(panellist=panel.dev, created_by=bob))
    slug = panel.provider.slug
    # Staff and ordinary panel pages are closed to a link session.
    assert client.get(reverse("provider-home", args=[slug])).status_code == 403
    assert client.get(panel.url("scorecard-edit")).status_code == 403
    assert client.get(panel.url("assessment-debrief")).status_code == 403
    assert client.get(panel.url("invitation-list")).status_code == 403
    # Dev sits on the other panel too, but this link is for one assessment only.
    other = reverse("easy-start", args=[slug, panel.other.pk])
    assert client.get(other).status_code == 404
    # The home page sends the member straight to their panel.
    assert client.get(reverse("home"))["Location"] == panel.url("easy-start")


def test_link_session_may_open_its_own_working_with_me_page(
    client: Client, panel: Panel, bob: User
) -> None:
    join_by_link(client, f.make_invitation(panellist=panel.dev, created_by=bob))
    response = client.post(
        reverse("access-profile"),
        {
            "text_size": "largest",
            "easy_read": "on",
            "high_contrast": "on",
            "notes_for_chair": "I need breaks",
        },
    )
    assert response.status_code == 302
    profile = AccessProfile.objects.get(user__username="dev")
    assert profile.high_contrast and profile.text_size == "largest"
    page = client.get(panel.url("easy-question", 1)).content.decode()
    assert 'class="easy-read text-size-largest high-contrast"' in page


def test_expired_link_fails_with_a_friendly_page(client: Client, panel: Panel, bob: User) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    PanelInvitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(reverse("join-link", args=[issued.token]))
    assert response.status_code == 410
    assert "This link is too old" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_revoked_link_fails_and_ends_sessions_opened_with_it(
    panel: Panel, bob: User, as_bob: Client
) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    tablet = Client()
    join_by_link(tablet, issued)
    assert tablet.get(panel.url("easy-start")).status_code == 200
    as_bob.post(reverse("invitation-revoke", args=[panel.provider.slug, issued.invitation.pk]))
    response = tablet.get(panel.url("easy-start"), follow=True)
    assert "You have been signed out" in response.content.decode()
    response = Client().post(reverse("join-link", args=[issued.token]))
    assert response.status_code == 410
    assert "This link has been stopped" in response.content.decode()


def test_unknown_link_is_a_friendly_404(client: Client, db: None) -> None:
    response = client.get(reverse("join-link", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "We could not find this link" in response.content.decode()


def test_only_hashes_of_the_link_and_code_are_stored(panel: Panel, bob: User) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    stored = PanelInvitation.objects.values_list("token_hash", "code_hash").get()
    assert issued.token not in stored and issued.code not in stored
    assert len(issued.code) == 8 and not set(issued.code) & set("01OIL")


def test_a_new_link_stops_the_earlier_one(panel: Panel, bob: User) -> None:
    first = f.make_invitation(panellist=panel.dev, created_by=bob)
    f.make_invitation(panellist=panel.dev, created_by=bob)
    first.invitation.refresh_from_db()
    assert first.invitation.is_revoked


def test_staff_panellists_get_no_links(panel: Panel, bob: User) -> None:
    with pytest.raises(ValueError, match="only for panel members"):
        f.make_invitation(panellist=panel.bob, created_by=bob)


def test_short_code_signs_in_whatever_the_case_and_dashes(
    client: Client, panel: Panel, bob: User
) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    typed = f" {issued.display_code.lower()} "
    response = client.post(reverse("join"), {"code": typed})
    assert response["Location"] == panel.url("easy-start")


# -- Easy-read scoring ----------------------------------------------------------------------------


def test_easy_read_question_shows_plain_levels_with_pictures_and_progress(
    as_dev: Client, panel: Panel
) -> None:
    page = as_dev.get(panel.url("easy-question", 2)).content.decode()
    assert "Question 2 of 3" in page
    assert "Did they notice when someone was upset?" in page
    for words in ("No", "A little", "Yes, a lot", "Not sure"):
        assert f'<span class="easy-words">{words}</span>' in page
    assert 'alt="3 circles of 4 filled in"' in page
    assert "data-read-aloud" in page


def test_each_answer_is_saved_as_it_is_chosen(as_dev: Client, panel: Panel) -> None:
    response = as_dev.post(
        panel.url("easy-question", 1),
        {"answer": "2", "comment": "Kind words", "action": "autosave"},
    )
    assert "Saved at" in response.content.decode()
    score = Scorecard.objects.get(panellist=panel.dev).scores.get()
    assert (score.level, score.evidence) == (2, "Kind words")
    page = as_dev.get(panel.url("easy-question", 1)).content.decode()
    assert 'value="2" id="id_answer_1" checked' in page
    assert page.count(" checked") == 1


def test_back_keeps_the_answer_and_goes_to_the_previous_question(
    as_dev: Client, panel: Panel
) -> None:
    response = as_dev.post(panel.url("easy-question", 2), {"answer": "n", "action": "back"})
    assert response["Location"] == panel.url("easy-question", 1)
    score = Scorecard.objects.get(panellist=panel.dev).scores.get()
    assert score.not_observed and score.level is None


def test_check_page_lists_answers_and_refuses_to_send_with_gaps(
    as_dev: Client, panel: Panel
) -> None:
    as_dev.post(panel.url("easy-question", 1), {"answer": "4", "action": "next"})
    page = as_dev.get(panel.url("easy-check")).content.decode()
    assert "Your answer: <strong>Yes, a lot</strong>" in page
    assert "Not answered yet" in page
    response = as_dev.post(panel.url("easy-check"), follow=True)
    assert "Please answer every question first. Still to answer: 2." in response.content.decode()
    assert not Scorecard.objects.get(panellist=panel.dev).is_submitted


def test_sending_locks_the_scorecard_shared_with_the_full_form(
    as_dev: Client, panel: Panel
) -> None:
    answer_everything(as_dev, panel)
    response = as_dev.post(panel.url("easy-check"), follow=True)
    assert "Your answers about Chloe are sent" in response.content.decode()
    scorecard = Scorecard.objects.get(panellist=panel.dev)
    assert scorecard.is_submitted and scorecard.recommendation == "yes"
    assert sorted(s.level for s in scorecard.scores.all()) == [3, 3]
    # Locked: a late answer changes nothing.
    as_dev.post(panel.url("easy-question", 1), {"answer": "1", "action": "next"})
    assert sorted(s.level for s in scorecard.scores.all()) == [3, 3]
    assert as_dev.get(panel.url("scorecard-edit")).context["scorecard"].is_submitted


def test_easy_read_shows_nothing_of_other_panellists(as_dev: Client, panel: Panel) -> None:
    f.make_scorecard(panellist=panel.bob, levels={c: 1 for c in panel.criteria}, submitted=True)
    Scorecard.objects.filter(panellist=panel.bob).update(summary="Bob's private summary")
    pages = (
        [as_dev.get(panel.url("easy-start"))]
        + [as_dev.get(panel.url("easy-question", n)) for n in (1, 2, 3)]
        + [as_dev.get(panel.url("easy-check"))]
    )
    for response in pages:
        text = response.content.decode()
        assert "Evidence for level 1" not in text and "Bob's private summary" not in text


def test_a_supporter_is_recorded_and_shown_to_the_manager(
    as_dev: Client, as_bob: Client, panel: Panel
) -> None:
    as_dev.post(
        panel.url("easy-start"), {"helper": "supporter", "supporter_name": "Priya (support worker)"}
    )
    answer_everything(as_dev, panel)
    as_dev.post(panel.url("easy-check"))
    scorecard = Scorecard.objects.get(panellist=panel.dev)
    assert scorecard.supporter_name == "Priya (support worker)"
    f.make_scorecard(panellist=panel.bob, levels={c: 3 for c in panel.criteria}, submitted=True)
    page = as_bob.get(panel.url("assessment-debrief")).content.decode()
    assert "entered by Priya (support worker) on behalf of Dev Raman" in page


def test_a_staff_supporter_is_stored_as_entered_by(
    as_dev: Client, panel: Panel, sunrise: Provider
) -> None:
    carol = f.make_member(provider=sunrise, username="carol", full_name="Carol Singh")
    membership = Membership.objects.get(user=carol)
    as_dev.post(panel.url("easy-start"), {"helper": "supporter", "supporter": membership.pk})
    answer_everything(as_dev, panel)
    as_dev.post(panel.url("easy-check"))
    scorecard = Scorecard.objects.get(panellist=panel.dev)
    assert scorecard.entered_by == carol and scorecard.is_submitted
    page = signed_in(User.objects.get(username="dev")).get(panel.url("scorecard-edit"))
    assert "Entered by Carol Singh on behalf of Dev Raman" in page.content.decode()


def test_supporter_from_another_provider_cannot_be_chosen(
    as_dev: Client, panel: Panel, charlie: User
) -> None:
    outsider = Membership.objects.get(user=charlie)
    response = as_dev.post(
        panel.url("easy-start"), {"helper": "supporter", "supporter": outsider.pk}
    )
    assert response.status_code == 200
    assert not Scorecard.objects.filter(panellist=panel.dev, entered_by=charlie).exists()


def test_kiosk_session_ends_after_sending(client: Client, panel: Panel, bob: User) -> None:
    join_by_link(client, f.make_invitation(panellist=panel.dev, created_by=bob, kiosk=True))
    assert client.session.get_expiry_age() <= 15 * 60
    answer_everything(client, panel)
    response = client.post(panel.url("easy-check"), follow=True)
    assert "You are signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session


# -- Invitations page -----------------------------------------------------------------------------


def test_manager_creates_a_printable_invitation_with_qr_code_and_short_code(
    as_bob: Client, panel: Panel
) -> None:
    AccessProfile.objects.create(user=panel.dev.user, notes_for_chair="I lip-read")
    page = as_bob.get(panel.url("invitation-list")).content.decode()
    assert "Dev Raman" in page and "I lip-read" in page
    assert "Bob Okafor" not in page.split("<tbody>")[1]
    response = as_bob.post(
        panel.url("invitation-create", panel.dev.pk), {"delivery": "print"}, follow=True
    )
    page = response.content.decode()
    assert "<svg" in page and "invitation-code" in page
    invitation = PanelInvitation.objects.get()
    code = page.split('class="invitation-code mb-0"')[1].split(">")[1].split("<")[0]
    assert Client().post(reverse("join"), {"code": code}).status_code == 302
    assert invitation.expires_at.date() == (timezone.now() + timedelta(days=14)).date()


def test_manager_emails_an_invitation(
    as_bob: Client,
    panel: Panel,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """The email goes out from the outbox once the request commits (tests/test_mail.py sends
    it to a real SMTP server through Celery); here, in-process, to Django's test outbox."""
    User.objects.filter(pk=panel.dev.user_id).update(email="dev@example.org")
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            as_bob.post(panel.url("invitation-create", panel.dev.pk), {"delivery": "email"})
    finally:
        celery_app.conf.task_always_eager = eager
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/join/" in word and len(word) > 40)
    response = Client().post(link.replace("http://testserver", ""))
    assert response.status_code == 302


def test_invitations_of_another_provider_are_a_404(
    as_charlie: Client, panel: Panel, bob: User
) -> None:
    issued = f.make_invitation(panellist=panel.dev, created_by=bob)
    assert as_charlie.get(panel.url("invitation-list")).status_code == 404
    url = reverse("invitation-revoke", args=["hillside", issued.invitation.pk])
    assert as_charlie.post(url).status_code == 404


def test_invitations_page_query_count_does_not_grow(
    as_bob: Client, panel: Panel, bob: User, django_assert_num_queries
) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert as_bob.get(panel.url("invitation-list")).status_code == 200
        return len(queries)

    f.make_invitation(panellist=panel.dev, created_by=bob)
    one = count()
    for n in range(20):
        user = f.make_member(
            provider=panel.provider, role=Membership.Role.PANEL, password=None, expert=True
        )
        place = f.make_panellist(
            assessment=panel.assessment,
            user=user,
            panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
        )
        f.make_invitation(panellist=place, created_by=bob)
        if n % 2:
            AccessProfile.objects.create(user=user)
    # Session, user, membership; panel places, their invitations, their profiles.
    with django_assert_num_queries(one):
        assert as_bob.get(panel.url("invitation-list")).status_code == 200


def test_panel_member_cannot_manage_invitations(as_dev: Client, panel: Panel) -> None:
    assert as_dev.get(panel.url("invitation-list")).status_code == 403


# -- Shadowing ------------------------------------------------------------------------------------


def test_shadowing_checks_block_scheduling_until_ticked_off(
    as_bob: Client, panel: Panel, bob: User
) -> None:
    application = panel.assessment.application
    dbs = ProviderCheck.objects.create(provider=panel.provider, name="DBS check seen")
    ProviderCheck.objects.create(provider=panel.provider, name="References", is_active=False)
    with pytest.raises(workflow.ShadowingChecksOutstanding, match="DBS check seen"):
        workflow.ensure_can_schedule(application=application, stage=panel.shadowing)
    # Interviews are not held up.
    workflow.ensure_can_schedule(application=application, stage=panel.assessment.stage)
    page = as_bob.get(
        reverse("application-detail", args=[panel.provider.slug, application.pk])
    ).content.decode()
    assert "DBS check seen" in page and "not done yet" in page
    as_bob.post(reverse("check-tick", args=[panel.provider.slug, application.pk, dbs.pk]))
    assert workflow.outstanding_shadowing_checks(application) == []
    workflow.ensure_can_schedule(application=application, stage=panel.shadowing)


def test_application_page_shows_who_ticked_a_check_for_this_application_only(
    as_bob: Client, panel: Panel, bob: User
) -> None:
    application = panel.assessment.application
    dbs = ProviderCheck.objects.create(provider=panel.provider, name="DBS check seen")
    ProviderCheck.objects.create(provider=panel.provider, name="References")
    other = f.make_application(role=application.role)
    workflow.tick_check(application=other, check_item=dbs, done_by=bob)
    url = reverse("application-detail", args=[panel.provider.slug, application.pk])
    page = as_bob.get(url).content.decode()
    assert "DBS check seen — <strong>not done yet</strong>" in page

    workflow.tick_check(application=application, check_item=dbs, done_by=bob)
    page = as_bob.get(url).content.decode()
    assert f'DBS check seen — <span class="text-success">done by {bob.display_name},' in page
    assert "References — <strong>not done yet</strong>" in page


def test_admin_defines_checks_and_a_manager_cannot(
    as_alice: Client, as_bob: Client, sunrise: Provider
) -> None:
    url = reverse("check-list", args=["sunrise"])
    assert as_bob.get(url).status_code == 403
    as_alice.post(url, {"name": "DBS check seen", "required_before_shadowing": "on"})
    assert list(sunrise.checks.values_list("name", flat=True)) == ["DBS check seen"]
    response = as_alice.post(url, {"name": "dbs check seen"})
    assert "There is already a check with that name." in response.content.decode()


@pytest.fixture
def shadowing_assessment(panel: Panel, bob: User) -> Assessment:
    assessment = f.make_assessment(application=panel.assessment.application, stage=panel.shadowing)
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    return assessment


def test_supported_persons_view_and_consent_are_stored_and_shown_at_the_debrief(
    as_bob: Client, panel: Panel, shadowing_assessment: Assessment
) -> None:
    url = reverse("supported-person-view-create", args=["sunrise", shadowing_assessment.pk])
    as_bob.post(reverse("supported-person-kiosk-start", args=["sunrise", shadowing_assessment.pk]))
    assert "Would you like this person to support you?" in as_bob.get(url).content.decode()
    as_bob.post(url, {"person_name": "Mrs K", "consent": "yes", "answer": "yes", "comment": "Kind"})
    as_bob.post(url, {"person_name": "JT", "consent": "no", "answer": "no", "comment": "x"})
    views = {v.person_name: v for v in SupportedPersonView.objects.all()}
    assert (views["Mrs K"].consent_given, views["Mrs K"].answer) == (True, "yes")
    assert (views["JT"].consent_given, views["JT"].answer, views["JT"].comment) == (False, "", "")
    f.make_scorecard(panellist=shadowing_assessment.panellists.get(), submitted=True)
    # Bob owes nothing elsewhere either, so the debrief is open to him (independence).
    f.make_scorecard(panellist=panel.bob, submitted=True)
    end = reverse("supported-person-kiosk-end", args=["sunrise", shadowing_assessment.pk])
    as_bob.post(end, {"password": f.PASSWORD})
    page = as_bob.get(
        reverse("assessment-debrief", args=["sunrise", shadowing_assessment.pk])
    ).content.decode()
    assert "Mrs K" in page and "<strong>Yes</strong>" in page
    assert "JT" in page and "chose not to take part" in page


def test_supported_persons_page_is_only_for_shadowing_and_its_panel(
    as_bob: Client, as_dev: Client, panel: Panel, shadowing_assessment: Assessment
) -> None:
    url = reverse("supported-person-view-create", args=["sunrise", panel.assessment.pk])
    assert as_bob.get(url).status_code == 404
    # Dev is a panel member, but not on this shadowing panel.
    url = reverse("supported-person-view-create", args=["sunrise", shadowing_assessment.pk])
    assert as_dev.get(url).status_code == 403
    assert not SupportedPersonView.objects.exists()


# -- Recognition ----------------------------------------------------------------------------------


def test_involvement_is_recorded_and_exported_without_formulas(
    as_bob: Client, panel: Panel
) -> None:
    url = reverse("involvement-list", args=["sunrise"])
    as_bob.post(
        url,
        {
            "user": panel.dev.user_id,
            "assessment": panel.assessment.pk,
            "date": "2026-11-20",
            "minutes": 90,
            "payment_kind": "voucher",
            "payment_amount": "25.00",
            "expenses_amount": "4.50",
            "notes": '=HYPERLINK("http://evil")',
        },
    )
    assert Involvement.objects.get().minutes == 90
    assert "Dev Raman" in as_bob.get(url).content.decode()
    response = as_bob.get(reverse("involvement-export", args=["sunrise"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][:7] == [
        "2026-11-20",
        "Dev Raman",
        f"Values interview #{panel.assessment.pk}",
        "90",
        "Voucher",
        "25.00",
        "4.50",
    ]
    assert rows[1][7].startswith("'=")


def test_involvement_log_is_staff_only(as_dev: Client, sunrise: Provider) -> None:
    assert as_dev.get(reverse("involvement-list", args=["sunrise"])).status_code == 403


def test_observer_adds_and_removes_timed_notes_until_submitting(
    as_bob: Client, shadowing_assessment: Assessment
) -> None:
    add = reverse("shadowing-note-create", args=["sunrise", shadowing_assessment.pk])
    as_bob.post(add, {"noted_at": "10:40", "text": "Asked Mrs K how she likes her tea"})
    as_bob.post(add, {"noted_at": "10:05", "text": "Knocked before going in"})
    page = as_bob.get(
        reverse("scorecard-edit", args=["sunrise", shadowing_assessment.pk])
    ).content.decode()
    assert page.index("10:05</strong> — Knocked") < page.index("10:40</strong> — Asked Mrs K")
    scorecard = Scorecard.objects.get(assessment=shadowing_assessment)
    first = scorecard.shadowing_notes.get(noted_at="10:05")
    as_bob.post(
        reverse("shadowing-note-delete", args=["sunrise", shadowing_assessment.pk, first.pk])
    )
    assert list(scorecard.shadowing_notes.values_list("text", flat=True)) == [
        "Asked Mrs K how she likes her tea"
    ]
    Scorecard.objects.filter(pk=scorecard.pk).update(submitted_at=timezone.now())
    as_bob.post(add, {"noted_at": "11:00", "text": "Too late"})
    assert scorecard.shadowing_notes.count() == 1
    page = as_bob.get(
        reverse("scorecard-edit", args=["sunrise", shadowing_assessment.pk])
    ).content.decode()
    assert "Asked Mrs K" in page and "Add note" not in page


def test_timed_notes_are_only_for_shadowing_and_own_scorecards(
    as_bob: Client, as_dev: Client, panel: Panel, shadowing_assessment: Assessment
) -> None:
    interview = reverse("shadowing-note-create", args=["sunrise", panel.assessment.pk])
    assert as_bob.post(interview, {"noted_at": "10:00", "text": "x"}).status_code == 404
    # Dev is not on the shadowing panel.
    shadowing = reverse("shadowing-note-create", args=["sunrise", shadowing_assessment.pk])
    assert as_dev.post(shadowing, {"noted_at": "10:00", "text": "x"}).status_code == 404


def test_scheduling_shadowing_is_refused_until_the_checks_are_ticked_off(
    as_bob: Client, panel: Panel
) -> None:
    application = panel.assessment.application
    dbs = ProviderCheck.objects.create(provider=panel.provider, name="DBS check seen")
    url = reverse("assessment-add", args=["sunrise", application.pk])
    form = {"stage": panel.shadowing.pk, "date": "2026-12-14", "time": "10:30", "place": "Lounge"}
    response = as_bob.post(url, form)
    assert "Before shadowing, tick off: DBS check seen." in response.content.decode()
    assert not application.assessments.filter(stage=panel.shadowing).exists()
    as_bob.post(reverse("check-tick", args=["sunrise", application.pk, dbs.pk]))
    as_bob.post(url, form)
    assert application.assessments.filter(stage=panel.shadowing).exists()


def test_panel_members_signed_in_with_a_password_find_the_easy_read_pages(
    as_dev: Client, panel: Panel
) -> None:
    page = as_dev.get(reverse("provider-home", args=["sunrise"])).content.decode()
    assert f'href="{panel.url("easy-start")}">easy read' in page


def test_a_panel_member_who_asked_for_easy_read_is_taken_to_it_and_may_choose_the_full_form(
    panel: Panel, sunrise: Provider
) -> None:
    pat = f.make_member(provider=sunrise, role=Membership.Role.PANEL, username="pat")
    f.make_panellist(assessment=panel.assessment, user=pat)
    client = signed_in(pat)
    # No "working with me" yet: the full form, as for staff.
    assert client.get(panel.url("scorecard-edit")).status_code == 200
    AccessProfile.objects.create(user=pat, easy_read=True)
    response = client.get(panel.url("scorecard-edit"))
    assert response["Location"] == panel.url("easy-start")
    start = client.get(panel.url("easy-start")).content.decode()
    full = panel.url("scorecard-edit") + "?form=full"
    assert full in start
    assert client.get(full).status_code == 200
    # Saving a draft from the full form stays on the full form.
    saved = client.post(full, {f"level_{panel.criteria[0].pk}": "3"})
    assert saved["Location"] == full
    # Staff with the same setting are never redirected.
    AccessProfile.objects.create(user=panel.bob.user, easy_read=True)
    assert signed_in(panel.bob.user).get(panel.url("scorecard-edit")).status_code == 200


def test_a_link_session_is_not_offered_the_full_form(
    client: Client, panel: Panel, bob: User
) -> None:
    join_by_link(client, f.make_invitation(panellist=panel.dev, created_by=bob))
    assert "?form=full" not in client.get(panel.url("easy-start")).content.decode()
