"""docker-compose.yml cannot be run here (no Docker engine), so we read it and check that it
matches the app: the services, their commands and the settings they pass."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_read_from_environment() -> set[str]:
    source = (ROOT / "vbr" / "settings.py").read_text()
    return set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', source))


def documented_variables() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_compose_has_the_production_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis"}


def test_web_runs_migrations_then_gunicorn_on_our_wsgi_app(compose: dict[str, Any]) -> None:
    command = compose["services"]["web"]["command"]
    assert "manage.py migrate" in command
    match = re.search(r"gunicorn ([\w.]+):(\w+)", command)
    assert match, command
    module = importlib.import_module(match.group(1))
    assert callable(getattr(module, match.group(2)))


@pytest.mark.parametrize("service, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_celery_services_use_our_celery_app(
    compose: dict[str, Any], service: str, subcommand: str
) -> None:
    command = compose["services"][service]["command"]
    match = re.match(r"celery -A (\w+) (\w+)", command)
    assert match, command
    assert match.group(2) == subcommand
    assert importlib.import_module(match.group(1)).celery_app.main == "vbr"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_pass_only_settings_the_app_reads(
    compose: dict[str, Any], service: str
) -> None:
    environment = compose["services"][service]["environment"]
    unknown = set(environment) - settings_read_from_environment()
    assert not unknown, f"{service} passes variables settings.py never reads: {unknown}"
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"} <= set(environment)


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_share_the_media_volume_at_media_root(
    compose: dict[str, Any], service: str
) -> None:
    config = compose["services"][service]
    media_root = config["environment"]["MEDIA_ROOT"]
    assert f"media:{media_root}" in config["volumes"]
    assert "media" in compose["volumes"]


def test_app_services_point_at_the_compose_database_and_broker(compose: dict[str, Any]) -> None:
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://vbr:")
    assert "@postgres:5432/vbr" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_DB"] == "vbr" and postgres["POSTGRES_USER"] == "vbr"


def test_every_setting_is_documented_in_env_example() -> None:
    missing = settings_read_from_environment() - documented_variables()
    assert not missing, f"Add these to .env.example: {missing}"


def test_worker_consumes_the_default_and_pdf_queues(compose: dict[str, Any]) -> None:
    from django.conf import settings

    command = compose["services"]["worker"]["command"]
    match = re.search(r"--queues=([\w,]+)", command)
    assert match, command
    queues = set(match.group(1).split(","))
    assert {"celery", settings.PDF_QUEUE} <= queues
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= queues
