"""What people see when the database cannot be reached.

ATOMIC_REQUESTS is off on purpose: every write is one workflow step wrapped in its own
transaction (`@transaction.atomic` in the workflow package), so when the database goes away
part-way a step is rolled back whole. A lost database is then answered with a plain 503 page
instead of a 500, so that the person knows to try again:

- from a view, by `DatabaseUnavailableMiddleware`;
- from anywhere else in the request (a middleware reading the signed-in user or the session
  before the view, the session saved after it), by `server_error`, our handler500: Django
  turns such errors into a response before any middleware's `process_exception` sees them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger("vbr.resilience")

DATABASE_ERRORS = (OperationalError, InterfaceError)


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    logger.error("Database unavailable for %s: %s", request.path, exception)
    # Rendered without the request: context processors would touch the session and the
    # user, which need the database that has just failed.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return unavailable_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when what failed was the database, else the 500 page."""
    exception = sys.exception()
    if isinstance(exception, DATABASE_ERRORS):
        return unavailable_response(request, exception)
    return defaults.server_error(request)
