"""The shared library in a provider's hands: starting from a value set, mapping its own values
to a set, and copying a question or activity from the bank into a stage.

Everything a provider takes from the library is copied, never linked: a later version of a
set, or an edit of a bank item, never changes a provider's values or a stage's criteria.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Provider
from vbr.recruitment.models import (
    BankItem,
    CoreValue,
    Criterion,
    Indicator,
    NationalValue,
    Stage,
    ValueSet,
)
from vbr.recruitment.value_sets import SetValue, read_all
from vbr.recruitment.workflow.roles import CriteriaFrozen
from vbr.recruitment.workflow.values import next_value_order
from vbr.reports.caching import reports_changed


@dataclass(frozen=True)
class SetsLoaded:
    sets_added: tuple[str, ...]
    sets_kept: tuple[str, ...]
    bank_items_added: int
    bank_items_updated: int


@transaction.atomic
def load_value_sets(*, folder: Path | None = None) -> SetsLoaded:
    """Store every value set in the fixtures folder, with its question bank.

    Safe to run again. A version already stored keeps its values as they are (a published
    version does not change; a changed set is a new file with a higher version, stored as a
    new set beside the old). Its shared bank items are brought up to date by key: new ones
    added, changed wording updated. Providers are never touched: what they took from a set
    or the bank is their own copy.
    """
    added: list[str] = []
    kept: list[str] = []
    bank_added = bank_updated = 0
    for set_file in read_all(folder):
        value_set, created = ValueSet.objects.get_or_create(
            slug=set_file.slug,
            version=set_file.version,
            defaults={
                "name": set_file.name,
                "order": set_file.order,
                "source": set_file.source,
                "description": set_file.description,
            },
        )
        (added if created else kept).append(str(value_set))
        stored = {value.name: value for value in value_set.national_values.all()}
        for order, set_value in enumerate(set_file.values, start=1):
            national = stored.get(set_value.name)
            if national is None:
                if not created:
                    # A value missing from a stored version: that needs a new version.
                    continue
                national = NationalValue.objects.create(
                    value_set=value_set,
                    name=set_value.name,
                    description=set_value.description,
                    order=order,
                    positive_indicators=list(set_value.positive),
                    negative_indicators=list(set_value.negative),
                )
            new, changed = _sync_bank(national=national, set_value=set_value)
            bank_added += new
            bank_updated += changed
    return SetsLoaded(
        sets_added=tuple(added),
        sets_kept=tuple(kept),
        bank_items_added=bank_added,
        bank_items_updated=bank_updated,
    )


def _sync_bank(*, national: NationalValue, set_value: SetValue) -> tuple[int, int]:
    stored = {item.key: item for item in national.bank_items.filter(provider__isnull=True)}
    added = updated = 0
    for order, entry in enumerate(set_value.bank, start=1):
        wording = {
            "kind": entry.kind,
            "title": entry.title,
            "prompt": entry.prompt,
            "prompt_easy_read": entry.prompt_easy_read,
            "order": order,
            **{f"level_{n}": text for n, text in enumerate(entry.levels, start=1)},
            **{
                f"level_{n}_easy_read": text
                for n, text in enumerate(entry.levels_easy_read, start=1)
            },
        }
        item = stored.get(entry.key)
        if item is None:
            BankItem.objects.create(national_value=national, key=entry.key, **wording)
            added += 1
        elif any(getattr(item, name) != text for name, text in wording.items()):
            for name, text in wording.items():
                setattr(item, name, text)
            item.save()
            updated += 1
    return added, updated


@dataclass(frozen=True)
class SetAdopted:
    created: tuple[CoreValue, ...]
    # Values the provider already had by the same name: mapped to the set, left as they were.
    mapped: tuple[CoreValue, ...]


@transaction.atomic
def adopt_value_set(*, provider: Provider, value_set: ValueSet, actor: Any = None) -> SetAdopted:
    """Start a provider's library from a value set: each value and its indicators are copied
    into the provider's own CoreValues, each evidencing the national value it came from.

    A value the provider already has (by name) is not copied again, only mapped, so starting
    from a set twice, or after adapting it, changes nothing the provider wrote.
    """
    existing = {value.name: value for value in provider.core_values.select_for_update()}
    order = next_value_order(provider)
    created: list[CoreValue] = []
    mapped: list[CoreValue] = []
    indicators: list[Indicator] = []
    for national in value_set.national_values.order_by("order", "pk"):
        core_value = existing.get(national.name)
        if core_value is None:
            core_value = CoreValue.objects.create(
                provider=provider,
                name=national.name,
                description=national.description,
                order=order,
            )
            order += 1
            created.append(core_value)
            indicators += [
                Indicator(core_value=core_value, kind=Indicator.Kind.POSITIVE, text=text, order=i)
                for i, text in enumerate(national.positive_indicators)
            ]
            indicators += [
                Indicator(core_value=core_value, kind=Indicator.Kind.NEGATIVE, text=text, order=i)
                for i, text in enumerate(national.negative_indicators)
            ]
        else:
            mapped.append(core_value)
        core_value.evidences.add(national)
    Indicator.objects.bulk_create(indicators)
    reports_changed(provider_id=provider.pk)
    audit.record(
        provider=provider,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        subject=value_set,
        summary=f"Started from {value_set}: {len(created)} values added, {len(mapped)} mapped",
    )
    return SetAdopted(created=tuple(created), mapped=tuple(mapped))


@transaction.atomic
def map_core_value(
    *, core_value: CoreValue, national_values: Iterable[NationalValue], actor: Any = None
) -> None:
    """Say which national values one of the provider's own values evidences (replacing what
    it said before); reports name them beside the value."""
    core_value.evidences.set(list(national_values))
    reports_changed(provider_id=core_value.provider_id)
    audit.record(
        provider=core_value.provider,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        subject=core_value,
        summary=f"Mapped value {core_value.pk} to a national set",
    )


class NotThisProvidersItem(Exception):
    """The bank item, value or stage belongs to another provider."""


@transaction.atomic
def copy_bank_item_into_stage(
    *, item: BankItem, stage: Stage, core_value: CoreValue, actor: Any = None
) -> Criterion:
    """Add a bank item to a stage's current criteria, evidencing one of the provider's values.

    The wording (plain and easy read) and the four levels are copied into the criterion, so it
    freezes like any other once a scorecard is submitted against it, and editing the bank item
    afterwards never changes what a panel scored against.
    """
    stage = Stage.objects.select_for_update().select_related("role__provider").get(pk=stage.pk)
    provider = stage.role.provider
    if core_value.provider_id != provider.pk or (
        item.provider_id is not None and item.provider_id != provider.pk
    ):
        raise NotThisProvidersItem
    if core_value.is_retired:
        raise ValueError("A retired value cannot be evidenced by new criteria.")
    if stage.criteria_frozen():
        raise CriteriaFrozen
    order = (stage.current_criteria().aggregate(top=models.Max("order"))["top"] or 0) + 1
    criterion = Criterion.objects.create(
        stage=stage,
        core_value=core_value,
        version=stage.criteria_version,
        order=order,
        prompt=item.prompt,
        level_1=item.level_1,
        level_2=item.level_2,
        level_3=item.level_3,
        level_4=item.level_4,
        prompt_easy_read=item.prompt_easy_read,
        level_1_easy_read=item.level_1_easy_read,
        level_2_easy_read=item.level_2_easy_read,
        level_3_easy_read=item.level_3_easy_read,
        level_4_easy_read=item.level_4_easy_read,
        bank_item=item,
    )
    audit.record(
        provider=provider,
        actor=actor,
        action=AuditEvent.Action.CRITERIA_CHANGED,
        subject=stage,
        summary=f"Added criterion {criterion.pk} from the question bank",
    )
    return criterion


# The kind of bank item a criterion of each kind of stage becomes.
BANK_KIND_OF_STAGE = {
    Stage.Kind.INTERVIEW: BankItem.Kind.INTERVIEW_QUESTION,
    Stage.Kind.SHADOWING: BankItem.Kind.SHADOWING_BEHAVIOUR,
    Stage.Kind.GROUP_ACTIVITY: BankItem.Kind.GROUP_ACTIVITY,
    Stage.Kind.OTHER: BankItem.Kind.SCENARIO,
}


@transaction.atomic
def save_criterion_to_bank(*, criterion: Criterion, actor: Any = None) -> tuple[BankItem, bool]:
    """Keep a criterion the provider wrote as one of its own bank items, to reuse in other
    roles: a copy, so that editing either later leaves the other alone. It serves the
    criterion's value and, when that value evidences a national value, the first of those, so
    it is listed with the set's items too. Saving the same wording again adds nothing.
    Returns the item and whether it was new."""
    stage = criterion.stage
    provider = stage.role.provider
    core_value = criterion.core_value
    existing = provider.bank_items.filter(core_value=core_value, prompt=criterion.prompt).first()
    if existing is not None:
        return existing, False
    national = core_value.evidences.order_by("value_set__order", "order").first()
    title = criterion.prompt if len(criterion.prompt) <= 80 else criterion.prompt[:79] + "…"
    item = BankItem.objects.create(
        provider=provider,
        core_value=core_value,
        national_value=national,
        kind=BANK_KIND_OF_STAGE.get(Stage.Kind(stage.kind), BankItem.Kind.SCENARIO),
        title=title,
        prompt=criterion.prompt,
        prompt_easy_read=criterion.prompt_easy_read,
        level_1=criterion.level_1,
        level_2=criterion.level_2,
        level_3=criterion.level_3,
        level_4=criterion.level_4,
        level_1_easy_read=criterion.level_1_easy_read,
        level_2_easy_read=criterion.level_2_easy_read,
        level_3_easy_read=criterion.level_3_easy_read,
        level_4_easy_read=criterion.level_4_easy_read,
    )
    audit.record(
        provider=provider,
        actor=actor,
        action=AuditEvent.Action.CRITERIA_CHANGED,
        subject=item,
        summary=f"Saved criterion {criterion.pk} to the provider's question bank",
    )
    return item, True


@transaction.atomic
def save_own_bank_item(*, item: BankItem, provider: Provider, actor: Any = None) -> BankItem:
    """Keep a question or activity the provider wrote (new or changed) in its own bank.

    It serves the chosen value and, like an item saved from a criterion, the first national
    value that value evidences, so it is listed with the set's items too. Criteria copied from
    it earlier keep their own wording: nothing here touches a stage."""
    new = item.pk is None
    # The shared library is read-only, and another provider's items and values are not ours.
    if (not new and item.provider_id != provider.pk) or (
        item.core_value is not None and item.core_value.provider_id != provider.pk
    ):
        raise NotThisProvidersItem("Only the provider's own values and items.")
    item.provider = provider
    if item.core_value is not None:
        item.national_value = item.core_value.evidences.order_by(
            "value_set__order", "order"
        ).first()
    item.save()
    audit.record(
        provider=provider,
        actor=actor,
        action=AuditEvent.Action.CRITERIA_CHANGED,
        subject=item,
        summary=f"{'Wrote' if new else 'Changed'} question bank item {item.pk}",
    )
    return item


@transaction.atomic
def remove_own_bank_item(*, item: BankItem, actor: Any = None) -> None:
    """Take one of the provider's own items out of its bank. Criteria copied from it stay as
    they are (they keep their own wording), only without the record of where it came from."""
    provider = item.provider
    if provider is None:
        raise NotThisProvidersItem("The shared library is read-only.")
    audit.record(
        provider=provider,
        actor=actor,
        action=AuditEvent.Action.CRITERIA_CHANGED,
        subject=item,
        summary=f"Removed question bank item {item.pk}",
    )
    item.delete()
