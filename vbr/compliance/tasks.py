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


@shared_task(name="vbr.compliance.remind_deadlines")
def remind_deadlines() -> int:
    """Daily (celery beat): remind managers of deadlines after the start. Idempotent."""
    from vbr.compliance.deadlines import remind

    count = remind()
    logger.info("Sent %d deadline reminders", count)
    return count
