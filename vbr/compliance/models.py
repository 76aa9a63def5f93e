"""The safer-recruitment file: a provider's checklist (versioned, made from its nation's
rules) and, per application, the file of checks with their evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Membership, Provider
from vbr.compliance.checklists import Kind


class ComplianceSettings(models.Model):
    """A provider's choices for the file."""

    class OpenAt(models.TextChoices):
        OFFER = "offer", "When an offer is made"
        ANY_TIME = "any_time", "At any time while the application is open"

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, related_name="compliance_settings"
    )
    open_at = models.CharField(
        "Open a file", max_length=10, choices=OpenAt.choices, default=OpenAt.OFFER
    )
    gap_months = models.PositiveSmallIntegerField(
        "Gaps in employment that need a written explanation (months)",
        default=3,
        help_text="A gap longer than this between two jobs must be explained.",
    )
    keep_months_after_leaving = models.PositiveSmallIntegerField(
        "Months to keep a worker's file after they leave",
        default=36,
    )

    class Meta:
        verbose_name_plural = "compliance settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gap_months__gte=1, gap_months__lte=24),
                name="compliance_gap_months_range",
            )
        ]

    def __str__(self) -> str:
        return f"Compliance settings of {self.provider}"

    @classmethod
    def for_provider(cls, provider: Provider) -> ComplianceSettings:
        row, _ = cls.objects.get_or_create(provider=provider)
        return row


class Checklist(models.Model):
    """One version of a provider's checklist. A file keeps the version it was opened with:
    a change to a checklist already in use makes a new version (`workflow.editable_checklist`).
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="checklists")
    nation = models.CharField(max_length=20, choices=Provider.Nation.choices)
    version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "version"], name="one_checklist_per_provider_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} checklist, version {self.version}"


class ChecklistItem(models.Model):
    """One thing the file must hold. `key` ties a ready-made item to its rule in
    `checklists.py`; an item the provider added has an empty key and its own regulation text."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=150)
    kind = models.CharField(
        max_length=20, choices=[(k.value, k.value.replace("_", " ")) for k in Kind]
    )
    regulation = models.CharField(max_length=300, blank=True)
    guidance = models.TextField(blank=True)
    before_shadowing = models.BooleanField("Verified before shadowing", default=False)
    after_start = models.BooleanField("May be completed after the start", default=False)
    due_months_after_start = models.PositiveSmallIntegerField(null=True, blank=True)
    renew_months = models.PositiveSmallIntegerField(null=True, blank=True)
    references_needed = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)
    # Roles for which the provider marked this item not applicable (e.g. a PA employer).
    not_applicable_for = models.ManyToManyField("recruitment.Role", blank=True, related_name="+")

    class Meta:
        ordering = ["checklist", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class SaferRecruitmentFileQuerySet(models.QuerySet["SaferRecruitmentFile"]):
    def visible_to(self, membership: Membership) -> SaferRecruitmentFileQuerySet:
        """The files `membership` may open: every file of the provider for an admin, those of
        the roles a hiring manager manages, none for a panel member."""
        from vbr.recruitment.models import Role

        files = self.filter(provider_id=membership.provider_id)
        if membership.is_admin:
            return files
        if membership.role == Membership.Role.MANAGER:
            return files.filter(application__role__in=Role.objects.reported_to(membership))
        return files.none()

    def with_counts(self) -> SaferRecruitmentFileQuerySet:
        """Annotate how many checks each file has, how many are done and how many carry a
        concern (one query for a whole list)."""
        done = models.Q(checks__status__in=Check.DONE)
        return self.annotate(
            checks_total=models.Count("checks", distinct=True),
            checks_done=models.Count("checks", filter=done, distinct=True),
            checks_concern=models.Count(
                "checks", filter=models.Q(checks__status=Check.Status.CONCERN), distinct=True
            ),
        )


class SaferRecruitmentFile(models.Model):
    """The legal file of pre-employment checks of one application, from offer (or earlier)
    to a lawful first shift and through the employment."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="safer_recruitment_files"
    )
    application = models.OneToOneField(
        "recruitment.Application", on_delete=models.CASCADE, related_name="safer_recruitment_file"
    )
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="files")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    start_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    start_confirmed_at = models.DateTimeField(null=True, blank=True)
    # A start before every check is back, through the nation's conditional start.
    conditional_start = models.BooleanField(default=False)
    conditional_reason = models.TextField(blank=True)
    conditional_supervisor = models.CharField(max_length=150, blank=True)
    conditional_risk_assessment = models.TextField(blank=True)
    conditional_barred_list_reference = models.CharField(max_length=40, blank=True)
    conditional_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conditional_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = SaferRecruitmentFileQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["provider", "-opened_at"])]

    def __str__(self) -> str:
        return f"Safer-recruitment file {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse(
            "compliance-file-detail",
            kwargs={"provider_slug": self.provider.slug, "file_id": self.pk},
        )


class CheckQuerySet(models.QuerySet["Check"]):
    def missing(self) -> CheckQuerySet:
        """The checks a file still lacks: neither verified nor marked not applicable
        (`Check.DONE`). The file page, the files list, the completeness page and its CSV,
        and the stored completeness figures all use this one rule."""
        return self.exclude(status__in=Check.DONE)


class Check(models.Model):
    """One item of a file with its evidence: what was seen, by whom and when, a reference
    number and a follow-up date. Only what may be kept is stored: for a criminal-record check
    the certificate number, issue date, level, barred-list result and decision — never a copy.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        REQUESTED = "requested", "Requested"
        RECEIVED = "received", "Received"
        VERIFIED = "verified", "Verified"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        CONCERN = "concern", "Concern raised"

    # Nothing more to do before the start.
    DONE = (Status.VERIFIED, Status.NOT_APPLICABLE)

    class Level(models.TextChoices):
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        ENHANCED = "enhanced", "Enhanced"
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with the adults' barred list"
        PVG = "pvg", "PVG scheme record"

    class BarredList(models.TextChoices):
        NOT_CHECKED = "", "Not checked"
        CLEAR = "clear", "Not barred"
        BARRED = "barred", "Barred"

    class Decision(models.TextChoices):
        NONE = "", "Not decided"
        CLEAR = "clear", "Nothing disclosed: suitable"
        SUITABLE_AFTER_REVIEW = (
            "suitable_after_review",
            "Information disclosed: suitable after review",
        )
        NOT_SUITABLE = "not_suitable", "Not suitable"

    class RightToWork(models.TextChoices):
        NONE = "", "—"
        MANUAL = "manual", "Manual document check"
        IDVT = "idvt", "Identity document validation (IDVT)"
        SHARE_CODE = "share_code", "Home Office online check (share code)"

    file = models.ForeignKey(SaferRecruitmentFile, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.NOT_STARTED)
    evidence_seen = models.CharField(
        "What was seen", max_length=300, blank=True, help_text="For example: passport, original."
    )
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seen_on = models.DateField(null=True, blank=True)
    reference_number = models.CharField(
        max_length=40, blank=True, help_text="A certificate, share-code or registration number."
    )
    issued_on = models.DateField("Issue date", null=True, blank=True)
    follow_up_on = models.DateField(
        "Expiry or follow-up date",
        null=True,
        blank=True,
        help_text="When permission to work, a certificate or a registration must be checked again.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    barred_list_result = models.CharField(
        "Barred-list result", max_length=10, choices=BarredList.choices, blank=True
    )
    decision = models.CharField(max_length=25, choices=Decision.choices, blank=True)
    right_to_work_method = models.CharField(
        "How the right to work was checked", max_length=12, choices=RightToWork.choices, blank=True
    )
    authenticity = models.CharField(
        "How authenticity was checked",
        max_length=300,
        blank=True,
        help_text="For references: for example, phoned the referee at the employer's number.",
    )
    notes = models.TextField(blank=True, max_length=4000)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["file", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["file", "item"], name="one_check_per_file_item")
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "compliance-check-edit",
            kwargs={
                "provider_slug": self.file.provider.slug,
                "file_id": self.file_id,
                "file_check_id": self.pk,
            },
        )

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE


class RoleCompleteness(models.Model):
    """The completeness figures of one role's files, stored so that the completeness page
    reads a row per role instead of grouping every check of every file: how many files,
    how many have nothing missing, and how many of those not complete started conditionally.
    `completeness.refresh_roles` recounts them whenever a file of the role is opened or
    deleted, a check changes or a conditional start is recorded."""

    role = models.OneToOneField(
        "recruitment.Role", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    files = models.PositiveIntegerField(default=0)
    complete = models.PositiveIntegerField(default=0)
    conditional = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "role completeness"

    def __str__(self) -> str:
        return f"Completeness of role {self.role_id}"


class MissingCount(models.Model):
    """How many of a role's files lack an item, by the item's name (items of different
    checklist versions with one name count together); `item` is one item of that name, for
    the name. Recounted with the role's `RoleCompleteness`."""

    role = models.ForeignKey("recruitment.Role", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="+")
    files = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "item"], name="one_missing_count_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.files} files of role {self.role_id} lack item {self.item_id}"


class CheckEvent(models.Model):
    """The audit trail of a check: each change of status, by whom and when (shown to
    inspectors). `summary` names no person: it is made from codes."""

    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=15, choices=Check.Status.choices)
    summary = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["check_row", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.at}"


class EmploymentSpell(models.Model):
    """A job (or study, caring, time out of work) in the candidate's history. An open end
    means it still goes on."""

    file = models.ForeignKey(
        SaferRecruitmentFile, on_delete=models.CASCADE, related_name="employment"
    )
    employer = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    was_care_work = models.BooleanField("Work with adults or children in care", default=False)
    reason_for_leaving = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["file", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="employment_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"Job from {self.started_on}"


class GapExplanation(models.Model):
    """The written explanation of one gap in the employment history, keyed by the gap's
    first and last day so that it stays with that gap while other jobs are added."""

    file = models.ForeignKey(
        SaferRecruitmentFile, on_delete=models.CASCADE, related_name="gap_explanations"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    explanation = models.TextField(max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["file", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "starts_on", "ends_on"], name="one_explanation_per_gap"
            )
        ]

    def __str__(self) -> str:
        return f"Gap {self.starts_on} to {self.ends_on}"


class ReferenceRequestQuerySet(models.QuerySet["ReferenceRequest"]):
    def waiting(self) -> ReferenceRequestQuerySet:
        """Asked for, not answered, not revoked and not expired: the ones to chase."""
        return self.filter(
            received_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class ReferenceRequest(models.Model):
    """A reference asked of a referee through a personal, expiring link, and their answer.

    Only a keyed hash of the link's token is stored; the link works once (until the answer is
    sent), until it expires or is revoked. A chase sends a new link and retires the old one.
    """

    class Reemploy(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"
        POLICY = "policy", "We do not say (company policy)"

    file = models.ForeignKey(
        SaferRecruitmentFile, on_delete=models.CASCADE, related_name="references"
    )
    referee_name = models.CharField(max_length=150)
    referee_email = models.EmailField()
    referee_organisation = models.CharField("Organisation", max_length=150)
    is_last_employer = models.BooleanField("Their present or last employer", default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    # Where the links point (scheme and host of the page the manager used): reminders are
    # sent from the worker, which has no request to ask.
    site_origin = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(default=timezone.now)
    chase_count = models.PositiveSmallIntegerField(default=0)
    # The referee's answer.
    received_at = models.DateTimeField(null=True, blank=True)
    dates_only = models.BooleanField(
        "We confirm dates and job title only (company policy)", default=False
    )
    employed_from = models.DateField(null=True, blank=True)
    employed_to = models.DateField(null=True, blank=True)
    job_title = models.CharField("Their job title", max_length=150, blank=True)
    conduct = models.TextField("Their conduct, reliability and how they treated people", blank=True)
    safeguarding_concerns = models.BooleanField(
        "Were there any safeguarding concerns about them?", default=False
    )
    disciplinary_action = models.BooleanField(
        "Were they subject to any disciplinary action?", default=False
    )
    concerns_detail = models.TextField("If so, what happened", blank=True)
    reason_for_leaving = models.TextField("Why their work with you ended", blank=True)
    would_reemploy = models.CharField(
        "Would you employ them again?", max_length=10, choices=Reemploy.choices, blank=True
    )
    declaration_name = models.CharField("Your name, as a declaration", max_length=150, blank=True)
    # The manager's verification.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    authenticity = models.CharField("How authenticity was checked", max_length=300, blank=True)

    objects = ReferenceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["file", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"Reference request {self.pk}"

    @property
    def is_usable(self) -> bool:
        return (
            self.received_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def evidences_conduct(self) -> bool:
        """A reference confirming only dates is not enough evidence of conduct."""
        return self.received_at is not None and not self.dates_only and bool(self.conduct)


class ReferenceEvent(models.Model):
    """Each request, chase, answer, verification and revocation of a reference."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CHASED = "chased", "Reminder sent"
        RECEIVED = "received", "Answered by the referee"
        VERIFIED = "verified", "Verified"
        REVOKED = "revoked", "Link revoked"

    reference = models.ForeignKey(ReferenceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reference", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at}"


class ReferenceLinkTry(models.Model):
    """A try at a reference link that matched none, kept for the limit on guessing links and
    deleted once older than its window. The address is kept only as a keyed hash."""

    address_key = models.CharField(max_length=64)
    tried_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_key", "tried_at"])]

    def __str__(self) -> str:
        return f"Reference link try at {self.tried_at}"


class DeadlineReminder(models.Model):
    """A reminder emailed about one check's deadline: one per check and due date, so that the
    daily run does not send it twice."""

    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_row", "due_on"], name="one_reminder_per_due")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.due_on}"


def file_pdf_path(job: FilePdfJob, filename: str) -> str:
    # Ids only: a person's name is not in a stored file's name.
    return f"private/compliance/{job.provider_id}/file-{job.file_id}-{job.pk or 'new'}.pdf"


class FilePdfJob(models.Model):
    """A person's safer-recruitment file as a PDF for an inspector: asked for, made by the
    worker, then downloaded through a checked view. The row is the outbox: the beat sweep
    sends again a job the broker lost and takes back one whose worker died."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RENDERING = "rendering", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be made"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(SaferRecruitmentFile, on_delete=models.CASCADE, related_name="pdfs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(upload_to=file_pdf_path, blank=True, max_length=255)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"File PDF {self.pk} ({self.get_status_display()})"


class HistoryLink(models.Model):
    """A personal link for the candidate to enter their own employment history and explain
    its gaps, without an account: a keyed hash only, expiring, revocable, ended when they say
    they have finished."""

    file = models.ForeignKey(
        SaferRecruitmentFile, on_delete=models.CASCADE, related_name="history_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    site_origin = models.CharField(max_length=200)
    emailed_to = models.EmailField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"History link {self.pk}"

    @property
    def is_usable(self) -> bool:
        return (
            self.finished_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
