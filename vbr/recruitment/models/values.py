from __future__ import annotations

from django.db import models
from django.utils import timezone

from vbr.accounts.models import Provider


class CoreValueQuerySet(models.QuerySet["CoreValue"]):
    def current(self) -> CoreValueQuerySet:
        """Values not retired: the ones offered for new criteria."""
        return self.filter(retired_at__isnull=True)

    def retired(self) -> CoreValueQuerySet:
        return self.filter(retired_at__isnull=False)

    def with_use_count(self) -> CoreValueQuerySet:
        """How many criteria (any role, any version) evidence each value: a used value is
        retired, never deleted, so that past scorecards keep it."""
        return self.annotate(use_count=models.Count("criteria"))


class CoreValue(models.Model):
    """One of a provider's values. Retired values stay so that past scorecards keep them."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="core_values")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    evidences = models.ManyToManyField(
        "recruitment.NationalValue",
        blank=True,
        related_name="core_values",
        help_text="Values of a national set this value evidences, named beside it in reports.",
    )

    objects = CoreValueQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="core_value_name_per_provider"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def retire(self) -> None:
        """Stop offering the value for new criteria; criteria and scorecards keep it."""
        if self.retired_at is None:
            self.retired_at = timezone.now()
            self.save(update_fields=["retired_at"])

    def restore(self) -> None:
        if self.retired_at is not None:
            self.retired_at = None
            self.save(update_fields=["retired_at"])


class Indicator(models.Model):
    """A behaviour that shows a value (positive) or goes against it (negative)."""

    class Kind(models.TextChoices):
        POSITIVE = "positive", "Shows the value"
        NEGATIVE = "negative", "Goes against the value"

    core_value = models.ForeignKey(CoreValue, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POSITIVE)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["core_value", "kind", "order", "pk"]

    def __str__(self) -> str:
        return self.text
