"""The data migration 0015_workforce_members (docs/workforce.md, "The migration"): existing
taskers and reviewers become members of the accounts whose projects they could see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from tasks.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tasks", "0014_workforce")]
AFTER = [("tasks", "0015_workforce_members")]


def migrate(targets):
    # The migrations one by one, as a database made before the squash of 0001-0017 goes
    # through them (the test database was made by the squash: docs/architecture.md).
    executor = MigrationExecutor(connection)
    executor.loader = MigrationLoader(connection, replace_migrations=False)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_state():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationLoader(connection, replace_migrations=False).graph.leaf_nodes())


def test_taskers_and_reviewers_become_members_of_what_they_could_see(old_state):
    apps = old_state
    user_model = apps.get_model("auth", "User")
    group_model = apps.get_model("auth", "Group")
    project_model = apps.get_model("tasks", "Project")
    taskers, _ = group_model.objects.get_or_create(name="taskers")
    reviewers, _ = group_model.objects.get_or_create(name="reviewers")
    acme, globex, initech, umbrella = (user_model.objects.create(username=name) for name in
                                       ("acme", "globex", "initech", "umbrella"))
    tina, tom, rita, ron = (user_model.objects.create(username=name) for name in
                            ("tina", "tom", "rita", "ron"))
    for user in (tina, tom):
        user.groups.add(taskers)
    for user in (rita, ron):
        user.groups.add(reviewers)
    named = project_model.objects.create(owner=acme, name="streets")
    named.taskers.add(tina)
    named.reviewers.add(rita)
    project_model.objects.create(owner=globex, name="open")  # names nobody
    closed = project_model.objects.create(owner=initech, name="old", archived=True)
    closed.taskers.add(tina)  # archived: not live, no membership from it
    project_model.objects.create(owner=umbrella, name="tests", is_test=True)  # not live

    migrate(AFTER)

    def accounts(name: str) -> set[tuple[str, str]]:
        return set(Membership.objects.filter(user__username=name)
                   .values_list("account__username", "role"))

    # named on acme's project: a labeler of acme only (not of globex's open project)
    assert accounts("tina") == {("acme", "labeler")}
    # named nowhere: of every account with a live project naming no tasker (globex)
    assert accounts("tom") == {("globex", "labeler")}
    # reviewers likewise with Project.reviewers: acme's project names rita; ron is named
    # nowhere, and the live projects naming no reviewer are globex's
    assert accounts("rita") == {("acme", "labeler")}
    assert accounts("ron") == {("globex", "labeler")}
    assert not Membership.objects.filter(user__username__in=("acme", "globex")).exists()


def test_the_managers_group_has_the_admin_permissions(old_state):
    migrate(AFTER)
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="managers").permissions
                    .values_list("codename", flat=True))
    assert {"view_task", "change_project", "view_batch", "view_membership",
            "view_callbackdelivery", "view_uploadedfile", "view_apikey"} <= codenames
    assert not {c for c in codenames if c.startswith("delete_")}
