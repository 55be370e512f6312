"""Name search indexes, one kind per database, and the derived columns of existing clients.

PostgreSQL: a GIN full-text index over the folded names (prefix queries ``smi:*``).
SQLite: an FTS5 table over the same column, kept in sync by triggers (so bulk
inserts are indexed too). Either database skips the other's statements.
"""

from django.db import migrations

from casework.clients.names import phonetic_key, words

POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS clients_client_search_fts ON clients_client "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS clients_client_fts USING fts5("
    "search_text, content='clients_client', content_rowid='id')",
    "CREATE TRIGGER IF NOT EXISTS clients_client_fts_insert AFTER INSERT ON clients_client BEGIN "
    "INSERT INTO clients_client_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS clients_client_fts_delete AFTER DELETE ON clients_client BEGIN "
    "INSERT INTO clients_client_fts(clients_client_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS clients_client_fts_update AFTER UPDATE OF search_text "
    "ON clients_client BEGIN "
    "INSERT INTO clients_client_fts(clients_client_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO clients_client_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS clients_client_fts_insert",
    "DROP TRIGGER IF EXISTS clients_client_fts_delete",
    "DROP TRIGGER IF EXISTS clients_client_fts_update",
    "DROP TABLE IF EXISTS clients_client_fts",
)


def backfill(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.only(
        "first_name", "middle_name", "last_name", "preferred_name"
    ).iterator(chunk_size=2000):
        names = (client.first_name, client.middle_name, client.last_name, client.preferred_name)
        client.search_text = " ".join(dict.fromkeys(words(" ".join(names))))[:420]
        client.first_key = phonetic_key(client.first_name)
        client.last_key = phonetic_key(client.last_name)
        batch.append(client)
        if len(batch) >= 2000:
            Client.objects.bulk_update(batch, ["search_text", "first_key", "last_key"])
            batch = []
    if batch:
        Client.objects.bulk_update(batch, ["search_text", "first_key", "last_key"])


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX)
    elif vendor == "sqlite":
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)
        schema_editor.execute(
            "INSERT INTO clients_client_fts(clients_client_fts) VALUES ('rebuild')"
        )


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS clients_client_search_fts")
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_client_record")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
