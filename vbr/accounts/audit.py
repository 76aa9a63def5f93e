"""Recording the audit trail. Call `record` from workflow steps and views, inside their
transaction, so that an event exists if and only if the thing it records happened."""

from __future__ import annotations

from typing import Any

from vbr.accounts.models import AuditEvent, Provider, User


def record(
    *,
    provider: Provider | None,
    actor: User | Any | None,
    action: str,
    subject: Any | None = None,
    application_id: int | None = None,
    summary: str = "",
) -> AuditEvent:
    """Append one event. `summary` must not contain a candidate's personal data."""
    event = unsaved(
        provider=provider,
        actor=actor,
        action=action,
        subject=subject,
        application_id=application_id,
        summary=summary,
    )
    event.save(force_insert=True)
    return event


def unsaved(
    *,
    provider: Provider | None,
    actor: User | Any | None,
    action: str,
    subject: Any | None = None,
    application_id: int | None = None,
    summary: str = "",
) -> AuditEvent:
    """The event `record` appends, not yet saved: for a step that inserts it together with
    its other writes."""
    actor_user = actor if isinstance(actor, User) else None
    return AuditEvent(
        provider=provider,
        actor=actor_user,
        action=action,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        application_id=application_id,
        summary=summary[:300],
    )
