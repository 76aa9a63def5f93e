"""How PostgreSQL plans the statements of long work.

Pages run the same few short statements again and again on a connection kept open, and
those are prepared after a few runs (`DB_PREPARE_THRESHOLD` in settings): planning them cost
more than running them. Once a statement is prepared, PostgreSQL plans it for its values a few
more times and may then keep one plan made for any values. For a page's statements that is
the point; for a report's build, a few long statements over a provider's whole history, it
saves nothing (planning is a millisecond beside hundreds) and can cost much: at the largest
benchmark provider, from the eleventh build on one connection, the values report took 745 ms
instead of 345 and the panel report 2.0 s instead of 1.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def planned_for_their_values(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Statements run inside are never prepared: PostgreSQL plans each one for the values it
    is given, even one prepared earlier on this connection. Elsewhere, nothing changes."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver_connection = connection.connection
    threshold = driver_connection.prepare_threshold
    driver_connection.prepare_threshold = None
    try:
        yield
    finally:
        # A connection replaced meanwhile (closed after an error) has its own settings.
        if connection.connection is driver_connection:
            driver_connection.prepare_threshold = threshold
