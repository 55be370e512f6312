"""The words of each service's name as tokens in ``Service.facets`` (``_n_<word>``).

Relevance puts services whose name holds the first word before those that only mention
it. As a token in the full-text index, "the name holds the word" is something
PostgreSQL can count from its statistics and look up in the index, so a search whose
word is common walks the browse index for the page instead of sorting every match
(search._broad_page). ``derived.refresh`` writes the tokens from now on; this fills
them in for the services there are. SQLite's FTS5 triggers follow the update.
"""

from django.db import migrations

from casework.resources.derived import NAME, name_tokens

CHUNK = 2000


def _without_names(facets: str) -> list[str]:
    return [t for t in facets.split() if not t.startswith(f"_{NAME}_")]


def add_name_tokens(apps, schema_editor):
    Service = apps.get_model("resources", "Service")
    rows = Service.objects.order_by("pk").values_list("pk", "name", "facets")
    batch = []
    for pk, name, facets in rows.iterator(chunk_size=CHUNK):
        tokens = sorted({*_without_names(facets), *name_tokens(name)})
        batch.append(Service(pk=pk, facets=" ".join(tokens)))
        if len(batch) >= CHUNK:
            Service.objects.bulk_update(batch, ["facets"], batch_size=500)
            batch = []
    Service.objects.bulk_update(batch, ["facets"], batch_size=500)


def remove_name_tokens(apps, schema_editor):
    Service = apps.get_model("resources", "Service")
    rows = Service.objects.order_by("pk").values_list("pk", "facets")
    Service.objects.bulk_update(
        [Service(pk=pk, facets=" ".join(_without_names(f))) for pk, f in rows.iterator()],
        ["facets"],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_service_facets")]

    operations = [migrations.RunPython(add_name_tokens, remove_name_tokens)]
