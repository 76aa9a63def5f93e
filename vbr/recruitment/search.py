"""Searching names as people type them: without accents and in any case.

A manager types "wyn" for Wŷn and "sian" for Siân. Both sides of a search go through one
database function, `vbr_fold`: upper case without accents. On PostgreSQL it is an SQL
function over the `unaccent` extension, created by a migration and declared immutable so that
the candidate search's trigram indexes can be built on it. On SQLite (the embedded demo) it
is `fold` below, registered on every new connection.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, Func

# Letters that Unicode does not decompose into a base letter and an accent, written as
# PostgreSQL's unaccent writes them, so that both databases find the same names.
_UNDECOMPOSED = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def fold(text: str | None) -> str | None:
    """Upper case without accents: "Siân" → "SIAN", "Wŷn" → "WYN"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


class Folded(Func):
    """`vbr_fold(expression)`: the expression in upper case without accents."""

    function = "vbr_fold"
    output_field = CharField()


def register_sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give a new SQLite connection the `vbr_fold` function (PostgreSQL has it from the
    migration that creates it). Connected to `connection_created`: the database has to offer
    the function before any query can use it, and that is the hook Django gives."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("vbr_fold", 1, fold, deterministic=True)
