"""Limits on guessing panel codes at /join/, behind the HTTPS proxy of the production shape:
nobody's typos, and no attacker, can lock other panel members out; guessing stays closed;
the right code gets in while Redis is down."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.outages import free_port
from vbr.accounts.invitations import (
    JOIN_TRIES_PER_ADDRESS,
    JOIN_TRIES_PER_CODE,
    IssuedInvitation,
)
from vbr.accounts.models import JoinCodeTry, Membership, Provider, User
from vbr.recruitment.models import Panellist

PROXY = "10.0.0.2"  # every request reaches the app from the HTTPS proxy
CARE_HOME = "198.51.100.20"
ATTACKER = "203.0.113.7"


@dataclass
class Invited:
    dev: IssuedInvitation
    pat: IssuedInvitation
    start_url: str


@pytest.fixture
def invited(sunrise: Provider, bob: User, dev: User) -> Invited:
    pat = f.make_member(
        provider=sunrise, role=Membership.Role.PANEL, username="pat", expert=True, password=None
    )
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    assessment = f.make_assessment(application=f.make_application(role=role), stage=stage)
    expert = Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    places = [
        f.make_panellist(assessment=assessment, user=user, panel_role=expert) for user in (dev, pat)
    ]
    dev_code = f.make_invitation(panellist=places[0], created_by=bob)
    pat_code = f.make_invitation(panellist=places[1], created_by=bob)
    while pat_code.code[:3] == dev_code.code[:3]:
        pat_code = f.make_invitation(panellist=places[1], created_by=bob)
    return Invited(
        dev=dev_code,
        pat=pat_code,
        start_url=reverse("easy-start", args=[sunrise.slug, assessment.pk]),
    )


@pytest.fixture(autouse=True)
def _behind_the_https_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VBR_TRUSTED_PROXIES = 1


def typed_from(address: str, code: str, *, claimed: str = "") -> tuple[int, str]:
    """A code typed at /join/ by somebody at `address`, through the proxy, which appends the
    address it saw to whatever X-Forwarded-For the browser sent (`claimed`)."""
    forwarded = f"{claimed}, {address}" if claimed else address
    response = Client().post(
        reverse("join"), {"code": code}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )
    if response.status_code == 302:
        return 302, response["Location"]
    return response.status_code, response.content.decode()


def wrong(invitation: IssuedInvitation) -> str:
    """A wrong code with the same first letters as `invitation`'s."""
    guess = invitation.code[:3] + "99999"
    return guess if guess != invitation.code else invitation.code[:3] + "88888"


def test_the_join_page_says_how_many_wrong_tries_are_allowed(client: Client, db: None) -> None:
    page = client.get(reverse("join")).content.decode()
    assert "If the code is wrong 5 times, you need to wait 15 minutes before you try again." in (
        page
    )


def test_an_attacker_behind_the_proxy_locks_out_only_themselves(invited: Invited) -> None:
    for _ in range(JOIN_TRIES_PER_CODE):
        status, page = typed_from(ATTACKER, wrong(invited.dev))
        assert status == 200 and "We could not find that code" in page
    status, page = typed_from(ATTACKER, invited.dev.code)
    assert status == 429
    assert "That code was wrong 5 times. Please wait 15 minutes, then try again." in page
    # The panel member, at the care home, through the same proxy, gets in with their code.
    assert typed_from(CARE_HOME, invited.dev.display_code) == (302, invited.start_url)


def test_what_the_browser_claims_in_x_forwarded_for_does_not_reset_the_count(
    invited: Invited,
) -> None:
    for n in range(JOIN_TRIES_PER_CODE):
        typed_from(ATTACKER, wrong(invited.dev), claimed=f"192.0.2.{n}")
    status, _ = typed_from(ATTACKER, invited.dev.code, claimed="192.0.2.200")
    assert status == 429


def test_a_care_homes_typos_lock_that_code_there_and_no_other(invited: Invited) -> None:
    for _ in range(JOIN_TRIES_PER_CODE):
        typed_from(CARE_HOME, wrong(invited.dev))
    assert typed_from(CARE_HOME, invited.dev.code)[0] == 429
    # Pat, in the same care home, joins with their own code.
    assert typed_from(CARE_HOME, invited.pat.code) == (302, invited.start_url)


def test_one_address_has_a_higher_ceiling_across_all_codes(invited: Invited) -> None:
    assert JOIN_TRIES_PER_ADDRESS > JOIN_TRIES_PER_CODE
    for n in range(JOIN_TRIES_PER_ADDRESS):
        # Different first letters each time: no single code reaches its own limit.
        guess = f"{n:03d}".translate(str.maketrans("0123456789", "ABCDEFGHJK")) + "99999"
        status, page = typed_from(ATTACKER, guess)
        assert status == 200 and "We could not find that code" in page
    status, page = typed_from(ATTACKER, invited.pat.code)
    assert status == 429
    assert "Too many wrong codes were typed here: 30 in 15 minutes." in page
    assert typed_from(CARE_HOME, invited.pat.code) == (302, invited.start_url)


def test_right_codes_are_not_counted_as_wrong_tries(invited: Invited) -> None:
    for _ in range(JOIN_TRIES_PER_CODE + 2):
        assert typed_from(CARE_HOME, invited.dev.code) == (302, invited.start_url)
    assert not JoinCodeTry.objects.exists()


def test_without_a_proxy_the_address_is_the_one_the_request_came_from(
    invited: Invited,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.VBR_TRUSTED_PROXIES = 0
    for n in range(JOIN_TRIES_PER_CODE):
        # X-Forwarded-For is not trusted at all: the attacker cannot pose as many addresses.
        Client().post(
            reverse("join"),
            {"code": wrong(invited.dev)},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    refused = Client().post(reverse("join"), {"code": invited.dev.code}, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429
    allowed = Client().post(reverse("join"), {"code": invited.dev.code}, REMOTE_ADDR=CARE_HOME)
    assert allowed["Location"] == invited.start_url


def test_with_redis_down_the_right_code_gets_in_and_guessing_stays_limited(
    invited: Invited,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    # The shared cache points at a Redis that is not running: connections are refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    assert typed_from(CARE_HOME, invited.dev.code) == (302, invited.start_url)
    for _ in range(JOIN_TRIES_PER_CODE):
        assert typed_from(ATTACKER, wrong(invited.pat))[0] == 200
    assert typed_from(ATTACKER, invited.pat.code)[0] == 429


def test_old_tries_stop_counting_and_are_deleted(invited: Invited) -> None:
    for _ in range(JOIN_TRIES_PER_CODE):
        typed_from(ATTACKER, wrong(invited.dev))
    JoinCodeTry.objects.update(tried_at=timezone.now() - timedelta(minutes=16))
    assert typed_from(ATTACKER, wrong(invited.dev))[0] == 200
    # The wrong try purged the expired ones: what is kept is only the window's.
    assert JoinCodeTry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_tries_racing_each_other_cannot_slip_past_the_limit_together() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent requests need a database that runs them concurrently.")
    racers = 8
    barrier = threading.Barrier(racers)
    results: list[int] = []

    def guess() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(typed_from(ATTACKER, "ZZZ99999")[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == racers
    assert results.count(200) <= JOIN_TRIES_PER_CODE
    assert results.count(429) >= racers - JOIN_TRIES_PER_CODE
    assert JoinCodeTry.objects.count() == results.count(200)
