"""Equality monitoring (kept apart from the application) and background export jobs."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from vbr import leases
from vbr.accounts.models import Provider
from vbr.recruitment.models import Application


def new_key() -> str:
    return secrets.token_urlsafe(32)


class MonitoringInvite(models.Model):
    """The link a candidate is sent to answer the optional equality questions.

    The answers (`EqualityResponse`) carry the same random key but no reference to the
    application or candidate, so nobody can read one person's answers from their record.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="monitoring_invite"
    )
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Equality monitoring invitation {self.pk}"


PREFER_NOT = ("prefer_not", "Prefer not to say")


class EqualityResponse(models.Model):
    """Optional equality-monitoring answers, linked to nothing but an opaque key."""

    class AgeBand(models.TextChoices):
        UNDER_25 = "16_24", "16 to 24"
        FROM_25 = "25_34", "25 to 34"
        FROM_35 = "35_44", "35 to 44"
        FROM_45 = "45_54", "45 to 54"
        FROM_55 = "55_64", "55 to 64"
        FROM_65 = "65_plus", "65 or over"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Another ethnic group"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        BUDDHIST = "buddhist", "Buddhist"
        CHRISTIAN = "christian", "Christian"
        HINDU = "hindu", "Hindu"
        JEWISH = "jewish", "Jewish"
        MUSLIM = "muslim", "Muslim"
        SIKH = "sikh", "Sikh"
        OTHER = "other", "Another religion"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Orientation(models.TextChoices):
        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PREFER_NOT_TO_SAY = PREFER_NOT

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="equality_responses"
    )
    key = models.CharField(max_length=64, unique=True)
    age_band = models.CharField("Age", max_length=12, choices=AgeBand.choices, blank=True)
    sex = models.CharField("Sex", max_length=12, choices=Sex.choices, blank=True)
    gender_same_as_birth = models.CharField(
        "Is your gender the same as the sex you were registered at birth?",
        max_length=12,
        choices=YesNo.choices,
        blank=True,
    )
    ethnicity = models.CharField(
        "Ethnic group", max_length=12, choices=Ethnicity.choices, blank=True
    )
    disability = models.CharField(
        "Do you consider yourself to be disabled?",
        max_length=12,
        choices=YesNo.choices,
        blank=True,
    )
    religion = models.CharField(
        "Religion or belief", max_length=12, choices=Religion.choices, blank=True
    )
    sexual_orientation = models.CharField(
        "Sexual orientation", max_length=12, choices=Orientation.choices, blank=True
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    # The questions the fairness report can group by, in the order shown.
    CHARACTERISTICS = (
        "age_band",
        "sex",
        "gender_same_as_birth",
        "ethnicity",
        "disability",
        "religion",
        "sexual_orientation",
    )

    class Meta:
        indexes = [models.Index(fields=["provider", "key"])]

    def __str__(self) -> str:
        return f"Equality response {self.pk}"


def export_upload_to(job: ExportJob, filename: str) -> str:
    return f"exports/{job.provider_id}/{secrets.token_hex(8)}-{filename}"


class ExportJob(models.Model):
    """A large export or the report pack PDF, made by a worker and served by a checked view.

    As with PDF summaries, the row is the source of truth, not the broker (an outbox): it is
    written first and sent once the transaction commits; one that could not be sent waits
    for the sweep, and a worker that dies while making it loses its lease (`vbr.leases`).
    """

    class Kind(models.TextChoices):
        APPLICATIONS_XLSX = "applications_xlsx", "Applications (XLSX)"
        SCORES_XLSX = "scores_xlsx", "Scores (XLSX)"
        REPORT_PACK_PDF = "report_pack_pdf", "Report pack (PDF)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The report filters in force when it was asked for (role, stage, dates).
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=export_upload_to, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the job was handed to the broker (None: never reached it).
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker making the file: renewed while it works (vbr.leases).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_status_display()}"

    @property
    def never_sent(self) -> bool:
        """Waiting, and the broker could not be reached to hand it on: the sweep will."""
        return self.status == self.Status.PENDING and self.sent_at is None

    def claim(self) -> str | None:
        """Start making the file, or take over from a worker that has gone; returns the
        lease's owner id, or None when a live worker has it or it is finished."""
        owner = leases.claim(
            ExportJob.objects,
            pk=self.pk,
            waiting=self.Status.PENDING,
            working=self.Status.RUNNING,
            max_attempts=settings.EXPORT_MAX_ATTEMPTS,
        )
        self.refresh_from_db()
        return owner


def new_token() -> str:
    return secrets.token_hex(16)


class ReportsVersion(models.Model):
    """Which version of a provider's recruitment data the cached reports were built from.

    Replaced (`vbr.reports.caching.reports_changed`) in the same transaction as every step
    that changes a figure or a label the reports show. A random token rather than a counter:
    a counter starts again after a restore, or in a fresh test database, and could meet
    entries cached under the same number.
    """

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, primary_key=True, related_name="reports_version"
    )
    token = models.CharField(max_length=32, default=new_token)
    # Keys the last build of each report, kept across changes so that a page can show it
    # (saying when it is from) while a worker brings it up to date. Replaced only when
    # earlier figures must never be shown again (a candidate anonymised or erased).
    lineage = models.CharField(max_length=32, default=new_token)

    def __str__(self) -> str:
        return f"Reports version of provider {self.provider_id}"


class AgreementTally(models.Model):
    """What the values and panel reports need from one assessment's submitted scores, kept
    when a scorecard is submitted or amended (`vbr.reports.agreement.refresh_agreement`),
    so that the reports sum a few rows per assessment instead of reading every score.

    A unit is one criterion at one assessment; its vector is how many panellists gave it
    each level (n1..n4). Kinds:
    - "unit": one criterion at the assessment: its vector, and how many found it "not
      observed" (the values report's counts; agreement leaves "not observed" out);
    - "value_cards": `count` scorecards with a score in a unit of that value scored by two
      or more; "stage_cards": the same for any value of the assessment;
    - "lenient": a panellist's `count` scores in units scored by two or more, and the sum
      of their differences from each unit's median.
    """

    class Kind(models.TextChoices):
        UNIT = "unit", "Units"
        VALUE_CARDS = "value_cards", "Scorecards per value"
        STAGE_CARDS = "stage_cards", "Scorecards"
        LENIENT = "lenient", "Leniency"

    assessment = models.ForeignKey(
        "recruitment.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    # The assessment's application and stage, copied so that the report filters and groups
    # the tallies without reading the assessments.
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.ForeignKey("recruitment.Stage", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    core_value = models.ForeignKey(
        "recruitment.CoreValue", on_delete=models.CASCADE, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    criterion = models.ForeignKey(
        "recruitment.Criterion", on_delete=models.CASCADE, null=True, related_name="+"
    )
    n1 = models.PositiveSmallIntegerField(default=0)
    n2 = models.PositiveSmallIntegerField(default=0)
    n3 = models.PositiveSmallIntegerField(default=0)
    n4 = models.PositiveSmallIntegerField(default=0)
    not_observed = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    difference = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of assessment {self.assessment_id}"


class ReportRebuild(models.Model):
    """A report to build again from the provider's current data, by a worker: the outbox
    row is written first and handed to the broker on commit; one the broker never got, or
    whose worker died (its lease lapsed, `vbr.leases`), is sent again by the beat sweep.

    At most one waiting or running per report, filters and reader's scope (`key`), so that
    many page views (or many changes) start one rebuild. A finished rebuild is deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Being built"
        FAILED = "failed", "Failed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="report_rebuilds")
    report = models.CharField(max_length=20)
    # The report filters and the reader's scope (ReportFilter.as_dict()).
    filters = models.JSONField(default=dict, blank=True)
    # The report's cache key without the data's version (`vbr.reports.caching.latest_key`).
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "key"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_report_rebuild_at_a_time",
            )
        ]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"Rebuild of the {self.report} report — {self.get_status_display()}"
