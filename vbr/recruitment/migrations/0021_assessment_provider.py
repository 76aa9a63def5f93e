import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def provider_from_application(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Each assessment takes its application's provider, in one UPDATE."""
    Assessment = apps.get_model("recruitment", "Assessment")
    Application = apps.get_model("recruitment", "Application")
    Assessment.objects.update(
        provider_id=models.Subquery(
            Application.objects.filter(pk=models.OuterRef("application_id")).values("provider_id")[
                :1
            ]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_pay_within_days_hear_about_decisions"),
        ("recruitment", "0020_decision_feedback_to_candidate"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="provider",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.provider",
            ),
        ),
        migrations.RunPython(provider_from_application, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessment",
            name="provider",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.provider",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["provider", "scheduled_at", "status"], name="assessment_provider_time"
            ),
        ),
    ]
