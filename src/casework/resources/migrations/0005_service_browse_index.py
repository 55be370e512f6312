"""The browse index (organization, status, accepting referrals first, name, id) as an
index Django knows.

Migration 0002 made it in raw SQL, so when 0003 added a column, Django's SQLite
schema editor rebuilt the table with only the indexes it knew, and the browse index was
gone: on SQLite every broad search sorted all the services (0.4 s at 100,000). Made
again here where it is missing, and known to Django from now on, so a rebuild keeps it.
PostgreSQL still has it from 0002.
"""

from django.db import migrations, models

BROWSE_INDEX = (
    "CREATE INDEX IF NOT EXISTS resources_service_browse ON resources_service "
    "(organization_id, status, accepting_referrals DESC, name, id)"
)


class Migration(migrations.Migration):
    dependencies = [("resources", "0004_service_name_tokens")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(BROWSE_INDEX, migrations.RunSQL.noop)],
            state_operations=[
                migrations.AddIndex(
                    model_name="service",
                    index=models.Index(
                        fields=["organization", "status", "-accepting_referrals", "name", "id"],
                        name="resources_service_browse",
                    ),
                )
            ],
        )
    ]
