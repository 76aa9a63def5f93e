"""Closing the loop: telling an expert by experience what was decided about a candidate they
assessed, and how their view was weighed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vbr.accounts.models import AccessProfile, OutgoingEmail, Provider


class DecisionMessageQuerySet(models.QuerySet["DecisionMessage"]):
    def letters_to_print(self) -> DecisionMessageQuerySet:
        """Printed letters the manager has not yet marked as given."""
        return self.filter(channel=DecisionMessage.Channel.LETTER, delivered_at__isnull=True)

    def for_next_visit(self) -> DecisionMessageQuerySet:
        return self.filter(channel=DecisionMessage.Channel.NEXT_VISIT)


class DecisionMessage(models.Model):
    """One expert by experience told of one decision, by the way they chose in "working with
    me". It is the log of what they were told: by email (through the outbox), a printed
    letter the manager hands over, or on their panel page the next time they open their link.

    What they said is kept as it was when the decision was made (`own_view`, `weighed`): the
    decision was weighed against that, and a later amendment does not change the message.
    """

    Channel = AccessProfile.HearAboutDecisions

    class Weighed(models.TextChoices):
        WITH = "with", "The decision went the way the experts by experience said"
        AGAINST = "against", "The decision went against the experts by experience"
        OTHER = "other", "The experts by experience had no clear view at this stage"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(
        "recruitment.Decision", on_delete=models.CASCADE, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decision_messages"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    # Their own recommendation at the stage they assessed (a Scorecard.Recommendation code).
    own_view = models.CharField(max_length=10, blank=True)
    weighed = models.CharField(max_length=10, choices=Weighed.choices)
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Letter: when the manager marked it given. Next visit: when they first saw it.
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "user"], name="one_message_per_decision")
        ]
        indexes = [models.Index(fields=["provider", "channel", "delivered_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.user} about {self.decision}"
