"""Cancel, audit, unique_id, setMetadata and tags on one task."""

from __future__ import annotations

import pytest

from tasks.models import Task, TaskTag
from tests.factories import box_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(api) -> dict:
    return api.post("task/imageannotation", box_task(unique_id="u1", tags=["a"])).json()


def test_cancel_then_cancel_again(api, task):
    res = api.post(f"task/{task['task_id']}/cancel")
    assert res.status_code == 200 and res.json()["status"] == "canceled"
    again = api.post(f"task/{task['task_id']}/cancel")
    assert again.status_code == 200 and again.json()["status"] == "canceled"


def test_cancel_with_clear_unique_id_frees_it(api, task):
    res = api.post(f"task/{task['task_id']}/cancel", clear_unique_id="true")
    assert "unique_id" not in res.json()
    assert api.post("task/imageannotation", box_task(unique_id="u1")).status_code == 200


def test_cancel_completed_or_started_task_is_400(api, test_api, task):
    done = test_api.post("task/imageannotation", box_task()).json()
    res = test_api.post(f"task/{done['task_id']}/cancel")
    assert res.status_code == 400 and "completed" in res.json()["error"]
    Task.objects.filter(pk=task["task_id"]).update(work_started=True)
    started = api.post(f"task/{task['task_id']}/cancel")
    assert started.status_code == 400 and "started" in started.json()["error"]


def test_audit(api, test_api, task):
    assert api.post(f"task/{task['task_id']}/audit", {"accepted": True}).status_code == 400
    done = test_api.post("task/imageannotation", box_task()).json()
    res = test_api.post(f"task/{done['task_id']}/audit", {"accepted": True, "comments": "ok"})
    assert res.status_code == 200
    audited = res.json()
    assert audited["audits"][0]["audit_result"] == "accepted"
    assert audited["audits"][0]["audit_source"] == "customer"
    assert test_api.get("tasks", customer_review_status="accepted").json()["total"] == 1
    rejected = test_api.post(f"task/{done['task_id']}/audit", {"accepted": False}).json()
    assert rejected["status"] == "pending" and len(rejected["audits"]) == 2
    bad = test_api.post(f"task/{done['task_id']}/audit", {"accepted": "yes"})
    assert bad.status_code == 400


def test_set_and_clear_unique_id(api, task):
    other = api.post("task/imageannotation", box_task()).json()
    res = api.post(f"task/{other['task_id']}/unique_id", {"unique_id": "u2"})
    assert res.status_code == 200 and res.json()["unique_id"] == "u2"
    clash = api.post(f"task/{other['task_id']}/unique_id", {"unique_id": "u1"})
    assert clash.status_code == 409 and task["task_id"] in clash.json()["error"]
    assert api.post(f"task/{other['task_id']}/unique_id", {"unique_id": ""}).status_code == 400
    cleared = api.delete(f"task/{task['task_id']}/unique_id")
    assert cleared.status_code == 200 and "unique_id" not in cleared.json()
    assert api.get("tasks", unique_id="u1").json()["total"] == 0


def test_set_metadata_replaces(api, task):
    res = api.post(f"task/{task['task_id']}/setMetadata", {"new": True})
    assert res.status_code == 200 and res.json()["metadata"] == {"new": True}
    assert api.post(f"task/{task['task_id']}/setMetadata", [1]).status_code == 400
    too_big = api.post(f"task/{task['task_id']}/setMetadata", {"x": "y" * 11_000})
    assert too_big.status_code == 400 and "10 KB" in too_big.json()["error"]


def test_tags_replace_add_remove(api, task):
    tid = task["task_id"]
    assert api.post(f"task/{tid}/tags", ["x", "y"]).json()["tags"] == ["x", "y"]
    assert api.put(f"task/{tid}/tags", ["y", "z"]).json()["tags"] == ["x", "y", "z"]
    assert api.delete(f"task/{tid}/tags", ["x", "absent"]).json()["tags"] == ["y", "z"]
    assert sorted(TaskTag.objects.filter(task_id=tid).values_list("tag", flat=True)) == ["y", "z"]
    over = api.put(f"task/{tid}/tags", ["1", "2", "3", "4"])
    assert over.status_code == 400 and "tags" in over.json()["error"]
    assert api.post(f"task/{tid}/tags", {"not": "a list"}).status_code == 400
    assert api.get(f"task/{tid}").json()["tags"] == ["y", "z"]


def test_changes_to_another_accounts_task_are_404(other_api, task):
    tid = task["task_id"]
    assert other_api.post(f"task/{tid}/cancel").status_code == 404
    assert other_api.post(f"task/{tid}/tags", ["x"]).status_code == 404
    assert other_api.post(f"task/{tid}/setMetadata", {}).status_code == 404
    assert other_api.delete(f"task/{tid}/unique_id").status_code == 404
    assert Task.objects.get(pk=tid).status == "pending"
