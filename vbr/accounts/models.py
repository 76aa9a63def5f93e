from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.timezone import now


class User(AbstractUser):
    """A person who signs in: staff with a password, or a panel member without one.

    Panel members who draw on care usually have no password (`has_usable_password()` is
    False) and join their panel work by invitation.
    """

    full_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


def provider_logo_path(provider: Provider, filename: str) -> str:
    """Under private/: never served from a public media URL, only through a checked view."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"private/logos/provider-{provider.pk}/{uuid.uuid4().hex}.{extension}"


class Provider(models.Model):
    """A care organisation or an individual employer: the tenant."""

    class Kind(models.TextChoices):
        CARE_HOME = "care_home", "Care home"
        HOME_CARE = "home_care", "Home care"
        SUPPORTED_LIVING = "supported_living", "Supported living"
        DAY_SERVICE = "day_service", "Day service"
        INDIVIDUAL_EMPLOYER = "individual_employer", "Individual employer"

    class Nation(models.TextChoices):
        ENGLAND = "england", "England"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.CARE_HOME)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    retention_months = models.PositiveSmallIntegerField(
        default=6,
        help_text="Months to keep unsuccessful candidates' personal data before anonymising.",
    )
    pay_within_days = models.PositiveSmallIntegerField(
        "Pay panel members within (days)",
        default=14,
        help_text="Payments, vouchers and expenses for involvement are due this many days "
        "after the day; admins are reminded of any not yet paid.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Shown on PDF summaries; PNG or JPEG, checked by content when uploaded.
    logo = models.FileField(upload_to=provider_logo_path, blank=True, max_length=200)

    members = models.ManyToManyField(User, through="Membership", related_name="providers")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=1, retention_months__lte=120),
                name="provider_retention_months_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pay_within_days__gte=1, pay_within_days__lte=90),
                name="provider_pay_within_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("provider-home", kwargs={"provider_slug": self.slug})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def staff(self) -> MembershipQuerySet:
        return self.filter(role__in=[Membership.Role.ADMIN, Membership.Role.MANAGER])


class Membership(models.Model):
    """A user's place in a provider, with a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Provider admin"
        MANAGER = "manager", "Hiring manager"
        PANEL = "panel", "Panel member"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    is_expert_by_experience = models.BooleanField(
        default=False,
        help_text="Draws on care and support, and sits on panels as an expert by experience.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="one_membership_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.provider}"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_staff_member(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.MANAGER)


class AuditEvent(models.Model):
    """Who did what and when: an append-only trail, never editable from the product UI.

    `actor_label` and `summary` must hold no candidate's personal data (names, contacts, free
    text) so that the trail can be kept after a candidate is anonymised or erased; the
    subject of an event is referred to by its id only.
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_BY_LINK = "sign_in_link", "Signed in by invitation link"
        SCORECARD_SUBMITTED = "scorecard_submitted", "Submitted a scorecard"
        SCORECARD_AMENDED = "scorecard_amended", "Amended a scorecard"
        DECISION_RECORDED = "decision_recorded", "Recorded a decision"
        ROLE_CHANGED = "role_changed", "Changed a role"
        CRITERIA_CHANGED = "criteria_changed", "Changed criteria"
        MEMBERSHIP_CHANGED = "membership_changed", "Changed a membership"
        EXPORTED = "exported", "Exported data"
        PDF_DOWNLOADED = "pdf_downloaded", "Downloaded a PDF"
        DATA_ANONYMISED = "data_anonymised", "Anonymised personal data"
        DATA_ERASED = "data_erased", "Erased a candidate"
        SUBJECT_ACCESS = "subject_access", "Exported a candidate's data"
        SETTINGS_CHANGED = "settings_changed", "Changed provider settings"
        BACKUP_CODES_MADE = "backup_codes_made", "Made two-factor backup codes"
        BACKUP_CODE_USED = "backup_code_used", "Signed in with a backup code"
        TWO_FACTOR_RESET = "two_factor_reset", "Reset two-factor sign-in"

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    # What the event is about, by id only: e.g. ("application", 42).
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    # The application the event belongs to, so that admins can read its trail.
    application_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["provider", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or 'system'} at {self.created_at}"


class PanelInvitationQuerySet(models.QuerySet["PanelInvitation"]):
    def usable(self) -> PanelInvitationQuerySet:
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PanelInvitation(models.Model):
    """A personal link (and short code) that signs a panel member in, without a password, to
    one piece of their work: one assessment's panel, one advert shared with them for their
    views, or one shortlisting. Exactly one of the three is set.

    Only keyed hashes of the link token and the short code are stored: somebody reading the
    database cannot sign in with them. The plain values exist once, when the link is made.
    """

    panellist = models.ForeignKey(
        "recruitment.Panellist",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    advert_review = models.ForeignKey(
        "involvement.AdvertReview",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    shortlister = models.ForeignKey(
        "involvement.Shortlister",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # On a shared tablet: the session ends after sending and after a short idle time.
    kiosk = models.BooleanField(default=False)
    emailed_to = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = PanelInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    panellist__isnull=False, advert_review__isnull=True, shortlister__isnull=True
                )
                | models.Q(
                    panellist__isnull=True, advert_review__isnull=False, shortlister__isnull=True
                )
                | models.Q(
                    panellist__isnull=True, advert_review__isnull=True, shortlister__isnull=False
                ),
                name="invitation_for_one_piece_of_work",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.person}"

    @property
    def person(self) -> User:
        """Who the link signs in."""
        if self.advert_review is not None:
            return self.advert_review.reviewer
        if self.shortlister is not None:
            return self.shortlister.user
        assert self.panellist is not None  # the constraint: exactly one is set
        return self.panellist.user

    @property
    def provider(self) -> Provider:
        if self.advert_review is not None:
            return self.advert_review.provider
        if self.shortlister is not None:
            return self.shortlister.shortlisting.provider
        assert self.panellist is not None
        return self.panellist.assessment.application.provider

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


class JoinCodeTry(models.Model):
    """A try at joining a panel with a short code, kept for the limits on guessing codes
    (`invitations.find_by_code`) and deleted once it is older than their window.

    Kept in the database rather than the cache, so that the limits still hold, and the right
    code still gets in, while Redis is down. Where the try came from and the code's first
    letters are kept only as keyed hashes.
    """

    address_key = models.CharField(max_length=64)
    prefix_key = models.CharField(max_length=64)
    tried_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_key", "tried_at"])]

    def __str__(self) -> str:
        return f"Code try at {self.tried_at}"


class OutgoingEmailQuerySet(models.QuerySet["OutgoingEmail"]):
    def due(self, *, before: datetime) -> OutgoingEmailQuerySet:
        """Waiting emails whose next attempt should have started before `before`."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lt=before)


class OutgoingEmail(models.Model):
    """An email VBR sends (an invitation link): the outbox.

    The row is written in the request's transaction and handed to Celery once it commits, so
    a slow or unreachable mail server never holds up a page; the worker sends it over SMTP and
    tries again later when the server fails, and the beat sweep hands on again any email the
    broker lost. The body may carry a personal link: it is emptied once the email is sent or
    given up on.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(
        PanelInvitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A calendar file sent with the email (iCalendar text); emptied with the body.
    ics = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_address} ({self.get_status_display()})"


class AccessProfile(models.Model):
    """ "Working with me": how a panel member likes to work, set by them or with them.

    It drives the easy-read pages (text size, contrast, read-aloud) and tells the panel chair
    what to prepare before the assessment.
    """

    class TextSize(models.TextChoices):
        NORMAL = "normal", "Normal"
        LARGE = "large", "Large"
        LARGEST = "largest", "Very large"

    class HearAboutDecisions(models.TextChoices):
        EMAIL = "email", "By email"
        LETTER = "letter", "A printed letter: the manager gives it to me"
        NEXT_VISIT = "next_visit", "On my next visit: the next time I open my panel link"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="access_profile")
    text_size = models.CharField(
        "Text size", max_length=10, choices=TextSize.choices, default=TextSize.LARGE
    )
    easy_read = models.BooleanField("Easy read: one question at a time, plain words", default=True)
    read_aloud = models.BooleanField("Show a “Read aloud” button", default=True)
    high_contrast = models.BooleanField("High contrast colours", default=False)
    has_supporter = models.BooleanField("A supporter helps me", default=False)
    notes_for_chair = models.TextField(
        "Anything the panel chair should know",
        blank=True,
        max_length=2000,
        help_text="For example: I need breaks, I lip-read, I bring my support worker.",
    )
    # When a manager offers times with this person on the panel, the times are checked
    # against these (`vbr.applicants.panel_needs`).
    earliest_start = models.TimeField(
        "The earliest I can start",
        null=True,
        blank=True,
        help_text="Leave empty if any time in the day is fine.",
    )
    latest_finish = models.TimeField(
        "The latest I can finish",
        null=True,
        blank=True,
        help_text="Leave empty if any time in the day is fine.",
    )
    longest_minutes = models.PositiveSmallIntegerField(
        "The longest I can take part for, in minutes",
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
        help_text="For example 60. Leave empty if length does not matter.",
    )

    class Contact(models.TextChoices):
        EMAIL = "email", "By email"
        PRINTED = "printed", "On paper: the manager gives or posts it to me"

    contact_by = models.CharField(
        "How I like to hear about panel times and reminders",
        max_length=10,
        choices=Contact.choices,
        default=Contact.EMAIL,
    )
    contact_email = models.EmailField(
        "My email address",
        blank=True,
        help_text="Only if you chose email.",
    )
    hear_about_decisions = models.CharField(
        "How I like to hear about decisions",
        max_length=12,
        choices=HearAboutDecisions.choices,
        default=HearAboutDecisions.LETTER,
        help_text="When a person you met is given the job or not, we tell you what was "
        "decided and how your view was used.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Working with {self.user}"

    @property
    def body_classes(self) -> str:
        """CSS classes on <body> for the easy-read pages."""
        classes = [f"text-size-{self.text_size}"]
        if self.high_contrast:
            classes.append("high-contrast")
        return " ".join(classes)
