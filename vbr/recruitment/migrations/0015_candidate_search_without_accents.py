"""Searching candidates without accents: "sian" finds Siân, "wyn" finds Wŷn (PostgreSQL).

Creates the `unaccent` extension and `vbr_fold(text)`, upper case without accents, which
the candidate search applies to both the columns and the words typed
(`vbr.recruitment.search`). `unaccent()` itself is only stable, since its dictionary could
change, so it cannot be indexed; `vbr_fold` names the dictionary and is declared immutable,
the usual way to index it. The trigram indexes of 0013 (on `UPPER(column)`) are replaced by
the same indexes on `vbr_fold(column)`. SQLite (the embedded demo) registers its own
`vbr_fold` on each connection and has no such index.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = ("first_name", "last_name", "email")

FOLD = """
CREATE OR REPLACE FUNCTION vbr_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT upper({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$
"""


def _extension_schema(schema_editor: BaseDatabaseSchemaEditor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        return str(schema_editor.quote_name(cursor.fetchone()[0]))


def fold_and_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FOLD.format(schema=_extension_schema(schema_editor)))
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS candidate_{column}_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS candidate_{column}_folded_trgm "
            f"ON recruitment_candidate USING gin (vbr_fold({column}::text) gin_trgm_ops)"
        )


def unfold(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS candidate_{column}_folded_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS candidate_{column}_trgm ON recruitment_candidate "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS vbr_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0014_decision_stage"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(fold_and_index, unfold),
    ]
