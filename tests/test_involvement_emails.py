"""Links to an advert shared for someone's views and to a shortlisting go by email too.

The email goes through the outbox and the worker to a real SMTP server the test starts: the
page only writes it. Dev (an expert by experience, no password) gets his own personal link;
Carol (a manager) gets the page's address, as staff sign in. The link in the email is the one
that signs Dev in, and the outbox keeps none of it once sent.
"""

from __future__ import annotations

from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.servers import Mailbox
from tests.test_involvement import advert, applicant, role  # noqa: F401  # fixtures
from tests.test_mail import eager_tasks, mail_server  # noqa: F401  # fixtures
from vbr.accounts.models import Membership, OutgoingEmail, PanelInvitation, Provider, User
from vbr.involvement import workflow
from vbr.involvement.models import AdvertReview, Shortlister
from vbr.recruitment.models import Role


def body_of(message: Message) -> str:
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def the_join_link_in(body: str) -> str:
    return next(word for word in body.split() if "/join/" in word and len(word) > 40)


@pytest.fixture
def dev_with_email(dev: User) -> User:
    User.objects.filter(pk=dev.pk).update(email="dev@example.org")
    dev.refresh_from_db()
    return dev


def send(client: Client, url: str, capture: Any, delivery: str = "email") -> str:
    with capture(execute=True):
        response = client.post(url, {"delivery": delivery}, follow=True)
    assert response.status_code == 200
    return response.text


def test_an_expert_gets_the_advert_link_by_email_in_plain_words_and_it_opens_the_advert(
    as_bob: Client,
    advert: AdvertReview,  # noqa: F811
    dev_with_email: User,
    mail_server: Mailbox,  # noqa: F811
    eager_tasks: None,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    vacancy_page = as_bob.get(reverse("vacancy-edit", args=["sunrise", advert.vacancy.role_id]))
    assert "Email a personal link" in vacancy_page.text

    url = reverse("advert-review-link", args=["sunrise", advert.pk])
    page = send(as_bob, url, django_capture_on_commit_callbacks)

    assert "A personal link is on its way to Dev Raman by email." in page
    (message,) = mail_server.wait_for(1)
    assert message["To"] == "dev@example.org"
    assert message["Subject"] == "What do you think of our job advert? (Sunrise Care)"
    body = body_of(message)
    assert "Hello Dev Raman," in body
    assert "Sunrise Care is writing a job advert for a Night care assistant." in body
    assert "You can tell us what you think, and suggest other words." in body
    assert "type this code: " in body
    assert "please ask Bob" in body
    client = Client()
    assert client.post(urlsplit(the_join_link_in(body)).path).status_code == 302
    start = client.get(reverse("advert-start", args=["sunrise", advert.pk]))
    assert start.status_code == 200 and "Night care assistant" in start.text
    # The outbox keeps no copy of the link once it is sent; the invitation says where it went.
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT and email.body == ""
    assert PanelInvitation.objects.get(advert_review=advert).emailed_to == "dev@example.org"


def test_an_expert_gets_the_shortlisting_link_and_a_manager_where_to_find_it(
    as_bob: Client,
    role: Role,  # noqa: F811
    bob: User,
    dev_with_email: User,
    sunrise: Provider,
    mail_server: Mailbox,  # noqa: F811
    eager_tasks: None,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    carol = f.make_member(provider=sunrise, username="carol", full_name="Carol Singh")
    User.objects.filter(pk=carol.pk).update(email="carol@example.org")
    applicant(role, "Ann", "Lee", answer="I read to my nan.")
    shortlisting = workflow.open_shortlisting(
        role=role, stage=None, people=[dev_with_email, carol], opened_by=bob
    )
    dev_place = shortlisting.shortlisters.get(user=dev_with_email)
    carol_place = shortlisting.shortlisters.get(user=carol)
    summary = as_bob.get(reverse("shortlisting-detail", args=["sunrise", shortlisting.pk])).text
    assert 'Email a personal link<span class="visually-hidden"> to Dev Raman' in summary
    assert 'Email where to find it<span class="visually-hidden"> to Carol Singh' in summary

    dev_page = send(
        as_bob,
        reverse("shortlister-link", args=["sunrise", dev_place.pk]),
        django_capture_on_commit_callbacks,
    )
    carol_page = send(
        as_bob,
        reverse("shortlister-link", args=["sunrise", carol_place.pk]),
        django_capture_on_commit_callbacks,
    )

    assert "A personal link is on its way to Dev Raman by email." in dev_page
    assert "An email telling Carol Singh where to find it is on its way." in carol_page
    messages = {m["To"]: m for m in mail_server.wait_for(2)}
    devs = body_of(messages["dev@example.org"])
    assert messages["dev@example.org"]["Subject"] == "Help us choose who to meet (Sunrise Care)"
    assert "People have asked to work with Sunrise Care as a Night care assistant." in devs
    assert "Their name and contact details are hidden." in devs
    assert "you choose yes, not sure or no." in devs
    client = Client()
    assert client.post(urlsplit(the_join_link_in(devs)).path).status_code == 302
    assert client.get(reverse("shortlist-start", args=["sunrise", dev_place.pk])).status_code == 200
    # Carol signs in: her email has the page's address and no personal link.
    carols = body_of(messages["carol@example.org"])
    assert "Sign in, then open this page:" in carols
    assert reverse("shortlist-start", args=["sunrise", carol_place.pk]) in carols
    assert "/join/" not in carols
    assert not PanelInvitation.objects.filter(shortlister=carol_place).exists()


def test_without_an_email_address_nothing_is_sent_and_printing_still_works(
    as_bob: Client,
    advert: AdvertReview,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("advert-review-link", args=["sunrise", advert.pk])
    vacancy_page = as_bob.get(reverse("vacancy-edit", args=["sunrise", advert.vacancy.role_id]))
    assert "Make a personal link to print" in vacancy_page.text
    assert "Email a personal link" not in vacancy_page.text

    refused = send(as_bob, url, django_capture_on_commit_callbacks)
    printed = send(as_bob, url, django_capture_on_commit_callbacks, delivery="print")

    assert "Dev Raman has no email address: make a link to print instead." in refused
    assert not OutgoingEmail.objects.exists()
    assert "Personal link for Dev Raman" in printed and "/join/" in printed


def test_another_providers_shortlister_cannot_be_sent_a_link(
    as_charlie: Client,
    role: Role,  # noqa: F811
    bob: User,
    dev_with_email: User,
    hillside: Provider,
) -> None:
    applicant(role, "Ann", "Lee", answer="I read to my nan.")
    shortlisting = workflow.open_shortlisting(
        role=role, stage=None, people=[dev_with_email], opened_by=bob
    )
    place: Shortlister = shortlisting.shortlisters.get()
    for slug in ("hillside", "sunrise"):
        url = reverse("shortlister-link", args=[slug, place.pk])
        assert as_charlie.post(url, {"delivery": "email"}).status_code == 404
    assert not OutgoingEmail.objects.exists()
    assert Membership.objects.filter(provider=hillside).exists()
