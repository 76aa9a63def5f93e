"""The candidate's side of VBR: vacancies the public can read, applications candidates make
themselves, and the values answers they write."""

from __future__ import annotations

from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import OutgoingEmail, Provider


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    def published(self) -> VacancyQuerySet:
        """Vacancies anyone may read: published, for a role still open, not past closing."""
        today = timezone.localdate()
        return self.filter(status=Vacancy.Status.PUBLISHED, role__is_open=True).filter(
            models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=today)
        )


class Vacancy(models.Model):
    """A role published for candidates to apply to, at a stable public address."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: not shown to the public"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed to applications"

    class PathwayCategory(models.TextChoices):
        # The role categories of the Care Workforce Pathway for adult social care (England).
        NEW_TO_CARE = "new_to_care", "New to care"
        CARE_WORKER = "care_worker", "Care or support worker"
        EXPERIENCED = "experienced", "Experienced care or support worker"
        LEAD = "lead", "Lead care or support worker"

    class EmploymentType(models.TextChoices):
        # The values schema.org's JobPosting uses, so that job search engines read them.
        FULL_TIME = "FULL_TIME", "Full time"
        PART_TIME = "PART_TIME", "Part time"
        TEMPORARY = "TEMPORARY", "Temporary"
        PER_DIEM = "PER_DIEM", "Bank (as and when)"

    class PayPeriod(models.TextChoices):
        HOUR = "HOUR", "an hour"
        YEAR = "YEAR", "a year"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="vacancies")
    role = models.OneToOneField(
        "recruitment.Role", on_delete=models.CASCADE, related_name="vacancy"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.CharField(
        max_length=200, help_text="One sentence shown in the list of vacancies."
    )
    day_to_day = models.TextField(
        "What the job is like day to day",
        help_text="Plain words. Leave a blank line between paragraphs.",
    )
    hours = models.CharField(
        max_length=200, help_text="For example: nights, three 12-hour shifts a week."
    )
    employment_type = models.CharField(
        max_length=10, choices=EmploymentType.choices, default=EmploymentType.PART_TIME
    )
    pay_from = models.DecimalField(max_digits=8, decimal_places=2)
    pay_to = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    pay_period = models.CharField(max_length=4, choices=PayPeriod.choices, default=PayPeriod.HOUR)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10, blank=True)
    pathway_category = models.CharField(
        "Care Workforce Pathway role category",
        max_length=20,
        choices=PathwayCategory.choices,
        default=PathwayCategory.CARE_WORKER,
    )
    what_to_bring = models.TextField(
        blank=True, help_text="What to bring to the interview and the shadowing."
    )
    closes_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        ordering = ["role__title", "pk"]
        verbose_name_plural = "vacancies"
        indexes = [models.Index(fields=["provider", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pay_to__isnull=True)
                | models.Q(pay_to__gte=models.F("pay_from")),
                name="vacancy_pay_range_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Vacancy: {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("vacancy-detail", args=[self.provider.slug, self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class VacancyQuestion(models.Model):
    """A values question the provider asks everyone who applies for the role, answered in
    the candidate's own words."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="questions")
    core_value = models.ForeignKey(
        "recruitment.CoreValue", on_delete=models.RESTRICT, related_name="vacancy_questions"
    )
    prompt = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["vacancy", "order", "pk"]

    def __str__(self) -> str:
        return self.prompt


class OnlineApplication(models.Model):
    """What a candidate told us when they applied themselves, beside the Application that
    carries them through the role's stages.

    `possible_duplicate`: an earlier candidate of the provider with the same email or phone.
    The new application is never merged with them silently: a manager confirms first.
    """

    application = models.OneToOneField(
        "recruitment.Application", on_delete=models.CASCADE, related_name="online"
    )
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="applications")
    referrer_name = models.CharField(
        "name of the person who works here who recommended them", max_length=150, blank=True
    )
    availability = models.TextField(blank=True)
    privacy_acknowledged_at = models.DateTimeField()
    texts_agreed = models.BooleanField(
        "agreed to text messages", default=False, help_text="Notices by SMS as well as email."
    )
    possible_duplicate = models.ForeignKey(
        "recruitment.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duplicate_checked_at = models.DateTimeField(null=True, blank=True)
    # A manager said they have been in touch (booking or moving the application on counts
    # too): the application leaves the dashboard's "waiting for first contact".
    contacted_at = models.DateTimeField(null=True, blank=True)
    # The candidate's personal status page: only a keyed hash of its link is stored.
    status_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status_link_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Online application {self.pk}"

    @property
    def duplicate_waiting(self) -> bool:
        return self.possible_duplicate_id is not None and self.duplicate_checked_at is None


class ValuesAnswer(models.Model):
    """The candidate's answer to one values question, kept as they wrote it; the question's
    words are kept too, so that a later edit of the question does not change what they
    answered."""

    online_application = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, related_name="answers"
    )
    core_value = models.ForeignKey(
        "recruitment.CoreValue", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    prompt = models.CharField(max_length=300)
    answer = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["online_application", "order", "pk"]

    def __str__(self) -> str:
        return self.prompt


class NoticeQuerySet(models.QuerySet["Notice"]):
    def due(self, *, before: datetime) -> NoticeQuerySet:
        """Waiting notices whose next attempt should have started before `before`."""
        return self.filter(status=Notice.Status.QUEUED, next_attempt_at__lt=before)


class Notice(models.Model):
    """A message to a candidate (email or SMS), and the log of its sending.

    Written in the request's transaction and sent by the Celery worker after it commits; a
    failed attempt is recorded and tried again later. A notice still waiting when the
    candidate withdraws or is anonymised is stopped, never sent. The body may carry the
    candidate's personal link: it is emptied once the notice is sent, given up or stopped.
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", "Application received"
        INVITED = "invited", "Invited to book a time"
        BOOKED = "booked", "Time booked"
        BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
        REMINDER = "reminder", "Reminder the day before"
        WITHDRAWN = "withdrawn", "Withdrawal confirmed"
        MOVED_ON = "moved_on", "Moved on to the next stage"
        OFFER = "offer", "Job offered"
        NOT_THIS_TIME = "not_this_time", "Not this time"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        STOPPED = "stopped", "Not sent: the candidate withdrew or was anonymised"

    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    # A calendar file sent with an email about a booked time (iCalendar text).
    ics = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["application", "created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display().lower()}"


class SlotQuerySet(models.QuerySet["Slot"]):
    def offered(self) -> SlotQuerySet:
        """Slots candidates may book: not withdrawn, still to come."""
        return self.filter(cancelled_at__isnull=True, starts_at__gt=timezone.now())

    def with_taken(self) -> SlotQuerySet:
        return self.annotate(
            taken=models.Count("bookings", filter=models.Q(bookings__cancelled_at__isnull=True))
        )


class Slot(models.Model):
    """A bookable time for a stage, with its panel. For shadowing, the service, the member
    of staff who supervises, and the consent of the person supported, recorded before the
    slot is offered."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="slots")
    stage = models.ForeignKey("recruitment.Stage", on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField("length (minutes)", default=60)
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=1, help_text="How many candidates can book this time."
    )
    panel = models.ManyToManyField("accounts.Membership", blank=True, related_name="panel_slots")
    service = models.ForeignKey(
        "recruitment.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slots",
        help_text="For shadowing: where it happens.",
    )
    supervisor_name = models.CharField(
        max_length=150, blank=True, help_text="For shadowing: the member of staff beside them."
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["stage", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_has_room")
        ]

    def __str__(self) -> str:
        return f"{self.stage} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def where(self) -> str:
        """Where to go, in words: the place, the video link, or both."""
        if self.place and self.video_link:
            return f"{self.place} (or by video: {self.video_link})"
        return self.place or (f"By video: {self.video_link}" if self.video_link else "")


class Booking(models.Model):
    """A candidate's place at a slot; booking creates (or moves) the stage's assessment."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="bookings"
    )
    assessment = models.ForeignKey(
        "recruitment.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the reminder the day before was written (once per booking).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["booked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "slot"],
                condition=models.Q(cancelled_at__isnull=True),
                name="one_live_booking_per_slot_and_application",
            )
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}"


class ApplicantSettings(models.Model):
    """A provider's choices for the candidate's side."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, related_name="applicant_settings"
    )
    first_contact_hours = models.PositiveSmallIntegerField(
        "hours to first contact",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
        help_text="New applications nobody has contacted after this many hours are listed on "
        "the dashboard, oldest first.",
    )

    scorecard_reminder_hours = models.PositiveSmallIntegerField(
        "hours before a scorecard reminder",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
        help_text="A panel member whose scorecard is still open this long after the assessment "
        "is reminded once; the chair and the role's managers get a daily list of scorecards "
        "still open after this time.",
    )

    draft_days = models.PositiveSmallIntegerField(
        "days to keep an unfinished application",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A candidate who saves their application to finish later has this long; "
        "after that, what they saved is deleted.",
    )

    class Meta:
        verbose_name_plural = "applicant settings"

    def __str__(self) -> str:
        return f"Applicant settings of {self.provider}"


class NoticeWording(models.Model):
    """A provider's own words for one kind of notice, for all its roles (`role` empty) or
    for one role, which then wins over the provider's. Without either, our default wording
    is used (`vbr.applicants.wording`).

    The words may use only the fixed placeholders of `vbr.applicants.wording`, checked when
    saved: they are filled in by plain substitution, never run as a template.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(
        "recruitment.Role",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice_wordings",
    )
    kind = models.CharField(max_length=20, choices=Notice.Kind.choices)
    subject = models.CharField("email subject", max_length=200)
    email = models.TextField("email", max_length=4000)
    sms = models.TextField("text message", max_length=480)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["provider", "kind", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind"],
                condition=models.Q(role__isnull=True),
                name="one_provider_wording_per_kind",
            ),
            models.UniqueConstraint(
                fields=["provider", "role", "kind"],
                condition=models.Q(role__isnull=False),
                name="one_role_wording_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Wording of {self.get_kind_display()}"


class ApplicationDraft(models.Model):
    """An application a candidate saved to finish later: what they had typed, and the link
    (a keyed hash of it) that brings them back to it.

    It is theirs alone until they send it: no staff page reads it. Sending it makes the
    application and deletes the draft; one not sent by `expires_at` is deleted by the beat
    sweep.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="drafts")
    email = models.EmailField()
    # The form as they left it: field name to what they typed.
    answers = models.JSONField(default=dict)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    # The email that carried the link: it goes with the draft, so that the address is not
    # kept in the outbox after the draft is sent or deleted.
    link_email = models.ForeignKey(
        "accounts.OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"Unfinished application {self.pk}"

    def delete_with_its_email(self) -> None:
        """Delete the draft and the outbox's copy of the email that carried its link."""
        if self.link_email_id is not None:
            OutgoingEmail.objects.filter(pk=self.link_email_id).delete()
        self.delete()


class PanelMessage(models.Model):
    """A message to a member of a panel about their panel work: a booked time (with its
    calendar file), a move or a cancellation, the reminder the day before, a scorecard still
    to do, or the daily list of overdue scorecards for a chair or manager.

    Sent by email through the outbox (`email`), or, for a panel member who asked for paper,
    kept here as a note for the manager to print and hand over (`printed_at` once done). Never
    a score: what anybody scored is not in any message.
    """

    class Kind(models.TextChoices):
        BOOKED = "booked", "A time booked"
        MOVED = "moved", "A booked time moved"
        CANCELLED = "cancelled", "A booked time cancelled"
        REMINDER = "reminder", "Reminder the day before"
        SCORECARD = "scorecard", "Scorecard still to do"
        DIGEST = "digest", "Scorecards overdue"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PRINTED = "printed", "Printed note for the manager to hand over"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="panel_messages"
    )
    assessment = models.ForeignKey(
        "recruitment.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="panel_messages",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # What the message is about: the assessment's time (a reminder is sent once per time,
    # so a moved booking is reminded again) or, for a daily list, that day.
    about_time = models.DateTimeField(null=True, blank=True)
    # A scorecard reminder: the provider's hours at the time (once per threshold).
    hours_after = models.PositiveSmallIntegerField(null=True, blank=True)
    # The calendar event's SEQUENCE: each change of the same assessment goes up.
    sequence = models.PositiveSmallIntegerField(default=0)
    email = models.ForeignKey(
        "accounts.OutgoingEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    # Printed notes only (an email keeps its words in the outbox); emptied once printed.
    body = models.TextField(blank=True)
    ics = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["provider", "created_at"],
                condition=models.Q(channel="printed", printed_at__isnull=True),
                name="panel_message_to_print",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "assessment", "about_time"],
                condition=models.Q(kind="reminder"),
                name="one_panel_reminder_per_time",
            ),
            models.UniqueConstraint(
                fields=["user", "assessment", "hours_after"],
                condition=models.Q(kind="scorecard"),
                name="one_scorecard_reminder_per_threshold",
            ),
            models.UniqueConstraint(
                fields=["user", "provider", "about_time"],
                condition=models.Q(kind="digest"),
                name="one_overdue_digest_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"
