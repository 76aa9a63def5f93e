from __future__ import annotations

import logging

from celery import shared_task

from vbr.compliance.references import chase_references as chase

logger = logging.getLogger("vbr.compliance")


@shared_task(name="vbr.compliance.chase_references")
def chase_references() -> int:
    """Daily (celery beat): remind referees who have not answered. Idempotent."""
    count = chase()
    logger.info("Chased %d references", count)
    return count
