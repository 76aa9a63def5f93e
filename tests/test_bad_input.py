"""Bad and tampered input on the sign-in, checks, values, shadowing and easy-read pages: each
gets a clear message and keeps what was typed, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import (
    Assessment,
    CoreValue,
    Panellist,
    ProviderCheck,
    Scorecard,
    ShadowingNote,
    Stage,
)

# -- Sign-in --------------------------------------------------------------------------------------


def test_a_username_longer_than_the_lockout_column_is_refused_like_any_wrong_sign_in(
    client: Client, bob: User
) -> None:
    """django-axes records each failed sign-in's username in 255 characters: on PostgreSQL a
    longer one used to fail the page with a database error."""
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"username": "b" * 300, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "b" * 255
    assert attempt.failures_since_start == 1


def test_five_tries_with_an_overlong_username_lock_it_like_any_other(
    client: Client, bob: User
) -> None:
    client.raise_request_exception = False
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "b" * 300, "password": "wrong"})
    assert response.status_code == 429
    # Bob's own sign-in is not touched by it.
    assert Client().post(reverse("login"), {"username": "bob", "password": f.PASSWORD})[
        "Location"
    ] == reverse("home")


def test_the_django_admin_sign_in_refuses_an_overlong_username_too(
    client: Client, db: None
) -> None:
    client.raise_request_exception = False
    response = client.post("/admin/login/", {"username": "o" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.text


# -- Checks before shadowing ----------------------------------------------------------------------


@pytest.mark.parametrize("tampered", ["abc", "", "1.5", "99999999999999999999999"])
def test_stopping_a_check_with_a_tampered_id_says_so_and_changes_nothing(
    as_alice: Client, sunrise: Provider, tampered: str
) -> None:
    as_alice.raise_request_exception = False
    check = ProviderCheck.objects.create(provider=sunrise, name="DBS certificate seen")
    response = as_alice.post(
        reverse("check-list", args=[sunrise.slug]), {"retire": tampered}, follow=True
    )
    assert response.status_code == 200
    assert "That check is not on the list any more: nothing was changed." in response.text
    check.refresh_from_db()
    assert check.is_active


def test_another_providers_check_cannot_be_stopped(
    as_alice: Client, sunrise: Provider, hillside: Provider
) -> None:
    theirs = ProviderCheck.objects.create(provider=hillside, name="Right to work")
    response = as_alice.post(
        reverse("check-list", args=[sunrise.slug]), {"retire": str(theirs.pk)}, follow=True
    )
    assert "That check is not on the list any more" in response.text
    theirs.refresh_from_db()
    assert theirs.is_active


def test_stopping_a_check_still_works(as_alice: Client, sunrise: Provider) -> None:
    check = ProviderCheck.objects.create(provider=sunrise, name="DBS certificate seen")
    response = as_alice.post(
        reverse("check-list", args=[sunrise.slug]), {"retire": str(check.pk)}, follow=True
    )
    assert "“DBS certificate seen” is no longer asked for." in response.text
    check.refresh_from_db()
    assert not check.is_active


# -- A value and its behaviours -------------------------------------------------------------------


def value_post(**overrides: str) -> dict[str, str]:
    return {
        "name": "Kindness",
        "description": "Warmth in small things.",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-text": "Asks how the person likes their tea",
        "indicators-0-kind": "positive",
        "indicators-1-text": "Talks over the person",
        "indicators-1-kind": "negative",
        **overrides,
    }


@pytest.mark.parametrize("total", ["x", "", "-1", "2; DROP TABLE"])
@pytest.mark.parametrize("button", [{}, {"add_rows": "1"}])
def test_a_tampered_row_count_keeps_every_behaviour_typed_and_saves_nothing_yet(
    as_alice: Client, sunrise: Provider, total: str, button: dict[str, str]
) -> None:
    as_alice.raise_request_exception = False
    response = as_alice.post(
        reverse("corevalue-create", args=[sunrise.slug]),
        value_post(**{"indicators-TOTAL_FORMS": total}, **button),
    )
    assert response.status_code == 200
    assert "Part of this page did not come back as expected, so nothing is saved yet." in (
        response.text
    )
    assert 'value="Asks how the person likes their tea"' in response.text
    assert 'value="Talks over the person"' in response.text
    assert 'value="Kindness"' in response.text
    assert not CoreValue.objects.filter(provider=sunrise).exists()


def test_after_a_tampered_row_count_saving_again_keeps_every_behaviour(
    as_alice: Client, sunrise: Provider
) -> None:
    """The page that came back carries good row counts: saving it again stores everything."""
    page = as_alice.post(
        reverse("corevalue-create", args=[sunrise.slug]),
        value_post(**{"indicators-TOTAL_FORMS": "x"}),
    )
    assert 'name="indicators-TOTAL_FORMS" value="2"' in page.text
    as_alice.post(reverse("corevalue-create", args=[sunrise.slug]), value_post())
    value = CoreValue.objects.get(provider=sunrise)
    assert list(value.indicators.order_by("order").values_list("text", flat=True)) == [
        "Asks how the person likes their tea",
        "Talks over the person",
    ]


def test_a_tampered_row_count_on_an_existing_value_keeps_its_behaviours_in_place(
    as_alice: Client, sunrise: Provider
) -> None:
    value = f.make_value(provider=sunrise, name="Respect")
    kept = value.indicators.create(text="Knocks before entering", kind="positive", order=0)
    response = as_alice.post(
        reverse("corevalue-edit", args=[sunrise.slug, value.pk]),
        {
            "name": "Respect",
            "description": "",
            "indicators-TOTAL_FORMS": "lots",
            "indicators-INITIAL_FORMS": "one",
            "indicators-0-id": str(kept.pk),
            "indicators-0-text": "Knocks and waits before entering",
            "indicators-0-kind": "positive",
            "indicators-1-text": "Uses the person's chosen name",
            "indicators-1-kind": "positive",
        },
    )
    assert response.status_code == 200
    assert 'value="Knocks and waits before entering"' in response.text
    assert 'value="Uses the person&#x27;s chosen name"' in response.text
    assert f'name="indicators-0-id" value="{kept.pk}"' in response.text
    assert 'name="indicators-INITIAL_FORMS" value="1"' in response.text
    kept.refresh_from_db()
    assert kept.text == "Knocks before entering"


def test_adding_rows_still_keeps_what_was_typed(as_alice: Client, sunrise: Provider) -> None:
    response = as_alice.post(
        reverse("corevalue-create", args=[sunrise.slug]), value_post(add_rows="1")
    )
    assert "did not come back as expected" not in response.text
    assert 'value="Talks over the person"' in response.text
    assert 'name="indicators-TOTAL_FORMS" value="5"' in response.text


# -- Timed notes during shadowing -----------------------------------------------------------------


@pytest.fixture
def shadowing(sunrise: Provider, bob: User) -> Assessment:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING)
    f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    return assessment


def note_url(assessment: Assessment) -> str:
    return reverse(
        "shadowing-note-create", args=[assessment.application.provider.slug, assessment.pk]
    )


TEA = "Asked Mrs K how she likes her tea"
REFUSED_NOTES = [
    ({"noted_at": "", "text": TEA}, "Enter the time it happened"),
    ({"noted_at": "ten to eleven", "text": TEA}, "Enter the time as hours and minutes"),
    ({"noted_at": "10:40", "text": "   "}, "Write a few words about what happened"),
    ({"noted_at": "10:40", "text": TEA + "a" * 600}, "at most 500 characters"),
]


@pytest.mark.parametrize("typed, explained", REFUSED_NOTES)
def test_a_refused_timed_note_comes_back_with_what_was_typed_and_why(
    as_bob: Client, shadowing: Assessment, typed: dict[str, str], explained: str
) -> None:
    response = as_bob.post(note_url(shadowing), typed, follow=True)

    assert response.status_code == 200
    page = response.text
    assert "Your timed note is not saved yet: see below what it needs." in page
    assert explained in page
    for value in typed.values():
        if value.strip():
            assert f'value="{value}"' in page
    assert 'aria-invalid="true"' in page
    assert not ShadowingNote.objects.exists()

    # Shown once: the next visit offers an empty note again.
    again = as_bob.get(reverse("scorecard-edit", args=["sunrise", shadowing.pk])).text
    assert "Asked Mrs K" not in again
    assert 'aria-invalid="true"' not in again


def test_a_refused_note_comes_back_only_on_its_own_assessment(
    as_bob: Client, shadowing: Assessment, sunrise: Provider, bob: User
) -> None:
    other = f.make_assessment(
        application=f.make_application(role=shadowing.application.role, stage=shadowing.stage),
        stage=shadowing.stage,
    )
    f.make_panellist(assessment=other, user=bob)
    as_bob.post(note_url(shadowing), {"noted_at": "", "text": "Held the door"})
    elsewhere = as_bob.get(reverse("scorecard-edit", args=[sunrise.slug, other.pk])).text
    assert "Held the door" not in elsewhere
    here = as_bob.get(reverse("scorecard-edit", args=[sunrise.slug, shadowing.pk])).text
    assert 'value="Held the door"' in here


def test_a_note_sent_after_the_scorecard_was_submitted_is_given_back_in_the_message(
    as_bob: Client, shadowing: Assessment
) -> None:
    place = shadowing.panellists.get()
    f.make_scorecard(panellist=place, submitted=True)
    response = as_bob.post(
        note_url(shadowing), {"noted_at": "10:40", "text": "Asked Mrs K about her tea"}, follow=True
    )
    assert (
        "This scorecard is submitted and locked, so the note was not added. "
        "What you wrote: 10:40 — Asked Mrs K about her tea"
    ) in response.text
    assert not ShadowingNote.objects.exists()


def test_a_good_note_is_still_saved(as_bob: Client, shadowing: Assessment) -> None:
    response = as_bob.post(
        note_url(shadowing), {"noted_at": "10:40", "text": "Asked Mrs K about her tea"}, follow=True
    )
    assert "Note saved." in response.text
    assert ShadowingNote.objects.get().text == "Asked Mrs K about her tea"


# -- Easy read: who is answering ------------------------------------------------------------------


@pytest.fixture
def easy_panel(sunrise: Provider, dev: User) -> Assessment:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    return assessment


def start_url(assessment: Assessment) -> str:
    return reverse("easy-start", args=[assessment.application.provider.slug, assessment.pk])


@pytest.mark.parametrize(
    "posted, explained",
    [
        ({"helper": "supporter"}, "Please choose the person helping, or write their name."),
        (
            {"helper": "supporter", "supporter": "not-a-number"},
            "The person you chose is not on the list any more.",
        ),
        (
            {"helper": "supporter", "supporter": "999999"},
            "The person you chose is not on the list any more.",
        ),
        (
            {"helper": "supporter", "supporter_name": "S" * 151},
            "This name is too long: write at most 150 characters.",
        ),
        ({"helper": "someone"}, "Choose who is answering: you, or someone helping you."),
    ],
)
def test_the_easy_start_page_says_why_it_refused_a_supporter(
    as_dev: Client, easy_panel: Assessment, posted: dict[str, Any], explained: str
) -> None:
    response = as_dev.post(start_url(easy_panel), posted)
    assert response.status_code == 200
    page = response.text
    assert "We could not start yet" in page
    assert explained in page
    # One message for one problem.
    assert page.count('class="easy-error"') + page.count('id="helper-error"') == 1
    scorecard = Scorecard.objects.filter(panellist__assessment=easy_panel).first()
    assert scorecard is None or not scorecard.supporter_name


def test_a_supporter_removed_from_the_provider_is_refused_with_a_message(
    as_dev: Client, easy_panel: Assessment, sunrise: Provider
) -> None:
    carer = f.make_member(provider=sunrise, full_name="Cara Jones")
    chosen = sunrise.memberships.get(user=carer)
    Membership.objects.filter(pk=chosen.pk).delete()
    response = as_dev.post(
        start_url(easy_panel), {"helper": "supporter", "supporter": str(chosen.pk)}
    )
    assert "We could not start yet" in response.text
    assert "is not on the list" in response.text


def test_the_typed_supporter_name_is_kept_when_the_page_refuses(
    as_dev: Client, easy_panel: Assessment
) -> None:
    response = as_dev.post(
        start_url(easy_panel),
        {"helper": "supporter", "supporter": "999999", "supporter_name": "Sam Carer"},
    )
    assert 'value="Sam Carer"' in response.text
