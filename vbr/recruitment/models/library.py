"""The shared library: national value sets and the question and activity bank.

Value sets (the Care Workforce Pathway's universal values, the 6Cs, VBR's own starter set) are
loaded from the `fixtures/` folder by `manage.py load_value_sets`. They are not tenant data:
every provider reads the same rows. A provider copies what it wants into its own CoreValues
and criteria, so a later version of a set never changes what a provider adopted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from vbr.accounts.models import Provider
from vbr.compiled import CompiledQuery
from vbr.recruitment.models.values import CoreValue


class ValueSetQuerySet(models.QuerySet["ValueSet"]):
    def latest_versions(self) -> ValueSetQuerySet:
        """The newest version of each set: the ones offered to providers starting out."""
        newer = ValueSet.objects.filter(
            slug=models.OuterRef("slug"), version__gt=models.OuterRef("version")
        )
        return self.exclude(models.Exists(newer))


class ValueSet(models.Model):
    """One version of a published set of values, e.g. the Care Workforce Pathway, version 1."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    version = models.PositiveSmallIntegerField(default=1)
    source = models.TextField(blank=True, help_text="Who published the set and where it is from.")
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)

    objects = ValueSetQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="value_set_slug_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class NationalValue(models.Model):
    """One value of a value set, with the behaviour that shows it and that goes against it.

    Indicators are lists of short sentences; a provider that starts from the set gets them as
    its own Indicator rows.
    """

    value_set = models.ForeignKey(
        ValueSet, on_delete=models.CASCADE, related_name="national_values"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    positive_indicators = models.JSONField(default=list, blank=True)
    negative_indicators = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["value_set", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["value_set", "name"], name="national_value_name_per_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.value_set.name})"

    @property
    def label(self) -> str:
        """How reports name it: "Respect (Care Workforce Pathway)"."""
        return f"{self.name} ({self.value_set.name})"


class BankItemQuerySet(models.QuerySet["BankItem"]):
    def available_to(self, provider: Provider) -> BankItemQuerySet:
        """The shared library and the provider's own items; never another provider's."""
        return self.filter(models.Q(provider__isnull=True) | models.Q(provider=provider))


class BankItem(models.Model):
    """A reusable question or activity for one value, with its four level descriptions in plain
    and in easy-read wording.

    Shared items (no provider) come from the fixtures and serve a value of a set; a provider's
    own items serve either a set's value or one of its own values. A stage never points at an
    item: `workflow.copy_bank_item_into_stage` copies the wording into a criterion, which
    freezes like any other criterion.
    """

    class Kind(models.TextChoices):
        INTERVIEW_QUESTION = "interview_question", "Interview question"
        SHADOWING_BEHAVIOUR = "shadowing_behaviour", "Shadowing behaviour"
        GROUP_ACTIVITY = "group_activity", "Group activity"
        SCENARIO = "scenario", "Scenario"

    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bank_items",
        help_text="Empty for the shared library loaded from the fixtures.",
    )
    national_value = models.ForeignKey(
        NationalValue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bank_items",
    )
    core_value = models.ForeignKey(
        "recruitment.CoreValue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bank_items",
    )
    # A stable name for items loaded from the fixtures, so that loading again updates them.
    key = models.SlugField(max_length=80, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=150)
    prompt = models.TextField(help_text="The question, behaviour or activity, in plain words.")
    prompt_easy_read = models.TextField(blank=True)
    level_1 = models.TextField("Level 1 — no evidence shown")
    level_2 = models.TextField("Level 2 — some evidence")
    level_3 = models.TextField("Level 3 — good evidence")
    level_4 = models.TextField("Level 4 — strong evidence")
    level_1_easy_read = models.TextField(blank=True)
    level_2_easy_read = models.TextField(blank=True)
    level_3_easy_read = models.TextField(blank=True)
    level_4_easy_read = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BankItemQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(national_value__isnull=False)
                | models.Q(core_value__isnull=False),
                name="bank_item_serves_a_value",
            ),
            models.UniqueConstraint(
                fields=["national_value", "key"],
                condition=models.Q(provider__isnull=True) & ~models.Q(key=""),
                name="bank_item_key_per_value",
            ),
        ]
        indexes = [models.Index(fields=["national_value", "kind"])]

    def __str__(self) -> str:
        return self.title

    def level_descriptions(self) -> list[tuple[int, str, str]]:
        return [
            (1, self.level_1, self.level_1_easy_read),
            (2, self.level_2, self.level_2_easy_read),
            (3, self.level_3, self.level_3_easy_read),
            (4, self.level_4, self.level_4_easy_read),
        ]


def evidences_by_value(
    core_values: models.QuerySet[CoreValue] | Iterable[int],
) -> dict[int, str]:
    """What each of the given values (a queryset or ids) evidences, by value id, as reports
    print it beside the value: "Respect (Care Workforce Pathway)", several joined by "; ".
    Values mapped to nothing are left out. One query, however many values."""
    chosen = core_values if isinstance(core_values, models.QuerySet) else list(core_values)
    return _labels(_in_order(CoreValue.evidences.through.objects.filter(corevalue__in=chosen)))


def evidences_of_criteria(stage_id: int, version: int) -> dict[int, str]:
    """`evidences_by_value` of the values that one stage's criteria of one version use (an
    assessment's): read on every view of a debrief, through SQL written once."""
    return _labels(_STAGE_EVIDENCES.objects(stage_id=stage_id, version=version))


def _in_order(links: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return links.select_related("nationalvalue__value_set").order_by(
        "nationalvalue__value_set__order", "nationalvalue__order", "pk"
    )


def _labels(links: Iterable[Any]) -> dict[int, str]:
    labels: dict[int, list[str]] = {}
    seen: set[int] = set()
    for link in links:
        if link.pk not in seen:  # a value used by several criteria is joined once for each
            seen.add(link.pk)
            labels.setdefault(link.corevalue_id, []).append(link.nationalvalue.label)
    return {pk: "; ".join(names) for pk, names in labels.items()}


_STAGE_EVIDENCES: CompiledQuery[Any] = CompiledQuery(
    lambda stage_id, version: _in_order(
        CoreValue.evidences.through.objects.filter(
            corevalue__criteria__stage_id=stage_id, corevalue__criteria__version=version
        )
    ),
    stage_id=int,
    version=int,
)
