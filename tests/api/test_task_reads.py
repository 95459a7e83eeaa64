"""GET /v1/task/{id} and GET /v1/tasks: isolation, filters and cursor paging."""

from __future__ import annotations

import pytest

from tests.factories import box_task

pytestmark = pytest.mark.django_db


def make(api, n: int, **extra) -> list[dict]:
    return [api.post("task/imageannotation", box_task(**extra)).json() for _ in range(n)]


def test_get_task(api):
    task = make(api, 1, metadata={"x": 1})[0]
    res = api.get(f"task/{task['task_id']}")
    assert res.status_code == 200
    assert res.json()["metadata"] == {"x": 1}


@pytest.mark.parametrize("task_id", ["000000000000000000000000", "nope", "x" * 300])
def test_unknown_task_is_404(api, task_id):
    res = api.get(f"task/{task_id}")
    assert res.status_code == 404
    assert res.json() == {"status_code": 404, "error": "Task with that ID not found."}


def test_other_account_and_environment_get_404(api, test_api, other_api):
    task = make(api, 1)[0]
    assert other_api.get(f"task/{task['task_id']}").status_code == 404
    assert test_api.get(f"task/{task['task_id']}").status_code == 404
    assert other_api.get("tasks").json()["total"] == 0
    assert test_api.get("tasks").json()["total"] == 0


def test_missing_or_wrong_key_is_401(client):
    res = client.get("/v1/tasks")
    assert res.status_code == 401
    assert res.json()["status_code"] == 401
    bad = client.get("/v1/tasks", HTTP_AUTHORIZATION="Basic bGl2ZV9ub3BlOg==")
    assert bad.status_code == 401 and "API key" in bad.json()["error"]


def test_list_pages_newest_first_with_total(api):
    created = make(api, 7)
    first = api.get("tasks", limit=3).json()
    assert first["total"] == 7 and first["limit"] == 3 and first["has_more"] is True
    assert first["offset"] == 0 and first["next_token"]
    seen = [t["task_id"] for t in first["docs"]]
    token = first["next_token"]
    while token:
        page = api.get("tasks", limit=3, next_token=token).json()
        seen += [t["task_id"] for t in page["docs"]]
        token = page["next_token"]
        assert (token is not None) == page["has_more"]
    assert seen == [t["task_id"] for t in reversed(created)]


def test_paging_is_stable_while_tasks_are_created(api):
    make(api, 5)
    first = api.get("tasks", limit=2).json()
    make(api, 3)  # newer tasks must not shift the pages already being read
    rest = []
    token = first["next_token"]
    while token:
        page = api.get("tasks", limit=2, next_token=token).json()
        rest += page["docs"]
        token = page["next_token"]
    ids = [t["task_id"] for t in first["docs"] + rest]
    assert len(ids) == 5 and len(set(ids)) == 5


def test_filters(api):
    api.post("projects", {"type": "imageannotation", "name": "p1"})
    api.post("batches", {"project": "p1", "name": "b1"})
    in_batch = make(api, 2, batch="b1", tags=["red", "big"])
    make(api, 1, project="p1", tags=["red"])
    other = make(api, 1, unique_id="uid-9")[0]
    assert api.get("tasks", project="p1").json()["total"] == 3
    assert api.get("tasks", batch="b1").json()["total"] == 2
    assert api.get("tasks", tags="red").json()["total"] == 3
    assert api.get("tasks", tags=["red", "big"]).json()["total"] == 2
    assert api.get("tasks", unique_id="uid-9").json()["docs"][0]["task_id"] == other["task_id"]
    assert api.get("tasks", unique_id=["uid-9", "nope"]).json()["total"] == 1
    api.post(f"task/{in_batch[0]['task_id']}/cancel")
    assert api.get("tasks", status="canceled").json()["total"] == 1
    assert api.get("tasks", status="pending").json()["total"] == 3
    assert api.get("tasks", type="imageannotation").json()["total"] == 4
    assert api.get("tasks", start_time="2000-01-01").json()["total"] == 4
    assert api.get("tasks", end_time="2000-01-01").json()["total"] == 0
    assert api.get("tasks", start_time="2000-01-01 00:00:00.000000").json()["total"] == 4
    assert api.get("tasks", updated_after="2000-01-01T00:00:00Z").json()["total"] == 4
    assert api.get("tasks", completed_after="2000-01-01").json()["total"] == 0


def test_limited_response_and_attachment_url(api):
    make(api, 1, metadata={"m": 1})
    limited = api.get("tasks", limited_response="True").json()["docs"][0]
    assert set(limited) == {"task_id", "status", "metadata", "project", "otherVersion"}
    full = api.get("tasks", include_attachment_url="True").json()["docs"][0]
    assert full["attachment_url"] == "https://example.com/image.png"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "finished"}, "status"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"next_token": "garbage!!"}, "next_token"),
        ({"customer_review_status": "great"}, "customer_review_status"),
        ({"colour": "red"}, "colour"),
        ({"limited_response": "maybe"}, "limited_response"),
    ],
)
def test_bad_list_queries_are_400(api, query, fragment):
    res = api.get("tasks", **query)
    assert res.status_code == 400
    assert fragment in res.json()["error"]


def test_objects_keep_the_order_they_were_sent_in(api):
    """PostgreSQL's jsonb would sort these keys by length; the workbench shows them as sent."""
    attributes = {
        "occlusion": {"type": "category", "description": "?", "choices": ["no", "yes"]},
        "parked": {"type": "category", "description": "?", "choices": ["no", "yes"]},
        "plate": {"type": "text", "description": "?"},
        "centre": {"type": "text", "description": "?"},
    }
    metadata = {"zeta": 1, "alpha": {"long_key_first": 1, "b": 2}, "mid": 3}
    body = box_task(annotation_attributes=attributes, metadata=metadata)
    created = api.post("task/imageannotation", body).json()
    task = api.get(f"task/{created['task_id']}").json()
    shown = list(task["params"]["annotation_attributes"])
    assert shown == ["occlusion", "parked", "plate", "centre"]
    assert list(task["metadata"]) == ["zeta", "alpha", "mid"]
    assert list(task["metadata"]["alpha"]) == ["long_key_first", "b"]


@pytest.mark.parametrize("path", ["/v1/nope", "/v1/task", "/v1/foo%0Abar", "/v1/%0A"])
def test_unknown_endpoints_answer_in_the_contract_shape(api, path):
    res = api.get(path)
    assert res.status_code == 404
    assert res.json()["status_code"] == 404
    assert res.json()["error"].startswith("No endpoint at /v1/")


@pytest.mark.parametrize("accept", ["#$k-D", "text/html", "application/xml;q=1", "*/*"])
def test_any_accept_header_gets_json(api, accept):
    """JSON whatever the Accept header says, errors too (tasks/api/rendering.py)."""
    task = make(api, 1)[0]
    found = api.client.get(f"/v1/task/{task['task_id']}", HTTP_ACCEPT=accept)
    assert found.status_code == 200 and found["Content-Type"] == "application/json"
    assert found.json()["task_id"] == task["task_id"]
    created = api.client.post("/v1/task/imageannotation", box_task(), HTTP_ACCEPT=accept,
                              content_type="application/json")
    assert created.status_code == 200 and created.json()["status"] == "pending"
    missing = api.client.get("/v1/task/nope", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing.json() == {"status_code": 404, "error": "Task with that ID not found."}
