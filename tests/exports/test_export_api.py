"""GET /v1/exports/{format}: auth, account isolation, filters, content types, report header."""

from __future__ import annotations

import io
import zipfile

import orjson
import pytest

from tasks import projects
from tests.exports.export_data import completed_test_task, make_project

pytestmark = pytest.mark.django_db


def body(res) -> bytes:
    return b"".join(res.streaming_content)


@pytest.fixture
def tasks(account):
    make_project(account)
    projects.create_batch(owner=account, is_test=True, body={"name": "b1",
                                                              "project": "streets"})
    return [completed_test_task(account, batch="b1", tags=["night"]),
            completed_test_task(account, tags=["day"])]


@pytest.mark.parametrize("fmt,content_type,extension", [
    ("scale", "application/x-ndjson", "jsonl"), ("coco", "application/json", "json"),
    ("yolo", "application/zip", "zip"), ("voc", "application/zip", "zip")])
def test_every_format_downloads(test_api, tasks, fmt, content_type, extension):
    res = test_api.get(f"exports/{fmt}", project="streets")
    assert res.status_code == 200
    assert res["Content-Type"] == content_type
    assert f'filename="streets-{fmt}.{extension}"' in res["Content-Disposition"]
    report = orjson.loads(res["X-Export-Report"])
    assert report["format"] == fmt and report["tasks"] == 2
    data = body(res)
    if extension == "zip":
        assert "export_report.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    elif fmt == "coco":
        assert len(orjson.loads(data)["images"]) == 2


def test_scale_lines_and_filters(test_api, tasks):
    def ids(**query) -> list[str]:
        res = test_api.get("exports/scale", **query)
        assert res.status_code == 200, res.content
        return [orjson.loads(line)["task_id"] for line in body(res).splitlines()]

    first, second = (t.task_id for t in tasks)
    assert ids(project="streets") == [first, second]
    assert ids(batch="b1") == [first]
    assert ids(project="streets", tags="day") == [second]
    assert ids(project="streets", completed_after="2999-01-01") == []
    assert ids(project="streets", completed_before="2999-01-01T00:00:00Z") == [first, second]


def test_needs_a_key(client, tasks):
    res = client.get("/v1/exports/scale", {"project": "streets"})
    assert res.status_code == 401


def test_other_accounts_and_environments_see_nothing(other_account, api, tasks):
    from tests.factories import key_client

    other = key_client(other_account, is_test=True)
    res = other.get("exports/coco", project="streets")
    assert res.status_code == 404 and "streets" in res.json()["error"]
    assert other.get("exports/coco", batch="b1").status_code == 404
    assert api.get("exports/coco", project="streets").status_code == 404  # the live side


def test_bad_requests(test_api, tasks):
    assert test_api.get("exports/pdf", project="streets").status_code == 404
    assert test_api.get("exports/coco").status_code == 400
    res = test_api.get("exports/coco", project="streets", status="pending")
    assert res.status_code == 400 and "status" in res.json()["error"]
    res = test_api.get("exports/coco", project="streets", completed_after="soon")
    assert res.status_code == 400
    make_project(tasks[0].owner, "other")
    projects.create_batch(owner=tasks[0].owner, is_test=True, body={"name": "ob",
                                                                     "project": "other"})
    res = test_api.get("exports/coco", project="streets", batch="ob")
    assert res.status_code == 400 and "belongs to project" in res.json()["error"]


def test_errors_are_json_whatever_the_accept_header(test_api, tasks):
    res = test_api.client.get("/v1/exports/yolo", {"project": "nope"},
                              HTTP_ACCEPT="application/zip")
    assert res.status_code == 404 and res.json()["status_code"] == 404
    ok = test_api.client.get("/v1/exports/yolo", {"project": "streets"},
                             HTTP_ACCEPT="application/zip")
    assert ok.status_code == 200


def test_documented_in_the_schema(client):
    doc = client.get("/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = doc["paths"]["/v1/exports/{fmt}"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"fmt", "project", "batch", "tags", "completed_after", "completed_before"} <= names
    assert {"application/x-ndjson", "application/json", "application/zip"} <= set(
        operation["responses"]["200"]["content"])
