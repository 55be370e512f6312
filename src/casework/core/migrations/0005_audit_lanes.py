"""Audit chain heads know their organization, so an organization's log can have several lanes."""

import django.db.models.deletion
from django.db import migrations, models


def fill_organization(apps, schema_editor):
    heads = apps.get_model("core", "AuditChainHead")
    for head in heads.objects.filter(chain__startswith="org:"):
        head.organization_id = int(head.chain.removeprefix("org:").split("/")[0])
        head.save(update_fields=["organization"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_organization_store_full_ssn")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="organization",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.organization",
            ),
        ),
        migrations.RunPython(fill_organization, migrations.RunPython.noop),
    ]
