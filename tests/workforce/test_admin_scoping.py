"""A manager of account A sees A's objects only in the admin, per model admin: changelists,
searches, filters, change pages, actions, the daily view, the quality pages, exports and
deliveries (docs/workforce.md, "Managers in the admin"). A superuser sees both accounts."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from PIL import Image

from tasks import files, lifecycle, projects, workforce
from tasks.models import (
    AccountSettings,
    ApiKey,
    Batch,
    CallbackDelivery,
    GoldStandard,
    Membership,
    Project,
    Task,
    TaskAttempt,
    TaskerStanding,
    TaskStatus,
    UploadedFile,
)
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def furnish(owner, word: str) -> dict:
    """One of everything the admin lists, for `owner`, every name carrying `word`."""
    project = make_project(owner, f"{word}-project")
    batch = projects.create_batch(owner=owner, is_test=False,
                                  body={"project": project.name, "name": f"{word}-batch"})
    task = lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
                                 body=box_task(project=project.name, batch=batch.name,
                                               unique_id=f"{word}-uid"))
    done = lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
                                 body=box_task(project=project.name, unique_id=f"{word}-done"))
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.COMPLETED, response={
        "annotations": []})
    upload = files.store_file(owner=owner, is_test=False, data=png(),
                              fields={"display_name": f"{word}-file.png"})
    key, _ = ApiKey.issue(owner, is_test=False, name=f"{word}-key")
    settings_row, _ = AccountSettings.objects.get_or_create(user=owner)
    delivery = CallbackDelivery.objects.create(owner=owner, task=task, event="completed",
                                               url=f"https://{word}.example/cb", payload={})
    tasker = make_tasker(f"{word}-tasker", account=owner)
    standing = TaskerStanding.objects.create(user=tasker, project=project)
    template = lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
                                     body=box_task(project=project.name,
                                                   unique_id=f"{word}-gold"))
    gold = GoldStandard.objects.create(template=template, kind="evaluation")
    return {"project": project, "batch": batch, "task": task, "upload": upload, "key": key,
            "settings": settings_row, "delivery": delivery, "tasker": tasker,
            "standing": standing, "gold": gold,
            "membership": Membership.objects.get(user=tasker)}


@pytest.fixture
def world(account, other_account):
    return {"a": furnish(account, "alpha"), "b": furnish(other_account, "bravo")}


@pytest.fixture
def manager(account, django_user_model):
    """Mia manages account A: a membership that makes her staff in the managers group."""
    mia = django_user_model.objects.create_user("mia", password="pw-mia-12345")
    workforce.ensure_member(account, mia, role="manager")
    mia.refresh_from_db()
    assert mia.is_staff and not mia.is_superuser
    assert mia.groups.filter(name=workforce.MANAGERS_GROUP).exists()
    client = Client()
    client.force_login(mia)
    return client


# model admin -> (object key, the search term that finds it, the text its row shows)
ADMINS = {
    "task": ("task", lambda w: w["task"].task_id, lambda w: w["task"].task_id),
    "project": ("project", lambda w: w["project"].name, lambda w: w["project"].name),
    "batch": ("batch", lambda w: w["batch"].name, lambda w: w["batch"].name),
    "uploadedfile": ("upload", lambda w: w["upload"].display_name,
                     lambda w: w["upload"].owner.username),
    "apikey": ("key", lambda w: w["key"].name, lambda w: w["key"].name),
    "accountsettings": ("settings", lambda w: w["settings"].user.username,
                        lambda w: f'/{w["settings"].pk}/change/'),
    "callbackdelivery": ("delivery", lambda w: w["delivery"].url, lambda w: w["delivery"].url),
    "taskerstanding": ("standing", lambda w: w["standing"].user.username,
                       lambda w: w["standing"].user.username),
    "goldstandard": ("gold", None, lambda w: f'/{w["gold"].pk}/change/'),
    "membership": ("membership", lambda w: w["membership"].user.username,
                   lambda w: w["membership"].user.username),
}


def changelist(model: str) -> str:
    return reverse(f"admin:tasks_{model}_changelist")


def change(model: str, pk) -> str:
    return reverse(f"admin:tasks_{model}_change", args=[pk])


@pytest.mark.parametrize("model", sorted(ADMINS))
def test_a_manager_sees_their_accounts_objects_only(model, world, manager):
    key, term, shown = ADMINS[model]
    mine, theirs = world["a"], world["b"]
    page = manager.get(changelist(model))
    assert page.status_code == 200
    html = page.content.decode()
    assert shown(mine) in html and shown(theirs) not in html
    listed = {o.pk for o in page.context["cl"].result_list}
    assert mine[key].pk in listed and theirs[key].pk not in listed
    if term is not None:  # a search finds nothing of the other account
        found = manager.get(changelist(model), {"q": term(theirs)}).context["cl"]
        assert list(found.result_list) == [] and found.full_result_count == len(listed)
        found = manager.get(changelist(model), {"q": term(mine)}).context["cl"]
        assert [o.pk for o in found.result_list] == [mine[key].pk]
    assert manager.get(change(model, mine[key].pk)).status_code == 200
    refused = manager.get(change(model, theirs[key].pk))
    assert refused.status_code == 302 and refused["Location"] == reverse("admin:index")


@pytest.mark.parametrize("model", sorted(ADMINS))
def test_a_superuser_sees_both_accounts(model, world, django_user_model):
    _, _, shown = ADMINS[model]
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-r-1"))
    html = client.get(changelist(model)).content.decode()
    assert shown(world["a"]) in html and shown(world["b"]) in html


def test_list_filters_offer_their_accounts_projects_and_batches_only(world, manager,
                                                                    django_user_model):
    html = manager.get(changelist("task")).content.decode()
    assert "alpha-project" in html and "alpha-batch" in html
    assert "bravo-project" not in html and "bravo-batch" not in html
    html = manager.get(changelist("taskerstanding")).content.decode()
    assert "alpha-project" in html and "bravo-project" not in html
    # the memberships' account filter: the manager's accounts, not their people
    initech = django_user_model.objects.create_user("initech")
    workforce.ensure_member(initech, django_user_model.objects.get(username="mia"),
                            role="manager")
    filters = manager.get(changelist("membership")).context["cl"].filter_specs
    (accounts,) = [f for f in filters if getattr(f, "field_path", "") == "account"]
    assert sorted(label for _, label in accounts.lookup_choices) == ["acme", "initech"]


def test_actions_touch_their_accounts_objects_only(world, manager):
    # revoke both accounts' keys at once: only A's is revoked
    keys = [world["a"]["key"].pk, world["b"]["key"].pk]
    manager.post(changelist("apikey"), {"action": "revoke_keys",
                                        "_selected_action": keys})
    assert ApiKey.objects.get(pk=keys[0]).revoked
    assert not ApiKey.objects.get(pk=keys[1]).revoked
    # deactivate both gold standards: only A's
    golds = [world["a"]["gold"].pk, world["b"]["gold"].pk]
    manager.post(changelist("goldstandard"), {"action": "deactivate",
                                              "_selected_action": golds})
    assert not GoldStandard.objects.get(pk=golds[0]).active
    assert GoldStandard.objects.get(pk=golds[1]).active


def test_exports_carry_their_accounts_projects_only(world, manager):
    both = [world["a"]["project"].pk, world["b"]["project"].pk]
    res = manager.post(changelist("project"), {"action": "export_scale",
                                               "_selected_action": both})
    assert res.status_code == 200
    body = b"".join(res.streaming_content).decode()
    assert "alpha-done" in body and "bravo" not in body
    # B's project alone: none of the selection is the manager's, the file is empty of it
    res = manager.post(changelist("project"), {"action": "export_scale",
                                               "_selected_action": [both[1]]})
    assert "bravo" not in b"".join(res.streaming_content).decode()


def test_the_daily_view_and_quality_pages_are_their_accounts(world, manager):
    overview = manager.get(reverse("admin-stats")).content.decode()
    assert "alpha-project" in overview and "bravo-project" not in overview
    a, b = world["a"]["project"].pk, world["b"]["project"].pk
    for name in ("admin-project-stats", "admin-project-stats-json", "admin-quality-project",
                 "admin-quality-project-json"):
        assert manager.get(reverse(name, args=[a])).status_code == 200, name
        assert manager.get(reverse(name, args=[b])).status_code == 404, name
    mine, theirs = world["a"]["tasker"].pk, world["b"]["tasker"].pk
    for name in ("admin-quality-tasker", "admin-quality-tasker-json"):
        assert manager.get(reverse(name, args=[mine])).status_code == 200, name
        assert manager.get(reverse(name, args=[theirs])).status_code == 404, name
    pause = reverse("admin-quality-standing", args=[b, theirs, "pause"])
    assert manager.post(pause).status_code == 404
    assert TaskerStanding.objects.get(pk=world["b"]["standing"].pk).paused_at is None


def test_a_tasker_in_both_accounts_is_counted_over_the_managers_projects(world, manager,
                                                                         other_account):
    both = world["a"]["tasker"]
    Membership.objects.create(account=other_account, user=both)
    TaskerStanding.objects.create(user=both, project=world["b"]["project"])
    data = manager.get(reverse("admin-quality-tasker-json", args=[both.pk])).json()
    assert {row["project"] for row in data["projects"]} == {"alpha-project"}


def test_the_project_form_offers_their_accounts_people_only(world, manager):
    html = manager.get(change("project", world["a"]["project"].pk)).content.decode()
    assert "alpha-tasker" in html and "bravo-tasker" not in html


def test_a_managers_admin_home_links_the_daily_view(world, manager):
    home = manager.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin-stats")}"' in home and "Tasks" in home
    assert manager.get(reverse("admin-stats")).status_code == 200


def test_a_manager_sees_the_skip_reasons_on_a_task(world, manager):
    """The Skip form tells a tasker their reason is seen by the managers (migration 0018)."""
    task, tasker = world["a"]["task"], world["a"]["tasker"]
    TaskAttempt.objects.create(task=task, root=task, user=tasker, kind="work",
                               outcome="released", reason="the image is blurred")
    html = manager.get(change("task", task.pk)).content.decode()
    assert "Attempts (claims, skips with their reasons)" in html
    assert "the image is blurred" in html


def test_managers_group_is_what_gives_the_permissions(world, manager, django_user_model):
    """Without the group's permissions the admin shows the manager nothing."""
    mia = django_user_model.objects.get(username="mia")
    mia.groups.remove(Group.objects.get(name=workforce.MANAGERS_GROUP))
    assert manager.get(changelist("task")).status_code == 403
    assert Project.objects.count() == 2 and Batch.objects.count() == 2
    assert UploadedFile.objects.count() == 2
