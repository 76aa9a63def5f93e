"""Indexes that answer "waiting for a decision" alone on PostgreSQL: the active applications'
index carries the columns the walk reads, the assessment at a stage is found with its status,
counts and time, and a decision by its application and time (which replaces the plain
application index, its prefix)."""

import django.db.models.deletion
from django.db import migrations, models


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
                include=("id", "candidate", "role"),
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
    ]
