from django.db import migrations, models

#: How ``referral_provider_update`` wrote a step it marked done into the note, until the
#: step had a field of its own (no translation of the sentence was ever shipped).
PREFIX = "Action step marked done: "


def split_step_from_note(apps, schema_editor):
    """Move the step out of the note, so the receiving side sees it only under a consent
    that covers the service plan."""
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    rows = ReferralEvent.objects.filter(status="completed", note__contains=PREFIX)
    for event in rows.iterator():
        head, sep, step = event.note.rpartition(PREFIX)
        if not sep or (head and not head.endswith("\n\n")):
            continue
        event.note = head[:-2] if head else ""
        event.step_done = step
        event.save(update_fields=["note", "step_done"])


def join_step_to_note(apps, schema_editor):
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    for event in ReferralEvent.objects.exclude(step_done="").iterator():
        done = PREFIX + event.step_done
        event.note = f"{event.note}\n\n{done}" if event.note else done
        event.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="referralevent",
            name="step_done",
            field=models.TextField(blank=True, verbose_name="action step marked done"),
        ),
        migrations.RunPython(split_step_from_note, join_step_to_note),
    ]
