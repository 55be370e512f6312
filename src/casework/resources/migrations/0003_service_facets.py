"""Categories and languages searched through the same full-text index as the words.

``Service.facets`` holds derived tokens ("_c_housing _t_42 _l_es"). PostgreSQL: one
GIN index over the words and the tokens together (and an index to place a client by
postal code), replacing the index over the words
alone, so a search by words, category and language is one index scan instead of
semi-joins over attributes and languages. SQLite: the FTS5 table gets a ``facets``
column, and "_" becomes part of a token so a token stays whole. Existing services get
their tokens here; ``derived.refresh`` keeps them up to date.
"""

from collections import defaultdict

from django.db import migrations, models

from casework.resources.derived import CATEGORY, LANGUAGE, TERM, facet, unplaced

CASEWORK_TAXONOMY_ID = "casework-service-categories"
CHUNK = 2000

# The document is a function with a cost that says what it is: building a service's
# tsvector takes tens of microseconds. With the built-in functions' default cost the
# planner thinks it free, and filters rows one by one (0.2 s for a common word) rather
# than reading the index. PL/pgSQL, because a SQL function would be inlined and its cost
# forgotten.
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION resources_service_document(search_text text, facets text) "
    "RETURNS tsvector LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 500 AS $$ "
    "BEGIN RETURN to_tsvector('simple'::regconfig, search_text) "
    "|| array_to_tsvector(string_to_array(facets, ' ')); END $$"
)
POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_service_search_facets ON resources_service "
    "USING gin (resources_service_document(search_text, facets))"
)
# Where a client is, from a postal code, without reading every address (geo.py).
POSTGRES_POSTAL_CODE_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_address_postal_code_upper ON resources_address "
    "(organization_id, upper((postal_code)::text))"
)
POSTGRES_OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_service_search_fts ON resources_service "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS resources_service_fts_insert",
    "DROP TRIGGER IF EXISTS resources_service_fts_delete",
    "DROP TRIGGER IF EXISTS resources_service_fts_update",
    "DROP TABLE IF EXISTS resources_service_fts",
)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS resources_service_fts USING fts5("
    "search_text, facets, content='resources_service', content_rowid='id', "
    "tokenize=\"unicode61 tokenchars '_'\")",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_insert AFTER INSERT ON resources_service "
    "BEGIN INSERT INTO resources_service_fts(rowid, search_text, facets) "
    "VALUES (new.id, new.search_text, new.facets); END",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_delete AFTER DELETE ON resources_service "
    "BEGIN INSERT INTO resources_service_fts(resources_service_fts, rowid, search_text, facets) "
    "VALUES ('delete', old.id, old.search_text, old.facets); END",
    "CREATE TRIGGER IF NOT EXISTS resources_service_fts_update "
    "AFTER UPDATE OF search_text, facets ON resources_service BEGIN "
    "INSERT INTO resources_service_fts(resources_service_fts, rowid, search_text, facets) "
    "VALUES ('delete', old.id, old.search_text, old.facets); "
    "INSERT INTO resources_service_fts(rowid, search_text, facets) "
    "VALUES (new.id, new.search_text, new.facets); END",
)
# What migration 0002 made, for going back.
SQLITE_OLD_FTS = (
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
SQLITE_REBUILD = "INSERT INTO resources_service_fts(resources_service_fts) VALUES ('rebuild')"


def fill_facets(apps, schema_editor):
    Service = apps.get_model("resources", "Service")
    Attribute = apps.get_model("resources", "Attribute")
    Language = apps.get_model("resources", "Language")
    ServiceAtLocation = apps.get_model("resources", "ServiceAtLocation")
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        tokens: dict[int, set[str]] = defaultdict(set)
        for service_id, term_id, code, taxonomy in Attribute.objects.filter(
            service_id__in=chunk
        ).values_list(
            "service_id",
            "taxonomy_term_id",
            "taxonomy_term__code",
            "taxonomy_term__taxonomy__hsds_id",
        ):
            tokens[service_id].add(facet(TERM, term_id))
            if code and taxonomy == CASEWORK_TAXONOMY_ID:
                tokens[service_id].add(facet(CATEGORY, code))
        for service_id, code in (
            Language.objects.filter(service_id__in=chunk)
            .exclude(code="")
            .values_list("service_id", "code")
        ):
            tokens[service_id].add(facet(LANGUAGE, code))
        for service_id, code in (
            Language.objects.filter(location__services_here__service_id__in=chunk)
            .exclude(code="")
            .values_list("location__services_here__service_id", "code")
        ):
            tokens[service_id].add(facet(LANGUAGE, code))
        placed = set(
            ServiceAtLocation.objects.filter(
                service_id__in=chunk, latitude__isnull=False, longitude__isnull=False
            ).values_list("service_id", flat=True)
        )
        for pk in set(chunk) - placed:
            tokens[pk].add(unplaced())
        Service.objects.bulk_update(
            [Service(pk=pk, facets=" ".join(sorted(found))) for pk, found in tokens.items()],
            ["facets"],
            batch_size=500,
        )


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS resources_service_search_fts")
        schema_editor.execute(POSTGRES_FUNCTION)
        schema_editor.execute(POSTGRES_INDEX)
        schema_editor.execute(POSTGRES_POSTAL_CODE_INDEX)
    elif vendor == "sqlite":
        for statement in (*SQLITE_DROP, *SQLITE_FTS, SQLITE_REBUILD):
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS resources_service_search_facets")
        schema_editor.execute("DROP INDEX IF EXISTS resources_address_postal_code_upper")
        schema_editor.execute("DROP FUNCTION IF EXISTS resources_service_document(text, text)")
        schema_editor.execute(POSTGRES_OLD_INDEX)
    elif vendor == "sqlite":
        for statement in (*SQLITE_DROP, *SQLITE_OLD_FTS, SQLITE_REBUILD):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_service_search")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="facets",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_facets, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
