from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.functions import Coalesce


def _count(queryset: models.QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().annotate(
        n=models.Func(template="COUNT(*)", output_field=models.IntegerField())
    )
    return Coalesce(models.Subquery(counted.values("n")[:1], output_field=models.IntegerField()), 0)


def fill_scoring_progress(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Count every assessment's panel and submitted scorecards, and mark each panel place
    whose scorecard is submitted (two UPDATEs), as the workflow keeps them from now on."""
    Assessment = apps.get_model("recruitment", "Assessment")
    Panellist = apps.get_model("recruitment", "Panellist")
    Scorecard = apps.get_model("recruitment", "Scorecard")
    submitted = Scorecard.objects.filter(submitted_at__isnull=False)
    Panellist.objects.update(
        scorecard_submitted=models.Exists(submitted.filter(panellist=models.OuterRef("pk")))
    )
    Assessment.objects.update(
        panel_size=_count(Panellist.objects.filter(assessment=models.OuterRef("pk"))),
        submitted_count=_count(submitted.filter(assessment=models.OuterRef("pk"))),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0011_application_value_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="panel_size",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="assessment",
            name="submitted_count",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="panellist",
            name="scorecard_submitted",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill_scoring_progress, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="panellist",
            index=models.Index(
                condition=models.Q(("scorecard_submitted", False)),
                fields=["user"],
                name="panellist_to_score",
            ),
        ),
    ]
