"""Personas: Alice (admin) and Bob (manager) at Sunrise Care, Dev an expert by experience on
Bob's panels, Charlie (admin) at Hillside Homes, another provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from tests import factories
from tests.browser import browser_page, chromium  # noqa: F401 -- fixtures for browser tests
from vbr.accounts.models import Membership, Provider, User
from vbr.celery import app as celery_app


@pytest.fixture(autouse=True)
def celery_runs_tasks_as_configured() -> Iterator[None]:
    """Whatever a test does to Celery's in-process switch is undone after it, last of all:
    a test of a real worker must never find tasks running in the test's own process because
    an earlier test's fixtures were undone in an unlucky order."""
    configured = celery_app.conf.task_always_eager
    yield
    celery_app.conf.task_always_eager = configured


@pytest.fixture
def tasks_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery runs each task in this process when it is sent, as in the one-command demo, even
    where REDIS_URL names a broker (as in CI) with no worker listening to it."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def sunrise(db: None) -> Provider:
    return factories.make_provider(name="Sunrise Care", slug="sunrise")


@pytest.fixture
def hillside(db: None) -> Provider:
    return factories.make_provider(name="Hillside Homes", slug="hillside")


@pytest.fixture
def alice(sunrise: Provider) -> User:
    return factories.make_member(
        provider=sunrise, role=Membership.Role.ADMIN, username="alice", full_name="Alice Morgan"
    )


@pytest.fixture
def bob(sunrise: Provider) -> User:
    return factories.make_member(
        provider=sunrise, role=Membership.Role.MANAGER, username="bob", full_name="Bob Okafor"
    )


@pytest.fixture
def dev(sunrise: Provider) -> User:
    return factories.make_member(
        provider=sunrise,
        role=Membership.Role.PANEL,
        username="dev",
        full_name="Dev Raman",
        expert=True,
        password=None,
    )


@pytest.fixture
def charlie(hillside: Provider) -> User:
    return factories.make_member(
        provider=hillside, role=Membership.Role.ADMIN, username="charlie", full_name="Charlie Hale"
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice: User) -> Client:
    return signed_in(alice)


@pytest.fixture
def as_bob(bob: User) -> Client:
    return signed_in(bob)


@pytest.fixture
def as_dev(dev: User) -> Client:
    return signed_in(dev)


@pytest.fixture
def as_charlie(charlie: User) -> Client:
    return signed_in(charlie)


@pytest.fixture(autouse=True, scope="session")
def _plain_http_as_behind_the_proxy() -> Iterator[None]:
    """With DEBUG off, settings.py turns HTTPS on (redirect, secure cookies, HSTS); the test
    client and the live server speak plain HTTP, as the app does behind its TLS proxy, so the
    tests turn it off as SECURE_SSL=false would. Session-wide, so that the live server starts
    with it. tests/test_settings_env.py checks the production defaults themselves."""
    with override_settings(
        SECURE_SSL=False,
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=False,
        SECURE_HSTS_PRELOAD=False,
        SECURE_PROXY_SSL_HEADER=None,
        VBR_TRUSTED_PROXIES=0,
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _sessions_as_production_reads_them() -> Iterator[None]:
    """Sessions from the cache, as production reads them with its shared Redis: the test
    process is one process, so its own cache is shared by everything in it. Query counts are
    then the same with REDIS_URL set or not. tests/test_sessions.py tests the engine itself."""
    with override_settings(SESSION_ENGINE="vbr.accounts.sessions"):
        yield


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings) -> None:  # type: ignore[no-untyped-def]
    """Production uses a hashed manifest built by collectstatic; tests read static/ directly."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _admin_two_factor_off_unless_tested(settings) -> None:  # type: ignore[no-untyped-def]
    """Pages are tested as signed-in personas; tests/test_two_factor.py and the URL walk turn
    the admin two-factor requirement back on to test it (production default: on)."""
    settings.VBR_REQUIRE_ADMIN_2FA = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; tests/test_security.py checks that production uses it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
