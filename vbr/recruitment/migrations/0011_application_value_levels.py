from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vbr.recruitment.scoring import value_level_totals


def fill_value_levels(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Store the submitted levels per value of every application that has any."""
    Application = apps.get_model("recruitment", "Application")
    Score = apps.get_model("recruitment", "Score")
    ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        batch = ids[start : start + 5000]
        totals = value_level_totals(
            Score.objects.filter(scorecard__assessment__application_id__in=batch)
        )
        Application.objects.bulk_update(
            [Application(pk=pk, value_levels=levels) for pk, levels in totals.items()],
            ["value_levels"],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0010_application_list_and_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="value_levels",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(fill_value_levels, migrations.RunPython.noop),
    ]
