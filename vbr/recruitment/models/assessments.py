from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from vbr.compiled import CompiledQuery

if TYPE_CHECKING:
    from vbr.recruitment.models.roles import Criterion

# Assessments happen in the UK: dates and times are London wall-clock time.
LONDON = ZoneInfo("Europe/London")


def london_datetime(day: date, at: time) -> datetime:
    """A date and a time as typed in the UK, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, at), LONDON)


def london_week(day: date) -> tuple[datetime, datetime]:
    """Monday 00:00 of the week holding `day` and the next Monday 00:00, London time (the week
    is 167 or 169 hours long when the clocks change)."""
    monday = day - timedelta(days=day.weekday())
    return london_datetime(monday, time.min), london_datetime(monday + timedelta(7), time.min)


def _count(queryset: models.QuerySet) -> Coalesce:  # type: ignore[type-arg]
    """COUNT(*) of a correlated subquery, 0 when it has no rows."""
    counted = queryset.order_by().annotate(
        n=models.Func(template="COUNT(*)", output_field=models.IntegerField())
    )
    return Coalesce(models.Subquery(counted.values("n")[:1], output_field=models.IntegerField()), 0)


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def not_cancelled(self) -> AssessmentQuerySet:
        return self.exclude(status=Assessment.Status.CANCELLED)

    def scheduled_between(self, start: datetime, end: datetime) -> AssessmentQuerySet:
        """Assessments at or after `start` and before `end`, leaving out cancelled ones."""
        return self.not_cancelled().filter(scheduled_at__gte=start, scheduled_at__lt=end)

    def this_week(self) -> AssessmentQuerySet:
        """Scheduled Monday to Sunday of the current London week."""
        return self.scheduled_between(*london_week(timezone.localtime(timezone=LONDON).date()))

    def refresh_scoring_progress(self, *, open_scoring: bool = False) -> int:
        """Store how far scoring has got on these assessments, counted again from their
        panels and scorecards: each one's `panel_size` and `submitted_count`, and each panel
        place's `scorecard_submitted` (two UPDATEs). The workflow calls it whenever a panel
        place is added or removed or a scorecard submitted, so that lists, the dashboard and
        "waiting for a decision" read stored figures instead of counting for every row.
        Returns how many assessments were updated.

        Only the panel places whose flag is out of date are written (on a submit, the
        submitter's own), so that a submit never waits for another panellist's draft. The
        counts are exact when the caller holds the assessments' locks, as the workflow does
        (`workflow._locks`). `open_scoring`: a scheduled assessment becomes "scoring open" in
        the same UPDATE (a scorecard has been submitted)."""
        (flags, flagged), (assessments, progress) = self.scoring_progress_updates(open_scoring)
        flags.update(**flagged)
        return assessments.update(**progress)

    def scoring_progress_updates(
        self, open_scoring: bool = False
    ) -> list[tuple[models.QuerySet[Any], dict[str, Any]]]:
        """The two UPDATEs of `refresh_scoring_progress`, as (rows, values) for a caller that
        sends them together with other writes. Neither reads what the other writes: they
        may run against the same snapshot."""
        submitted = Scorecard.objects.filter(submitted_at__isnull=False)
        now = models.Exists(submitted.filter(panellist=models.OuterRef("pk")))
        flags = Panellist.objects.filter(assessment__in=self.values("pk")).exclude(
            scorecard_submitted=now
        )
        panel = Panellist.objects.filter(assessment=models.OuterRef("pk"))
        progress: dict[str, Any] = {
            "panel_size": _count(panel),
            "submitted_count": _count(submitted.filter(assessment=models.OuterRef("pk"))),
        }
        if open_scoring:
            scoring = models.Value(Assessment.Status.SCORING)
            progress["status"] = models.Case(
                models.When(status=Assessment.Status.SCHEDULED, then=scoring),
                default=models.F("status"),
            )
        return [(flags, {"scorecard_submitted": now}), (self, progress)]


class Assessment(models.Model):
    """One application going through one stage: when, where and who is on the panel."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SCORING = "scoring", "Scoring open"
        CLOSED = "closed", "Scoring closed"
        CANCELLED = "cancelled", "Cancelled"

    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="assessments"
    )
    # The application's provider, kept here so that a provider's assessments are found
    # without walking every application (the assessments list counted a large provider's
    # upcoming ones in 11 ms through its 60,000 applications; here, in well under one).
    # Set from the application when the assessment is first saved; an application never
    # changes provider.
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.CASCADE, related_name="+", editable=False
    )
    stage = models.ForeignKey(
        "recruitment.Stage", on_delete=models.RESTRICT, related_name="assessments"
    )
    criteria_version = models.PositiveSmallIntegerField(default=1)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    notes_for_panel = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # How many sit on the panel and how many have submitted, kept by the workflow
    # (AssessmentQuerySet.refresh_scoring_progress).
    panel_size = models.PositiveSmallIntegerField(default=0, editable=False)
    submitted_count = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage"], name="one_assessment_per_application_stage"
            )
        ]
        indexes = [
            models.Index(fields=["scheduled_at"]),
            # The dashboard's open assessments (scheduled or being scored) among all others.
            models.Index(fields=["status", "scheduled_at"], name="assessment_status_time"),
            # A provider's assessments in time order, with their status to leave out the
            # cancelled ones without reading the rows (the lists and their counts).
            models.Index(
                fields=["provider", "scheduled_at", "status"], name="assessment_provider_time"
            ),
            # The assessment at an application's current stage, with what tells whether it
            # is done and when it took place: "waiting for a decision" looks one up for every
            # active application, on PostgreSQL without reading the table (elsewhere a plain
            # index beside the unique one).
            models.Index(
                fields=["application", "stage"],
                include=[
                    "id",
                    "status",
                    "panel_size",
                    "submitted_count",
                    "scheduled_at",
                    "created_at",
                ],
                name="assessment_at_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} — {self.application.candidate}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.provider_id is None and self.application_id is not None:
            self.provider_id = self.application.provider_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.stage_id and self.application_id and self.stage.role_id != self.application.role_id:
            raise ValidationError({"stage": "That stage is not part of the application's role."})

    @property
    def progress_label(self) -> str:
        """Where the assessment stands, in words, from its stored counts (no query): "scoring
        open" only while scorecards are still to come."""
        if self.status == self.Status.CANCELLED:
            return "Cancelled"
        if self.status == self.Status.CLOSED:
            return "Scoring closed"
        if self.panel_size and self.submitted_count >= self.panel_size:
            return "All scorecards in"
        if self.status == self.Status.SCORING:
            return f"Scoring open: {self.submitted_count} of {self.panel_size} scorecards in"
        return "Scheduled" if self.panel_size else "Scheduled, no panel yet"

    def criteria(self) -> models.QuerySet[Criterion]:
        """The criteria this assessment is scored against (its frozen version)."""
        return self.stage.criteria.filter(version=self.criteria_version).select_related(
            "core_value"
        )

    def criteria_in_order(self) -> list[Criterion]:
        """`criteria()` in their order (one stage's one version: no joins needed for it),
        read through SQL written once: the scorecard, its autosave and the debrief read them
        on every view."""
        return _criteria_in_order().objects(stage_id=self.stage_id, version=self.criteria_version)


class PanellistQuerySet(models.QuerySet["Panellist"]):
    def not_submitted(self) -> PanellistQuerySet:
        """Panel places whose own scorecard is missing or still a draft: the people who must
        not yet see anyone else's scores (independence)."""
        return self.filter(scorecard__submitted_at__isnull=True)

    def scorecard_to_do(self) -> PanellistQuerySet:
        """Panel places still to score, on assessments that are open for scoring (read from
        the stored `scorecard_submitted` and its partial index: a manager's few open places
        among thousands of past ones)."""
        return self.filter(
            scorecard_submitted=False,
            assessment__status__in=[Assessment.Status.SCHEDULED, Assessment.Status.SCORING],
        )


class Panellist(models.Model):
    """A person on an assessment's panel. Experts by experience may have no password."""

    class PanelRole(models.TextChoices):
        CHAIR = "chair", "Chair"
        MANAGER = "manager", "Manager"
        STAFF_PEER = "staff_peer", "Staff peer"
        EXPERT_BY_EXPERIENCE = "expert", "Expert by experience"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="panellists")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_places"
    )
    panel_role = models.CharField(max_length=12, choices=PanelRole.choices)
    # Whether their scorecard is submitted, kept by the workflow for the "to do" lists
    # (AssessmentQuerySet.refresh_scoring_progress). Access checks read the scorecard itself.
    scorecard_submitted = models.BooleanField(default=False, editable=False)

    objects = PanellistQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "panel_role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user"], name="one_panel_place_per_person"
            )
        ]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(scorecard_submitted=False),
                name="panellist_to_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_panel_role_display()})"

    @property
    def is_expert_by_experience(self) -> bool:
        return self.panel_role == self.PanelRole.EXPERT_BY_EXPERIENCE

    @property
    def is_chair(self) -> bool:
        return self.panel_role == self.PanelRole.CHAIR

    @property
    def has_submitted(self) -> bool:
        """Whether their own scorecard is in (use with the scorecard selected or prefetched)."""
        scorecard = getattr(self, "scorecard", None)
        return scorecard is not None and scorecard.is_submitted


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def submitted(self) -> ScorecardQuerySet:
        return self.filter(submitted_at__isnull=False)


class Scorecard(models.Model):
    """One panellist's scores for one assessment. Locked once submitted."""

    class Recommendation(models.TextChoices):
        STRONG_YES = "strong_yes", "Strong yes"
        YES = "yes", "Yes"
        NO = "no", "No"
        STRONG_NO = "strong_no", "Strong no"
        NONE = "none", "No recommendation"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scorecards")
    panellist = models.OneToOneField(Panellist, on_delete=models.CASCADE, related_name="scorecard")
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    summary = models.TextField(blank=True)
    # Set when a supporter enters answers on a panel member's behalf.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A supporter without a staff account (a relative, a support worker) is named here.
    supporter_name = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: True on the scorecard that `workflow.submit_scorecard` has just submitted,
    # False when it found it submitted already (a second click, another tab).
    submitted_now = False

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "panellist"], name="one_scorecard_per_panellist"
            )
        ]
        indexes = [models.Index(fields=["assessment", "submitted_at"])]

    def __str__(self) -> str:
        return f"Scorecard of {self.panellist}"

    def clean(self) -> None:
        if self.panellist_id and self.assessment_id != self.panellist.assessment_id:
            raise ValidationError("The panellist sits on another assessment.")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def entered_by_label(self) -> str:
        """Who typed the answers for the panel member, if somebody else did."""
        if self.entered_by_id is not None and self.entered_by is not None:
            return self.entered_by.display_name
        return self.supporter_name


class Score(models.Model):
    """One criterion's level (1–4) and evidence on a scorecard.

    `not_observed` means the panel saw no chance to show it: it is not a low score and is
    left out of averages. A row with neither a level nor not_observed is a draft.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "recruitment.Criterion", on_delete=models.RESTRICT, related_name="scores"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    not_observed = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["scorecard", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True)
                | models.Q(level__gte=1, level__lte=4, not_observed=False),
                name="score_level_in_range_or_not_observed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.display_level}"

    @property
    def is_answered(self) -> bool:
        return self.level is not None or self.not_observed

    @property
    def display_level(self) -> str:
        if self.not_observed:
            return "Not observed"
        return str(self.level) if self.level else "—"


class ScorecardRevision(models.Model):
    """The earlier version of a submitted scorecard, kept when it is amended.

    Submitted scorecards are locked; an amendment needs a reason, and what the scorecard said
    before is kept here so that the history can always be read back.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="revisions")
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    # What the scorecard said before: recommendation, summary, submitted_at and each score.
    previous = models.JSONField()

    class Meta:
        ordering = ["scorecard", "-amended_at", "-pk"]

    def __str__(self) -> str:
        return f"Amendment of {self.scorecard} at {self.amended_at:%Y-%m-%d %H:%M}"


@functools.cache
def _criteria_in_order() -> CompiledQuery[Criterion]:
    # The model by name, as the relations name it: roles.py needs this module, and nothing
    # here needs roles.py back.
    criteria = apps.get_model("recruitment", "Criterion")._default_manager
    return CompiledQuery(
        lambda stage_id, version: (
            criteria.filter(stage_id=stage_id, version=version)
            .select_related("core_value")
            .order_by("order", "pk")
        ),
        stage_id=int,
        version=int,
    )
