"""The candidate's side of VBR: vacancies the public can read, applications candidates make
themselves, and the values answers they write."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from vbr.accounts.models import Provider


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
    possible_duplicate = models.ForeignKey(
        "recruitment.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duplicate_checked_at = models.DateTimeField(null=True, blank=True)
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
