"""Sessions read from the shared cache, kept in the database (vbr/accounts/sessions.py): a
signed-in page reads no session row, signing out ends the session everywhere, and with Redis
stopped nobody is signed out and every page still answers (from the database)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.outages import free_port, private_redis
from tests.test_settings_env import manage, production_env
from vbr.accounts.models import Provider, User

pytestmark = pytest.mark.django_db


def session_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def home(provider: Provider) -> str:
    return reverse("provider-home", args=[provider.slug])


SHOW = """
import json
from django.conf import settings
options = settings.DATABASES["default"]["OPTIONS"]
print(json.dumps({"engine": settings.SESSION_ENGINE, "db": options}))
"""


def started_with(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = manage(production_env(tmp_path, **env), "shell", "-c", SHOW)
    assert result.returncode == 0, result.stderr
    shown: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return shown


def test_the_engine_follows_the_shared_cache(tmp_path: Path) -> None:
    """With Redis named, sessions come from it; without, from the database only (a cache of
    each process's own would keep a signed-out session alive in the others)."""
    assert started_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")["engine"] == (
        "vbr.accounts.sessions"
    )
    assert started_with(tmp_path)["engine"] == "django.contrib.sessions.backends.db"


def test_postgresql_statements_are_prepared_unless_turned_off(tmp_path: Path) -> None:
    url = "postgres://vbr@db.example.org:5432/vbr"
    options = started_with(tmp_path, DATABASE_URL=url)["db"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    assert (
        started_with(tmp_path, DATABASE_URL=url, DB_PREPARE_THRESHOLD="2")["db"][
            "prepare_threshold"
        ]
        == 2
    )
    off = started_with(tmp_path, DATABASE_URL=url, DB_PREPARE_THRESHOLD="0")["db"]
    assert "server_side_binding" not in off
    assert "prepare_threshold" not in off


def test_a_signed_in_page_reads_no_session_row(bob: User, sunrise: Provider) -> None:
    client = Client()
    client.force_login(bob)
    assert client.get(home(sunrise)).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(home(sunrise))
    assert response.status_code == 200
    assert response.context["user"] == bob
    assert session_queries(captured) == []


def test_an_emptied_cache_signs_nobody_out(bob: User, sunrise: Provider) -> None:
    client = Client()
    client.force_login(bob)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(home(sunrise))
    assert response.status_code == 200
    assert response.context["user"] == bob
    assert len(session_queries(captured)) == 1  # read from the database, then cached again
    with CaptureQueriesContext(connection) as captured:
        client.get(home(sunrise))
    assert session_queries(captured) == []


def test_signing_out_ends_the_session_for_a_copied_cookie(bob: User, sunrise: Provider) -> None:
    client = Client()
    client.force_login(bob)
    assert client.get(home(sunrise)).status_code == 200
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=stolen).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(home(sunrise))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def own_redis_cache() -> Iterator[object]:
    """The cache on a redis-server of the test's own, which the test may stop."""
    port = free_port()
    with private_redis(port) as process:
        location = f"redis://127.0.0.1:{port}/0"
        with override_settings(
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": location,
                    "KEY_PREFIX": "vbr",
                    # Stopped means refused at once; never wait on a dead server.
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
                }
            }
        ):
            yield process


def test_with_redis_stopped_nobody_is_signed_out_and_pages_answer(
    bob: User, sunrise: Provider, own_redis_cache: object, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.force_login(bob)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(home(sunrise)).status_code == 200
    assert session_queries(captured) == []  # from Redis

    own_redis_cache.terminate()  # type: ignore[attr-defined]
    own_redis_cache.wait(timeout=10)  # type: ignore[attr-defined]

    with CaptureQueriesContext(connection) as captured:
        response = client.get(home(sunrise))
    assert response.status_code == 200
    assert response.context["user"] == bob
    assert len(session_queries(captured)) == 1  # from the database
    assert "Session cache unavailable" in caplog.text

    # Signing out still ends the session: the database row is gone.
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get(home(sunrise)).status_code == 302
