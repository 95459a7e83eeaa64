"""Managers see a task's attempts in the admin: who claimed it, how each claim ended, and the
reason a tasker gave for a skip, which the Skip form says the managers see (docs/workforce.md
"Managers in the admin"). Read only: the inline allows no change."""

from django.db import migrations

PERMISSION = "view_taskattempt"


def _managers_and_permission(apps):
    from django.contrib.auth.management import create_permissions

    tasks_config = apps.get_app_config("tasks")
    tasks_config.models_module = True
    create_permissions(tasks_config, apps=apps, verbosity=0)
    tasks_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="managers")
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="tasks", codename=PERMISSION)
    return group, permission


def grant(apps, schema_editor):
    group, permission = _managers_and_permission(apps)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    group, permission = _managers_and_permission(apps)
    group.permissions.remove(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0017_prelabel_ledger"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
