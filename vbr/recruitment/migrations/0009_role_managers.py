from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def managers_from_panels(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Existing roles: a hiring manager manages the roles on whose panels they have sat."""
    Role = apps.get_model("recruitment", "Role")
    Membership = apps.get_model("accounts", "Membership")
    Panellist = apps.get_model("recruitment", "Panellist")
    Through = Role.managers.through
    pairs = set(
        Panellist.objects.values_list(
            "assessment__application__role_id",
            "assessment__application__role__provider_id",
            "user_id",
        ).distinct()
    )
    memberships = {
        (provider_id, user_id): pk
        for pk, provider_id, user_id in Membership.objects.filter(role="manager").values_list(
            "pk", "provider_id", "user_id"
        )
    }
    rows = [
        Through(role_id=role_id, membership_id=memberships[(provider_id, user_id)])
        for role_id, provider_id, user_id in pairs
        if (provider_id, user_id) in memberships
    ]
    Through.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_provider_logo"),
        ("recruitment", "0008_assessment_status_time_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="role",
            name="managers",
            field=models.ManyToManyField(
                blank=True,
                help_text="Hiring managers who see this role's reports and exports. Admins see every role.",
                related_name="managed_roles",
                to="accounts.membership",
                verbose_name="hiring managers",
            ),
        ),
        migrations.RunPython(managers_from_panels, migrations.RunPython.noop),
    ]
