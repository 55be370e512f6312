"""The place index of service-at-locations also holds the service, so a search by
distance reads the index alone, without a row per location (made before the old one
goes, so searches always have one)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_organization_store_full_ssn"),
        ("resources", "0005_service_browse_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(
                fields=["organization", "latitude", "longitude", "service"],
                name="sal_place_service",
            ),
        ),
        migrations.RemoveIndex(
            model_name="serviceatlocation",
            name="resources_s_organiz_778bef_idx",
        ),
    ]
