from __future__ import annotations

import logging

from celery import shared_task

from vbr.accounts.models import Provider
from vbr.privacy.retention import due_for_anonymisation
from vbr.privacy.workflow import anonymise_candidate

logger = logging.getLogger("vbr.privacy")


@shared_task(name="vbr.privacy.anonymise_expired_candidates")
def anonymise_expired_candidates() -> int:
    """Nightly (celery beat). Idempotent: an anonymised candidate is never due again, and
    each candidate is its own transaction, so a crash part-way loses nothing done so far."""
    count = 0
    for provider in Provider.objects.all():
        for candidate in due_for_anonymisation(provider=provider):
            if anonymise_candidate(candidate=candidate, by=None):
                count += 1
    logger.info("Anonymised %d candidates past their retention period", count)
    return count
