"""Settings from the environment: a mistyped yes/no value stops start-up, and production is
secure by default (HTTPS settings on with DEBUG off, unless turned off on purpose).

Settings are read once per process, so what start-up does is checked in a fresh process with
exactly the environment given, nothing inherited from the test run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vbr.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-long-random-production-secret-for-the-check-" + "x9" * 20


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only what an operator must set: SECRET_KEY, ALLOWED_HOSTS and the database."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "vbr.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'vbr.sqlite3'}",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_HTTPS_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in [
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "CSRF_COOKIE_HTTPONLY",
]}))
"""


def https_settings(env: dict[str, str]) -> dict[str, object]:
    result = manage(env, "shell", "-c", SHOW_HTTPS_SETTINGS)
    assert result.returncode == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return shown


# -- Yes/no settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["true", "TRUE", " True ", "1", "yes", "on"])
def test_yes_words_are_understood(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_SWITCH", typed)
    assert env_bool("VBR_EXAMPLE_SWITCH", False) is True


@pytest.mark.parametrize("typed", ["false", "False", "0", "no", "OFF"])
def test_no_words_are_understood(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_SWITCH", typed)
    assert env_bool("VBR_EXAMPLE_SWITCH", True) is False


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_yes_no_setting_takes_its_default(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_SWITCH", typed)
    assert env_bool("VBR_EXAMPLE_SWITCH", True) is True
    assert env_bool("VBR_EXAMPLE_SWITCH", False) is False


@pytest.mark.parametrize("typed", ["flase", "ture", "enabled", "2", "y", "true!"])
def test_any_other_word_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_SWITCH", typed)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("VBR_EXAMPLE_SWITCH", True)
    assert str(refused.value).startswith(
        f"VBR_EXAMPLE_SWITCH={typed!r} is not a yes/no value: set it to true or false"
    )


@pytest.mark.parametrize("name", ["VBR_REQUIRE_ADMIN_2FA", "SECURE_SSL", "DEBUG"])
def test_a_mistyped_security_switch_stops_start_up_with_a_clear_error(
    tmp_path: Path, name: str
) -> None:
    result = manage(production_env(tmp_path, **{name: "flase"}), "check")
    assert result.returncode != 0
    assert f"{name}='flase' is not a yes/no value: set it to true or false" in result.stderr


# -- Whole-number settings ------------------------------------------------------------------------


def test_a_whole_number_setting_reads_its_number_or_takes_its_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_NUMBER", " 25 ")
    assert env_int("VBR_EXAMPLE_NUMBER", 10) == 25
    monkeypatch.setenv("VBR_EXAMPLE_NUMBER", "")
    assert env_int("VBR_EXAMPLE_NUMBER", 10) == 10


@pytest.mark.parametrize("typed", ["ten", "2.5", "1e3", "-1", "0"])
def test_a_number_setting_that_is_not_one_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.setenv("VBR_EXAMPLE_NUMBER", typed)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("VBR_EXAMPLE_NUMBER", 10, minimum=1)
    assert str(refused.value) == (
        f"VBR_EXAMPLE_NUMBER={typed!r} is not a whole number of at least 1: "
        "set it to one, or leave it unset for the default (10)."
    )


def test_a_mistyped_port_stops_start_up_naming_it(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, EMAIL_PORT="smtp"), "check")
    assert result.returncode != 0
    assert "EMAIL_PORT='smtp' is not a whole number of at least 1" in result.stderr


# -- Secure by default ----------------------------------------------------------------------------


def test_with_debug_off_every_https_setting_is_on_by_default(tmp_path: Path) -> None:
    assert https_settings(production_env(tmp_path)) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "CSRF_COOKIE_HTTPONLY": True,
    }


@pytest.mark.parametrize("turned_off", [{"SECURE_SSL": "false"}, {"DEBUG": "true"}])
def test_https_settings_are_off_only_when_asked_for(
    tmp_path: Path, turned_off: dict[str, str]
) -> None:
    shown = https_settings(production_env(tmp_path, **turned_off))
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["CSRF_COOKIE_HTTPONLY"] is True  # not an HTTPS setting: always on


def test_deploy_check_is_clean_with_only_the_secret_hosts_and_database_set(
    tmp_path: Path,
) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


VISIT_AS_A_BROWSER = """
import json
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Static files without collectstatic: the page is what matters here, not the manifest.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
browser = Client()
plain = browser.get("/accounts/login/", HTTP_HOST="vbr.example.org")
# As through the TLS proxy, which says the request came over HTTPS.
secure = browser.get(
    "/accounts/login/", HTTP_HOST="vbr.example.org", HTTP_X_FORWARDED_PROTO="https"
)
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "cookie_secure": bool(cookie["secure"]),
    "cookie_httponly": bool(cookie["httponly"]),
}))
"""


def test_a_browser_in_production_is_sent_to_https_and_gets_hsts_and_secure_cookies(
    tmp_path: Path,
) -> None:
    result = manage(production_env(tmp_path), "shell", "-c", VISIT_AS_A_BROWSER)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "plain": [301, "https://vbr.example.org/accounts/login/"],
        "secure": 200,
        "hsts": "max-age=31536000; includeSubDomains; preload",
        "cookie_secure": True,
        "cookie_httponly": True,
    }
