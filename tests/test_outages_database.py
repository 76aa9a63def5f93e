"""The database stopped under signed-in people: the 503 page, never a 500, and back by
itself when the database is.

The shared PostgreSQL is not stopped (other runs use it): the app reaches the test database
through a relay that the test cuts, which drops every open connection and refuses new ones,
as a stopped server does (see tests/outages.py).
"""

from __future__ import annotations

import pytest
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.outages import database_through_a_line
from vbr.accounts.models import Membership, Provider, User

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_client(user: User) -> Client:
    # As a browser sees it: the error becomes a page instead of being raised into the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def next_request(client: Client, url: str) -> tuple[int, str, dict[str, str]]:
    # What Django does when a request starts (the test client leaves it out): a connection
    # that failed is checked (CONN_HEALTH_CHECKS) and replaced.
    close_old_connections()
    response = client.get(url)
    return response.status_code, response.content.decode(), dict(response.headers)


def test_with_the_database_stopped_a_signed_in_manager_gets_the_503_page_then_the_page_again(
    bob: User, sunrise: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    page = reverse("role-detail", args=[sunrise.slug, role.pk])
    with database_through_a_line() as line:
        client = signed_in_client(bob)
        assert next_request(client, page)[0] == 200

        line.cut()
        # The open connection dies under the next request, then no new one can be made.
        for _ in range(2):
            status, text, headers = next_request(client, page)
            assert status == 503
            assert "We could not reach the database" in text
            assert "Nothing you sent was half-saved" in text
            assert headers["Retry-After"] == "30"

        line.mend()
        status, text, _ = next_request(client, page)
    assert status == 200 and role.title in text


def test_with_the_database_stopped_an_admin_who_owes_a_two_factor_code_gets_the_503_page(
    sunrise: Provider,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.VBR_REQUIRE_ADMIN_2FA = True
    admin = f.make_member(provider=sunrise, role=Membership.Role.ADMIN, username="ada")
    with database_through_a_line() as line:
        client = signed_in_client(admin)
        line.cut()
        status, text, _ = next_request(client, reverse("provider-home", args=[sunrise.slug]))
    assert status == 503 and "We could not reach the database" in text


def test_with_the_database_stopped_healthz_answers_503_for_a_signed_in_browser_too(
    bob: User,
) -> None:
    with database_through_a_line() as line:
        client = signed_in_client(bob)
        assert next_request(client, "/healthz")[0] == 200
        line.cut()
        status, text, headers = next_request(client, "/healthz")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert '"database": "unavailable"' in text
