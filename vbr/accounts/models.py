from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


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
    created_at = models.DateTimeField(auto_now_add=True)

    members = models.ManyToManyField(User, through="Membership", related_name="providers")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=1, retention_months__lte=120),
                name="provider_retention_months_range",
            )
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
