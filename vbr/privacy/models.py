"""What the UK GDPR asks of a provider here: how long to keep data, what checks may be
stored, and who agreed to take part."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Assessment


class PrivacySettings(models.Model):
    """A provider's privacy choices. The retention period itself is on Provider."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, related_name="privacy_settings"
    )
    keep_dbs_certificates = models.BooleanField(
        "Keep copies of DBS certificates",
        default=False,
        help_text=(
            "Off: record only the certificate number, date, level and decision (the usual "
            "advice). On: a scan of the certificate may also be stored."
        ),
    )
    privacy_notice = models.TextField(
        blank=True,
        help_text="Plain text shown to your members. Leave a blank line between paragraphs.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "privacy settings"

    def __str__(self) -> str:
        return f"Privacy settings of {self.provider}"

    @classmethod
    def for_provider(cls, provider: Provider) -> PrivacySettings:
        settings_row, _ = cls.objects.get_or_create(provider=provider)
        return settings_row


def certificate_upload_to(instance: DbsCheck, filename: str) -> str:
    # The file name a person chose may hold their name: store under ids only.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"dbs/{instance.provider_id}/{stamp}-{instance.application_id}.{extension}"


class DbsCheck(models.Model):
    """A criminal-record check seen for an application: only what may be kept.

    The certificate itself is stored only when the provider's settings allow it.
    """

    class Level(models.TextChoices):
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        ENHANCED = "enhanced", "Enhanced"
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with barred lists"

    class Result(models.TextChoices):
        CLEAR = "clear", "Clear: suitable"
        SUITABLE_AFTER_REVIEW = (
            "suitable_after_review",
            "Information disclosed: suitable after review",
        )
        NOT_SUITABLE = "not_suitable", "Not suitable"
        PENDING = "pending", "Waiting for a decision"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="dbs_checks")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="dbs_checks"
    )
    certificate_number = models.CharField(max_length=20, blank=True)
    issued_on = models.DateField("Issue date")
    level = models.CharField(max_length=20, choices=Level.choices)
    decision = models.CharField(max_length=25, choices=Result.choices, default=Result.PENDING)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    seen_on = models.DateField(default=timezone.localdate)
    certificate = models.FileField(upload_to=certificate_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-seen_on", "-pk"]
        verbose_name = "DBS check"

    def __str__(self) -> str:
        return f"{self.get_level_display()} check for application {self.application_id}"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def current(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """Somebody agreed to take part: a panel member, or a person supported who gives their
    view of a candidate during shadowing. Withdrawing keeps the record, with the date."""

    class Kind(models.TextChoices):
        PANEL_MEMBER = "panel_member", "Panel member"
        PERSON_SUPPORTED = "person_supported", "Person supported (shadowing)"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A panel member has an account; a person supported usually does not, and is named in
    # the least identifying way that still lets staff find the record (e.g. initials).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
    )
    person_label = models.CharField(max_length=100, blank=True)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="consents"
    )
    statement = models.TextField(help_text="What the person agreed to, in the words shown to them.")
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(person_label=""),
                name="consent_names_who",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent {self.pk}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

    def withdraw(self) -> None:
        if self.withdrawn_at is None:
            self.withdrawn_at = timezone.now()
            self.save(update_fields=["withdrawn_at"])
