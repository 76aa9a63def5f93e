import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def services_from_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """A shadowing slot named its service in words: it now points at the provider's service
    of that name, made when the provider has none by that name yet."""
    Slot = apps.get_model("applicants", "Slot")
    Service = apps.get_model("recruitment", "Service")
    for slot in Slot.objects.exclude(service_name="").iterator():
        name = slot.service_name.strip()[:150]
        service = Service.objects.filter(provider_id=slot.provider_id, name__iexact=name).first()
        if service is None:
            service = Service.objects.create(provider_id=slot.provider_id, name=name)
        Slot.objects.filter(pk=slot.pk).update(service_ref=service)


def names_from_services(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Slot = apps.get_model("applicants", "Slot")
    for slot in Slot.objects.filter(service_ref__isnull=False).select_related("service_ref"):
        Slot.objects.filter(pk=slot.pk).update(service_name=slot.service_ref.name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_panel_contact_and_times_calendar_files"),
        ("applicants", "0008_notice_wording_and_drafts"),
        ("recruitment", "0017_services"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="applicantsettings",
            name="scorecard_reminder_hours",
            field=models.PositiveSmallIntegerField(
                default=24,
                help_text="A panel member whose scorecard is still open this long after the "
                "assessment is reminded once; the chair and the role's managers get a daily "
                "list of scorecards still open after this time.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(336),
                ],
                verbose_name="hours before a scorecard reminder",
            ),
        ),
        migrations.RenameField(model_name="slot", old_name="service", new_name="service_name"),
        migrations.AddField(
            model_name="slot",
            name="service_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="recruitment.service",
            ),
        ),
        migrations.RunPython(services_from_names, names_from_services),
        migrations.RemoveField(model_name="slot", name="service_name"),
        migrations.RenameField(model_name="slot", old_name="service_ref", new_name="service"),
        migrations.AlterField(
            model_name="slot",
            name="service",
            field=models.ForeignKey(
                blank=True,
                help_text="For shadowing: where it happens.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="slots",
                to="recruitment.service",
            ),
        ),
        migrations.CreateModel(
            name="PanelMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("booked", "A time booked"),
                            ("moved", "A booked time moved"),
                            ("cancelled", "A booked time cancelled"),
                            ("reminder", "Reminder the day before"),
                            ("scorecard", "Scorecard still to do"),
                            ("digest", "Scorecards overdue"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "Email"),
                            ("printed", "Printed note for the manager to hand over"),
                        ],
                        max_length=10,
                    ),
                ),
                ("about_time", models.DateTimeField(blank=True, null=True)),
                ("hours_after", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("sequence", models.PositiveSmallIntegerField(default=0)),
                ("subject", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True)),
                ("ics", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("printed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="panel_messages",
                        to="recruitment.assessment",
                    ),
                ),
                (
                    "email",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.outgoingemail",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.provider",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="panel_messages",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("channel", "printed"), ("printed_at__isnull", True)),
                        fields=["provider", "created_at"],
                        name="panel_message_to_print",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "reminder")),
                        fields=("user", "assessment", "about_time"),
                        name="one_panel_reminder_per_time",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "scorecard")),
                        fields=("user", "assessment", "hours_after"),
                        name="one_scorecard_reminder_per_threshold",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "digest")),
                        fields=("user", "provider", "about_time"),
                        name="one_overdue_digest_per_day",
                    ),
                ],
            },
        ),
    ]
