"""Reports rebuilt by a worker, so that the first view after a change does not wait for them
(`vbr.reports.caching.page_report` shows the last build meanwhile, saying when it is from).

The same outbox as exports (export_jobs.py): a row is written first and handed to the broker
once the transaction commits; handing it on never raises and never waits on a broker that is
down; the beat sweep sends again what the broker never got and puts back what a dead worker
held (`vbr.leases`). The table holds at most one waiting or running rebuild per report, filters
and reader's scope, so that a burst of views or of changes starts one build; a change made
while one runs sends it round again once it ends, so that it finishes on the newest data.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from vbr import leases
from vbr.accounts.models import Provider
from vbr.reports.caching import (
    REPORT_FORMAT,
    Built,
    keep_build,
    latest_key,
    report_digest,
    report_version,
)
from vbr.reports.models import ReportRebuild
from vbr.reports.queries import REPORTS, Report, ReportFilter, build_report

logger = logging.getLogger("vbr.reports")

# A report takes at most a few seconds to build; these leave room for a busy database.
SOFT_TIME_LIMIT = 120
TIME_LIMIT = 150
MAX_ATTEMPTS = 3
RESEND_AFTER_SECONDS = 30
# A rebuild that failed is kept this long for the operator, then deleted by the sweep.
KEEP_FAILED_DAYS = 7


def draw_sections(report: Report) -> str:
    """The report's tables and charts as the page shows them."""
    return render_to_string("reports/_sections.html", {"report": report})


def request_rebuild(
    *, provider: Provider, report: str, filters: ReportFilter, key: str
) -> ReportRebuild | None:
    """Ask a worker to build the report for the provider's current data; None when one is
    already waiting or running for the same report, filters and scope (it will do)."""
    try:
        with transaction.atomic():
            rebuild = ReportRebuild.objects.create(
                provider=provider, report=report, filters=filters.as_dict(), key=key
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(send_rebuilds, [rebuild.pk]))
    return rebuild


def rebuild_after_change(*, provider_id: int) -> int:
    """After a change has committed: rebuild each report somebody has looked at without
    filters and with the whole provider in view (an admin's first view). Reports nobody has
    looked at cost nothing. Returns how many were sent."""
    version = report_version(Provider(pk=provider_id))
    if version is None:
        return 0
    _token, lineage = version
    digests = {slug: report_digest(slug, ReportFilter()) for slug in REPORTS}
    keys = {latest_key(provider_id, lineage, digest): slug for slug, digest in digests.items()}
    seen = cache.get_many(list(keys), version=REPORT_FORMAT)
    wanted = [keys[key] for key in keys if key in seen]
    if not wanted:
        return 0
    ReportRebuild.objects.bulk_create(
        [
            ReportRebuild(
                provider_id=provider_id,
                report=slug,
                filters=ReportFilter().as_dict(),
                key=digests[slug],
            )
            for slug in wanted
        ],
        ignore_conflicts=True,
    )
    due = ReportRebuild.objects.filter(
        provider_id=provider_id,
        key__in=[digests[slug] for slug in wanted],
        status=ReportRebuild.Status.PENDING,
        sent_at__isnull=True,
    ).values_list("pk", flat=True)
    return send_rebuilds(list(due))


def send_rebuilds(rebuild_ids: list[int]) -> int:
    """Hand rebuilds to the broker; returns how many were sent. Never raises: one that could
    not be sent stays waiting with no `sent_at`, and the sweep sends it later."""
    # Imported here: tasks.py imports this module when it loads.
    from vbr.reports.tasks import rebuild_report

    sent = 0
    for rebuild_id in rebuild_ids:
        try:
            rebuild_report.apply_async((rebuild_id,), queue=settings.EXPORT_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: report rebuild %s waits for the sweep", rebuild_id)
            break
        ReportRebuild.objects.filter(pk=rebuild_id, status=ReportRebuild.Status.PENDING).update(
            sent_at=timezone.now()
        )
        sent += 1
    return sent


def run_rebuild(*, rebuild_id: int) -> str:
    """Build the report for the provider's current data and keep it in the cache as current
    and as latest. Safe to call twice: only the call that claims the row builds. Returns
    what happened, for the logs."""
    from vbr.reports.documents import filters_from_dict

    rebuild = ReportRebuild.objects.select_related("provider").filter(pk=rebuild_id).first()
    if rebuild is None:
        return "missing"
    owner = leases.claim(
        ReportRebuild.objects,
        pk=rebuild.pk,
        waiting=ReportRebuild.Status.PENDING,
        working=ReportRebuild.Status.RUNNING,
        max_attempts=MAX_ATTEMPTS,
    )
    if owner is None:
        return "held"
    rows = ReportRebuild.objects.filter(pk=rebuild.pk, lease_owner=owner)
    provider = rebuild.provider
    try:
        with leases.heartbeat(ReportRebuild.objects, pk=rebuild.pk, owner=owner):
            version = report_version(provider)
            if version is None:
                rows.delete()
                return "no version"
            token, lineage = version
            filters = filters_from_dict(rebuild.filters)
            # The figures are as of now: what is read from here on is at least this new.
            built_at = timezone.now()
            report = build_report(rebuild.report, provider, filters)
            built = Built(token, built_at, report, draw_sections(report))
            keep_build(provider.pk, lineage, rebuild.report, filters, built)
    except Exception:
        logger.exception("Report rebuild %s failed", rebuild.pk)
        rows.update(
            status=ReportRebuild.Status.FAILED,
            finished_at=timezone.now(),
            error=f"The {rebuild.report} report could not be built (rebuild {rebuild.pk}).",
        )
        return "failed"
    if report_version(provider) == version:
        rows.delete()
        return "done"
    # Changed while it was built: build again from the newest data (a new round, not a
    # failed attempt).
    if rows.update(
        status=ReportRebuild.Status.PENDING,
        attempts=0,
        sent_at=None,
        lease_owner="",
        started_at=None,
        heartbeat_at=None,
    ):
        transaction.on_commit(partial(send_rebuilds, [rebuild.pk]))
    return "again"


def sweep_report_rebuilds(*, now: datetime | None = None) -> leases.SweepReport:
    """Run by celery beat: send again the rebuilds the broker never delivered, put back those
    whose worker died (its lease lapsed), give up on those out of attempts or without a
    worker for an hour, and delete the failed ones after a week."""
    now = now or timezone.now()
    ReportRebuild.objects.filter(
        status=ReportRebuild.Status.FAILED,
        finished_at__lt=now - timedelta(days=KEEP_FAILED_DAYS),
    ).delete()
    return leases.sweep(
        ReportRebuild.objects,
        waiting=ReportRebuild.Status.PENDING,
        working=ReportRebuild.Status.RUNNING,
        failed=ReportRebuild.Status.FAILED,
        max_attempts=MAX_ATTEMPTS,
        resend_after_seconds=RESEND_AFTER_SECONDS,
        send=send_rebuilds,
        unclaimed_error="No worker built this report for an hour.",
        exhausted_error=f"The report could not be built after {MAX_ATTEMPTS} attempts.",
        now=now,
    )
