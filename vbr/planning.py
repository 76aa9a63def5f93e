"""How PostgreSQL plans our statements: long work planned for its values each time, and
constants written into the SQL where a prepared statement must see them.

Pages run the same few short statements again and again on a connection kept open, and
those are prepared after a few runs (`DB_PREPARE_THRESHOLD` in settings): planning them cost
more than running them. Once a statement is prepared, PostgreSQL plans it for its values a few
more times and may then keep one plan made for any values. For a page's statements that is
the point; for a report's build, a few long statements over a provider's whole history, it
saves nothing (planning is a millisecond beside hundreds) and can cost much: at the largest
benchmark provider, from the eleventh build on one connection, the values report took 745 ms
instead of 345 and the panel report 2.0 s instead of 1.0.

The other way round, a statement that is prepared is planned once for any values: a partial
index whose condition is sent as a value cannot be used by that plan. `Written` puts such a
constant into the SQL itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Value


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


class Written(Value):
    """One of our own constants written into the SQL instead of sent as a parameter.

    Once a statement is prepared, PostgreSQL may plan it once for any parameters; only a
    written-out value shows it that a partial index (`WHERE status = 'active'`) applies.
    Without it, "waiting for a decision" read a large provider's every application (13 ms
    of the database for each of the list's two queries instead of 3). Only simple constants
    of ours (lower-case letters and underscores) are written; anything else is refused."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        if not (isinstance(self.value, str) and re.fullmatch(r"[a-z_]+", self.value)):
            raise ValueError("Only simple constants of ours are written into SQL")
        return f"'{self.value}'", ()
