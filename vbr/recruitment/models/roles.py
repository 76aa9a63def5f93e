from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from vbr.accounts.models import Membership, Provider


class RoleQuerySet(models.QuerySet["Role"]):
    def open(self) -> RoleQuerySet:
        return self.filter(is_open=True)

    def reported_to(self, membership: Membership) -> RoleQuerySet:
        """The roles whose reports and exports `membership` may see: every role of the
        provider for an admin, the roles a hiring manager manages, none for a panel member."""
        roles = self.filter(provider_id=membership.provider_id)
        if membership.is_admin:
            return roles
        if membership.role == membership.Role.MANAGER:
            return roles.filter(managers=membership)
        return roles.none()


class Service(models.Model):
    """A place or team where care is given, e.g. a care home or a home-care branch.

    Roles recruit for a service; inspectors look at files, involvement and staffing per
    service, so reports group by it.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A job a provider recruits for, e.g. night care assistant."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=150)
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles",
        help_text="Where the person will work; reports and safer-recruitment files group by it.",
    )
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    managers = models.ManyToManyField(
        "accounts.Membership",
        blank=True,
        related_name="managed_roles",
        verbose_name="hiring managers",
        help_text="Hiring managers who see this role's reports and exports. Admins see every role.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["provider", "is_open", "title"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "role-detail", kwargs={"provider_slug": self.provider.slug, "role_id": self.pk}
        )


def submitted_on_current_version() -> models.Exists:
    """For a queryset of stages: a submitted scorecard exists on the stage's current version.

    The one rule behind frozen criteria: once a panellist has submitted scores against a
    version, changing that version would change what they were scored against.
    """
    from vbr.recruitment.models.assessments import Scorecard

    return models.Exists(
        Scorecard.objects.filter(
            assessment__stage=models.OuterRef("pk"),
            assessment__criteria_version=models.OuterRef("criteria_version"),
            submitted_at__isnull=False,
        )
    )


class StageQuerySet(models.QuerySet["Stage"]):
    def with_setup_flags(self) -> StageQuerySet:
        """Annotate what the setup page needs to know of each stage, in the same query:
        whether its current criteria are frozen and whether anything refers to it."""
        from vbr.recruitment.models.assessments import Assessment
        from vbr.recruitment.models.candidates import Application

        return self.annotate(
            frozen=submitted_on_current_version(),
            in_use=models.Exists(Assessment.objects.filter(stage=models.OuterRef("pk")))
            | models.Exists(Application.objects.filter(current_stage=models.OuterRef("pk"))),
        )


class Stage(models.Model):
    """One step of a role's recruitment process.

    `criteria_version` is the version of criteria used by new assessments. Once a stage has a
    submitted scorecard its criteria are frozen; changing them means a new version, and older
    assessments keep the version they were scored against.
    """

    class Kind(models.TextChoices):
        INTERVIEW = "interview", "Values interview"
        SHADOWING = "shadowing", "Shadowing"
        GROUP_ACTIVITY = "group_activity", "Group activity"
        OTHER = "other", "Other"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERVIEW)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    criteria_version = models.PositiveSmallIntegerField(default=1)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["role", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shadowing(self) -> bool:
        return self.kind == self.Kind.SHADOWING

    @property
    def kind_not_in_name(self) -> str:
        """The kind of stage, to show beside its name; "" when the name already says it
        ("Values interview", "Shadowing on the ground floor")."""
        label = self.get_kind_display()
        return "" if label.casefold() in self.name.casefold() else label

    def current_criteria(self) -> models.QuerySet[Criterion]:
        return self.criteria.filter(version=self.criteria_version)

    def criteria_frozen(self) -> bool:
        """Whether the current criteria version can no longer change (one query, or none when
        the stage was loaded with `with_setup_flags()`)."""
        annotated = getattr(self, "frozen", None)
        if annotated is not None:
            return bool(annotated)
        return bool(
            Stage.objects.filter(pk=self.pk)
            .annotate(frozen=submitted_on_current_version())
            .values_list("frozen", flat=True)
            .get()
        )

    def is_in_use(self) -> bool:
        """A stage that assessments or applications refer to cannot be deleted."""
        annotated = getattr(self, "in_use", None)
        if annotated is not None:
            return bool(annotated)
        return self.assessments.exists() or self.applications.exists()


class Criterion(models.Model):
    """What a panel scores at a stage: a question or an observed behaviour, for one value."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    core_value = models.ForeignKey(
        "recruitment.CoreValue", on_delete=models.RESTRICT, related_name="criteria"
    )
    version = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)
    prompt = models.TextField(help_text="The question asked, or the behaviour observed.")
    level_1 = models.TextField("Level 1 — no evidence shown")
    level_2 = models.TextField("Level 2 — some evidence")
    level_3 = models.TextField("Level 3 — good evidence")
    level_4 = models.TextField("Level 4 — strong evidence")
    essential = models.BooleanField(
        default=False, help_text="Weak evidence on an essential criterion is flagged."
    )
    # Easy-read wording, copied with the rest from the question bank: shown on the easy-read
    # scorecard instead of the plain wording when present.
    prompt_easy_read = models.TextField(blank=True)
    level_1_easy_read = models.TextField(blank=True)
    level_2_easy_read = models.TextField(blank=True)
    level_3_easy_read = models.TextField(blank=True)
    level_4_easy_read = models.TextField(blank=True)
    # Where the wording came from, for the record only: the criterion keeps its own copy, so
    # a later edit of the bank item never changes it.
    bank_item = models.ForeignKey(
        "recruitment.BankItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="criteria",
    )

    class Meta:
        ordering = ["stage", "version", "order", "pk"]
        verbose_name_plural = "criteria"
        indexes = [models.Index(fields=["stage", "version", "order"])]

    def __str__(self) -> str:
        return self.prompt[:80]

    def clean(self) -> None:
        if (
            self.stage_id
            and self.core_value_id
            and self.stage.role.provider_id != self.core_value.provider_id
        ):
            raise ValidationError({"core_value": "Choose one of this provider's values."})

    def level_descriptions(self) -> list[tuple[int, str]]:
        return [(1, self.level_1), (2, self.level_2), (3, self.level_3), (4, self.level_4)]

    @property
    def easy_prompt(self) -> str:
        """What the easy-read scorecard asks: the easy-read wording when there is one."""
        return self.prompt_easy_read or self.prompt

    def easy_levels(self) -> dict[int, str]:
        """The criterion's own easy-read level descriptions, by level; empty when it has
        none (the scorecard then shows its usual explanations)."""
        levels = {
            1: self.level_1_easy_read,
            2: self.level_2_easy_read,
            3: self.level_3_easy_read,
            4: self.level_4_easy_read,
        }
        return {level: text for level, text in levels.items() if text}
