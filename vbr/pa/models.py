"""A disabled person who employs their own personal assistant (PA): what they told us about
the job in their own words, from which the role and its advert are written."""

from __future__ import annotations

from django.db import models

from vbr.accounts.models import Membership, Provider


class PaJob(models.Model):
    """One personal assistant job of an individual employer, beside the Role that carries its
    stages and candidates.

    The employer's words are kept apart from the advert so that they can change them and have
    the advert written again: what help they need, and what matters to them in a PA (a sense
    of humour, their culture or faith, their interests). `companion` is the friend, family
    member or advocate who sits on the interviews with them, so that nobody interviews alone.
    """

    class Relationship(models.TextChoices):
        FRIEND = "friend", "A friend"
        FAMILY = "family", "Someone in my family"
        ADVOCATE = "advocate", "My advocate"
        OTHER = "other", "Someone else I trust"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="pa_jobs")
    role = models.OneToOneField("recruitment.Role", on_delete=models.CASCADE, related_name="pa_job")
    help_needed = models.TextField(
        "What help do you need?",
        max_length=3000,
        help_text="For example: getting up and dressed, cooking, going to the shops.",
    )
    what_matters = models.TextField(
        "What matters to you in a PA?",
        max_length=3000,
        blank=True,
        help_text="For example: a sense of humour, knowing my culture or faith, liking music, "
        "being on time.",
    )
    values = models.ManyToManyField(
        "recruitment.CoreValue",
        blank=True,
        related_name="+",
        verbose_name="Your values",
        help_text="Choose the ones that matter most to you.",
    )
    companion = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sits with the employer at the interviews.",
    )
    companion_relationship = models.CharField(
        max_length=10, choices=Relationship.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "PA job"

    def __str__(self) -> str:
        return f"PA job: {self.role}"
