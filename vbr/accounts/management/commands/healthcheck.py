"""Ask the web server in this container for /healthz, as the proxy in front of it would.

The container's healthcheck runs this. A bare request to 127.0.0.1 is not what production
traffic looks like: Django refuses a host outside ALLOWED_HOSTS, and with HTTPS on it
redirects a request that did not come through the TLS proxy. So the request carries one of
the allowed host names and, when the app sits behind a proxy, the header that proxy sets.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect means the request was refused (an HTTPS redirect): report it, never follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def request_host() -> str:
    """A host name the app answers to: the first of ALLOWED_HOSTS ("*" and ".example.org"
    patterns give a name they match)."""
    for pattern in settings.ALLOWED_HOSTS:
        if pattern == "*":
            return "localhost"
        if pattern:
            return pattern.lstrip(".")
    return "localhost"


def proxy_headers() -> dict[str, str]:
    """The header by which the TLS proxy tells the app the request came over HTTPS."""
    if not settings.SECURE_PROXY_SSL_HEADER:
        return {}
    meta_name, value = settings.SECURE_PROXY_SSL_HEADER
    name = meta_name.removeprefix("HTTP_").replace("_", "-").title()
    return {name: value}


class Command(BaseCommand):
    help = "Check /healthz of the web server in this container; exits non-zero if unhealthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/healthz")
        parser.add_argument("--timeout", type=float, default=5.0)

    def handle(self, *args: Any, url: str, timeout: float, **options: Any) -> None:
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"Not an HTTP URL: {url}")
        request = urllib.request.Request(  # noqa: S310 -- checked just above: http(s) only
            url, headers={"Host": request_host(), **proxy_headers()}
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(500).decode(errors="replace")
        except urllib.error.HTTPError as refused:
            detail = refused.read(500).decode(errors="replace")
            raise CommandError(f"{url} answered {refused.code}: {detail}") from None
        except OSError as unreachable:
            raise CommandError(f"{url} did not answer: {unreachable}") from None
        self.stdout.write(body)
