"""Real servers that tests start on free loopback ports: an SMTP server (aiosmtpd), an
S3-compatible object store (moto's standalone server) and the app under gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def server_process(
    command: list[str], *, port: int, env: dict[str, str] | None = None, log_name: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; its output goes to test-artifacts/."""
    log_dir = ROOT / "test-artifacts"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / f"{log_name}.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process=process)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- SMTP ------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server received, and how it answers: `refuse` next messages with a
    temporary failure (451), as a busy mail server does."""

    port: int
    refuse: int = 0
    received: list[Message] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 60) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} emails, wanted {count}"
            time.sleep(0.1)
        return self.received


@contextmanager
def smtp_server(*, refuse: int = 0) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) listening on a free loopback port."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(port=free_port(), refuse=refuse)
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


# -- S3 --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectStore:
    endpoint_url: str
    access_key: str = "vbr-test-access"
    secret_key: str = "vbr-test-secret"  # moto accepts any key
    region: str = "eu-west-2"

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


@contextmanager
def s3_server() -> Iterator[ObjectStore]:
    """moto's standalone S3-compatible server, in a process of its own on a free port."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with server_process(command, port=port, env=dict(os.environ), log_name=f"moto-{port}"):
        yield ObjectStore(endpoint_url=f"http://127.0.0.1:{port}")
