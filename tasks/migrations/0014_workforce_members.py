"""Existing taskers and reviewers become members of the accounts whose projects they worked
on, and the "managers" group gets the admin permissions a manager needs (docs/workforce.md).

Each tasker (the group "taskers") becomes a labeler of every account owning a live project
that names them in `Project.taskers`; a tasker named by no project becomes a labeler of every
account owning a live project that names no tasker (what they could see before). Reviewers
likewise with `Project.reviewers` and the group "reviewers".
"""

from django.db import migrations

MANAGERS_GROUP = "managers"
# What a manager does in the admin, on the objects of the accounts they manage
# (tasks/admin_scoping.py narrows every queryset): model -> actions.
MANAGER_PERMISSIONS = {
    "task": ("view", "change"),
    "project": ("view", "change"),
    "projectquality": ("view", "change", "add"),
    "batch": ("view", "change"),
    "uploadedfile": ("view",),
    "callbackdelivery": ("view",),
    "apikey": ("view", "change"),
    "accountsettings": ("view",),
    "taskerstanding": ("view", "change"),
    "goldstandard": ("view", "change"),
    "membership": ("view", "change"),
    "invitation": ("view", "add"),
    "projectgroup": ("view", "change", "add"),
}


def add_members(apps, schema_editor):
    Project = apps.get_model("tasks", "Project")
    Membership = apps.get_model("tasks", "Membership")
    User = apps.get_model(*_user_model_label().split("."))
    live = Project.objects.filter(is_test=False, archived=False)
    for group, field in (("taskers", "taskers"), ("reviewers", "reviewers")):
        through = getattr(Project, field).through
        named_projects = through.objects.values("project_id")
        open_accounts = set(live.exclude(pk__in=named_projects).values_list("owner_id", flat=True))
        for user in User.objects.filter(groups__name=group).distinct():
            accounts = set(live.filter(pk__in=through.objects.filter(user_id=user.pk)
                                       .values("project_id"))
                           .values_list("owner_id", flat=True))
            if not accounts:
                accounts = open_accounts
            for account_id in accounts - {user.pk}:
                Membership.objects.get_or_create(account_id=account_id, user_id=user.pk,
                                                 defaults={"role": "labeler"})


def _user_model_label() -> str:
    from django.conf import settings

    return settings.AUTH_USER_MODEL


def create_managers_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrations run; make the tasks app's now (a fresh database).
    tasks_config = apps.get_app_config("tasks")
    tasks_config.models_module = True
    create_permissions(tasks_config, apps=apps, verbosity=0)
    tasks_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    codenames = [f"{action}_{model}" for model, actions in MANAGER_PERMISSIONS.items()
                 for action in actions]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="tasks",
                                                     codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0013_workforce"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(add_members, migrations.RunPython.noop),
        migrations.RunPython(create_managers_group, migrations.RunPython.noop),
    ]
