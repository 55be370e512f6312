from django.db import migrations


def load(apps, schema_editor):
    from casework.assessments.shipped import load_shipped_instruments

    load_shipped_instruments(
        apps.get_model("assessments", "Instrument"),
        apps.get_model("assessments", "InstrumentVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
