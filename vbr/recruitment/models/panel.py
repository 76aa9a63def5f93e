"""Shadowing: the checks a provider requires first, and the view of the person supported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from vbr.accounts.models import Provider


class ProviderCheck(models.Model):
    """Something a provider must see before a candidate shadows, e.g. "DBS check seen"."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="checks")
    name = models.CharField(max_length=150)
    required_before_shadowing = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="one_check_name_per_provider")
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationCheck(models.Model):
    """A manager's tick: this check was done for this application, by whom and when."""

    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="checks"
    )
    check_item = models.ForeignKey(ProviderCheck, on_delete=models.CASCADE, related_name="done")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "check_item__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "check_item"], name="one_tick_per_check_and_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_item} done"


class SupportedPersonView(models.Model):
    """What the person supported during shadowing thought: "Would you like this person to
    support you?". Not a panellist's score; shown only at the debrief.

    Only a first name or initials are kept. A person who declines to take part has no answer
    stored, only that they declined.
    """

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NOT_SURE = "not_sure", "Not sure"
        NO = "no", "No"

    assessment = models.ForeignKey(
        "recruitment.Assessment", on_delete=models.CASCADE, related_name="supported_person_views"
    )
    person_name = models.CharField("First name or initials", max_length=40)
    consent_given = models.BooleanField()
    consent_recorded_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    supporter_name = models.CharField("Supporter's name (if any)", max_length=150, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "consent_recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_given=True) | models.Q(answer="", comment=""),
                name="no_answer_without_consent",
            )
        ]

    def __str__(self) -> str:
        return f"View of {self.person_name}"


class InvolvementQuerySet(models.QuerySet["Involvement"]):
    def owed(self) -> InvolvementQuerySet:
        """Not yet paid, and something to pay: a payment, a voucher or expenses (time given
        freely with no expenses is owed nothing)."""
        return self.filter(paid_on__isnull=True).filter(
            models.Q(payment_amount__gt=0)
            | models.Q(expenses_amount__gt=0)
            | models.Q(supporter_expenses__gt=0)
        )

    def due_by(self, day: date) -> InvolvementQuerySet:
        """Owed, and due on or before `day` (overdue when `day` is today)."""
        return self.owed().filter(pay_by__lte=day)


class Involvement(models.Model):
    """Time a panel member gave, the reward they chose (payment, voucher or none: a choice
    that keeps payments safe for their benefits), their expenses and a supporter's costs, and
    whether it is paid: for recognition, for the provider's finance team, and for the
    involvement report."""

    class PaymentKind(models.TextChoices):
        # What the person chose: some prefer a voucher or nothing, so that a payment does not
        # count against their benefits.
        NONE = "none", "None"
        PAYMENT = "payment", "Payment"
        VOUCHER = "voucher", "Voucher"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="involvements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="involvements"
    )
    assessment = models.ForeignKey(
        "recruitment.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField()
    minutes = models.PositiveIntegerField("Time given (minutes)")
    payment_kind = models.CharField(
        "Reward chosen", max_length=10, choices=PaymentKind.choices, default=PaymentKind.NONE
    )
    payment_amount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    expenses_amount = models.DecimalField(
        "Travel and other expenses (£)", max_digits=8, decimal_places=2, default=0
    )
    supporter_expenses = models.DecimalField(
        "A supporter's or PA's costs (£)",
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text="For example their time or travel, so that coming with a supporter costs "
        "the panel member nothing.",
    )
    notes = models.CharField(max_length=300, blank=True)
    # Paying late can upset a person's benefits or leave them out of pocket: the provider
    # sets how many days it pays within (`Provider.pay_within_days`), and the date it falls
    # due is kept when the involvement is recorded, so that a later change of the setting
    # does not move promises already made.
    pay_by = models.DateField("Pay by", null=True, blank=True)
    paid_on = models.DateField("Paid on", null=True, blank=True)
    # When admins were last reminded that it is due or overdue (`workflow.remind_unpaid`).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["provider", "-date"]),
            models.Index(
                fields=["pay_by"],
                condition=models.Q(paid_on__isnull=True),
                name="involvement_unpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.date}"

    @property
    def amount_owed(self) -> Decimal:
        """What the provider pays: the payment or voucher, the expenses and the supporter's
        costs."""
        return self.payment_amount + self.expenses_amount + self.supporter_expenses

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class ShadowingNote(models.Model):
    """A timed note an observer writes during shadowing ("10:40 — asked Mrs K how she likes
    her tea"). Part of the observer's own scorecard: private to them like the rest of it, and
    fixed once the scorecard is submitted."""

    scorecard = models.ForeignKey(
        "recruitment.Scorecard", on_delete=models.CASCADE, related_name="shadowing_notes"
    )
    noted_at = models.TimeField("Time")
    text = models.CharField("What happened", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "noted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.noted_at:%H:%M} — {self.text[:60]}"
