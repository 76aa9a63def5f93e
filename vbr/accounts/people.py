"""Changing who belongs to a provider. Every change is in the audit trail.

Staff accounts (with passwords) are created by the operator; provider admins add the panel
members who draw on care themselves, with their consent, and change roles or remove people.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Membership, Provider, User

PANEL_MEMBER_CONSENT = (
    "I agree to take part in interview and shadowing panels for this provider, and for the "
    "provider to keep my name, my panel answers and my 'working with me' profile for that."
)


class MembershipChangeRefused(Exception):
    """A change that would leave the provider without an admin, or lock yourself out."""


def _unique_username(full_name: str) -> str:
    base = "".join(ch for ch in full_name.lower() if ch.isalnum())[:20] or "panel"
    return f"panel-{base}-{secrets.token_hex(3)}"


@transaction.atomic
def add_panel_member(
    *, provider: Provider, full_name: str, expert_by_experience: bool, added_by: User
) -> Membership:
    """A panel member without a password (they join by invitation link), with their consent
    to take part recorded in their words."""
    from vbr.privacy.models import Consent

    user = User(username=_unique_username(full_name), full_name=full_name.strip())
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(
        user=user,
        provider=provider,
        role=Membership.Role.PANEL,
        is_expert_by_experience=expert_by_experience,
    )
    Consent.objects.create(
        provider=provider,
        kind=Consent.Kind.PANEL_MEMBER,
        user=user,
        statement=PANEL_MEMBER_CONSENT,
        recorded_by=added_by,
    )
    audit.record(
        provider=provider,
        actor=added_by,
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        subject=membership,
        summary="Added a panel member, with their consent recorded",
    )
    return membership


def _admins_left(membership: Membership) -> int:
    return (
        Membership.objects.filter(provider_id=membership.provider_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    if membership.user_id == changed_by.pk:
        raise MembershipChangeRefused("You cannot change your own role.")
    demoting_admin = membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN
    if demoting_admin and not _admins_left(membership):
        raise MembershipChangeRefused("The provider must keep at least one admin.")
    previous = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        provider=membership.provider,
        actor=changed_by,
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        subject=membership,
        summary=f"Role changed from {previous} to {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, removed_by: User) -> None:
    """Remove someone from the provider. Their past scorecards stay, as the record of what
    the panel decided; they can no longer open anything of this provider."""
    if membership.user_id == removed_by.pk:
        raise MembershipChangeRefused("You cannot remove yourself.")
    if membership.role == Membership.Role.ADMIN and not _admins_left(membership):
        raise MembershipChangeRefused("The provider must keep at least one admin.")
    audit.record(
        provider=membership.provider,
        actor=removed_by,
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        subject=membership,
        summary=f"Removed a {membership.get_role_display().lower()}",
    )
    membership.delete()


@transaction.atomic
def withdraw_panel_consent(*, membership: Membership, recorded_by: User) -> int:
    """A panel member withdraws their consent: it is kept with the date, and they are no
    longer a member (so no new invitation can be made for them)."""
    from vbr.privacy.models import Consent

    withdrawn = (
        Consent.objects.current()
        .filter(provider_id=membership.provider_id, user_id=membership.user_id)
        .update(withdrawn_at=timezone.now())
    )
    audit.record(
        provider=membership.provider,
        actor=recorded_by,
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        subject=membership,
        summary="A panel member withdrew their consent and was removed",
    )
    membership.delete()
    return withdrawn
