"""The task and project admin for managers (docs/workbench.md, "Read-only view"): a task's
change page links to its read-only workbench view, the task list filters by tasker, tag,
status, project and batch, long JSON is folded, and a project's taskers and reviewers are
chosen among their groups only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP, ensure_member
from tasks.admin import FOLD_LINES, pretty_json
from tasks.models import Batch, Project, Task, TaskTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("acme", password="x")


def task_of(owner, project, batch=None, *, tags=(), **fields) -> Task:
    task = Task.objects.create(owner=owner, project=project, batch=batch, tags=list(tags),
                               params={"attachment": "https://example.com/a.png"}, **fields)
    TaskTag.objects.bulk_create([TaskTag(task=task, tag=tag) for tag in tags])
    return task


def listed(admin_client, query: str) -> set[str]:
    response = admin_client.get(reverse("admin:tasks_task_changelist") + query)
    assert response.status_code == 200
    html = response.content.decode()
    return set(re.findall(r"/admin/tasks/task/([0-9a-f]{24})/change/", html))


@pytest.fixture
def world(account):
    tina, _ = ensure_member("tina", "pw-tina-123", TASKERS_GROUP)
    tom, _ = ensure_member("tom", "pw-tom-123", TASKERS_GROUP)
    rita, _ = ensure_member("rita", "pw-rita-123", REVIEWERS_GROUP)
    streets = Project.objects.create(owner=account, name="streets")
    fields = Project.objects.create(owner=account, name="fields")
    batch = Batch.objects.create(owner=account, project=streets, name="night-batch")
    tasks = {
        "claimed": task_of(account, streets, batch, tags=["night"], claimed_by=tina),
        "completed": task_of(account, streets, tags=["day"], completed_by=tina,
                             status="completed"),
        "other": task_of(account, fields, tags=["night", "rain"], claimed_by=tom),
        "free": task_of(account, fields),
    }
    ids = {name: task.task_id for name, task in tasks.items()}
    return {"tina": tina, "tom": tom, "rita": rita, "streets": streets, "fields": fields,
            "batch": batch, "tasks": tasks, "ids": ids}


def test_the_task_page_links_to_the_read_only_workbench_view(admin_client, world):
    task = world["tasks"]["claimed"]
    html = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    work = f"/tasks/{task.task_id}/work/"
    assert f'href="{work}"' in html
    assert "read-only" in html
    # and that view is the workbench page, read-only for staff
    page = admin_client.get(work)
    assert page.status_code == 200
    assert 'data-read-only="true"' in page.content.decode()


def test_the_task_list_filters_by_tasker(admin_client, world):
    ids = world["ids"]
    assert listed(admin_client, f"?tasker={world['tina'].pk}") == {ids["claimed"], ids["completed"]}
    assert listed(admin_client, f"?tasker={world['tom'].pk}") == {ids["other"]}
    assert listed(admin_client, "") == set(ids.values())
    # the filter offers the taskers, not every account
    html = admin_client.get(reverse("admin:tasks_task_changelist")).content.decode()
    assert f"?tasker={world['tina'].pk}" in html and f"?tasker={world['rita'].pk}" not in html


def test_the_task_list_filters_by_tag_status_project_and_batch(admin_client, world):
    ids = world["ids"]
    assert listed(admin_client, "?tag=night") == {ids["claimed"], ids["other"]}
    assert listed(admin_client, "?tag=rain") == {ids["other"]}
    assert listed(admin_client, "?status__exact=completed") == {ids["completed"]}
    assert listed(admin_client, f"?project__id__exact={world['fields'].pk}") \
        == {ids["other"], ids["free"]}
    assert listed(admin_client, f"?batch__id__exact={world['batch'].pk}") == {ids["claimed"]}
    assert listed(admin_client, f"?tag=night&project__id__exact={world['streets'].pk}") \
        == {ids["claimed"]}


def test_long_json_is_folded_and_short_json_is_not():
    short = str(pretty_json({"a": 1}))
    assert "<details" not in short and "<pre" in short
    long_value = {f"key{i}": "<b>x</b>" for i in range(FOLD_LINES + 5)}
    long = str(pretty_json(long_value))
    assert long.startswith('<details class="admin-json"><summary>')
    assert f"{FOLD_LINES + 5} keys" in long
    assert "&lt;b&gt;x&lt;/b&gt;" in long and "<b>x</b>" not in long


def test_the_task_page_folds_its_long_params(admin_client, world):
    task = world["tasks"]["free"]
    Task.objects.filter(pk=task.pk).update(
        params={"attachment": "https://example.com/a.png",
                **{f"extra_{i}": i for i in range(30)}})
    html = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert '<details class="admin-json"><summary>31 keys' in html


def choices(admin_client, project, field: str) -> set[str]:
    html = admin_client.get(reverse("admin:tasks_project_change", args=[project.pk])) \
        .content.decode()
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {field} field"
    return set(re.findall(r"<option[^>]*>([^<]+)</option>", select.group(1)))


def test_project_taskers_and_reviewers_come_from_their_groups(admin_client, world, account):
    project = world["streets"]
    assert choices(admin_client, project, "taskers") == {"tina", "tom"}
    assert choices(admin_client, project, "reviewers") == {"rita"}


def test_an_account_chosen_before_stays_a_choice(admin_client, world, account):
    """A member added before the group rule (or by the API) is kept: saving never drops it."""
    project = world["streets"]
    project.taskers.add(account)
    assert choices(admin_client, project, "taskers") == {"tina", "tom", "acme"}
    assert "acme" not in choices(admin_client, world["fields"], "taskers")
