"""Projects (with param versions and ontology) and batches."""

from __future__ import annotations

import pytest

from tests.factories import box_task

pytestmark = pytest.mark.django_db


def test_project_create_get_list(api, other_api):
    body = {"type": "imageannotation", "name": "kittens", "params": None, "rapid": False,
            "studio": False, "datasetId": None}
    res = api.post("projects", body)
    assert res.status_code == 200, res.content
    project = res.json()
    assert project["name"] == "kittens" and project["type"] == "imageannotation"
    assert project["param_history"][0]["version"] == 0
    assert api.get("projects/kittens").json()["name"] == "kittens"
    assert [p["name"] for p in api.get("projects").json()] == ["kittens"]
    assert other_api.get("projects").json() == []
    assert other_api.get("projects/kittens").status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"type": "imageannotation"}, 400),
        ({"type": "imageannotation", "name": "a/b"}, 400),
        ({"type": "nope", "name": "x"}, 400),
        ({"type": "imageannotation", "name": "x", "params": {"priority": 7}}, 400),
        ({"type": "imageannotation", "name": "x",
          "params": {"geometries": {"box": {"min_width": -1}}}}, 400),
    ],
)
def test_bad_projects(api, body, status):
    res = api.post("projects", body)
    assert res.status_code == status
    assert res.json()["error"]


def test_duplicate_project_is_409(api):
    api.post("projects", {"type": "imageannotation", "name": "dup"})
    res = api.post("projects", {"type": "imageannotation", "name": "dup"})
    assert res.status_code == 409


def test_set_params_adds_versions_and_patch_merges(api):
    api.post("projects", {"type": "imageannotation", "name": "p",
                          "params": {"instruction": "one"}})
    api.post("projects/p/setParams", {"geometries": {"box": {}}})
    patched = api.post("projects/p/setParams", {"patch": True, "instruction": "three"}).json()
    history = patched["param_history"]
    assert [h["version"] for h in history] == [0, 1, 2]
    assert "instruction" not in history[1]
    assert history[2]["instruction"] == "three" and "geometries" in history[2]
    assert api.post("projects/nope/setParams", {}).status_code == 404


def test_set_ontology(api):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    res = api.post("projects/p/setOntology",
                   {"ontology": ["car", {"choice": "animal", "subchoices": ["cat", "dog"]}],
                    "name": "v1"})
    assert res.status_code == 200
    bad = api.post("projects/p/setOntology", {"ontology": ["car", "car"]})
    assert bad.status_code == 400


def test_batches(api, other_api):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    res = api.post("batches", {"project": "p", "name": "b1", "callback": "",
                               "calibration_batch": False, "self_label_batch": False})
    assert res.status_code == 200, res.content
    batch = res.json()
    assert batch["status"] == "in_progress" and batch["project"] == "p"
    assert api.post("batches", {"project": "p", "name": "b1"}).status_code == 409
    assert api.post("batches", {"project": "nope", "name": "b2"}).status_code == 400
    assert api.post("batches", {"project": "p", "name": "x/y"}).status_code == 400
    assert api.get("batches/b1").json()["name"] == "b1"
    assert other_api.get("batches/b1").status_code == 404
    assert api.post("batches/b1/finalize").json()["status"] == "in_progress"
    meta = api.post("batches/b1/setMetadata", {"a": 1})
    assert meta.json()["metadata"] == {"a": 1}


def test_batch_status_counts(api):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    api.post("batches", {"project": "p", "name": "b"})
    tasks = [api.post("task/imageannotation", box_task(batch="b")).json() for _ in range(3)]
    api.post(f"task/{tasks[0]['task_id']}/cancel")
    status = api.get("batches/b/status").json()
    assert status == {"status": "in_progress", "pending": 2, "completed": 0, "error": 0,
                      "canceled": 1}


def test_batch_list_pages_by_offset(api):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    for i in range(5):
        api.post("batches", {"project": "p", "name": f"b{i}"})
    first = api.get("batches", limit=2).json()
    assert first["totalDocs"] == 5 and first["total"] == 5 and first["has_more"] is True
    assert [b["name"] for b in first["docs"]] == ["b4", "b3"]
    last = api.get("batches", limit=2, offset=4).json()
    assert [b["name"] for b in last["docs"]] == ["b0"] and last["has_more"] is False
    assert api.get("batches", project="p", status="in_progress").json()["total"] == 5
    assert api.get("batches", limit=0).status_code == 400
    assert api.get("batches", status="weird").status_code == 400


def test_batch_filters_this_server_lacks_are_refused_by_name(api):
    res = api.get("batches", audited_after="2024-01-01")
    assert res.status_code == 400 and "audited_after" in res.json()["error"]
