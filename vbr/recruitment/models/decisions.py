from __future__ import annotations

from django.conf import settings
from django.db import models


class Decision(models.Model):
    """The human outcome of an application at a point in time, with reasons."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress to next stage"
        OFFER = "offer", "Offer the job"
        HIRE = "hire", "Hired"
        DECLINE = "decline", "Decline"
        HOLD = "hold", "Hold"

    # Indexed with the time below, which also serves every look-up by application.
    application = models.ForeignKey(
        "recruitment.Application",
        on_delete=models.CASCADE,
        related_name="decisions",
        db_index=False,
    )
    # The stage the application was in when decided: the experts' view a decision is weighed
    # against is their view at that stage (`rules.goes_against_experts`). Kept, not looked up
    # later, because the application moves on. SET_NULL: only a stage nobody was assessed at
    # can be deleted (assessments RESTRICT it), and there the experts had no view to lose.
    stage = models.ForeignKey(
        "recruitment.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reasons = models.TextField()
    # Required when the decision goes against the experts-by-experience view.
    override_reason = models.TextField(blank=True)
    # Written for the candidate when turning them down: sent in the "not this time" notice,
    # as written. Never the reasons, which are for the provider.
    feedback_to_candidate = models.TextField(blank=True, max_length=600)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-decided_at", "-pk"]
        get_latest_by = "decided_at"
        indexes = [
            # An application's decisions by time: its latest, and whether one was made since
            # its assessment ("waiting for a decision"), read from the index alone.
            models.Index(fields=["application", "decided_at"], name="decision_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.application}"


class Outcome(models.Model):
    """What happened after a hire: the evidence of whether values-based hires stay."""

    class Probation(models.TextChoices):
        PENDING = "pending", "In probation"
        PASSED = "passed", "Passed"
        EXTENDED = "extended", "Extended"
        FAILED = "failed", "Did not pass"

    class LeavingReason(models.TextChoices):
        PERSONAL = "personal", "Personal circumstances"
        PAY = "pay", "Pay or hours"
        ROLE_FIT = "role_fit", "The role was not for them"
        CONDUCT = "conduct", "Conduct or capability"
        CAREER = "career", "Career move"
        OTHER = "other", "Other"

    application = models.OneToOneField(
        "recruitment.Application", on_delete=models.CASCADE, related_name="outcome"
    )
    start_date = models.DateField(null=True, blank=True)
    probation = models.CharField(
        max_length=10, choices=Probation.choices, default=Probation.PENDING
    )
    left_on = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=10, choices=LeavingReason.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(start_date__isnull=False, left_on__gte=models.F("start_date")),
                name="outcome_left_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Outcome of {self.application}"
