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

The first view after a change (`page_report`): rebuilding a large provider's report takes up
to a second, and a care group changes its data every few minutes. So each build is also kept
as the report's latest, under a key without the version token (`latest_key`: the report,
its filters and the reader's scope, `ReportFilter.withheld` included, so that a reader never
sees another's figures); when the current version misses and a latest build exists, the page
shows it at once, saying when it is from, and a worker builds the current one
(`vbr.reports.rebuilds`). With no earlier build, or with tasks run in-process (no worker to
hand it to: the rebuild would run in this very request), the page builds it as before.
Exports and the report pack always build from current data. After each change, the reports
somebody has looked at without filters are rebuilt by a worker straight away.

The latest builds live under the provider's `lineage`, which only anonymising or erasing a
candidate replaces (`forget_earlier_reports`): figures from before are then never shown.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
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
# How long a report's last build is kept to show while a newer one is built.
LATEST_TIMEOUT = 7 * 24 * 60 * 60
# A page view that has asked for a rebuild of the current version marks it for this long, so
# that the views after it do not ask again (the table allows one at a time in any case).
ASKED_TIMEOUT = 60

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
    # Once the change commits, a worker rebuilds the reports somebody has looked at without
    # filters. Only in a transaction: in autocommit the token is written before the change
    # it marks, and the worker could build the old figures under the new token.
    if worker_builds() and connection.in_atomic_block:
        transaction.on_commit(partial(_rebuild_after_change, provider_id))


def forget_earlier_reports(*, provider_id: int) -> None:
    """The provider's earlier report builds must not be shown any more, not even saying when
    they are from (a candidate anonymised or erased: a withdrawal reason could name them)."""
    ReportsVersion.objects.filter(provider_id=provider_id).update(lineage=new_token())


def worker_builds() -> bool:
    """Whether a separate worker runs the tasks. Without one (tasks run in-process: the demo,
    and tests that run them so) a rebuild handed on would run in the request anyway, so pages
    build it. Read from Celery's live configuration, which such tests change."""
    from vbr.celery import app

    return not app.conf.task_always_eager


def _rebuild_after_change(provider_id: int) -> None:
    """One message to the worker, which works out what to rebuild: the step that made the
    change reads and writes nothing more for it."""
    from vbr.reports.tasks import rebuild_after_change

    try:
        rebuild_after_change.apply_async((provider_id,), queue=settings.EXPORT_QUEUE, retry=False)
    except Exception:
        # The change is committed; the pages ask for what they need on their next view.
        logger.warning("Could not ask for reports to be rebuilt", exc_info=True)


def report_key(slug: str, provider: Provider, filters: ReportFilter, token: str) -> str:
    """Every field of the filter is part of the key (a filter added later cannot be left
    out), the role scope in a fixed order."""
    if filters.role_scope is not None:
        filters = dataclasses.replace(filters, role_scope=tuple(sorted(filters.role_scope)))
    chosen = (slug, dataclasses.astuple(filters), timezone.localdate())
    digest = hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]
    return f"report:{provider.pk}:{token}:{digest}"


def report_digest(slug: str, filters: ReportFilter) -> str:
    """The report, every field of its filters and the reader's scope (`withheld` included),
    without the date or the data's version: what a report's latest build is kept under."""
    if filters.role_scope is not None:
        filters = dataclasses.replace(filters, role_scope=tuple(sorted(filters.role_scope)))
    chosen = (slug, dataclasses.astuple(filters))
    return hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]


def latest_key(provider_id: int, lineage: str, digest: str) -> str:
    return f"report-latest:{provider_id}:{lineage}:{digest}"


def report_version(provider: Provider) -> tuple[str, str] | None:
    """The provider's version token and lineage (one query); None before any is recorded."""
    return ReportsVersion.objects.filter(provider=provider).values_list("token", "lineage").first()


@dataclasses.dataclass(frozen=True)
class Built:
    """A report's build, with its drawn sections, and when its data was read."""

    token: str
    built_at: datetime
    report: Report
    sections: str


@dataclasses.dataclass(frozen=True)
class PageReport:
    """What a report page shows: the report, its drawn sections, and, when they are from an
    earlier version of the data (a worker is bringing them up to date), when that was."""

    report: Report
    sections: str
    earlier: datetime | None = None


def page_report(
    slug: str, provider: Provider, filters: ReportFilter, draw: Callable[[Report], str]
) -> PageReport:
    """The report and its sections (`draw`) for a page: current from the cache; else the
    last build, saying when it is from, while a worker builds the current one; else built
    here. One query (the version) unless built here."""
    version = report_version(provider)
    if version is None:
        report = build_report(slug, provider, filters)
        return PageReport(report, draw(report))
    token, lineage = version
    key = report_key(slug, provider, filters, token)
    try:
        found = cache.get_many([key, f"{key}:html"], version=REPORT_FORMAT)
        if key in found:
            # Current (an export may have built it, without drawing it).
            report = found[key]
            sections = found.get(f"{key}:html")
            if sections is None:
                sections = draw(report)
                cache.set(f"{key}:html", sections, TIMEOUTS.get(slug, TIMEOUT), REPORT_FORMAT)
            return PageReport(report, sections)
        if worker_builds():
            digest = report_digest(slug, filters)
            latest: Built | None = cache.get(
                latest_key(provider.pk, lineage, digest), version=REPORT_FORMAT
            )
            if latest is not None:
                _ask_for_rebuild(provider, slug, filters, token, digest)
                return PageReport(latest.report, latest.sections, latest.built_at)
    except Exception:
        logger.warning("Report cache unreachable", exc_info=True)
        report = build_report(slug, provider, filters)
        return PageReport(report, draw(report))
    built_at = timezone.now()
    report = build_report(slug, provider, filters)
    sections = draw(report)
    keep_build(provider.pk, lineage, slug, filters, Built(token, built_at, report, sections))
    return PageReport(report, sections)


def keep_build(
    provider_id: int, lineage: str, slug: str, filters: ReportFilter, built: Built
) -> None:
    """Cache a build as its version's (the report and its sections, as `cached_report` and
    `cached_html` keep them) and as the report's latest."""
    key = report_key(slug, Provider(pk=provider_id), filters, built.token)
    try:
        cache.set_many(
            {key: built.report, f"{key}:html": built.sections},
            TIMEOUTS.get(slug, TIMEOUT),
            version=REPORT_FORMAT,
        )
        cache.set(
            latest_key(provider_id, lineage, report_digest(slug, filters)),
            built,
            LATEST_TIMEOUT,
            version=REPORT_FORMAT,
        )
    except Exception:
        logger.warning("Report cache unreachable", exc_info=True)


def _ask_for_rebuild(
    provider: Provider, slug: str, filters: ReportFilter, token: str, digest: str
) -> None:
    """Hand the current version's build to a worker, once: the first view to ask marks it in
    the cache (an atomic add), and the table holds one waiting or running per key."""
    from vbr.reports import rebuilds

    if cache.add(f"report-asked:{provider.pk}:{token}:{digest}", 1, ASKED_TIMEOUT):
        rebuilds.request_rebuild(provider=provider, report=slug, filters=filters, key=digest)


def cached_report(slug: str, provider: Provider, filters: ReportFilter) -> tuple[Report, str]:
    """`build_report`, from the cache while the provider's data has not changed, and the key
    it is cached under ("" when it could not be). One query (the version token) when cached."""
    version = report_version(provider)
    if version is None:
        # Nothing has recorded a version for this provider yet: build without caching.
        return build_report(slug, provider, filters), ""
    key = report_key(slug, provider, filters, version[0])
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
