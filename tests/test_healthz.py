from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test import Client


def test_healthz_reports_database_ok(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client: Client, db: None) -> None:
    with mock.patch.object(connection, "cursor", side_effect=Exception("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        **response.json(),
        "status": "unavailable",
        "database": "unavailable",
    }


def test_healthz_is_503_when_the_configured_broker_is_down(
    client: Client, db: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
