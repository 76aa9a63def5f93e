import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_panel_contact_and_times_calendar_files"),
        ("involvement", "0001_initial"),
        ("recruitment", "0017_services"),
    ]

    operations = [
        migrations.AddField(
            model_name="panelinvitation",
            name="advert_review",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="involvement.advertreview",
            ),
        ),
        migrations.AddField(
            model_name="panelinvitation",
            name="shortlister",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="involvement.shortlister",
            ),
        ),
        migrations.AlterField(
            model_name="panelinvitation",
            name="panellist",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="recruitment.panellist",
            ),
        ),
        migrations.AddConstraint(
            model_name="panelinvitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("advert_review__isnull", True),
                        ("panellist__isnull", False),
                        ("shortlister__isnull", True),
                    ),
                    models.Q(
                        ("advert_review__isnull", False),
                        ("panellist__isnull", True),
                        ("shortlister__isnull", True),
                    ),
                    models.Q(
                        ("advert_review__isnull", True),
                        ("panellist__isnull", True),
                        ("shortlister__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="invitation_for_one_piece_of_work",
            ),
        ),
    ]
