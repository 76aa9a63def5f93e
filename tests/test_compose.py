"""docker-compose.yml cannot be run here (no Docker engine), so we read it and check that it
matches the app: the services, their commands, the settings they pass, the proxy in front
(its Caddyfile read by Caddy itself), and the web healthcheck run against a real gunicorn with
.env.example's settings."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import free_port, server_process

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_read_from_environment() -> set[str]:
    """Every variable settings.py reads, whichever helper reads it (env, env_bool, env_int...)."""
    source = (ROOT / "vbr" / "settings.py").read_text()
    helpers = set(re.findall(r'\benv\w*\(\s*"([A-Z][A-Z0-9_]+)"', source))
    direct = set(re.findall(r'os\.environ(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]+)"', source))
    return helpers | direct


def env_example() -> dict[str, str]:
    """The variables .env.example sets (the template of .env), without the commented ones."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def documented_variables() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def interpolated_variables() -> set[str]:
    """The ${NAME} that compose fills in from .env."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))


def test_compose_has_the_production_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "proxy",
        "migrate",
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
    }


# -- Migrations: once, before anything serves --------------------------------------------------


def test_a_one_off_service_runs_the_migrations_and_nothing_else_does(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    # Then it stores the national value sets and question bank, which is safe to repeat.
    assert services["migrate"]["command"] == (
        'sh -c "python manage.py migrate --noinput && python manage.py load_value_sets"'
    )
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in services[name]["command"], name


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_start_only_after_the_migrations_have_finished(
    compose: dict[str, Any], service: str
) -> None:
    depends = compose["services"][service]["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["postgres"] == {"condition": "service_healthy"}


# -- Web replicas behind the proxy ---------------------------------------------------------


def web_port(compose: dict[str, Any]) -> int:
    match = re.search(r"--bind 0\.0\.0\.0:(\d+)", compose["services"]["web"]["command"])
    assert match, compose["services"]["web"]["command"]
    return int(match.group(1))


def test_web_runs_gunicorn_on_our_wsgi_app(compose: dict[str, Any]) -> None:
    command = compose["services"]["web"]["command"]
    match = re.search(r"gunicorn ([\w.]+):(\w+)", command)
    assert match, command
    module = importlib.import_module(match.group(1))
    assert callable(getattr(module, match.group(2)))


def test_web_publishes_no_host_port_so_that_it_scales(compose: dict[str, Any]) -> None:
    """`--scale web=3` would clash on a fixed host port: only the proxy publishes one."""
    web = compose["services"]["web"]
    assert "ports" not in web
    assert str(web_port(compose)) in [str(port) for port in web["expose"]]
    published = [str(port) for port in compose["services"]["proxy"]["ports"]]
    assert "80:80" in published and "443:443" in published


def caddy_config(domain: str) -> dict[str, Any]:
    """The Caddyfile as Caddy itself reads it (`caddy adapt`), with VBR_DOMAIN set."""
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("caddy must be installed in CI (bin/install-system-deps --tests).")
        pytest.skip("caddy is not installed: bin/install-system-deps --tests installs it.")
    adapted = subprocess.run(
        [caddy, "adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env={**os.environ, "VBR_DOMAIN": domain},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(adapted.stdout))


def test_the_proxy_serves_the_domain_over_https_and_spreads_requests_over_every_web_replica(
    compose: dict[str, Any],
) -> None:
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["environment"]["VBR_DOMAIN"].startswith("${VBR_DOMAIN")

    domain = env_example()["VBR_DOMAIN"]
    (server,) = caddy_config(domain)["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    (route,) = server["routes"]
    assert route["match"] == [{"host": [domain]}]
    handlers = [h for sub in route["handle"][0]["routes"] for h in sub["handle"]]
    (proxying,) = [h for h in handlers if h["handler"] == "reverse_proxy"]
    # Every replica, found again through Docker's DNS as they come and go.
    assert proxying["dynamic_upstreams"]["source"] == "a"
    assert proxying["dynamic_upstreams"]["name"] == "web"
    assert int(proxying["dynamic_upstreams"]["port"]) == web_port(compose)
    # No access log: invitation links carry their secret in the path.
    assert "logs" not in server


def test_env_example_serves_one_domain_through_the_proxy_and_the_app() -> None:
    values = env_example()
    domain = values["VBR_DOMAIN"]
    assert domain in values["ALLOWED_HOSTS"].split(",")
    assert f"https://{domain}" in values["CSRF_TRUSTED_ORIGINS"].split(",")


# -- Settings: everything reaches the containers ---------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_read_env_and_pass_only_settings_the_app_reads(
    compose: dict[str, Any], service: str
) -> None:
    config = compose["services"][service]
    assert config["env_file"] == ".env"
    environment = config["environment"]
    unknown = set(environment) - settings_read_from_environment()
    assert not unknown, f"{service} passes variables settings.py never reads: {unknown}"
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"} <= set(environment)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_setting_the_app_reads_reaches_the_app_containers(
    compose: dict[str, Any], service: str
) -> None:
    """From `environment`, or from .env (env_file), whose template is .env.example."""
    passed = set(compose["services"][service]["environment"]) | documented_variables()
    missing = settings_read_from_environment() - passed
    assert not missing, f"{service} never receives: {missing}"


def test_every_setting_is_documented_in_env_example() -> None:
    missing = settings_read_from_environment() - documented_variables()
    assert not missing, f"Add these to .env.example: {missing}"


def test_every_variable_compose_fills_in_is_documented_in_env_example() -> None:
    missing = interpolated_variables() - documented_variables()
    assert not missing, f"Add these to .env.example: {missing}"


@pytest.mark.parametrize("service", APP_SERVICES)
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


# -- Celery -----------------------------------------------------------------------------------


@pytest.mark.parametrize("service, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_celery_services_use_our_celery_app(
    compose: dict[str, Any], service: str, subcommand: str
) -> None:
    command = compose["services"][service]["command"]
    match = re.match(r"celery -A (\w+) (\w+)", command)
    assert match, command
    assert match.group(2) == subcommand
    assert importlib.import_module(match.group(1)).celery_app.main == "vbr"


def test_worker_consumes_every_queue_tasks_are_sent_to(compose: dict[str, Any]) -> None:
    from django.conf import settings

    command = compose["services"]["worker"]["command"]
    match = re.search(r"--queues=([\w,]+)", command)
    assert match, command
    queues = set(match.group(1).split(","))
    assert {"celery", settings.PDF_QUEUE, settings.MAIL_QUEUE} <= queues
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= queues


def test_beat_schedules_only_tasks_that_exist() -> None:
    from django.conf import settings

    from vbr.celery import app as celery_app

    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


# -- The web healthcheck, for real --------------------------------------------------------------


def test_the_web_healthcheck_passes_against_gunicorn_with_env_example_settings(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """The container's healthcheck, run against gunicorn started as compose starts it, with
    .env.example's hosts and HTTPS settings. A bare request to 127.0.0.1 (what the check once
    was) is refused there: a host not allowed, or a redirect to HTTPS."""
    healthcheck = compose["services"]["web"]["healthcheck"]["test"]
    assert healthcheck[:4] == ["CMD", "python", "manage.py", "healthcheck"]
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in env_example()},
        **env_example(),
        **{
            k: str(v)
            for k, v in compose["services"]["web"]["environment"].items()
            if "${" not in str(v)
        },
        # What this machine has instead of the compose services and volume.
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'health.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env.pop("REDIS_URL")
    url = f"http://127.0.0.1:{port}/healthz"
    command = [sys.executable, "-m", "gunicorn", "vbr.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with server_process(command, port=port, env=env, log_name=f"gunicorn-{port}"):
        check = subprocess.run(
            [sys.executable, *healthcheck[2:-1], url],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        with pytest.raises(urllib.error.HTTPError) as bare:
            urllib.request.urlopen(url, timeout=10)

    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["status"] == "ok"
    assert bare.value.code == 400
