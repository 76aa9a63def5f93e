"""Closing the loop: the experts by experience who assessed a candidate are told what was
decided and how their view was weighed, by email (read here from a real SMTP server), by a
printed letter the manager hands over, or on their panel page on their next visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.servers import Mailbox, smtp_server
from tests.test_mail import point_at
from tests.test_panel import join_by_link
from vbr.accounts.models import AccessProfile, Membership, OutgoingEmail, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    Application,
    Assessment,
    DecisionMessage,
    Panellist,
    Scorecard,
    Service,
)

Channel = AccessProfile.HearAboutDecisions


def expert(provider: Provider, username: str, name: str, channel: str, email: str = "") -> User:
    user = f.make_member(
        provider=provider,
        role=Membership.Role.PANEL,
        username=username,
        full_name=name,
        expert=True,
        password=None,
    )
    if email:
        User.objects.filter(pk=user.pk).update(email=email)
        user.refresh_from_db()
    AccessProfile.objects.create(user=user, hear_about_decisions=channel)
    return user


def submitted(assessment: Assessment, user: User, role: str, recommendation: str) -> None:
    place = f.make_panellist(assessment=assessment, user=user, panel_role=role)
    f.make_scorecard(panellist=place, submitted=True)
    Scorecard.objects.filter(panellist=place).update(recommendation=recommendation)


class World:
    def __init__(self, sunrise: Provider, bob: User) -> None:
        self.sunrise = sunrise
        self.bob = bob
        service = Service.objects.create(provider=sunrise, name="Sunrise House")
        self.role = f.make_role(provider=sunrise, title="Night care assistant")
        self.role.service = service
        self.role.save()
        self.interview = f.make_stage(role=self.role, name="Values interview", order=1)
        self.shadowing = f.make_stage(role=self.role, name="Shadowing", kind="shadowing", order=2)
        self.dev = expert(sunrise, "dev2", "Dev Raman", Channel.EMAIL, "dev@example.org")
        self.eve = expert(sunrise, "eve", "Eve Adeyemi", Channel.LETTER)
        self.fay = expert(sunrise, "fay", "Fay Collins", Channel.NEXT_VISIT)
        self.ann = f.make_application(
            role=self.role,
            stage=self.interview,
            candidate=f.make_candidate(provider=sunrise, first_name="Ann", last_name="Lee"),
        )
        self.assessment = f.make_assessment(application=self.ann, stage=self.interview)
        submitted(self.assessment, bob, Panellist.PanelRole.CHAIR, "strong_no")
        for user, recommendation in (
            (self.dev, "yes"),
            (self.eve, "strong_yes"),
            (self.fay, "yes"),
        ):
            submitted(
                self.assessment, user, Panellist.PanelRole.EXPERT_BY_EXPERIENCE, recommendation
            )

    def decide(self, kind: str, override_reason: str = "") -> None:
        self.ann.refresh_from_db()
        workflow.record_decision(
            application=self.ann,
            kind=kind,
            reasons="Weighed the evidence on every value.",
            override_reason=override_reason,
            decided_by=self.bob,
        )


@pytest.fixture
def world(sunrise: Provider, bob: User) -> World:
    return World(sunrise, bob)


@pytest.fixture
def mailbox(settings) -> Any:  # type: ignore[no-untyped-def]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with smtp_server() as box:
        point_at(settings, box.port)
        yield box
    celery_app.conf.task_always_eager = previous


def body_of(box: Mailbox) -> str:
    (message,) = box.wait_for(1)
    assert message["To"] == "dev@example.org"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "News about a person you met, from Sunrise Care"
    return str(message.get_payload(decode=True).decode())  # type: ignore[union-attr]


def test_a_decision_against_the_experts_tells_them_the_reason_by_email(
    world: World, mailbox: Mailbox, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world.decide("decline", override_reason="Ann could not work the night shifts we need.")

    body = body_of(mailbox)
    assert "Hello Dev Raman," in body
    assert "What happened with Ann" in body
    assert "Ann did not get the job of Night care assistant." in body
    assert "You said yes: you would like them to work here." in body
    assert "The decision is different from what you said." in body
    assert "did not decide the way the experts by experience said" in body
    assert "This is why: Ann could not work the night shifts we need." in body
    assert "you can talk to Bob Okafor" in body
    # Their own view only: nobody else's name, recommendation or score.
    for other in ("Eve", "Fay", "Strong", "strong", "level", "Weighed the evidence"):
        assert other not in body
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT and email.body == ""
    assert DecisionMessage.objects.get(user=world.dev).email == email


def test_a_decision_with_the_experts_says_so_and_gives_no_reason(
    world: World, mailbox: Mailbox, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world.decide("offer")

    body = body_of(mailbox)
    assert "We have offered Ann the job of Night care assistant." in body
    assert "You said yes" in body
    assert "The decision is the same as what you said." in body
    assert "The manager decided the way the experts by experience said." in body
    assert "This is why" not in body


def test_the_email_leaves_from_the_worker_after_the_decision_commits(
    world: World, mailbox: Mailbox, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.decide("offer")
    assert mailbox.received == []
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.QUEUED
    for callback in callbacks:
        callback()
    assert len(mailbox.wait_for(1)) == 1


def test_each_expert_hears_the_way_they_chose_and_a_hold_tells_nobody(world: World) -> None:
    world.decide("hold")
    assert not DecisionMessage.objects.exists()
    world.decide("offer")
    channels = dict(DecisionMessage.objects.values_list("user__username", "channel"))
    assert channels == {"dev2": "email", "eve": "letter", "fay": "next_visit"}
    # The chair's view is not the lived-experience view: staff are not sent these.
    assert not DecisionMessage.objects.filter(user=world.bob).exists()


def test_someone_who_chose_email_without_an_address_gets_a_letter(world: World) -> None:
    User.objects.filter(pk=world.dev.pk).update(email="")
    world.decide("offer")
    assert DecisionMessage.objects.get(user=world.dev).channel == "letter"
    assert not OutgoingEmail.objects.exists()


def test_moving_on_tells_only_the_experts_of_that_stage(world: World, sunrise: Provider) -> None:
    world.decide("progress")
    assert DecisionMessage.objects.count() == 3
    world.ann.refresh_from_db()
    shadow = f.make_assessment(application=world.ann, stage=world.shadowing)
    gus = expert(sunrise, "gus", "Gus Patel", Channel.LETTER)
    submitted(shadow, gus, Panellist.PanelRole.EXPERT_BY_EXPERIENCE, "no")
    world.decide("decline")
    told = DecisionMessage.objects.filter(decision__kind="decline")
    assert sorted(told.values_list("user__username", flat=True)) == ["dev2", "eve", "fay", "gus"]
    # At shadowing the only expert said no, and the decline went with that.
    assert set(told.values_list("weighed", flat=True)) == {"with"}


def test_a_decision_refused_for_want_of_a_reason_tells_nobody(world: World) -> None:
    with pytest.raises(workflow.OverrideReasonNeeded):
        world.decide("decline")
    assert not DecisionMessage.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_manager_prints_the_letter_and_marks_it_given(world: World, as_bob: Client) -> None:
    world.decide("decline", override_reason="The hours did not suit Ann.")
    letters = reverse("letter-list", args=["sunrise"])
    page = as_bob.get(letters).content.decode()
    message = DecisionMessage.objects.get(user=world.eve)
    detail = reverse("letter-detail", args=["sunrise", message.pk])
    assert "Letter to Eve Adeyemi about Ann (Night care assistant)" in page
    assert detail in page

    letter = as_bob.get(detail).content.decode()
    assert "Hello Eve Adeyemi," in letter
    assert "Ann did not get the job of Night care assistant." in letter
    assert "You said yes: you would like them to work here." in letter
    assert "This is why: The hours did not suit Ann." in letter
    assert "Dev" not in letter and "Fay" not in letter

    as_bob.post(reverse("letter-given", args=["sunrise", message.pk]))
    message.refresh_from_db()
    assert message.delivered_at is not None
    page = as_bob.get(letters).content.decode()
    assert "No letters are waiting to be printed." in page
    assert "Given" in page


def test_another_providers_letter_is_not_found(world: World, as_charlie: Client) -> None:
    world.decide("offer")
    message = DecisionMessage.objects.get(user=world.eve)
    assert as_charlie.get(reverse("letter-detail", args=["sunrise", message.pk])).status_code == 404
    assert (
        as_charlie.get(reverse("letter-detail", args=["hillside", message.pk])).status_code == 404
    )


def test_an_email_message_has_no_given_button(world: World, as_bob: Client) -> None:
    world.decide("offer")
    message = DecisionMessage.objects.get(user=world.dev)
    assert as_bob.post(reverse("letter-given", args=["sunrise", message.pk])).status_code == 404


def test_the_news_waits_for_the_next_visit_on_the_panel_page(
    world: World, client: Client, bob: User, sunrise: Provider
) -> None:
    world.decide("offer")
    # Fay opens her link for her next panel, for another candidate.
    other = f.make_application(role=world.role, stage=world.interview)
    place = f.make_panellist(
        assessment=f.make_assessment(application=other, stage=world.interview),
        user=world.fay,
        panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    )
    join_by_link(client, f.make_invitation(panellist=place, created_by=bob))
    start = reverse("easy-start", args=["sunrise", place.assessment_id])
    page = client.get(start).content.decode()
    assert "News about people you met" in page
    assert "We have offered Ann the job of Night care assistant." in page
    assert "You said yes" in page and "The decision is the same as what you said." in page
    message = DecisionMessage.objects.get(user=world.fay)
    assert message.delivered_at is not None
    # Still there the same day; gone once a day has passed since she first saw it.
    assert "News about people you met" in client.get(start).content.decode()
    DecisionMessage.objects.filter(pk=message.pk).update(
        delivered_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert "News about people you met" not in client.get(start).content.decode()


def test_a_panel_member_chooses_how_they_hear_in_working_with_me(
    world: World, client: Client, bob: User
) -> None:
    join_by_link(
        client,
        f.make_invitation(
            panellist=Panellist.objects.get(user=world.fay, assessment=world.assessment),
            created_by=bob,
        ),
    )
    page = client.get(reverse("access-profile")).content.decode()
    assert "How I like to hear about decisions" in page
    response = client.post(
        reverse("access-profile"),
        {"text_size": "large", "easy_read": "on", "hear_about_decisions": "letter"},
    )
    assert response.status_code == 302
    assert AccessProfile.objects.get(user=world.fay).hear_about_decisions == "letter"


def test_the_letter_waits_while_the_reader_owes_a_scorecard(
    world: World, as_alice: Client, alice: User
) -> None:
    world.decide("progress")
    world.ann.refresh_from_db()
    shadow = f.make_assessment(application=world.ann, stage=world.shadowing)
    f.make_panellist(assessment=shadow, user=alice)
    message = DecisionMessage.objects.get(user=world.eve)
    response = as_alice.get(reverse("letter-detail", args=["sunrise", message.pk]))
    assert response.status_code == 403
    assert "You still have a scorecard to send for this candidate" in response.content.decode()
    assert "Eve" not in as_alice.get(reverse("letter-list", args=["sunrise"])).content.decode()


def test_the_letters_page_reads_the_same_number_of_queries_for_one_or_many(
    world: World, as_bob: Client, django_assert_num_queries: Callable[..., Any], sunrise: Provider
) -> None:
    world.decide("offer")
    url = reverse("letter-list", args=["sunrise"])
    # 1 the signed-in person with their membership (the session comes from the cache),
    # 1 letters to print, 1 latest messages.
    with django_assert_num_queries(3):
        as_bob.get(url)
    for number in range(20):
        application = f.make_application(role=world.role, stage=world.interview)
        assessment = f.make_assessment(application=application, stage=world.interview)
        submitted(assessment, world.eve, Panellist.PanelRole.EXPERT_BY_EXPERIENCE, "yes")
        workflow.record_decision(
            application=Application.objects.get(pk=application.pk),
            kind="offer",
            reasons=f"Reason {number}",
            decided_by=world.bob,
        )
    with django_assert_num_queries(3):
        page = as_bob.get(url).content.decode()
    assert page.count("Letter to Eve Adeyemi") == 21


def test_an_expert_who_shortlisted_the_candidate_is_told_too(
    world: World, sunrise: Provider
) -> None:
    from vbr.involvement.models import ShortlistAnswer, Shortlisting

    hal = expert(sunrise, "hal", "Hal Brook", Channel.LETTER)
    shortlisting = Shortlisting.objects.create(provider=sunrise, role=world.role)
    ShortlistAnswer.objects.create(
        shortlister=shortlisting.shortlisters.create(user=hal),
        entry=shortlisting.entries.create(application=world.ann, number=1),
        answer="no",
    )
    world.decide("progress")
    assert not DecisionMessage.objects.filter(user=hal).exists()
    world.decide("offer")
    message = DecisionMessage.objects.get(user=hal, decision__kind="offer")
    letter = workflow.letter_for(message)
    assert letter.own_view == "You said no: you would not like them to work here."
    assert letter.compared == "The decision is different from what you said."


def test_the_email_goes_to_the_address_given_in_working_with_me(world: World) -> None:
    AccessProfile.objects.filter(user=world.dev).update(contact_email="dev.home@example.org")
    world.decide("offer")
    assert OutgoingEmail.objects.get().to_address == "dev.home@example.org"


def test_anonymising_the_candidate_ends_the_letters_and_news_about_them(
    world: World, as_bob: Client, bob: User
) -> None:
    from vbr.privacy.workflow import anonymise_candidate

    world.decide("offer")
    letter = DecisionMessage.objects.get(user=world.eve)
    anonymise_candidate(candidate=world.ann.candidate, by=bob)
    assert as_bob.get(reverse("letter-detail", args=["sunrise", letter.pk])).status_code == 404
    assert (
        "Eve Adeyemi" not in as_bob.get(reverse("letter-list", args=["sunrise"])).content.decode()
    )
    assert workflow.next_visit_news(user=world.fay, provider=world.sunrise) == []


def test_erasing_the_candidate_removes_the_messages_and_their_emails(
    world: World, bob: User
) -> None:
    from vbr.privacy.workflow import erase_candidate

    world.decide("offer")
    assert DecisionMessage.objects.count() == 3 and OutgoingEmail.objects.count() == 1
    erase_candidate(candidate=world.ann.candidate, by=bob)
    assert not DecisionMessage.objects.exists()
    assert not OutgoingEmail.objects.exists()
