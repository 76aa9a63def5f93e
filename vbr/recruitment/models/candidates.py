from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.planning import Written
from vbr.recruitment.rows import person_name
from vbr.recruitment.search import Folded

if TYPE_CHECKING:
    from vbr.recruitment.models.roles import Stage


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
        return person_name(self.first_name, self.last_name)


# Up to this many matching candidates, a search looks up their applications by candidate.
SEARCH_SHORTLIST = 1000


def name_or_email_matches(text: str) -> Q:
    """Candidates whose name or email contains every word of `text`, compared in upper case
    without accents on both sides (`vbr_fold`, which the trigram indexes are built on)."""
    match = Q()
    for word in text.split():
        typed = Folded(Value(word))
        match &= (
            Q(Contains(Folded("first_name"), typed))
            | Q(Contains(Folded("last_name"), typed))
            | Q(Contains(Folded("email"), typed))
        )
    return match


class ApplicationQuerySet(models.QuerySet["Application"]):
    def active(self) -> ApplicationQuerySet:
        return self.filter(status=Application.Status.ACTIVE)

    def search(
        self, text: str, among: models.QuerySet[Candidate] | None = None
    ) -> ApplicationQuerySet:
        """Applications whose candidate's name or email contains every word typed, in any
        case and with or without accents ("sian" finds Siân, "wyn" finds Wŷn).

        `among`: the candidates to look in (the provider's). When few of them match, as for
        a surname, their ids are read first (on PostgreSQL through trigram indexes on the
        folded columns) and the applications found by candidate; a fragment that matches
        very many is left to the list's own order (the newest applications, walked and
        filtered), where the first page is quickly full. Both in at most one query more
        than the list."""
        match = name_or_email_matches(text)
        if among is not None:
            matching = among.filter(match).order_by().values_list("pk", flat=True)
            found = list(matching[: SEARCH_SHORTLIST + 1])
            if len(found) <= SEARCH_SHORTLIST:
                return self.filter(candidate_id__in=found)
        return self.filter(candidate__in=Candidate.objects.filter(match))

    def waiting_for_decision(self) -> ApplicationQuerySet:
        """Active applications whose assessment at their current stage is done — closed, or
        every panellist has submitted — and that have no decision made since it took place.

        Annotates `assessment_id` and `assessed_at` (that assessment's time) for linking and
        ordering.
        """
        from vbr.recruitment.models.assessments import Assessment
        from vbr.recruitment.models.decisions import Decision

        # The assessment at the current stage (at most one per application and stage) is
        # joined rather than looked up in correlated subqueries.
        return (
            # Active, written out: the partial index of active applications then applies to
            # the statement however it is planned (see `Written`).
            self.filter(status=Written(Application.Status.ACTIVE.value))
            .filter(current_stage__isnull=False)
            .annotate(
                at_stage=FilteredRelation(
                    "assessments",
                    condition=Q(assessments__stage=F("current_stage"))
                    & ~Q(assessments__status=Assessment.Status.CANCELLED),
                ),
                assessment_id=F("at_stage__pk"),
                assessed_at=Coalesce("at_stage__scheduled_at", "at_stage__created_at"),
            )
            # Conditions only (not selected), each compiled once into the WHERE clause.
            .alias(
                assessment_status=F("at_stage__status"),
                panel_size=F("at_stage__panel_size"),
                submitted_count=F("at_stage__submitted_count"),
                decided_since=Exists(
                    Decision.objects.filter(
                        application=OuterRef("pk"), decided_at__gt=OuterRef("assessed_at")
                    )
                ),
            )
            # Done: scoring closed, or everyone on the panel has submitted (the assessment's
            # stored counts: no panel or scorecard is read per application).
            .filter(
                Q(assessment_status=Assessment.Status.CLOSED)
                | Q(panel_size__gt=0, submitted_count=F("panel_size")),
                assessment_id__isnull=False,
                decided_since=False,
            )
        )


class Application(models.Model):
    """A candidate applying for one role; moves through the role's stages."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        OFFERED = "offered", "Offered"
        HIRED = "hired", "Hired"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Closed: the application has ended (an offer is still open until it becomes a hire).
    CLOSED_STATUSES = (Status.HIRED, Status.DECLINED, Status.WITHDRAWN)

    class Source(models.TextChoices):
        WEBSITE = "website", "Our website"
        JOB_BOARD = "job_board", "Job board"
        REFERRAL = "referral", "Referral by staff"
        JOBCENTRE = "jobcentre", "Jobcentre"
        SOCIAL_MEDIA = "social_media", "Social media"
        AGENCY = "agency", "Agency"
        RETURN_TO_CARE = "return_to_care", "Returning to care"
        OTHER = "other", "Other"

    # The provider is stored again here so that every tenant query starts from it cheaply.
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    role = models.ForeignKey(
        "recruitment.Role", on_delete=models.CASCADE, related_name="applications"
    )
    current_stage = models.ForeignKey(
        "recruitment.Stage",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="applications",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    withdrawal_reason = models.TextField(
        blank=True, help_text="Why the candidate withdrew, if they said."
    )
    # Submitted levels per value, {"v<core value id>": [sum of levels, how many]}, kept by
    # workflow.refresh_value_levels whenever a scorecard is submitted or amended, so that
    # exports of a large provider read one row per application instead of every score.
    value_levels = models.JSONField(default=dict, blank=True, editable=False)

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
            # The candidates list, newest first, a keyset page at a time (paging.py).
            models.Index(fields=["provider", "applied_at", "id"], name="application_newest"),
            # "Waiting for a decision" (the dashboard, the list's filter) walks only the
            # active applications, and on PostgreSQL from this index alone: it carries the
            # columns the walk reads, the list's date and status among them (an index-only
            # scan; elsewhere a plain index).
            models.Index(
                fields=["provider", "current_stage"],
                include=["id", "candidate", "role", "applied_at", "status"],
                condition=models.Q(status="active"),
                name="application_active_by_stage",
            ),
            # The provider home's active counts per role and stage (an index-only scan).
            models.Index(
                fields=["provider", "status", "role", "current_stage"],
                name="application_status_counts",
            ),
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
        stage = self.current_stage if self.current_stage_id else None
        if stage is not None and stage.role_id != self.role_id:
            errors["current_stage"] = "That stage is not part of this role."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def next_stage(self) -> Stage | None:
        """The stage after the current one in the role's order (the first if not started)."""
        stages = list(self.role.stages.all())
        if self.current_stage_id is None:
            return stages[0] if stages else None
        ids = [stage.pk for stage in stages]
        if self.current_stage_id not in ids:
            return None
        position = ids.index(self.current_stage_id)
        return stages[position + 1] if position + 1 < len(stages) else None

    def withdraw(self, *, reason: str = "") -> None:
        """The candidate withdrew. Only an open application can be withdrawn."""
        if not self.is_open:
            raise ValidationError(
                f"This application is {self.get_status_display().lower()}: it cannot be withdrawn."
            )
        self.status = self.Status.WITHDRAWN
        self.withdrawal_reason = reason
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "withdrawal_reason", "status_changed_at"])


class StageEntry(models.Model):
    """When an application entered a stage: the history behind time-in-stage figures."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_entries"
    )
    stage = models.ForeignKey("recruitment.Stage", on_delete=models.CASCADE, related_name="entries")
    entered_at = models.DateTimeField(default=timezone.now)
    # Who added the candidate or moved the application on; kept when they leave.
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["application", "entered_at", "pk"]
        verbose_name_plural = "stage entries"
        indexes = [models.Index(fields=["stage", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.application} entered {self.stage}"
