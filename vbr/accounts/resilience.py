"""What people see when the database cannot be reached.

ATOMIC_REQUESTS is off on purpose: every write is one workflow step wrapped in its own
transaction (`@transaction.atomic` in the workflow package), so when the database goes away
part-way a step is rolled back whole. This middleware turns the resulting error into a plain
503 page instead of a 500, so that the person knows to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("vbr.resilience")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        # Rendered without the request: context processors would touch the session and the
        # user, which need the database that has just failed.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
