"""Every HSDS row keeps what the file said that Casework has no column for (``hsds_extra``):
the standard's fields we do not use, and dates and times as the file wrote them, so that
an export gives back every field the standard defines. Existing rows start empty.

On SQLite the column is added with ALTER TABLE: Django would rebuild each table for a
column with a default, which drops the full-text triggers of the service table
(migrations 0002-0003) and copies every row.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import migrations, models

MODELS = (
    "accessibility",
    "address",
    "attribute",
    "contact",
    "costoption",
    "language",
    "location",
    "phone",
    "provider",
    "requireddocument",
    "schedule",
    "service",
    "servicearea",
    "serviceatlocation",
    "taxonomy",
    "taxonomyterm",
)


def _field() -> models.JSONField:
    return models.JSONField(blank=True, default=dict, verbose_name="other HSDS fields")


def _with_field(model):
    """The column as a field of the historical model: the database operations of
    SeparateDatabaseAndState see the state without the state operations' new field."""
    try:
        return model._meta.get_field("hsds_extra")
    except FieldDoesNotExist:
        field = _field()
        field.contribute_to_class(model, "hsds_extra")
        return field


def add_columns(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("resources", name)
        if schema_editor.connection.vendor == "sqlite":
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN \"hsds_extra\" text NOT NULL DEFAULT '{{}}' "
                'CHECK ((JSON_VALID("hsds_extra") OR "hsds_extra" IS NULL))'
            )
        else:
            schema_editor.add_field(model, _with_field(model))


def drop_columns(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("resources", name)
        if schema_editor.connection.vendor == "sqlite":
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f'ALTER TABLE {table} DROP COLUMN "hsds_extra"')
        else:
            schema_editor.remove_field(model, _with_field(model))


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0008_service_word_stems"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name=name, name="hsds_extra", field=_field())
                for name in MODELS
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        )
    ]
