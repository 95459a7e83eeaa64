# Callbacks: a test scale-callback-auth of its own, signing secrets, the e-mail allow-list.

from django.db import migrations, models

import tasks.models.accounts


def own_test_keys(apps, schema_editor):
    """AddField's default is one value for every existing row: give each its own."""
    settings = apps.get_model("tasks", "AccountSettings")
    for row in settings.objects.all():
        row.test_callback_auth_key = tasks.models.accounts.new_callback_key()
        row.save(update_fields=["test_callback_auth_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0008_video_frame_layers'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountsettings',
            name='test_callback_auth_key',
            field=models.CharField(default=tasks.models.accounts.new_callback_key,
                                   max_length=64),
        ),
        migrations.RunPython(own_test_keys, migrations.RunPython.noop),
        migrations.AddField(
            model_name='accountsettings',
            name='callback_signing_secret',
            field=models.CharField(blank=True, default='', editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name='accountsettings',
            name='test_callback_signing_secret',
            field=models.CharField(blank=True, default='', editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name='accountsettings',
            name='callback_emails',
            field=models.TextField(blank=True, default='', help_text="The only e-mail addresses this account's callbacks may go to, one a line (set by staff, who checked they are the account's own)."),
        ),
    ]
