"""The signed-in person is read with their membership of the provider in the address, in one
query (vbr/accounts/backends.py), and Django's checks on the session still hold: a changed
password or a deactivated account ends the session, and another provider is a 404."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User

pytestmark = pytest.mark.django_db


def home(provider: Provider) -> str:
    return reverse("provider-home", args=[provider.slug])


def tables_read(captured: CaptureQueriesContext) -> list[str]:
    """The table of each query's first column, in order: what it reads rows of."""
    return [
        match[1]
        for q in captured
        if (match := re.match(r'SELECT (?:DISTINCT )?"(\w+)"\.', q["sql"]))
    ]


def test_a_provider_page_reads_the_person_and_their_membership_together(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    as_bob.get(home(sunrise))
    with CaptureQueriesContext(connection) as captured:
        response = as_bob.get(home(sunrise))
    assert response.status_code == 200
    assert response.context["user"] == bob
    read = tables_read(captured)
    assert read[0] == "accounts_membership"
    assert "accounts_user" not in read  # not read again on its own
    assert response.context["membership"].user == bob


def test_pages_outside_a_provider_still_know_who_is_signed_in(as_bob: Client, bob: User) -> None:
    response = as_bob.get(reverse("account-security"))
    assert response.status_code == 200
    assert response.context["user"] == bob


def test_another_providers_page_is_a_404_without_asking_twice(
    as_bob: Client, hillside: Provider
) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = as_bob.get(home(hillside))
    assert response.status_code == 404
    # The membership looked for once; the person then read on their own.
    assert tables_read(captured).count("accounts_membership") == 1


def test_a_deactivated_account_is_signed_out_on_its_next_page(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    assert as_bob.get(home(sunrise)).status_code == 200
    User.objects.filter(pk=bob.pk).update(is_active=False)
    response = as_bob.get(home(sunrise))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_ends_this_session(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    assert as_bob.get(home(sunrise)).status_code == 200
    bob.set_password("a-new-long-password-for-bob")
    bob.save()
    response = as_bob.get(home(sunrise))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_removed_membership_is_a_404_at_once(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    assert as_bob.get(home(sunrise)).status_code == 200
    Membership.objects.filter(user=bob, provider=sunrise).delete()
    assert as_bob.get(home(sunrise)).status_code == 404


def test_signing_in_with_a_password_reads_the_membership_on_the_next_page(
    sunrise: Provider,
) -> None:
    password = "x" * 20
    f.make_member(
        provider=sunrise, role=Membership.Role.MANAGER, username="erin", password=password
    )
    client = Client()
    response = client.post(reverse("login"), {"username": "erin", "password": password})
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as captured:
        assert client.get(home(sunrise)).status_code == 200
    assert "accounts_user" not in tables_read(captured)
