"""Word search over services, one kind of index per database.

PostgreSQL: a GIN full-text index over ``Service.search_text`` (prefix queries
``shel:*``). SQLite: an FTS5 table over the same column, kept in sync by triggers, so
bulk inserts by importers and the generator are indexed too. Either database skips
the other's statements.
"""

from django.db import migrations

POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_service_search_fts ON resources_service "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
# The directory's default order (taking referrals first, then by name) read straight from
# an index, so a page of a broad search stops after its first rows instead of sorting
# every active service. Plain SQL that both databases accept.
BROWSE_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_service_browse ON resources_service "
    "(organization_id, status, accepting_referrals DESC, name, id)"
)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS resources_service_fts USING fts5("
    "search_text, content='resources_service', content_rowid='id')",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_insert AFTER INSERT ON resources_service "
    "BEGIN INSERT INTO resources_service_fts(rowid, search_text) "
    "VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_delete AFTER DELETE ON resources_service "
    "BEGIN INSERT INTO resources_service_fts(resources_service_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_update AFTER UPDATE OF search_text "
    "ON resources_service BEGIN "
    "INSERT INTO resources_service_fts(resources_service_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO resources_service_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS resources_service_fts_insert",
    "DROP TRIGGER IF EXISTS resources_service_fts_delete",
    "DROP TRIGGER IF EXISTS resources_service_fts_update",
    "DROP TABLE IF EXISTS resources_service_fts",
)


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(BROWSE_INDEX)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX)
    elif vendor == "sqlite":
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)
        schema_editor.execute(
            "INSERT INTO resources_service_fts(resources_service_fts) VALUES ('rebuild')"
        )


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP INDEX IF EXISTS resources_service_browse")
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS resources_service_search_fts")
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
