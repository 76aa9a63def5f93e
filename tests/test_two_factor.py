"""Two-factor sign-in: set up from the Security page, asked for at sign-in, required for
provider admins and operator staff."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from vbr.accounts.models import Provider, User


@pytest.fixture
def required(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VBR_REQUIRE_ADMIN_2FA = True


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": f.PASSWORD})
    assert response.status_code == 302
    return client


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_a_manager_sets_up_an_authenticator_app_from_the_security_page(
    bob: User, sunrise: Provider
) -> None:
    client = password_sign_in("bob")
    page = client.get(reverse("account-security"))
    assert page.status_code == 200
    assert "Scan this QR code" in page.text
    assert re.search(r"<svg[^>]*>.*</svg>", page.text, re.S), "the QR code is inline SVG"
    assert page.context["secret"] in page.text

    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    response = client.post(reverse("account-security"), {"code": current_code(device)}, follow=True)

    assert "Two-factor sign-in is set up" in response.text
    device.refresh_from_db()
    assert device.confirmed
    # The session that set it up counts as verified: the provider page opens.
    assert client.get(reverse("provider-home", args=[sunrise.slug])).status_code == 200


def test_a_wrong_code_during_set_up_is_explained_and_nothing_is_turned_on(bob: User) -> None:
    client = password_sign_in("bob")
    client.get(reverse("account-security"))
    response = client.post(reverse("account-security"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not match" in response.text
    assert not TOTPDevice.objects.filter(user=bob, confirmed=True).exists()


def test_sign_in_asks_for_the_code_once_an_app_is_set_up(bob: User, sunrise: Provider) -> None:
    device = confirmed_device(bob)
    client = password_sign_in("bob")
    provider_page = reverse("provider-home", args=[sunrise.slug])

    response = client.get(provider_page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))

    wrong = client.post(reverse("two-factor-verify"), {"code": "123456", "next": provider_page})
    assert "That code did not match" in wrong.text

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(
        reverse("two-factor-verify"), {"code": current_code(device), "next": provider_page}
    )
    assert response.status_code == 302
    assert response["Location"] == provider_page
    assert client.get(provider_page).status_code == 200


def test_the_code_page_does_not_redirect_to_another_site(bob: User) -> None:
    device = confirmed_device(bob)
    client = password_sign_in("bob")
    response = client.post(
        reverse("two-factor-verify"),
        {"code": current_code(device), "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("home")


def test_a_provider_admin_is_sent_to_set_up_two_factor_before_anything_else(
    required: None, alice: User, sunrise: Provider
) -> None:
    client = password_sign_in("alice")
    response = client.get(reverse("provider-home", args=[sunrise.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("account-security")
    page = client.get(reverse("account-security"))
    assert "Your role requires two-factor sign-in" in page.text


def test_a_manager_is_not_forced_to_set_up_two_factor(
    required: None, bob: User, sunrise: Provider
) -> None:
    client = password_sign_in("bob")
    assert client.get(reverse("provider-home", args=[sunrise.slug])).status_code == 200


def test_the_demo_flag_lets_an_admin_in_without_two_factor(alice: User, sunrise: Provider) -> None:
    client = password_sign_in("alice")
    assert client.get(reverse("provider-home", args=[sunrise.slug])).status_code == 200


def test_an_admin_cannot_turn_two_factor_off(required: None, alice: User) -> None:
    device = confirmed_device(alice)
    client = password_sign_in("alice")
    client.post(reverse("two-factor-verify"), {"code": current_code(device)})
    page = client.get(reverse("account-security"))
    assert "Your role requires it, so it cannot be turned off" in page.text
    client.post(reverse("account-security"), {"action": "remove", "code": current_code(device)})
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_operator_staff_must_verify_a_code_for_the_django_admin(required: None, db: None) -> None:
    operator = f.make_user(username="operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = password_sign_in("operator")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account-security")


def test_guessing_codes_is_slowed_down_so_the_right_code_is_refused_straight_after(
    bob: User,
) -> None:
    device = confirmed_device(bob)
    client = password_sign_in("bob")
    client.post(reverse("two-factor-verify"), {"code": "000000"})
    response = client.post(reverse("two-factor-verify"), {"code": current_code(device)})
    assert response.status_code == 200
    assert "That code did not match" in response.text
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_operator_staff_with_a_verified_code_reach_the_django_admin(
    required: None, db: None
) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    operator = f.make_user(username="operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    device = confirmed_device(operator)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/").status_code == 302  # asked for the code first
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Site administration" in response.text
