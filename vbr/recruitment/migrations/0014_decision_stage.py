import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Case, OuterRef, Subquery, When
from django.db.models.functions import Coalesce


def fill_decision_stages(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Each existing decision's stage: the stage its application was in when it was decided,
    from the stage history (the latest entry at or before `decided_at`), else the application's
    current stage. One UPDATE, however many decisions.

    Moving on is recorded just after the decision that caused it, but a load that wrote both
    with the same time would make the next stage's entry look "at" the decision: for a
    "progress" decision an entry strictly before it is preferred.
    """
    Decision = apps.get_model("recruitment", "Decision")
    StageEntry = apps.get_model("recruitment", "StageEntry")
    Application = apps.get_model("recruitment", "Application")
    entries = StageEntry.objects.filter(application_id=OuterRef("application_id")).order_by(
        "-entered_at", "-pk"
    )
    before = Subquery(entries.filter(entered_at__lt=OuterRef("decided_at")).values("stage_id")[:1])
    at_or_before = Subquery(
        entries.filter(entered_at__lte=OuterRef("decided_at")).values("stage_id")[:1]
    )
    current = Subquery(
        Application.objects.filter(pk=OuterRef("application_id")).values("current_stage_id")[:1]
    )
    Decision.objects.filter(stage__isnull=True).update(
        stage=Coalesce(
            Case(When(kind="progress", then=before)),
            at_or_before,
            current,
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0013_candidate_search_trigrams"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="stage",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="decisions",
                to="recruitment.stage",
            ),
        ),
        migrations.RunPython(fill_decision_stages, migrations.RunPython.noop),
    ]
