"""Trigram indexes for searching candidates by any part of a name or email (PostgreSQL).

The candidates list searches with `icontains`, which PostgreSQL runs as
`UPPER(column) LIKE UPPER('%word%')`: these indexes let it find a surname among a large
provider's candidates without reading them all. Other databases (the embedded demo) have
no such index and search by reading the provider's candidates.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = ("first_name", "last_name", "email")


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS candidate_{column}_trgm ON recruitment_candidate "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS candidate_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0012_scoring_progress"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
