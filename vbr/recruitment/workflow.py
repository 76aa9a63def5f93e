"""Steps that touch several models. Keyword-only, typed, atomic."""

from __future__ import annotations

from django.db import transaction

from vbr.accounts.models import Provider
from vbr.recruitment.models import CoreValue, Indicator
from vbr.recruitment.starter_values import STARTER_VALUES


@transaction.atomic
def copy_starter_values(*, provider: Provider) -> list[CoreValue]:
    """Copy the built-in starter values into a provider's own library.

    Values the provider already has (by name) are left as they are, so the copy can be run
    again after a provider has edited or retired some of them.
    """
    existing = set(provider.core_values.values_list("name", flat=True))
    next_order = provider.core_values.count()
    created: list[CoreValue] = []
    for starter in STARTER_VALUES:
        if starter.name in existing:
            continue
        next_order += 1
        core_value = CoreValue.objects.create(
            provider=provider,
            name=starter.name,
            description=starter.description,
            order=next_order,
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
        created.append(core_value)
    return created
