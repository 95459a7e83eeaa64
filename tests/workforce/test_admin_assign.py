"""The admin's "Assign to a person" (tasks) and "Give to groups" (batches), and the
Invitations page's links (docs/api-decisions.md, "Teams and Studio")."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from tasks import teams
from tasks.models import Batch, Invitation, Membership, Project, ProjectGroup, Task, TeamRole
from tests.factories import box_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(api, account, django_user_model):
    ann = django_user_model.objects.create_user("ann", email="ann@example.com", password="x")
    Membership.objects.create(account=account, user=ann, role=TeamRole.LABELER)
    api.post("projects", {"type": "imageannotation", "name": "cats"})
    api.post("batches", {"name": "b1", "project": "cats"})
    api.post("batches", {"name": "b2", "project": "cats"})
    ids = [api.post("task/imageannotation", box_task(project="cats")).json()["task_id"]
           for _ in range(2)]
    return {"ann": ann, "tasks": Task.objects.filter(task_id__in=ids)}


def run_action(client, model, action, pks, **fields):
    url = reverse(f"admin:tasks_{model}_changelist")
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **fields}
    return client.post(url, data)


def test_assign_tasks_to_a_member(admin_client, work):
    pks = [t.pk for t in work["tasks"]]
    page = run_action(admin_client, "task", "assign_to_person", pks)
    assert page.status_code == 200
    assert b"Assign tasks to a person" in page.content and b"ann" in page.content
    res = run_action(admin_client, "task", "assign_to_person", pks,
                     person=str(work["ann"].pk), apply="1")
    assert res.status_code == 302
    assert set(Task.objects.filter(pk__in=pks).values_list("assigned_to", flat=True)) == {
        work["ann"].pk}
    run_action(admin_client, "task", "assign_to_person", pks, person="", apply="1")
    assert set(Task.objects.filter(pk__in=pks).values_list("assigned_to", flat=True)) == {None}


def test_a_person_outside_the_account_is_not_a_choice(admin_client, work, django_user_model,
                                                       other_account):
    eve = django_user_model.objects.create_user("eve", password="x")
    Membership.objects.create(account=other_account, user=eve)
    pks = [t.pk for t in work["tasks"]]
    page = run_action(admin_client, "task", "assign_to_person", pks, person=str(eve.pk),
                      apply="1")
    assert page.status_code == 200 and b"Select a valid choice" in page.content
    assert not Task.objects.filter(assigned_to=eve).exists()


def test_a_project_that_names_others_is_not_offered(admin_client, work, django_user_model,
                                                    account):
    bob = django_user_model.objects.create_user("bob", password="x")
    Membership.objects.create(account=account, user=bob)
    Project.objects.get(name="cats").taskers.add(bob)
    pks = [t.pk for t in work["tasks"]]
    res = run_action(admin_client, "task", "assign_to_person", pks,
                     person=str(work["ann"].pk), apply="1")
    assert res.status_code == 302
    assert not Task.objects.filter(assigned_to__isnull=False).exists()
    page = admin_client.get(reverse("admin:tasks_task_changelist")).content.decode()
    assert "Assigned 0 task(s) to ann" in page
    assert "its project is not offered to ann" in page


def test_give_batches_to_groups(admin_client, work):
    project = Project.objects.get(name="cats")
    group = ProjectGroup.objects.create(project=project, name="night")
    pks = list(Batch.objects.values_list("pk", flat=True))
    page = run_action(admin_client, "batch", "give_to_groups", pks)
    assert page.status_code == 200 and b"night" in page.content
    res = run_action(admin_client, "batch", "give_to_groups", pks, groups=[str(group.pk)],
                     apply="1")
    assert res.status_code == 302
    assert all(list(b.groups.all()) == [group] for b in Batch.objects.all())
    run_action(admin_client, "batch", "give_to_groups", pks, apply="1")
    assert not Batch.groups.through.objects.exists()


def test_invitations_page_makes_new_links(admin_client, account):
    old = teams.invite(account, ["new@example.com"], TeamRole.LABELER)[0].token
    invitation = Invitation.objects.get()
    res = admin_client.post(reverse("admin:tasks_invitation_changelist"),
                            {"action": "make_new_links",
                             ACTION_CHECKBOX_NAME: [str(invitation.pk)]}, follow=True)
    html = res.content.decode()
    match = re.search(r"<code>http://testserver/invite/([\w-]+)</code>", html)
    assert match, html
    assert teams.find_invitation(old) is None
    assert teams.find_invitation(match.group(1)).pk == invitation.pk
    assert Client().get(f"/invite/{match.group(1)}").status_code == 200
    listing = admin_client.get(reverse("admin:tasks_invitation_changelist")).content
    assert b"valid" in listing


def test_a_manager_sees_only_their_accounts_invitations_and_groups(account, other_account,
                                                                     django_user_model):
    from django.contrib.auth.models import Permission

    teams.invite(account, ["mine@example.com"], TeamRole.LABELER)
    teams.invite(other_account, ["theirs@example.com"], TeamRole.LABELER)
    mine = Project.objects.create(owner=account, name="mine")
    theirs = Project.objects.create(owner=other_account, name="theirs")
    ProjectGroup.objects.create(project=mine, name="my-group")
    ProjectGroup.objects.create(project=theirs, name="their-group")
    manager = django_user_model.objects.create_user("boss", password="x", is_staff=True)
    Membership.objects.create(account=account, user=manager, role=TeamRole.MANAGER)
    manager.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_invitation", "add_invitation", "view_projectgroup"]))
    browser = Client()
    browser.force_login(manager)
    listing = browser.get(reverse("admin:tasks_invitation_changelist")).content.decode()
    assert "mine@example.com" in listing and "theirs@example.com" not in listing
    groups = browser.get(reverse("admin:tasks_projectgroup_changelist")).content.decode()
    assert "my-group" in groups and "their-group" not in groups
    other = Invitation.objects.get(email="theirs@example.com")
    assert browser.get(reverse("admin:tasks_invitation_change",
                               args=[other.pk])).status_code == 302  # not found: to the index
    add = browser.get(reverse("admin:tasks_invitation_add")).content.decode()
    assert f'value="{account.pk}"' in add and f'value="{other_account.pk}"' not in add
