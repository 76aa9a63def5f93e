"""Accounts hardening, headers and error pages: what an attacker or an outage meets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User

ROOT = Path(__file__).resolve().parent.parent
CARE_HOME_ADDRESS = "203.0.113.7"


def sign_in(client: Client, username: str, password: str, address: str = CARE_HOME_ADDRESS):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_that_username_from_that_address(
    client: Client, bob: User
) -> None:
    for _ in range(5):
        response = sign_in(client, "bob", "wrong-password")
    assert response.status_code == 429
    assert "Sign-in paused for this account" in response.text

    # Even the right password is refused while the lock lasts.
    response = sign_in(Client(), "bob", f.PASSWORD)
    assert response.status_code == 429


def test_four_wrong_passwords_do_not_lock(client: Client, bob: User) -> None:
    for _ in range(4):
        sign_in(client, "bob", "wrong-password")
    response = sign_in(client, "bob", f.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_colleague_at_the_same_care_home_address_can_still_sign_in(
    client: Client, alice: User, bob: User
) -> None:
    for _ in range(6):
        sign_in(client, "bob", "wrong-password")

    colleague = Client()
    response = sign_in(colleague, "alice", f.PASSWORD)

    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(alice.pk)


def test_the_locked_username_can_sign_in_from_another_address(client: Client, bob: User) -> None:
    for _ in range(6):
        sign_in(client, "bob", "wrong-password")
    response = sign_in(Client(), "bob", f.PASSWORD, address="198.51.100.20")
    assert response.status_code == 302


def test_passwords_are_hashed_with_argon2(settings, bob: User) -> None:  # type: ignore[no-untyped-def]
    from vbr import settings as production_settings

    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    bob.set_password("a-new-long-password-2026")
    bob.save()
    bob.refresh_from_db()
    assert identify_hasher(bob.password).algorithm == "argon2"
    assert bob.check_password("a-new-long-password-2026")


def test_a_weak_password_is_refused_by_the_validators() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("carehome1")
    with pytest.raises(ValidationError):
        validate_password("1234567890123")


def test_sessions_end_when_the_browser_closes_on_a_shared_computer(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_every_page_sends_a_strict_content_security_policy(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        ([*part.strip().split(" ", 1), ""])[:2] for part in policy.split(";") if part.strip()
    )
    assert "unsafe-inline" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_is_told_not_to_inject_inline_styles(client: Client) -> None:
    response = client.get(reverse("login"))
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in response.text


def test_templates_have_no_inline_script_style_or_event_handlers() -> None:
    import re

    offending = []
    # A JSON-LD data block (the vacancy's JobPosting) is data, never run: allowed.
    pattern = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>"
        r"|<style\b|\sstyle=|\son[a-z]+=",
        re.I,
    )
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.name:
            continue  # PDF templates are rendered by WeasyPrint, never by a browser
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if pattern.search(line):
                offending.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offending == []


def test_an_unknown_page_is_a_plain_helpful_404(as_bob: Client) -> None:
    response = as_bob.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert "Traceback" not in response.text


def test_a_wrong_role_gets_a_plain_403(as_dev: Client, sunrise: Provider) -> None:
    role = f.make_role(provider=sunrise)
    response = as_dev.get(reverse("role-detail", args=[sunrise.slug, role.pk]))
    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_the_500_page_renders_without_a_request_context() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_a_database_outage_shows_a_503_saying_nothing_was_half_saved(
    as_bob: Client, sunrise: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    from vbr.recruitment.views import pipeline

    # The page's first read of its own fails (after the signed-in person was read).
    with mock.patch.object(
        pipeline._PIPELINE_ROLE,
        "first",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = as_bob.get(reverse("role-detail", args=[sunrise.slug, role.pk]))
    assert response.status_code == 503
    assert "We could not reach the database" in response.text
    assert "Nothing you sent was half-saved" in response.text
    assert response["Retry-After"] == "30"


def test_a_failed_write_step_leaves_nothing_half_written(sunrise: Provider) -> None:
    """Writes are atomic per workflow step (ATOMIC_REQUESTS is off): a step that fails after
    its first write is rolled back whole."""
    from vbr.privacy.workflow import anonymise_candidate
    from vbr.recruitment.models import Application

    role = f.make_role(provider=sunrise)
    application = f.make_application(role=role, status=Application.Status.DECLINED)
    candidate = application.candidate
    with (
        # The audit entry is the step's last write: everything before it must roll back.
        mock.patch(
            "vbr.privacy.workflow.record",
            side_effect=OperationalError("server closed the connection"),
        ),
        pytest.raises(OperationalError),
    ):
        anonymise_candidate(candidate=candidate, by=None)
    candidate.refresh_from_db()
    assert candidate.anonymised_at is None
    assert candidate.first_name.startswith("Sam")


def test_deploy_check_with_production_settings_reports_nothing() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false",
        SECURE_SSL="true",
        ALLOWED_HOSTS="vbr.example.org",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-for-the-check-1234567890",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_the_https_proxy_the_lock_uses_the_address_the_proxy_saw(
    settings, bob: User
) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL = True
    settings.VBR_TRUSTED_PROXIES = 1
    client = Client()
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "bob", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR="1.2.3.4, " + CARE_HOME_ADDRESS,  # first hop is spoofable
            secure=True,
        )
    # The same username from another real address behind the same proxy is not locked.
    response = Client().post(
        reverse("login"),
        {"username": "bob", "password": f.PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        secure=True,
    )
    assert response.status_code == 302
    locked = Client().post(
        reverse("login"),
        {"username": "bob", "password": f.PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="9.9.9.9, " + CARE_HOME_ADDRESS,
        secure=True,
    )
    assert locked.status_code == 429
