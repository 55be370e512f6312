"""Each word of a service's search text and name followed by its stem (vocabulary.stem),
so that "financial" finds "finance" and "studying" finds "study" on both databases.

No index changes: the stems are words of ``search_text`` and name tokens of ``facets``,
which the full-text indexes of migrations 0002-0004 already hold (SQLite's FTS5 triggers
follow the update). This fills them in for the services there are; ``derived.refresh``
writes them from now on. Going back leaves them: the search before this one reads a
stem as one more word, and finds what it found.
"""

from django.db import migrations

from casework.resources.derived import NAME, SEARCH_TEXT_LIMIT, name_tokens, with_stems

CHUNK = 2000


def add_stems(apps, schema_editor):
    Service = apps.get_model("resources", "Service")
    rows = Service.objects.order_by("pk").values_list("pk", "name", "search_text", "facets")
    batch = []
    for pk, name, search_text, facets in rows.iterator(chunk_size=CHUNK):
        others = [t for t in facets.split() if not t.startswith(f"_{NAME}_")]
        batch.append(
            Service(
                pk=pk,
                search_text=with_stems(search_text)[:SEARCH_TEXT_LIMIT],
                facets=" ".join(sorted({*others, *name_tokens(name)})),
            )
        )
        if len(batch) >= CHUNK:
            Service.objects.bulk_update(batch, ["search_text", "facets"], batch_size=500)
            batch = []
    Service.objects.bulk_update(batch, ["search_text", "facets"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("resources", "0007_lookup_indexes")]

    operations = [migrations.RunPython(add_stems, migrations.RunPython.noop)]
