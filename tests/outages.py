"""Real outages for tests: a Redis of our own that a test may stop, and a cut in the line to
PostgreSQL. The shared PostgreSQL and Redis of the machine are never stopped: other test runs
use them at the same time."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from django.db import connection

from vbr.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def require_postgres_url() -> str:
    """Like require_redis_url: a missing PostgreSQL fails in CI and skips locally."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        if os.environ.get("CI"):
            pytest.fail("DATABASE_URL must point at PostgreSQL in CI.")
        pytest.skip("DATABASE_URL (PostgreSQL) is not set.")
    return url


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of our own on another port, so stopping it stops nobody else's."""
    if not shutil.which("redis-server"):
        message = "redis-server is not installed (bin/install-system-deps --tests)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def redis_cache(port: int) -> dict[str, Any]:
    """CACHES for a Redis on `port` that gives up within a second once it is stopped."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker, then back. The result store moves
    with it: in production both are the one Redis, and both are down together."""
    previous = celery_app.conf.broker_url, celery_app.conf.result_backend

    def reset(broker: str, results: str | None) -> None:
        celery_app.conf.broker_url = broker
        celery_app.conf.result_backend = results
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app._backend_cache = None
        vars(celery_app._local).pop("backend", None)

    reset(url, url)
    try:
        yield
    finally:
        reset(*previous)


class CuttableLine:
    """A TCP relay from a local port to a server. `cut()` drops every open connection and
    refuses new ones, as a server that has stopped does; `mend()` relays again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._open = self._open, set()
        if listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone may not.
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._open.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@contextmanager
def database_through_a_line() -> Iterator[CuttableLine]:
    """This process's database connections go through a CuttableLine to the test database
    (the one pytest-django made on the real PostgreSQL) until the block ends."""
    require_postgres_url()
    db = connection.settings_dict
    original = db["HOST"], db["PORT"]
    line = CuttableLine(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    line.mend()
    connection.close()
    db["HOST"], db["PORT"] = "127.0.0.1", line.port
    try:
        yield line
    finally:
        connection.close()
        db["HOST"], db["PORT"] = original
        line.cut()
