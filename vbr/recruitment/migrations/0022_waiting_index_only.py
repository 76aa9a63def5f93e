"""Indexes that answer "waiting for a decision" alone on PostgreSQL: the active applications'
index carries the columns the walks read (the list's date and status too), the assessment at
a stage is found with its status, counts and time, and a decision by its application and
time (which replaces the plain application index, its prefix).

An index-only scan reads the table for any row changed since the table was last vacuumed, and
the rows these walks read (active applications, their current assessments) are the ones that
change. On PostgreSQL these three tables are vacuumed after 1 % of their rows change rather
than the default 20 %, so that a busy provider's dashboard keeps reading its indexes alone.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("recruitment_application", "recruitment_assessment", "recruitment_decision")
VACUUM_OFTEN = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor")


def vacuum_often(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        settings = ", ".join(f"{name} = 0.01" for name in VACUUM_OFTEN)
        schema_editor.execute(f"ALTER TABLE {table} SET ({settings})")


def vacuum_as_default(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(VACUUM_OFTEN)})")


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0021_assessment_provider"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="application",
            name="application_active_by_stage",
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["provider", "current_stage"],
                include=("id", "candidate", "role", "applied_at", "status"),
                name="application_active_by_stage",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["application", "stage"],
                include=(
                    "id",
                    "status",
                    "panel_size",
                    "submitted_count",
                    "scheduled_at",
                    "created_at",
                ),
                name="assessment_at_stage",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["application", "decided_at"], name="decision_by_time"),
        ),
        migrations.AlterField(
            model_name="decision",
            name="application",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="recruitment.application",
            ),
        ),
        migrations.RunPython(vacuum_often, vacuum_as_default),
    ]
