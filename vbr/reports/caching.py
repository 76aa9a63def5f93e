"""Report figures cached per provider until something they are built from changes.

A large provider's reports read tens of thousands of applications and a million scores; the
figures change only when somebody writes (a scorecard submitted or amended, a decision, an
outcome, a withdrawal, a stage move, an erasure, a renamed role...). Every such step calls
`reports_changed` inside its own transaction, which gives the provider a new version token;
a report is cached under the provider, that token, the report, the filters and the reader's
role scope. So:

- a change is seen at once: the next view reads the new token and misses;
- a rolled-back step changes nothing, the token included;
- another provider's figures, or another manager's (a different role scope), live under
  another key and are never served;
- entries under an old token are never read again and expire.

Figures that depend on the date (retention, turnover) are keyed by today's date as well; the
funnel's time in the current stage runs until now, so it is kept only for a few minutes. The
page's drawn tables and charts are cached beside the report, under the same key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.core.cache import cache
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.reports.models import ReportsVersion, new_token
from vbr.reports.queries import Report, ReportFilter, build_report

if TYPE_CHECKING:
    from vbr.recruitment.writes import Writes

# Seconds a report stays cached when nothing changes (a changed token misses at once).
TIMEOUT = 24 * 60 * 60
# The funnel counts the days of each application's current stage until now.
TIMEOUTS = {"funnel": 10 * 60}
# The cache version of every entry: raise it when the shape of `Report` (or of anything in
# it) changes, so that entries pickled by an earlier release are not read by this one.
REPORT_FORMAT = 2

logger = logging.getLogger("vbr.reports")
T = TypeVar("T")


def reports_changed(*, provider_id: int, writes: Writes | None = None) -> None:
    """The provider's reports are out of date: give it a new version token (one query).
    `writes`: a step's other writes, to send the new version with (a scorecard submitted)."""
    version = [ReportsVersion(provider_id=provider_id, token=new_token())]
    if writes is not None:
        writes.insert(version, unique_fields=["provider"], update_fields=["token"])
    else:
        ReportsVersion.objects.bulk_create(
            version, update_conflicts=True, unique_fields=["provider"], update_fields=["token"]
        )


def report_key(slug: str, provider: Provider, filters: ReportFilter, token: str) -> str:
    """Every field of the filter is part of the key (a filter added later cannot be left
    out), the role scope in a fixed order."""
    if filters.role_scope is not None:
        filters = dataclasses.replace(filters, role_scope=tuple(sorted(filters.role_scope)))
    chosen = (slug, dataclasses.astuple(filters), timezone.localdate())
    digest = hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]
    return f"report:{provider.pk}:{token}:{digest}"


def cached_report(slug: str, provider: Provider, filters: ReportFilter) -> tuple[Report, str]:
    """`build_report`, from the cache while the provider's data has not changed, and the key
    it is cached under ("" when it could not be). One query (the version token) when cached."""
    token = ReportsVersion.objects.filter(provider=provider).values_list("token", flat=True).first()
    if token is None:
        # Nothing has recorded a version for this provider yet: build without caching.
        return build_report(slug, provider, filters), ""
    key = report_key(slug, provider, filters, token)
    return _cached(key, TIMEOUTS.get(slug, TIMEOUT), lambda: build_report(slug, provider, filters))


def cached_html(key: str, slug: str, render: Callable[[], str]) -> str:
    """A report's rendered sections, cached beside the report under its key (so that both go
    out of date together); rendered every time when the report was not cached."""
    if not key:
        return render()
    return _cached(f"{key}:html", TIMEOUTS.get(slug, TIMEOUT), render)[0]


def _cached(key: str, timeout: int, make: Callable[[], T]) -> tuple[T, str]:
    """The entry under `key`, made and stored when missing; and the key ("" when the cache
    cannot be reached: the cache only saves time, so without it everything is made as
    before)."""
    try:
        found: T | None = cache.get(key, version=REPORT_FORMAT)
    except Exception:
        logger.warning("Report cache unreachable", exc_info=True)
        return make(), ""
    if found is not None:
        return found, key
    made = make()
    try:
        cache.set(key, made, timeout, version=REPORT_FORMAT)
    except Exception:
        logger.warning("Report cache unreachable", exc_info=True)
        return made, ""
    return made, key
