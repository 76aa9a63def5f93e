from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models.roles import Role, Stage


class Candidate(models.Model):
    """A person applying to a provider. Personal data: anonymised after the retention period."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="candidates")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["provider", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ApplicationQuerySet(models.QuerySet["Application"]):
    def active(self) -> ApplicationQuerySet:
        return self.filter(status=Application.Status.ACTIVE)


class Application(models.Model):
    """A candidate applying for one role; moves through the role's stages."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        OFFERED = "offered", "Offered"
        HIRED = "hired", "Hired"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        WEBSITE = "website", "Our website"
        JOB_BOARD = "job_board", "Job board"
        REFERRAL = "referral", "Referral by staff"
        JOBCENTRE = "jobcentre", "Jobcentre"
        SOCIAL_MEDIA = "social_media", "Social media"
        OTHER = "other", "Other"

    # The provider is stored again here so that every tenant query starts from it cheaply.
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="applications")
    current_stage = models.ForeignKey(
        Stage, on_delete=models.RESTRICT, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "role"], name="one_application_per_candidate_per_role"
            )
        ]
        indexes = [
            models.Index(fields=["provider", "role", "current_stage", "status"]),
            models.Index(fields=["role", "status", "current_stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.role}"

    def get_absolute_url(self) -> str:
        return reverse(
            "application-detail",
            kwargs={"provider_slug": self.provider.slug, "application_id": self.pk},
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.candidate_id and self.candidate.provider_id != self.provider_id:
            errors["candidate"] = "The candidate belongs to another provider."
        if self.role_id and self.role.provider_id != self.provider_id:
            errors["role"] = "The role belongs to another provider."
        if self.current_stage_id and self.current_stage.role_id != self.role_id:
            errors["current_stage"] = "That stage is not part of this role."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.OFFERED)


class StageEntry(models.Model):
    """When an application entered a stage: the history behind time-in-stage figures."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_entries"
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entries")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "entered_at", "pk"]
        verbose_name_plural = "stage entries"
        indexes = [models.Index(fields=["stage", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.application} entered {self.stage}"
