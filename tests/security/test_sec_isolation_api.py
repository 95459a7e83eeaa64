"""Isolation through the real URLs: one account's key never reads or changes another account's
tasks, projects, batches or files; a test key and a live key of the same account never see
each other's objects."""

from __future__ import annotations

import io

import pytest

from tests.factories import box_task, key_client
from tests.security.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(api):
    """Objects of the `api` key (live, account acme): a project, batch, file and task."""
    assert api.post("projects", {"type": "imageannotation", "name": "shared-name"}) \
        .status_code == 200
    assert api.post("batches", {"project": "shared-name", "name": "batch-1"}).status_code == 200
    upload = api.client.post("/v1/files/upload", {"file": io.BytesIO(png_bytes())})
    file = upload.json()
    task = api.post("task/imageannotation", box_task(
        project="shared-name", batch="batch-1", unique_id="u-1", tags=["t1"],
        metadata={"m": 1}, attachment=file["attachment_url"])).json()
    return {"task": task["task_id"], "file": file["id"], "attachment": file["attachment_url"]}


def snapshot(api, owned) -> dict:
    """Everything the owner can see of its objects."""
    return {
        "task": api.get(f"task/{owned['task']}").json(),
        "tasks": api.get("tasks").json()["total"],
        "project": api.get("projects/shared-name").json(),
        "projects": len(api.get("projects").json()),
        "batch": api.get("batches/batch-1").json(),
        "batch_status": api.get("batches/batch-1/status").json(),
        "file": api.client.get(f"/v1/files/{owned['file']}/content").status_code,
    }


def intruder_calls(owned: dict) -> list[tuple[str, str, object]]:
    task, file = owned["task"], owned["file"]
    return [
        ("GET", f"task/{task}", None),
        ("POST", f"task/{task}/cancel", None),
        ("POST", f"task/{task}/audit", {"accepted": False}),
        ("POST", f"task/{task}/unique_id", {"unique_id": "stolen"}),
        ("DELETE", f"task/{task}/unique_id", None),
        ("POST", f"task/{task}/setMetadata", {"stolen": True}),
        ("POST", f"task/{task}/tags", ["stolen"]),
        ("PUT", f"task/{task}/tags", ["stolen"]),
        ("DELETE", f"task/{task}/tags", ["t1"]),
        ("GET", "projects/shared-name", None),
        ("POST", "projects/shared-name/setParams", {"instruction": "stolen"}),
        ("POST", "projects/shared-name/setOntology", {"ontology": ["stolen"]}),
        ("GET", "projects/shared-name/taskTemplates", None),
        ("GET", "batches/batch-1", None),
        ("POST", "batches/batch-1/finalize", None),
        ("GET", "batches/batch-1/status", None),
        ("POST", "batches/batch-1/setMetadata", {"stolen": True}),
        ("GET", f"files/{file}/content", None),
        ("GET", "exports/scale?project=shared-name", None),
        ("GET", "exports/coco?batch=batch-1", None),
    ]


@pytest.fixture(params=["another account", "the same account's test key"])
def intruder(request, other_account, account):
    if request.param == "another account":
        return key_client(other_account)
    return key_client(account, is_test=True)


def test_no_endpoint_reads_or_changes_objects_of_another_key(api, owned, intruder):
    before = snapshot(api, owned)
    for method, path, body in intruder_calls(owned):
        res = intruder.call(method, f"/v1/{path}", body)
        assert res.status_code == 404, (method, path, res.status_code, res.content[:200])
        assert res.json()["status_code"] == 404
    assert snapshot(api, owned) == before


def test_lists_show_nothing_of_another_key(api, owned, intruder):
    tasks = intruder.get("tasks").json()
    assert tasks["total"] == 0 and tasks["docs"] == []
    for query in ({"project": "shared-name"}, {"batch": "batch-1"}, {"unique_id": "u-1"},
                  {"tags": "t1"}):
        assert intruder.get("tasks", **query).json()["docs"] == []
    assert intruder.get("projects").json() == []
    assert intruder.get("batches").json()["docs"] == []
    assert intruder.get("batches", project="shared-name").json()["docs"] == []


def test_another_keys_objects_cannot_be_named_in_a_create(api, owned, intruder):
    for extra, word in (({"project": "shared-name"}, "shared-name"),
                        ({"batch": "batch-1"}, "batch-1"),
                        ({"attachment": owned["attachment"]}, owned["attachment"])):
        res = intruder.post("task/imageannotation", box_task(**extra))
        assert res.status_code == 400 and word in res.json()["error"], res.content
    batch = intruder.post("batches", {"project": "shared-name", "name": "mine"})
    assert batch.status_code == 400
    # The same unique_id is free for another key: unique per account and environment.
    assert intruder.post("task/imageannotation", box_task(unique_id="u-1")).status_code == 200


def test_names_are_per_key_so_the_same_name_is_another_object(api, owned, intruder):
    mine = intruder.post("projects", {"type": "imageannotation", "name": "shared-name",
                                      "params": {"instruction": "theirs"}})
    assert mine.status_code == 200
    assert intruder.post("batches", {"project": "shared-name", "name": "batch-1"}) \
        .status_code == 200
    assert intruder.get("projects/shared-name").json()["param_history"][0]["instruction"] \
        == "theirs"
    assert "instruction" not in api.get("projects/shared-name").json()["param_history"][0]
    assert intruder.get("batches/batch-1/status").json()["pending"] == 0
    assert api.get("batches/batch-1/status").json()["pending"] == 1


def test_a_test_keys_objects_are_invisible_to_the_live_key(api, test_api):
    task = test_api.post("task/imageannotation", box_task()).json()
    assert test_api.post("projects", {"type": "imageannotation", "name": "t-only"}) \
        .status_code == 200
    assert api.get(f"task/{task['task_id']}").status_code == 404
    assert api.get("projects/t-only").status_code == 404
    assert api.get("tasks").json()["total"] == 0
    assert test_api.get(f"task/{task['task_id']}").json()["is_test"] is True


def test_revoked_keys_and_inactive_accounts_are_refused(api, account):
    from tasks.models import ApiKey

    assert api.get("tasks").status_code == 200
    for key in ApiKey.objects.filter(user=account):  # as the admin's form saves it
        key.revoked = True
        key.save()
    assert api.get("tasks").status_code == 401
    fresh = key_client(account)
    account.is_active = False
    account.save()
    res = fresh.get("tasks")
    assert res.status_code == 401 and res.json()["status_code"] == 401


def test_a_browser_session_is_not_an_api_key(client, account, staff):
    client.force_login(staff)
    res = client.get("/v1/tasks")
    assert res.status_code == 401 and res.json()["status_code"] == 401
