"""When the phone with the authenticator app is lost: backup codes, and a reset of two-factor
sign-in by another admin of the provider or by the operator. Every step is in the audit trail.

Backup codes are django-otp static tokens on one "Backup codes" device per person. Each code
works once: it is deleted as it is used, and only a deletion that happened lets the person in,
so two sign-ins racing with the same code cannot both pass.
"""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Membership, Provider, User

BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


class ResetRefused(Exception):
    """A provider admin may not reset this person's two-factor sign-in (the message says why
    and who can)."""


def normalise_code(typed: str) -> str:
    """Backup codes are shown as "abcd-efgh"; people type them with or without the dash, in
    capitals or not, with spaces."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def shown_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


def _record_for_account(*, user: User, actor: User | None, action: str, summary: str) -> None:
    """An event about a person's sign-in, on the trail of each provider they belong to (whose
    admins look after them), or on the operator's trail when they belong to none."""
    memberships = list(Membership.objects.filter(user=user).select_related("provider"))
    if not memberships:
        audit.record(provider=None, actor=actor, action=action, subject=user, summary=summary)
    for membership in memberships:
        audit.record(
            provider=membership.provider,
            actor=actor,
            action=action,
            subject=membership,
            summary=summary,
        )


def backup_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


@transaction.atomic
def make_backup_codes(*, user: User) -> list[str]:
    """Ten new codes, to be shown once; any earlier ones stop working."""
    device, _ = StaticDevice.objects.select_for_update().get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    tokens: set[str] = set()
    while len(tokens) < BACKUP_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in tokens)
    _record_for_account(
        user=user,
        actor=user,
        action=AuditEvent.Action.BACKUP_CODES_MADE,
        summary=f"Made {BACKUP_CODE_COUNT} new backup codes; any earlier ones no longer work",
    )
    return sorted(shown_code(token) for token in tokens)


@transaction.atomic
def use_backup_code(*, user: User, typed: str) -> StaticDevice | None:
    """The backup-code device if `typed` is one of the person's unused codes, which is then
    used up; None otherwise. Wrong tries slow further tries down, as for app codes."""
    device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return None
    used, _ = device.token_set.filter(token=normalise_code(typed)).delete()
    if not used:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    left = device.token_set.count()
    _record_for_account(
        user=user,
        actor=user,
        action=AuditEvent.Action.BACKUP_CODE_USED,
        summary=f"Signed in with a backup code; {left} left",
    )
    return device


def has_two_factor(user: User) -> bool:
    has: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return has


def members_with_two_factor(provider: Provider) -> set[int]:
    """The user ids of the provider's members who have an authenticator app. One query."""
    return set(
        TOTPDevice.objects.filter(user__memberships__provider=provider, confirmed=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def remove_two_factor(*, user: User) -> None:
    """The person's authenticator app and backup codes, all gone."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def reset_refusal(*, admin: Membership, member: Membership) -> str:
    """Why this provider admin may not reset the member's two-factor sign-in ("" if they may).

    A reset lets whoever knows the password set up a new app, so an admin may reset only
    people whose account belongs to this provider alone: not their own, not the operator's,
    not someone who also works with another provider (their other admins would not know)."""
    user = member.user
    if member.user_id == admin.user_id:
        return "You cannot reset your own two-factor sign-in: ask another admin or the operator."
    if user.is_staff or user.is_superuser:
        return "This is an operator account: only the VBR operator can reset it."
    if Membership.objects.filter(user=user).exclude(provider_id=admin.provider_id).exists():
        return (
            f"{user.display_name} also works with another provider on VBR: ask the VBR "
            "operator to reset it."
        )
    return ""


@transaction.atomic
def reset_by_admin(*, admin: Membership, member: Membership) -> None:
    """Another admin of the provider resets a member's two-factor sign-in (they lost their
    phone): they set it up again at their next sign-in."""
    refusal = reset_refusal(admin=admin, member=member)
    if refusal:
        raise ResetRefused(refusal)
    remove_two_factor(user=member.user)
    audit.record(
        provider=admin.provider,
        actor=admin.user,
        action=AuditEvent.Action.TWO_FACTOR_RESET,
        subject=member,
        summary=f"Reset the two-factor sign-in of a {member.get_role_display().lower()}",
    )


@transaction.atomic
def reset_by_operator(*, user: User, operator: User) -> None:
    """The operator resets someone's two-factor sign-in from the Django admin."""
    remove_two_factor(user=user)
    _record_for_account(
        user=user,
        actor=operator,
        action=AuditEvent.Action.TWO_FACTOR_RESET,
        summary="The VBR operator reset this person's two-factor sign-in",
    )
