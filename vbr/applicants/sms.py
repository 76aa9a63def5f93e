"""Text messages through a backend chosen in settings (SMS_BACKEND), as email is through
Django's email backends.

- `ConsoleSmsBackend` (the demo and tests): writes the message to the log.
- `NotifySmsBackend`: GOV.UK Notify's HTTP API, which many UK care organisations use. It
  sends through one Notify template whose whole text is the placeholder ((body)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsFailed(Exception):
    """The message was not sent. `retry`: a later attempt may succeed (the service was down
    or busy); otherwise it never will (a wrong number, a wrong key)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send `body` to the phone number `to`; returns the provider's reference."""
        ...


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> str:
        logger.info("SMS to %s: %s", to, body)
        return "console"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def notify_token(*, service_id: str, secret: str, issued_at: int | None = None) -> str:
    """The JSON Web Token (HS256) GOV.UK Notify expects: issuer the service id, issued now."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
    claims = _b64(json.dumps({"iss": service_id, "iat": int(issued_at or time.time())}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256)
    return f"{header}.{claims}.{_b64(signature.digest())}"


class NotifySmsBackend:
    """POST /v2/notifications/sms. The API key is "<name>-<service id>-<secret>", the two
    last parts 36 characters each."""

    def __init__(self) -> None:
        key = settings.NOTIFY_API_KEY
        if len(key) < 74:
            raise SmsFailed("NOTIFY_API_KEY is not a GOV.UK Notify API key", retry=False)
        self.service_id, self.secret = key[-73:-37], key[-36:]
        self.template_id = settings.NOTIFY_SMS_TEMPLATE_ID
        self.base_url = settings.NOTIFY_BASE_URL.rstrip("/")
        if not self.base_url.startswith(("https://", "http://")):
            raise SmsFailed("NOTIFY_BASE_URL must be an http(s) address", retry=False)

    def send(self, *, to: str, body: str) -> str:
        payload = json.dumps(
            {"phone_number": to, "template_id": self.template_id, "personalisation": {"body": body}}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (an http(s) address, checked above)
            f"{self.base_url}/v2/notifications/sms",
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer "
                + notify_token(service_id=self.service_id, secret=self.secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                return str(json.load(response).get("id", ""))
        except urllib.error.HTTPError as error:
            reason = _notify_reason(error)
            # 429: over the rate limit; 5xx: Notify is down. Both pass; 400/403 do not.
            retry = error.code == 429 or error.code >= 500
            raise SmsFailed(f"GOV.UK Notify {error.code}: {reason}", retry=retry) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsFailed(f"GOV.UK Notify unreachable: {error}", retry=True) from None


def _notify_reason(error: urllib.error.HTTPError) -> str:
    try:
        errors = json.load(error).get("errors", [])
        return "; ".join(str(e.get("message", "")) for e in errors)[:200] or error.reason
    except (ValueError, AttributeError):
        return str(error.reason)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
