"""Two-factor sign-in: set up from the Security page, asked for at sign-in, required for
provider admins and operator staff."""

from __future__ import annotations

import os
import re
import threading

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from vbr.accounts import recovery
from vbr.accounts.models import AuditEvent, Membership, Provider, User


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


# -- Backup codes ---------------------------------------------------------------------------------

CODE_SHAPE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


def verified_client(user: User) -> Client:
    """Signed in with password and a verified code from a confirmed authenticator app."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_setting_up_two_factor_shows_ten_backup_codes_once(bob: User, sunrise: Provider) -> None:
    client = password_sign_in("bob")
    client.get(reverse("account-security"))
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    page = client.post(reverse("account-security"), {"code": current_code(device)}, follow=True)

    assert "Keep your backup codes below somewhere safe" in page.text
    assert "We show them only this once" in page.text
    codes = CODE_SHAPE.findall(page.text)
    assert len(codes) == 10 and len(set(codes)) == 10

    again = client.get(reverse("account-security")).text
    assert not CODE_SHAPE.findall(again)
    assert "You have <strong>10</strong> unused backup codes." in again
    event = AuditEvent.objects.get(action=AuditEvent.Action.BACKUP_CODES_MADE)
    assert (event.provider, event.actor) == (sunrise, bob)


def test_a_backup_code_signs_in_once_instead_of_the_app(bob: User, sunrise: Provider) -> None:
    confirmed_device(bob)
    codes = recovery.make_backup_codes(user=bob)
    provider_page = reverse("provider-home", args=[sunrise.slug])

    client = password_sign_in("bob")
    # Typed in capitals, without the dash: still the code.
    typed = codes[3].replace("-", "").upper()
    response = client.post(
        reverse("two-factor-verify"), {"code": typed, "next": provider_page}, follow=True
    )
    assert response.redirect_chain[0] == (provider_page, 302)
    assert "You signed in with a backup code. 9 left" in response.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.BACKUP_CODE_USED)
    assert event.summary == "Signed in with a backup code; 9 left"

    second = password_sign_in("bob")
    refused = second.post(reverse("two-factor-verify"), {"code": codes[3]})
    assert refused.status_code == 200
    assert "That code did not match" in refused.text
    assert second.get(provider_page).status_code == 302  # still owes a code


def test_a_backup_code_cannot_be_made_without_first_giving_the_sign_in_code(bob: User) -> None:
    """The Security page opens before the code is given (to set up): making codes there must
    not stand in for the code."""
    confirmed_device(bob)
    client = password_sign_in("bob")
    page = client.get(reverse("account-security")).text
    assert "Make new backup codes" not in page
    assert "to make new backup codes" in page

    response = client.post(reverse("account-security"), {"action": "backup_codes"})
    assert response["Location"] == reverse("two-factor-verify")
    assert recovery.backup_codes_left(bob) == 0


def test_making_new_backup_codes_stops_the_old_ones(bob: User) -> None:
    client = verified_client(bob)
    old = recovery.make_backup_codes(user=bob)
    page = client.post(reverse("account-security"), {"action": "backup_codes"}, follow=True).text
    assert "Your new backup codes are below. The old ones no longer work." in page
    new = CODE_SHAPE.findall(page)
    assert len(new) == 10 and not set(new) & set(old)

    refused = password_sign_in("bob").post(reverse("two-factor-verify"), {"code": old[0]})
    assert "That code did not match" in refused.text


def test_turning_two_factor_off_removes_the_backup_codes(bob: User) -> None:
    client = verified_client(bob)
    recovery.make_backup_codes(user=bob)
    device = TOTPDevice.objects.get(user=bob)
    client.post(reverse("account-security"), {"action": "remove", "code": current_code(device)})
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert not StaticDevice.objects.filter(user=bob).exists()


def test_guessing_backup_codes_is_slowed_down(bob: User) -> None:
    confirmed_device(bob)
    codes = recovery.make_backup_codes(user=bob)
    client = password_sign_in("bob")
    client.post(reverse("two-factor-verify"), {"code": "aaaa-aaaa"})
    assert StaticDevice.objects.get(user=bob).throttling_failure_count == 1
    # Straight after a wrong guess even a right code waits its turn.
    response = client.post(reverse("two-factor-verify"), {"code": codes[0]})
    assert "That code did not match" in response.text
    assert recovery.backup_codes_left(bob) == 10


# -- Resetting someone's two-factor sign-in -------------------------------------------------------


def membership(user: User, provider: Provider) -> Membership:
    return user.memberships.get(provider=provider)


def reset_url(provider: Provider, member: Membership) -> str:
    return reverse("two-factor-reset", args=[provider.slug, member.pk])


def test_another_admin_resets_a_managers_two_factor_and_it_is_audited(
    required: None, alice: User, bob: User, sunrise: Provider
) -> None:
    confirmed_device(bob)
    recovery.make_backup_codes(user=bob)
    as_alice = verified_client(alice)
    people = as_alice.get(reverse("people-list", args=[sunrise.slug])).text
    assert 'Reset<span class="visually-hidden"> two-factor sign-in of Bob Okafor' in people

    bob_place = membership(bob, sunrise)
    confirm = as_alice.get(reset_url(sunrise, bob_place)).text
    assert "first make sure it is really them asking" in confirm
    response = as_alice.post(reset_url(sunrise, bob_place), follow=True)

    assert "Bob Okafor&#x27;s two-factor sign-in is reset." in response.text
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert not StaticDevice.objects.filter(user=bob).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_RESET)
    assert (event.provider, event.actor, event.subject_id) == (sunrise, alice, bob_place.pk)
    trail = as_alice.get(reverse("audit-list", args=[sunrise.slug])).text
    assert "Reset two-factor sign-in" in trail
    # Bob signs in with his password alone now (two-factor is optional for managers).
    client = password_sign_in("bob")
    assert client.get(reverse("provider-home", args=[sunrise.slug])).status_code == 200


def test_an_admin_whose_two_factor_was_reset_sets_it_up_again_first(
    required: None, alice: User, sunrise: Provider
) -> None:
    second_admin = f.make_member(provider=sunrise, role=Membership.Role.ADMIN, username="ada")
    confirmed_device(second_admin)
    verified_client(alice).post(reset_url(sunrise, membership(second_admin, sunrise)))
    client = password_sign_in("ada")
    response = client.get(reverse("provider-home", args=[sunrise.slug]))
    assert response["Location"] == reverse("account-security")


def test_a_session_open_during_the_reset_is_sent_on_not_round_in_circles(
    alice: User, bob: User, sunrise: Provider
) -> None:
    as_bob = verified_client(bob)
    provider_page = reverse("provider-home", args=[sunrise.slug])
    assert as_bob.get(provider_page).status_code == 200
    verified_client(alice).post(reset_url(sunrise, membership(bob, sunrise)))
    response = as_bob.get(provider_page, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == provider_page


@pytest.mark.parametrize("who", ["herself", "operator", "shared"])
def test_an_admin_may_not_reset_herself_the_operator_or_someone_of_another_provider(
    alice: User, sunrise: Provider, hillside: Provider, who: str
) -> None:
    if who == "herself":
        target, expected = alice, "You cannot reset your own two-factor sign-in"
    else:
        target = f.make_member(provider=sunrise, username=who, full_name="Sam Shared")
        if who == "operator":
            target.is_staff = True
            target.save()
            expected = "This is an operator account: only the VBR operator can reset it."
        else:
            Membership.objects.create(user=target, provider=hillside, role=Membership.Role.ADMIN)
            expected = "Sam Shared also works with another provider on VBR: ask the VBR operator"
    confirmed_device(target)
    as_alice = verified_client(alice)
    url = reset_url(sunrise, membership(target, sunrise))
    assert expected in as_alice.get(url).text
    response = as_alice.post(url)
    assert expected in response.text
    assert TOTPDevice.objects.filter(user=target).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_RESET).exists()


def test_another_providers_member_cannot_be_reset(
    alice: User, charlie: User, sunrise: Provider, hillside: Provider
) -> None:
    confirmed_device(charlie)
    response = verified_client(alice).post(
        reverse("two-factor-reset", args=[sunrise.slug, membership(charlie, hillside).pk])
    )
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=charlie).exists()


def test_the_operator_resets_two_factor_from_the_django_admin(
    required: None, bob: User, sunrise: Provider, hillside: Provider
) -> None:
    Membership.objects.create(user=bob, provider=hillside, role=Membership.Role.MANAGER)
    confirmed_device(bob)
    recovery.make_backup_codes(user=bob)
    operator = f.make_user(username="operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    response = verified_client(operator).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [bob.pk]},
        follow=True,
    )
    assert "Two-factor sign-in reset for 1 person." in response.text
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert not StaticDevice.objects.filter(user=bob).exists()
    events = AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_RESET)
    # On the trail of each provider Bob works with, so that their admins see it.
    assert {(e.provider, e.actor) for e in events} == {
        (sunrise, operator),
        (hillside, operator),
    }


def test_the_django_admin_does_not_list_anyones_backup_codes(required: None, bob: User) -> None:
    codes = recovery.make_backup_codes(user=bob)
    operator = f.make_user(username="operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    device = StaticDevice.objects.get(user=bob)
    page = verified_client(operator).get(
        reverse("admin:otp_static_staticdevice_change", args=[device.pk])
    )
    assert page.status_code == 200
    assert not any(code.replace("-", "") in page.text for code in codes)


@pytest.mark.django_db(transaction=True)
def test_two_sign_ins_racing_with_one_backup_code_let_only_one_in(bob: User) -> None:
    """Both read the code before either uses it; only the one whose deletion happened passes."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs this race on PostgreSQL (DATABASE_URL).")
        pytest.skip("The race needs PostgreSQL's row locks: SQLite writes one at a time.")
    confirmed_device(bob)

    def sign_in(barrier: threading.Barrier, code: str, results: list[object]) -> None:
        try:
            barrier.wait()
            results.append(recovery.use_backup_code(user=bob, typed=code))
        finally:
            connections.close_all()

    for _ in range(10):
        code = recovery.make_backup_codes(user=bob)[0]
        barrier = threading.Barrier(2)
        results: list[object] = []
        threads = [
            threading.Thread(target=sign_in, args=(barrier, code, results)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 2
        assert sum(result is not None for result in results) == 1
        StaticDevice.objects.filter(user=bob).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
