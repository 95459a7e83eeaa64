"""POST /v1/task/imageannotation: every parameter accepted, every bad input a clear 400."""

from __future__ import annotations

import json

import pytest

from tasks.models import Annotation, Task
from tests.factories import box_task
from tests.payloads import BRIEF_EXAMPLE, brief_payload

pytestmark = pytest.mark.django_db

def test_brief_example_is_accepted_and_echoed_with_defaults(api):
    res = api.post("task/imageannotation", BRIEF_EXAMPLE)
    assert res.status_code == 200, res.content
    task = res.json()
    assert len(task["task_id"]) == 24 and int(task["task_id"], 16) >= 0
    assert task["status"] == "pending"
    assert task["type"] == "imageannotation"
    assert task["is_test"] is False
    assert task["priority"] == 20
    assert task["instruction"] == BRIEF_EXAMPLE["instruction"]
    params = task["params"]
    assert params["attachment"] == BRIEF_EXAMPLE["attachment"]
    assert params["attachment_type"] == "image"
    box = params["geometries"]["box"]
    assert box["min_height"] == 0 and box["min_width"] == 0
    assert box["can_rotate"] is False and box["integer_pixels"] is False
    assert params["geometries"]["polygon"]["min_vertices"] == 1
    assert set(params["geometries"]) == {"box", "polygon", "line", "cuboid"}
    assert task["created_at"].endswith("Z") and task["work_started"] is False


def test_brief_example_file_request_is_accepted(api):
    """The example in brief.txt, exactly as written there (Python's None is JSON null)."""
    assert api.post("task/imageannotation", brief_payload()).status_code == 200


def test_contract_example_request(api):
    api.post("projects", {"type": "imageannotation", "name": "kitten_labeling"})
    body = {
        "project": "kitten_labeling",
        "callback_url": "https://example.com/cb",
        "instruction": "Box every car.",
        "attachment": "https://example.com/img.jpg",
        "geometries": {
            "box": {"objects_to_annotate": ["car", {"choice": "vehicle",
                                                    "subchoices": ["truck", "bus"]}],
                    "min_width": 5, "min_height": 5, "can_rotate": False},
            "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3},
        },
        "annotation_attributes": {"occluded": {"type": "category", "description": "Occluded?",
                                               "choices": ["yes", "no"]}},
        "metadata": {"frame": 12},
        "unique_id": "s3://bucket/img.jpg",
        "tags": ["run_7"],
    }
    res = api.post("task/imageannotation", body)
    assert res.status_code == 200, res.content
    task = res.json()
    assert task["project"] == "kitten_labeling"
    assert task["callback_url"] == "https://example.com/cb"
    assert task["metadata"] == {"frame": 12}
    assert task["unique_id"] == "s3://bucket/img.jpg"
    assert task["tags"] == ["run_7"]
    assert task["params"]["geometries"]["box"]["objects_to_annotate"][1]["choice"] == "vehicle"
    assert task["params"]["annotation_attributes"]["occluded"]["choices"] == ["yes", "no"]
    assert "callback_url" not in task["params"] and "metadata" not in task["params"]


def test_every_parameter_round_trips(api):
    body = box_task(
        geometries={
            "box": {"objects_to_annotate": ["car"], "can_rotate": True},
            "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3, "max_vertices": 10},
            "line": {"objects_to_annotate": ["lane"]},
            "point": {"objects_to_annotate": ["head", "foot"],
                      "connections": [{"pair": ["head", "foot"]}]},
            "cuboid": {"objects_to_annotate": ["truck"]},
            "ellipse": {"objects_to_annotate": ["sign"]},
        },
        annotation_attributes={
            "occluded": {"type": "category", "choices": ["yes", "no"], "default": "no"},
            "speed": {"type": "number", "min": 0, "max": 200,
                      "conditions": {"label_condition": {"label": "car"}}},
            "night": {"type": "category", "choices": ["yes", "no"],
                      "conditions": {"is_global": True}},
        },
        links={"follows": [{"is_bidirectional": False, "from_allowed_labels": ["car"],
                            "to_allowed_labels": ["truck"]}]},
        hypothesis={"annotations": [{"type": "box", "label": "car", "left": 1, "top": 2,
                                     "width": 30, "height": 40}]},
        layer={"boxes": [{"left": 0, "top": 0, "width": 5, "height": 5}]},
        base_annotations={"annotations": [{"uuid": "0d7a2b5e-1f57-4f0e-9a57-7b7dbd3b2a10",
                                           "type": "point", "label": "head", "x": 4, "y": 5,
                                           "locked": True}]},
        can_add_base_annotations=False,
        can_delete_base_annotations=False,
        image_metadata={"date_time": "2024-05-01T10:00:00Z",
                        "resolution": {"resolution_ratio": 3, "resolution_unit": "m"},
                        "location": {"lat": 37.77, "long": -122.43}},
        context_attachments=[{"attachment": "https://example.com/ctx.png"}],
        padding=10, paddingX=20, priority=30, clear_unique_id_on_error=True,
        unique_id="u-1", tags=["a", "b"], metadata={"k": "v"},
    )
    res = api.post("task/imageannotation", body)
    assert res.status_code == 200, res.content
    task = res.json()
    params = task["params"]
    assert task["priority"] == 30
    assert params["padding"] == 10 and params["paddingX"] == 20
    assert params["image_metadata"]["resolution"]["resolution_unit"] == "m"
    assert params["can_add_base_annotations"] is False
    assert params["can_edit_base_annotations"] is True
    assert params["layer"]["boxes"][0]["width"] == 5
    assert params["links"]["follows"][0]["to_allowed_labels"] == ["truck"]
    rows = {a.uuid: a for a in Annotation.objects.filter(task_id=task["task_id"])}
    assert len(rows) == 2
    base = rows["0d7a2b5e-1f57-4f0e-9a57-7b7dbd3b2a10"]
    assert base.source == "base" and base.locked is True and base.geometry == {"x": 4, "y": 5}
    hyp = next(a for a in rows.values() if a.source == "hypothesis")
    assert hyp.label == "car" and hyp.geometry["width"] == 30
    assert hyp.geometry["rotation"] == 0 and len(hyp.geometry["vertices"]) == 4


def test_layers_plural_is_accepted_too(api):
    res = api.post("task/imageannotation",
                   box_task(layers={"polygons": [{"vertices": [{"x": 0, "y": 0}, {"x": 5, "y": 0},
                                                              {"x": 5, "y": 5}]}]}))
    assert res.status_code == 200, res.content
    assert "layers" in res.json()["params"] and "layer" not in res.json()["params"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"attachment": None}, "attachment"),
        ({"geometries": {}}, "geometries"),
        ({"geometries": {"hexagon": {}}}, "hexagon"),
        ({"geometries": {"polygon": {"min_vertices": 5, "max_vertices": 3}}},
         "geometries.polygon.max_vertices"),
        ({"priority": 15}, "priority"),
        ({"tags": ["1", "2", "3", "4", "5", "6"]}, "tags"),
        ({"metadata": {"blob": "x" * 11_000}}, "metadata"),
        ({"paddingX": -1}, "paddingX"),
        ({"callback_url": "ftp://example.com"}, "callback_url"),
        ({"image_metadata": {"location": {"lat": 91, "long": 0}}}, "image_metadata.location"),
        ({"geometries": {"box": {"objects_to_annotate": ["car", "car"]}}}, "car"),
        ({"hypothesis": {"annotations": [{"type": "box", "label": "plane", "left": 0, "top": 0,
                                          "width": 5, "height": 5}]}}, "hypothesis"),
        ({"annotation_attributes": {"a": {"type": "number", "min": 5, "max": 1}}},
         "annotation_attributes.a"),
        ({"project": "no-such-project"}, "no-such-project"),
        ({"batch": "no-such-batch"}, "no-such-batch"),
        # the worker fetches each one: a task's share of it is capped
        ({"context_attachments": [{"attachment": f"https://example.com/{i}.png"}
                                  for i in range(101)]}, "context_attachments"),
    ],
)
def test_bad_input_is_a_clear_400_and_writes_nothing(api, change, fragment):
    body = box_task()
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = Task.objects.count()
    res = api.post("task/imageannotation", body)
    assert res.status_code == 400, res.content
    error = res.json()
    assert error["status_code"] == 400
    assert fragment in error["error"]
    assert Task.objects.count() == before
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b'{"attachment": NaN}', b"\xff\xfe", b'"a string"'],
)
def test_malformed_bodies_are_400(api, raw):
    res = api.client.generic("POST", "/v1/task/imageannotation", raw,
                             content_type="application/json")
    assert res.status_code == 400
    assert isinstance(res.json()["error"], str)


def test_unsupported_task_type_is_400(api):
    res = api.post("task/segmentannotation", box_task())
    assert res.status_code == 400
    assert "segmentannotation" in res.json()["error"]


def test_duplicate_unique_id_is_409_naming_the_task(api):
    first = api.post("task/imageannotation", box_task(unique_id="img-1")).json()
    res = api.post("task/imageannotation", box_task(unique_id="img-1"))
    assert res.status_code == 409
    assert first["task_id"] in res.json()["error"]
    assert Task.objects.count() == 1


def test_unique_id_is_scoped_to_account_and_environment(api, test_api, other_api):
    assert api.post("task/imageannotation", box_task(unique_id="same")).status_code == 200
    assert test_api.post("task/imageannotation", box_task(unique_id="same")).status_code == 200
    assert other_api.post("task/imageannotation", box_task(unique_id="same")).status_code == 200


def test_test_key_tasks_complete_at_once_with_their_hypothesis(test_api):
    hypothesis = {"annotations": [{"type": "box", "label": "car", "left": 1, "top": 2,
                                   "width": 3, "height": 4}]}
    task = test_api.post("task/imageannotation", box_task(hypothesis=hypothesis)).json()
    assert task["status"] == "completed" and task["is_test"] is True
    assert task["response"]["annotations"][0]["left"] == 1
    assert task["completed_at"]
    empty = test_api.post("task/imageannotation", box_task()).json()
    assert empty["response"] == {"annotations": []}


def test_project_params_are_inherited_and_instruction_appended(api):
    api.post("projects", {"type": "imageannotation", "name": "p",
                          "params": {"instruction": "Project rules.",
                                     "geometries": {"box": {"objects_to_annotate": ["cat"]}}}})
    res = api.post("task/imageannotation", {"project": "p", "instruction": "Task rules.",
                                            "attachment": "https://example.com/a.png"})
    assert res.status_code == 200, res.content
    task = res.json()
    assert task["params"]["geometries"]["box"]["objects_to_annotate"] == ["cat"]
    assert task["instruction"] == "Task rules.\n\nProject rules."
    assert task["project_param_version"] == 0
    api.post("projects/p/setParams", {"geometries": {"box": {"objects_to_annotate": ["dog"]}}})
    newer = api.post("task/imageannotation", {"project": "p",
                                              "attachment": "https://example.com/a.png"}).json()
    assert newer["params"]["geometries"]["box"]["objects_to_annotate"] == ["dog"]
    assert newer["project_param_version"] == 1
    pinned = api.post("task/imageannotation", {"project": "p", "project_version": 0,
                                               "attachment": "https://example.com/a.png"}).json()
    assert pinned["params"]["geometries"]["box"]["objects_to_annotate"] == ["cat"]
    missing = api.post("task/imageannotation", {"project": "p", "project_version": 7,
                                                "attachment": "https://example.com/a.png"})
    assert missing.status_code == 400 and "project_version" in missing.json()["error"]


def test_batch_gives_its_project(api):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    api.post("batches", {"project": "p", "name": "b1"})
    task = api.post("task/imageannotation", box_task(batch="b1")).json()
    assert task["batch"] == "b1" and task["project"] == "p"
    api.post("projects", {"type": "imageannotation", "name": "q"})
    res = api.post("task/imageannotation", box_task(batch="b1", project="q"))
    assert res.status_code == 400


def test_another_accounts_project_cannot_be_used(api, other_api):
    other_api.post("projects", {"type": "imageannotation", "name": "theirs"})
    res = api.post("task/imageannotation", box_task(project="theirs"))
    assert res.status_code == 400
    assert Task.objects.count() == 0


def test_json_error_shape_on_unknown_path(api):
    res = api.get("no/such/endpoint")
    assert res.status_code == 404
    assert res.json()["status_code"] == 404


def test_created_task_reads_back_identically(api):
    created = api.post("task/imageannotation", box_task(metadata={"a": [1, 2]})).json()
    fetched = api.get(f"task/{created['task_id']}").json()
    assert json.dumps(created, sort_keys=True) == json.dumps(fetched, sort_keys=True)
