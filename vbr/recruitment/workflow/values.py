"""A provider's values library: copying in the starter values and putting values in order.

The starter values are where most providers begin; they are copied (not linked) so that each
provider owns and edits its own. Roles' starter behaviours create values through here too.
"""

from __future__ import annotations

from django.db import models, transaction

from vbr.accounts.models import Provider
from vbr.recruitment.models import CoreValue, Indicator
from vbr.recruitment.starter_values import STARTER_VALUES, StarterValue
from vbr.recruitment.workflow._ordering import move_among
from vbr.reports.caching import reports_changed


def _create_starter_value(*, provider: Provider, starter: StarterValue, order: int) -> CoreValue:
    core_value = CoreValue.objects.create(
        provider=provider,
        name=starter.name,
        description=starter.description,
        order=order,
    )
    Indicator.objects.bulk_create(
        [
            Indicator(core_value=core_value, kind=Indicator.Kind.POSITIVE, text=text, order=i)
            for i, text in enumerate(starter.positive)
        ]
        + [
            Indicator(core_value=core_value, kind=Indicator.Kind.NEGATIVE, text=text, order=i)
            for i, text in enumerate(starter.negative)
        ]
    )
    return core_value


def next_value_order(provider: Provider) -> int:
    return (provider.core_values.aggregate(top=models.Max("order"))["top"] or 0) + 1


@transaction.atomic
def copy_starter_values(*, provider: Provider) -> list[CoreValue]:
    """Copy the built-in starter values into a provider's own library.

    Values the provider already has (by name) are left as they are, so the copy can be run
    again after a provider has edited or retired some of them.
    """
    existing = set(provider.core_values.values_list("name", flat=True))
    next_order = next_value_order(provider)
    created: list[CoreValue] = []
    for starter in STARTER_VALUES:
        if starter.name in existing:
            continue
        created.append(_create_starter_value(provider=provider, starter=starter, order=next_order))
        next_order += 1
    return created


@transaction.atomic
def move_value(*, core_value: CoreValue, up: bool) -> bool:
    """Move a value one place up or down in its provider's library. False at either end."""
    siblings = list(core_value.provider.core_values.select_for_update().order_by("order", "name"))
    moved = move_among(siblings, core_value, up=up)
    if moved:
        reports_changed(provider_id=core_value.provider_id)
    return moved
