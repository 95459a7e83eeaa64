"""The official `scaleapi` client against a real server process, over real HTTP.

Each test works in a fresh account (keys issued by `manage.py create_api_key`), so counts and
listings see only what the test itself created.
"""

from __future__ import annotations

import io
import queue
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cached_property

import pytest
import requests
import scaleapi
from PIL import Image
from scaleapi.batches import BatchStatus
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
    ScaleUnauthorized,
)
from scaleapi.tasks import TaskReviewStatus, TaskStatus, TaskType

from tests.payloads import brief_payload
from tests.polling import clock_past, wait_until

pytestmark = pytest.mark.live

IMAGE = TaskType.ImageAnnotation
class Account:
    """A fresh account on the live server; its keys are issued on first use."""

    def __init__(self, server) -> None:
        self.server = server
        self.username = f"live-{uuid.uuid4().hex[:12]}"

    @cached_property
    def live_key(self) -> str:
        return self.server.new_key(self.username)

    @cached_property
    def test_key(self) -> str:
        return self.server.new_key(self.username, test=True)

    @cached_property
    def client(self) -> scaleapi.ScaleClient:
        return scaleapi.ScaleClient(self.live_key, api_instance_url=self.server.base_url)

    @cached_property
    def test_client(self) -> scaleapi.ScaleClient:
        return scaleapi.ScaleClient(self.test_key, api_instance_url=self.server.base_url)


@pytest.fixture
def server(live_server_process):
    return live_server_process


@pytest.fixture
def account(server) -> Account:
    return Account(server)


@pytest.fixture
def client(account) -> scaleapi.ScaleClient:
    return account.client


@pytest.fixture
def box(image_server):
    """box_body() with an attachment on the local image host, so a live task stays pending
    once the server's worker has fetched its image."""

    def make(**extra) -> dict:
        return box_body(**{"attachment": f"{image_server}/street.png", **extra})

    return make


def box_body(**extra) -> dict:
    """A small valid create body. Its example.com image is never fetched for test-key tasks
    (they complete at once) nor for refused requests; a live task would end in `error`."""
    body = {
        "attachment": "https://example.com/street.png",
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
    }
    body.update(extra)
    return body


def png_bytes(size=(48, 32), color=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


def client_time(moment: datetime) -> str:
    """The format the client documents for its time filters: 'YYYY-MM-DD HH:MM:SS.mmmmmm'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- projects -------------------------------------------------------------------------------

def test_projects_create_get_list_and_update(client, image_server):
    bare = client.create_project("street scenes #1 ü?", IMAGE)  # sends params=None, datasetId=None
    assert bare.name == "street scenes #1 ü?" and bare.type == "imageannotation"
    assert bare.version == 0 and bare.instruction is None
    assert bare.as_dict()["param_history"][0]["version"] == 0

    params = {"instruction": "Box every car.",
              "geometries": {"box": {"objects_to_annotate": [
                  "car", {"choice": "vehicle", "subchoices": ["truck", "bus"]}]}}}
    kittens = client.create_project("kittens", IMAGE, params=params, rapid=False, studio=False)
    assert kittens.version == 0 and kittens.instruction == "Box every car."
    assert kittens.params["geometries"] == params["geometries"]

    fetched = client.get_project("street scenes #1 ü?")  # name percent-encoded in the path
    assert fetched.as_dict() == bare.as_dict()
    assert [p.name for p in client.get_projects()] == ["street scenes #1 ü?", "kittens"]
    assert [p.name for p in client.projects()] == ["street scenes #1 ü?", "kittens"]

    replaced = client.update_project("kittens", instruction="Box every vehicle.")
    assert replaced.version == 1 and replaced.instruction == "Box every vehicle."
    history = replaced.as_dict()["param_history"]
    assert [h["version"] for h in history] == [0, 1]
    assert "geometries" not in history[1] and history[0]["instruction"] == "Box every car."

    geometries = {"polygon": {"objects_to_annotate": ["road"], "min_vertices": 3}}
    patched = client.update_project("kittens", patch=True, geometries=geometries)
    assert patched.version == 2
    assert patched.instruction == "Box every vehicle."
    assert patched.params["geometries"] == geometries
    assert client.get_project("kittens").version == 2

    task = client.create_task(IMAGE, project="kittens", attachment=f"{image_server}/k.png")
    assert task.project == "kittens" and task.project_param_version == 2
    assert task.instruction == "Box every vehicle."
    assert task.params["geometries"]["polygon"]["objects_to_annotate"] == ["road"]
    assert task.params["geometries"]["polygon"]["min_vertices"] == 3
    pinned = client.create_task(IMAGE, project="kittens", project_version=0,
                                attachment=f"{image_server}/k.png")
    assert pinned.project_param_version == 0 and pinned.instruction == "Box every car."
    assert "box" in pinned.params["geometries"]


def test_project_errors(client):
    client.create_project("dup", IMAGE)
    with pytest.raises(ScaleDuplicateResource) as dup:
        client.create_project("dup", IMAGE)
    assert dup.value.code == 409 and "dup" in dup.value.message
    with pytest.raises(ScaleResourceNotFound) as missing:
        client.get_project("no such project")
    assert missing.value.code == 404
    with pytest.raises(ScaleResourceNotFound):
        client.update_project("no such project", instruction="x")
    with pytest.raises(ScaleInvalidRequest) as slash:
        client.create_project("a/b", IMAGE)
    assert "/" in slash.value.message
    with pytest.raises(ScaleInvalidRequest) as bad:
        client.create_project("bad", IMAGE, params={"priority": 7})
    assert "priority" in bad.value.message
    assert [p.name for p in client.get_projects()] == ["dup"]


def test_rapid_project_batches_start_in_staging(client):
    client.create_project("rapid one", IMAGE, rapid=True)
    batch = client.create_batch("rapid one", "rb")
    assert batch.status == "staging"
    assert client.finalize_batch("rb").status == "in_progress"


# --- batches --------------------------------------------------------------------------------

def test_batches_create_get_status_finalize_metadata(client, box):
    client.create_project("p", IMAGE)
    batch = client.create_batch("p", "batch #1 (50%)", metadata={"run": 7})  # sends callback=""
    assert (batch.name, batch.project, batch.status) == ("batch #1 (50%)", "p", "in_progress")
    assert batch.metadata == {"run": 7} and batch.as_dict()["callback"] == ""
    assert batch.created_at.endswith("Z")
    assert client.get_batch("batch #1 (50%)").as_dict() == batch.as_dict()

    tasks = [client.create_task(IMAGE, **box(batch="batch #1 (50%)")) for _ in range(3)]
    assert {(t.batch, t.project) for t in tasks} == {("batch #1 (50%)", "p")}
    client.cancel_task(tasks[0].id)
    assert client.batch_status("batch #1 (50%)") == {"status": "in_progress", "pending": 2,
                                                "completed": 0, "error": 0, "canceled": 1}
    batch.get_status()
    assert (batch.tasks_pending, batch.tasks_canceled, batch.tasks_completed) == (2, 1, 0)
    assert client.get_tasks_count(batch_name="batch #1 (50%)") == 3
    assert client.get_tasks_count(batch_name="batch #1 (50%)", status=TaskStatus.Canceled) == 1

    finalized = client.finalize_batch("batch #1 (50%)")
    assert finalized.name == "batch #1 (50%)" and finalized.status == "in_progress"

    updated = client.set_batch_metadata("batch #1 (50%)", {"run": 8, "notes": ["a", "b"]})
    assert updated.metadata == {"run": 8, "notes": ["a", "b"]}
    assert client.get_batch("batch #1 (50%)").metadata == {"run": 8, "notes": ["a", "b"]}
    # the client sends an empty dict as no body at all
    assert client.set_batch_metadata("batch #1 (50%)", {}).metadata == {}

    with_callback = client.create_batch("p", "b2", callback="https://example.com/done")
    assert with_callback.as_dict()["callback"] == "https://example.com/done"


def test_batch_errors(client):
    client.create_project("p", IMAGE)
    client.create_batch("p", "b")
    with pytest.raises(ScaleDuplicateResource) as dup:
        client.create_batch("p", "b")
    assert dup.value.code == 409 and '"b"' in dup.value.message
    with pytest.raises(ScaleInvalidRequest) as no_project:
        client.create_batch("no such project", "b3")
    assert "no such project" in no_project.value.message
    with pytest.raises(ScaleInvalidRequest):
        client.create_batch("p", "x/y")
    with pytest.raises(ScaleResourceNotFound):
        client.get_batch("no such batch")
    with pytest.raises(ScaleResourceNotFound):
        client.batch_status("no such batch")
    with pytest.raises(ScaleResourceNotFound):
        client.finalize_batch("no such batch")
    with pytest.raises(ScaleInvalidRequest) as no_batch:
        client.create_task(IMAGE, **box_body(batch="no such batch"))
    assert "no such batch" in no_batch.value.message


def test_batch_listing_pages_by_offset(client):
    client.create_project("many", IMAGE)
    client.create_project("other", IMAGE)
    names = [f"batch-{i:03d}" for i in range(105)]  # more than the default page of 100
    for name in names[:100]:
        client.create_batch("many", name)
    cutoff_moment = clock_past(datetime.now(UTC))  # after every batch made so far
    cutoff = client_time(cutoff_moment)
    clock_past(cutoff_moment)  # and before any made from here on
    for name in names[100:]:
        client.create_batch("many", name)
    client.create_batch("other", "elsewhere")
    newest_first = list(reversed(names))

    first = client.batches(project="many", limit=40)
    assert [b.name for b in first] == newest_first[:40]
    assert (first.total, first.limit, first.offset, first.has_more) == (105, 40, 0, True)
    last = client.batches(project="many", limit=40, offset=80)
    assert [b.name for b in last.docs] == newest_first[80:]
    assert (last.offset, last.has_more) == (80, False)

    everything = [b.name for b in client.get_batches(project_name="many")]
    assert everything == newest_first
    assert len([b.name for b in client.get_batches()]) == 106
    assert len(list(client.get_batches(project_name="many",
                                       batch_status=BatchStatus.InProgress))) == 105
    assert list(client.get_batches(project_name="many", batch_status=BatchStatus.Staging)) == []
    assert list(client.get_batches(project_name="many", exclude_archived=True))[0].name == \
        "batch-104"
    recent = client.get_batches(project_name="many", created_after=cutoff)
    assert [b.name for b in recent] == newest_first[:5]
    older = client.get_batches(project_name="many", created_before=cutoff)
    assert len(list(older)) == 100


# --- creating and reading tasks -------------------------------------------------------------

def nested_body(image_server: str) -> dict:
    """Every parameter of the create call, labels and attributes nested."""
    return {
        "instruction": "Label **every** vehicle and pedestrian.",
        "callback_url": "https://example.com/callback",
        "attachment": f"{image_server}/street.png",
        "attachment_type": "image",
        "context_attachments": [{"attachment": f"{image_server}/context.png"}],
        "geometries": {
            "box": {
                "objects_to_annotate": [
                    {"choice": "vehicle", "subchoices": [
                        "car", {"choice": "heavy", "subchoices": ["truck", "bus"]}]},
                    {"choice": "pedestrian", "display": "Person on foot"},
                ],
                "min_height": 5, "min_width": 5, "can_rotate": False, "integer_pixels": True,
            },
            "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3, "max_vertices": 20},
            "point": {"objects_to_annotate": ["head"]},
        },
        "annotation_attributes": {
            "occluded": {"type": "category", "description": "Is it occluded?",
                         "choices": ["no", {"choice": "yes", "subchoices": ["partly", "fully"]}],
                         "default": "no"},
            "speed": {"type": "number", "min": 0, "max": 200, "step": 5,
                      "conditions": {"label_condition": {"label": ["car", "truck", "bus"]}}},
            "owner": {"type": "linked", "allowed_labels": ["pedestrian"]},
            "night": {"type": "category", "choices": ["yes", "no"],
                      "conditions": {"is_global": True}},
        },
        "links": {"tows": [{"is_bidirectional": False, "from_allowed_labels": ["truck"],
                            "to_allowed_labels": ["car"]}]},
        "hypothesis": {
            "annotations": [
                {"uuid": "5b0f6c3e-7d2a-4a5e-9b1f-0c3d2e1f4a5b", "type": "box", "label": "car",
                 "left": 10, "top": 20, "width": 30, "height": 40,
                 "attributes": {"occluded": "partly", "speed": 50}},
                {"type": "polygon", "label": "road",
                 "vertices": [{"x": 0, "y": 100}, {"x": 200, "y": 100}, {"x": 200, "y": 150}]},
            ],
            "global_attributes": {"night": "no"},
        },
        "base_annotations": {"annotations": [
            {"uuid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "type": "point", "label": "head",
             "x": 4, "y": 5, "locked": True},
        ]},
        "can_add_base_annotations": True,
        "can_edit_base_annotations": False,
        "can_delete_base_annotations": False,
        "layer": {"boxes": [{"left": 0, "top": 0, "width": 8, "height": 8}]},
        "image_metadata": {"date_time": "2024-05-01T10:00:00Z",
                           "resolution": {"resolution_ratio": 0.25, "resolution_unit": "m"},
                           "location": {"lat": 37.77, "long": -122.43}},
        "padding": 10, "paddingX": 20, "paddingY": 30,
        "priority": 30,
        "unique_id": "s3://bucket/street.jpg",
        "tags": ["run_7", "night"],
        "metadata": {"frame": 12, "camera": {"id": "front", "fps": 29.97}},
    }


def test_create_task_with_every_nested_parameter(client, image_server):
    body = nested_body(image_server)
    task = client.create_task(IMAGE, **body)
    assert len(task.id) == 24 and int(task.id, 16) >= 0
    assert (task.type, task.status, task.is_test) == ("imageannotation", "pending", False)
    assert task.instruction == body["instruction"]
    assert task.callback_url == "https://example.com/callback"
    assert task.unique_id == "s3://bucket/street.jpg"
    assert task.tags == ["run_7", "night"] and task.priority == 30
    assert task.metadata == body["metadata"]
    assert task.work_started is False and task.created_at.endswith("Z")
    assert "response" not in task.as_dict() and "batch" not in task.as_dict()

    params = task.params
    assert params["attachment"] == f"{image_server}/street.png"
    assert params["attachment_type"] == "image"
    assert params["context_attachments"] == body["context_attachments"]
    box = params["geometries"]["box"]
    assert box["objects_to_annotate"] == body["geometries"]["box"]["objects_to_annotate"]
    assert (box["min_height"], box["integer_pixels"]) == (5, True)
    assert params["geometries"]["polygon"]["max_vertices"] == 20
    attrs = params["annotation_attributes"]
    assert attrs["occluded"]["choices"][1]["subchoices"] == ["partly", "fully"]
    assert attrs["speed"]["conditions"]["label_condition"] == {"label": ["car", "truck", "bus"]}
    assert attrs["owner"]["allowed_labels"] == ["pedestrian"]
    assert params["links"] == body["links"]
    hypothesis = params["hypothesis"]
    assert [a["type"] for a in hypothesis["annotations"]] == ["box", "polygon"]
    assert hypothesis["annotations"][0]["uuid"] == "5b0f6c3e-7d2a-4a5e-9b1f-0c3d2e1f4a5b"
    assert hypothesis["annotations"][0]["attributes"] == {"occluded": "partly", "speed": 50}
    assert uuid.UUID(hypothesis["annotations"][1]["uuid"])  # generated for the caller
    assert hypothesis["global_attributes"] == {"night": "no"}
    base = params["base_annotations"]["annotations"][0]
    assert (base["uuid"], base["locked"], base["x"], base["y"]) == (
        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", True, 4, 5)
    assert params["can_edit_base_annotations"] is False
    assert params["can_delete_base_annotations"] is False
    assert params["can_edit_base_annotation_labels"] is True  # the default
    assert params["layer"]["boxes"][0]["width"] == 8
    assert params["image_metadata"] == body["image_metadata"]
    assert (params["padding"], params["paddingX"], params["paddingY"]) == (10, 20, 30)
    for hoisted in ("unique_id", "tags", "metadata", "priority", "callback_url", "instruction"):
        assert hoisted not in params

    fetched = client.get_task(task.id)
    assert without(fetched.as_dict(), "updated_at") == without(task.as_dict(), "updated_at")
    fetched.refresh()
    assert fetched.id == task.id and fetched.params == params


def test_task_listing_pages_with_next_token(client, box, image_server):
    client.create_project("pages", IMAGE)
    client.create_project("quiet", IMAGE)
    client.create_task(IMAGE, **box(project="quiet"))

    def create(i: int) -> str:
        body = box(project="pages", unique_id=f"page-{i}",
                   tags=["fizz"] if i % 3 == 0 else [], metadata={"i": i})
        return client.create_task(IMAGE, **body).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(create, range(120)))
    assert len(set(created)) == 120

    seen = [t.id for t in client.get_tasks(project_name="pages")]  # two pages of 100
    assert len(seen) == 120 and set(seen) == set(created)
    small_pages = list(client.get_tasks(project_name="pages", limit=7))  # 18 pages
    assert [t.id for t in small_pages] == seen
    stamps = [t.created_at for t in small_pages]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    # get_tasks asks for include_attachment_url by default
    assert {t.attachment_url for t in small_pages} == {f"{image_server}/street.png"}

    page = client.tasks(project="pages", limit=50)
    ids = [t.id for t in page]
    pages = 1
    assert (page.total, page.limit, page.has_more) == (120, 50, True) and page.next_token
    while page.has_more:
        page = client.tasks(project="pages", limit=50, next_token=page.next_token)
        ids += [t.id for t in page.docs]
        pages += 1
    assert pages == 3 and page.next_token is None and ids == seen

    assert client.tasks().total == 121  # no project or batch filter at all
    assert client.get_tasks_count(project_name="pages") == 120
    assert client.get_tasks_count(project_name="pages", tags="fizz") == 40
    assert client.get_tasks_count(project_name="pages", status=TaskStatus.Pending) == 120
    assert client.get_tasks_count(project_name="pages", status=TaskStatus.Completed) == 0
    by_uid = list(client.get_tasks(project_name="pages", unique_id=["page-5", "page-77"]))
    assert sorted(t.metadata["i"] for t in by_uid) == [5, 77]
    assert [t.id for t in client.tasks(unique_id="page-9").docs] == [created[9]]
    limited = client.tasks(project="pages", limited_response=True, limit=3).docs[0].as_dict()
    assert set(limited) == {"task_id", "status", "metadata", "project", "otherVersion"}


def test_time_and_tag_filters(client, box):
    client.create_project("timed", IMAGE)
    early = [client.create_task(IMAGE, **box(project="timed", tags=["red", "big"]))
             for _ in range(3)]
    cutoff = clock_past(datetime.now(UTC))  # after every early task
    clock_past(cutoff)  # and before any late one
    late = [client.create_task(IMAGE, **box(project="timed", tags=["red"]))
            for _ in range(2)]
    after = list(client.get_tasks(project_name="timed", created_after=client_time(cutoff)))
    assert sorted(t.id for t in after) == sorted(t.id for t in late)
    before = list(client.get_tasks(project_name="timed", created_before=client_time(cutoff)))
    assert sorted(t.id for t in before) == sorted(t.id for t in early)
    assert client.get_tasks_count(project_name="timed", tags=["red", "big"]) == 3
    assert client.get_tasks_count(project_name="timed", tags="red") == 5

    second_cutoff = clock_past(datetime.now(UTC))
    client.set_task_metadata(early[0].id, {"touched": True})
    touched = list(client.get_tasks(project_name="timed",
                                    updated_after=client_time(second_cutoff)))
    assert [t.id for t in touched] == [early[0].id]
    iso = second_cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert client.tasks(project="timed", updated_after=iso).total == 1


# --- changing tasks -------------------------------------------------------------------------

def test_tags_unique_id_metadata_and_cancel(client, box):
    client.create_project("changes", IMAGE)
    task = client.create_task(IMAGE, **box(project="changes", unique_id="change-1", tags=["a"]))
    assert client.set_task_tags(task.id, ["x", "y"]).tags == ["x", "y"]
    assert client.add_task_tags(task.id, ["y", "z"]).tags == ["x", "y", "z"]
    assert client.delete_task_tags(task.id, ["x", "absent"]).tags == ["y", "z"]
    assert client.get_task(task.id).tags == ["y", "z"]
    assert client.get_tasks_count(project_name="changes", tags=["y", "z"]) == 1
    assert client.get_tasks_count(project_name="changes", tags="a") == 0
    assert client.add_task_tags(task.id, ["straße & co"]).tags == ["y", "z", "straße & co"]
    assert client.get_tasks_count(project_name="changes", tags="straße & co") == 1
    assert client.delete_task_tags(task.id, ["straße & co"]).tags == ["y", "z"]
    with pytest.raises(ScaleInvalidRequest) as too_many:
        client.add_task_tags(task.id, ["1", "2", "3", "4"])
    assert "tags" in too_many.value.message
    assert client.get_task(task.id).tags == ["y", "z"]

    renamed = client.update_task_unique_id(task.id, "change-2")
    assert renamed.id == task.id and renamed.unique_id == "change-2"
    other = client.create_task(IMAGE, **box(project="changes", unique_id="other-1"))
    with pytest.raises(ScaleDuplicateResource) as clash:
        client.update_task_unique_id(other.id, "change-2")
    assert task.id in clash.value.message
    with pytest.raises(ScaleDuplicateResource) as dup_create:
        client.create_task(IMAGE, **box(unique_id="change-2"))
    assert task.id in dup_create.value.message

    cleared = client.clear_task_unique_id(task.id)
    assert "unique_id" not in cleared.as_dict()
    assert not hasattr(cleared, "unique_id")
    with pytest.raises(AttributeError):
        _ = client.get_task(task.id).unique_id
    assert client.tasks(unique_id="change-2").total == 0
    reused = client.create_task(IMAGE, **box(unique_id="change-2"))
    assert reused.unique_id == "change-2" and reused.id != task.id

    # the client sends an empty list or dict as no body at all
    assert client.set_task_tags(other.id, []).tags == []
    assert client.set_task_metadata(other.id, {}).metadata == {}
    meta = client.set_task_metadata(task.id, {"frame": 3, "nested": {"k": [1, None]}})
    assert meta.metadata == {"frame": 3, "nested": {"k": [1, None]}}
    assert client.get_task(task.id).metadata == {"frame": 3, "nested": {"k": [1, None]}}
    with pytest.raises(ScaleInvalidRequest) as too_big:
        client.set_task_metadata(task.id, {"blob": "x" * 11_000})
    assert "10 KB" in too_big.value.message

    canceled = client.cancel_task(task.id)
    assert canceled.id == task.id and canceled.status == "canceled"
    assert client.cancel_task(task.id).status == "canceled"  # a repeat is a 200, not a 409
    freed = client.cancel_task(other.id, clear_unique_id=True)
    assert freed.status == "canceled" and "unique_id" not in freed.as_dict()
    again = client.create_task(IMAGE, **box(project="changes", unique_id="other-1"))
    assert again.id not in {task.id, other.id} and again.status == "pending"
    assert client.get_tasks_count(project_name="changes", status=TaskStatus.Canceled) == 2
    assert client.get_tasks_count(project_name="changes", status=TaskStatus.Pending) == 1
    with pytest.raises(ScaleInvalidRequest):
        client.audit_task(again.id, True)  # only completed tasks


def test_test_key_tasks_complete_and_can_be_audited(account):
    tc = account.test_client
    tc.create_project("audited", IMAGE)
    before = client_time(datetime.now(UTC))
    hypothesis = {"annotations": [{"type": "box", "label": "car", "left": 1, "top": 2,
                                   "width": 30, "height": 40}]}
    task = tc.create_task(IMAGE, **box_body(project="audited", hypothesis=hypothesis))
    assert task.status == "completed" and task.is_test is True and task.completed_at
    answer = task.response["annotations"][0]
    assert (answer["label"], answer["left"], answer["width"]) == ("car", 1, 30)
    assert uuid.UUID(answer["uuid"])
    assert tc.get_tasks_count(project_name="audited", completed_after=before) == 1
    assert tc.get_tasks_count(project_name="audited", completed_before=before) == 0
    with pytest.raises(ScaleInvalidRequest) as cancel:
        tc.cancel_task(task.id)
    assert "completed" in cancel.value.message

    assert tc.audit_task(task.id, True, "looks good") is None
    audited = tc.get_task(task.id)
    assert audited.status == "completed" and audited.customer_review_status == "accepted"
    assert audited.audits[0]["audit_result"] == "accepted"
    assert audited.audits[0]["audit_source"] == "customer"
    assert audited.audits[0]["comments"] == "looks good"
    assert tc.get_tasks_count(project_name="audited",
                              review_status=TaskReviewStatus.Accepted) == 1

    tc.audit_task(task.id, False)
    rejected = tc.get_task(task.id)
    assert rejected.status == "pending" and len(rejected.audits) == 2
    assert rejected.audits[1]["audit_result"] == "rejected"
    both = [TaskReviewStatus.Accepted, TaskReviewStatus.Rejected]  # comma-joined
    assert tc.get_tasks_count(project_name="audited", review_status=both) == 1
    assert tc.get_tasks_count(project_name="audited",
                              review_status=TaskReviewStatus.Accepted) == 0


# --- files ----------------------------------------------------------------------------------

def test_upload_file_and_use_it_as_an_attachment(server, account, client, tmp_path):
    data = png_bytes()
    uploaded = client.upload_file(io.BytesIO(data), display_name="blue.png",
                                  project_name="uploads", reference_id="ref-1",
                                  metadata='{"source": "camera-3"}')
    record = uploaded.as_dict()
    assert uuid.UUID(uploaded.id)
    assert uploaded.attachment_url.startswith("scaledata://")
    assert uploaded.attachment_url.endswith(uploaded.id)
    assert (record["mime_type"], record["size"]) == ("image/png", len(data))
    assert record["display_name"] == "blue.png" and record["project_names"] == ["uploads"]
    assert record["metadata"] == {"source": "camera-3"} and record["reference_id"] == "ref-1"

    with pytest.raises(ScaleDuplicateResource):
        client.upload_file(io.BytesIO(data), reference_id="ref-1")
    # Any file, as Scale takes it; typed by its bytes (checked by content where it is used).
    not_image = client.upload_file(io.BytesIO(b"%PDF-1.4 not an image at all"))
    assert not_image.as_dict()["mime_type"] == "application/octet-stream"

    path = tmp_path / "red.jpg"
    Image.new("RGB", (16, 16), (255, 0, 0)).save(path, "JPEG")
    with open(path, "rb") as handle:
        from_disk = client.upload_file(handle)
    assert from_disk.as_dict()["mime_type"] == "image/jpeg"
    assert from_disk.as_dict()["display_name"] == "red.jpg"

    client.create_project("uploads", IMAGE)
    task = client.create_task(IMAGE, **box_body(project="uploads",
                                                attachment=uploaded.attachment_url))
    assert task.params["attachment"] == uploaded.attachment_url
    listed = list(client.get_tasks(project_name="uploads"))  # include_attachment_url=True
    assert [t.id for t in listed] == [task.id]
    download = requests.get(listed[0].attachment_url, auth=(account.live_key, ""), timeout=30)
    assert download.status_code == 200 and download.content == data
    assert download.headers["Content-Type"] == "image/png"

    stranger = Account(server).client
    with pytest.raises(ScaleInvalidRequest):
        stranger.create_task(IMAGE, **box_body(attachment=uploaded.attachment_url))


def test_import_file_from_a_local_http_server(client, image_server):
    imported = client.import_file(f"{image_server}/images/yellow.png", project_name="imports",
                                  reference_id="imp-1")
    record = imported.as_dict()
    served = requests.get(f"{image_server}/images/yellow.png", timeout=30).content
    assert record["mime_type"] == "image/png" and record["size"] == len(served)
    assert record["project_names"] == ["imports"] and record["display_name"] == "yellow.png"
    task = client.create_task(IMAGE, **box_body(attachment=imported.attachment_url))
    assert task.params["attachment"] == imported.attachment_url
    with pytest.raises(ScaleDuplicateResource):
        client.import_file(f"{image_server}/images/yellow.png", reference_id="imp-1")
    with pytest.raises(ScaleInvalidRequest) as missing:
        client.import_file(f"{image_server}/missing.gif")
    assert "file_url" in missing.value.message


# --- the server's worker: attachment fetches and callbacks ----------------------------------

def wait_for(fetch, done, timeout: float = 60.0):
    """fetch() again and again until done(value); fail after `timeout` seconds."""
    last: list[object] = []

    def ready():
        last[:] = [fetch()]
        return done(last[0])

    wait_until(ready, timeout, interval=0.2,
               message=lambda: f"still waiting after {timeout}s; last value: {last[0]!r}")
    return last[0]


def next_post(receiver, timeout: float = 60.0):
    try:
        return receiver.posts.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no callback reached the receiver within {timeout}s")


def test_an_attachment_that_cannot_be_fetched_ends_the_task_in_error(client, box, image_server):
    client.create_project("fetching", IMAGE)
    missing = f"{image_server}/missing.jpg"  # the image host answers 404
    broken = client.create_task(IMAGE, **box(project="fetching", attachment=missing,
                                             unique_id="retry-me",
                                             clear_unique_id_on_error=True))
    assert broken.status == "pending" and broken.unique_id == "retry-me"
    failed = wait_for(lambda: client.get_task(broken.id), lambda t: t.status != "pending")
    assert failed.status == "error"
    assert failed.response == {"error": "One or more attachments could not be downloaded.",
                               "attachments": [{"statusCode": 404, "url": missing}]}
    assert "unique_id" not in failed.as_dict()  # clear_unique_id_on_error
    assert client.tasks(project="fetching", status="error").total == 1
    with pytest.raises(ScaleInvalidRequest):
        client.cancel_task(broken.id)
    retried = client.create_task(IMAGE, **box(project="fetching", unique_id="retry-me"))
    assert retried.id != broken.id and retried.unique_id == "retry-me"


def test_callbacks_reach_a_local_receiver(account, callback_receiver):
    tc = account.test_client
    url = f"http://127.0.0.1:{callback_receiver.server_address[1]}/hook?token=abc"
    hypothesis = {"annotations": [{"type": "box", "label": "bus", "left": 5, "top": 6,
                                   "width": 7, "height": 8}]}
    task = tc.create_task(IMAGE, **box_body(callback_url=url, hypothesis=hypothesis))
    assert task.status == "completed"

    post = next_post(callback_receiver)
    assert post.path == "/hook?token=abc"
    assert post.headers["content-type"].startswith("application/json")
    assert post.headers["scale-callback-auth"]
    body = post.json()
    assert (body["task_id"], body["status"]) == (task.id, "completed")
    assert body["response"] == task.response
    assert body["task"]["task_id"] == task.id and body["task"]["callback_url"] == url
    delivered = wait_for(lambda: tc.get_task(task.id),
                         lambda t: "callback_succeeded" in t.as_dict())
    assert delivered.callback_succeeded is True

    tc.audit_task(task.id, True, "fine")
    audit_post = next_post(callback_receiver)
    assert audit_post.headers["scale-callback-auth"] == post.headers["scale-callback-auth"]
    assert audit_post.json()["task"]["audits"][0]["audit_result"] == "accepted"


def test_a_batch_completes_with_its_last_task_and_calls_back(client, box, callback_receiver):
    client.create_project("lifecycle", IMAGE)
    hook = f"http://127.0.0.1:{callback_receiver.server_address[1]}/batch-done"
    client.create_batch("lifecycle", "b", callback=hook)
    first, second = (client.create_task(IMAGE, **box(batch="b")) for _ in range(2))
    client.cancel_task(first.id)
    assert client.get_batch("b").status == "in_progress"
    client.cancel_task(second.id)
    done = client.get_batch("b")
    assert done.status == "completed" and done.as_dict()["completed_at"].endswith("Z")
    assert client.batch_status("b") == {"status": "completed", "pending": 0, "completed": 0,
                                        "error": 0, "canceled": 2}
    assert [b.name for b in client.get_batches(batch_status=BatchStatus.Completed)] == ["b"]

    post = next_post(callback_receiver)
    assert post.path == "/batch-done" and post.headers["scale-callback-auth"]
    body = post.json()
    assert body["status"] == "completed" and body["batch"]["name"] == "b"
    assert body["counts"] == {"pending": 0, "completed": 0, "error": 0, "canceled": 2}

    client.create_task(IMAGE, **box(batch="b"))  # a new task reopens the batch
    reopened = client.get_batch("b")
    assert reopened.status == "in_progress" and "completed_at" not in reopened.as_dict()
    assert client.batch_status("b")["pending"] == 1


# --- evaluation and training tasks ------------------------------------------------------------

def test_evaluation_and_training_tasks(client, box):
    """The official client's create_evaluation_task / create_training_task, unchanged
    (docs/api-decisions.md): the id and the expected response come back; the template is
    never the customer's task."""
    client.create_project("gold", IMAGE)
    car = {"uuid": "e1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 10,
           "height": 8, "attributes": {}}
    expected = {"annotations": [car]}
    evaluation = client.create_evaluation_task(IMAGE, **box(project="gold"),
                                               expected_response=expected)
    assert evaluation.id and evaluation.expected_response == expected
    assert evaluation.as_dict()["kind"] == "evaluation"
    assert evaluation.as_dict()["phase"] == "work"
    assert "initial_response" not in evaluation.as_dict()
    initial = {"annotations": [{**car, "label": "bus"}]}
    review = client.create_evaluation_task(IMAGE, **box(project="gold"),
                                           expected_response=expected, initial_response=initial)
    assert review.as_dict()["initial_response"] == initial
    assert review.as_dict()["phase"] == "review"
    training = client.create_training_task(IMAGE, **box(project="gold"),
                                           expected_response=expected)
    assert training.id and training.expected_response == expected
    assert training.as_dict()["kind"] == "training"
    for hidden in (evaluation.id, review.id, training.id):
        with pytest.raises(ScaleResourceNotFound):
            client.get_task(hidden)
    assert client.tasks(project="gold").total == 0

    cases = [
        (client.create_evaluation_task, box(), "project"),
        (client.create_evaluation_task, box(project="gold"), "expected_response"),
        (client.create_evaluation_task,
         box(project="gold", unique_id="u1", expected_response=expected), "unique_id"),
        (client.create_evaluation_task,
         box(project="gold", expected_response={"annotations": [{**car, "label": "cat"}]}),
         "expected_response.annotations[0].label"),
        (client.create_training_task,
         box(project="gold", expected_response=expected, initial_response=initial),
         "initial_response"),
        (client.create_training_task,
         box(project="gold", batch="b", expected_response=expected), "batch"),
    ]
    for create, body, fragment in cases:
        with pytest.raises(ScaleInvalidRequest) as err:
            create(IMAGE, **body)
        assert err.value.code == 400 and fragment in err.value.message, body
    with pytest.raises(ScaleInvalidRequest) as video:
        client.create_evaluation_task(TaskType.VideoAnnotation,
                                      **box(project="gold"), expected_response=expected)
    assert "imageannotation" in video.value.message


# --- errors and isolation -------------------------------------------------------------------

def test_invalid_requests_are_400(client):
    cases = [
        (box_body(geometries={"polygon": {"min_vertices": 5, "max_vertices": 3}}),
         "geometries.polygon.max_vertices"),
        (box_body(geometries={"hexagon": {}}), "hexagon"),
        (box_body(priority=15), "priority"),
        (box_body(tags=["1", "2", "3", "4", "5", "6"]), "tags"),
        (box_body(callback_url="ftp://example.com/cb"), "callback_url"),
        (box_body(image_metadata={"location": {"lat": 91, "long": 0}}),
         "image_metadata.location"),
        ({"geometries": {"box": {}}}, "attachment"),
        (box_body(project="no-such-project"), "no-such-project"),
    ]
    for body, fragment in cases:
        with pytest.raises(ScaleInvalidRequest) as err:
            client.create_task(IMAGE, **body)
        assert err.value.code == 400 and fragment in err.value.message, body
    with pytest.raises(ScaleInvalidRequest) as unsupported:
        client.create_task(TaskType.SegmentAnnotation, **box_body())
    assert "segmentannotation" in unsupported.value.message
    assert client.tasks().total == 0


def test_bad_key_is_401(server):
    for key in ("live_" + "0" * 32, "test_" + "0" * 32, "not-a-key"):
        stranger = scaleapi.ScaleClient(key, api_instance_url=server.base_url)
        with pytest.raises(ScaleUnauthorized) as err:
            stranger.get_projects()
        assert err.value.code == 401 and "API key" in err.value.message
        with pytest.raises(ScaleUnauthorized):
            stranger.create_task(IMAGE, **box_body())
    no_auth = requests.get(f"{server.base_url}/tasks", timeout=30)
    assert no_auth.status_code == 401 and no_auth.json()["status_code"] == 401
    # A challenge, but not Basic: a browser would keep a key typed into its prompt and send
    # it with requests other sites' pages make (docs/deploy.md, "What protects what").
    assert no_auth.headers["WWW-Authenticate"].startswith("Bearer")


def test_not_found_is_404(server, client, box):
    mine = client.create_task(IMAGE, **box())
    for task_id in ("000000000000000000000000", "not-a-task-id"):
        with pytest.raises(ScaleResourceNotFound) as err:
            client.get_task(task_id)
        assert err.value.message == "Task with that ID not found."
        with pytest.raises(ScaleResourceNotFound):
            client.cancel_task(task_id)
    stranger = Account(server).client
    for call in (lambda: stranger.get_task(mine.id),
                 lambda: stranger.cancel_task(mine.id),
                 lambda: stranger.set_task_tags(mine.id, ["x"]),
                 lambda: stranger.add_task_tags(mine.id, ["x"]),
                 lambda: stranger.delete_task_tags(mine.id, ["x"]),
                 lambda: stranger.set_task_metadata(mine.id, {"x": 1}),
                 lambda: stranger.update_task_unique_id(mine.id, "x"),
                 lambda: stranger.clear_task_unique_id(mine.id),
                 lambda: stranger.audit_task(mine.id, True)):
        with pytest.raises(ScaleResourceNotFound):
            call()
    assert stranger.tasks().total == 0
    untouched = client.get_task(mine.id)
    assert untouched.status == "pending" and untouched.tags == [] and untouched.metadata == {}
    with pytest.raises(ScaleResourceNotFound):
        client.get_project("nobody's")
    unknown_path = requests.get(f"{server.base_url}/no/such/endpoint",
                                auth=(client.api.api_key, ""), timeout=30)
    assert unknown_path.status_code == 404 and unknown_path.json()["status_code"] == 404


def test_live_and_test_keys_of_one_account_never_see_each_other(account, box):
    live, test = account.client, account.test_client
    live.create_project("shared name", IMAGE)
    test.create_project("shared name", IMAGE)  # no clash: separate environments
    live_task = live.create_task(IMAGE, **box(project="shared name", unique_id="same"))
    test_task = test.create_task(IMAGE, **box_body(project="shared name", unique_id="same"))
    assert (live_task.is_test, live_task.status) == (False, "pending")
    assert (test_task.is_test, test_task.status) == (True, "completed")

    with pytest.raises(ScaleResourceNotFound):
        test.get_task(live_task.id)
    with pytest.raises(ScaleResourceNotFound):
        live.get_task(test_task.id)
    with pytest.raises(ScaleResourceNotFound):
        live.cancel_task(test_task.id)
    assert [t.id for t in live.get_tasks(project_name="shared name")] == [live_task.id]
    assert [t.id for t in test.get_tasks(project_name="shared name")] == [test_task.id]
    assert live.tasks(unique_id="same").docs[0].id == live_task.id
    assert test.tasks(unique_id="same").docs[0].id == test_task.id

    live.create_batch("shared name", "live only")
    with pytest.raises(ScaleResourceNotFound):
        test.get_batch("live only")
    assert [b.name for b in test.get_batches()] == []
    live.create_project("live project", IMAGE)
    assert [p.name for p in test.get_projects()] == ["shared name"]
    with pytest.raises(ScaleInvalidRequest):
        test.create_task(IMAGE, **box_body(project="live project"))


def test_brief_example_through_raw_requests(server, account):
    payload = brief_payload()
    res = requests.post(f"{server.base_url}/task/imageannotation", json=payload,
                        headers={"accept": "application/json",
                                 "content-type": "application/json"},
                        auth=(account.live_key, ""), timeout=30)
    assert res.status_code == 200, res.text
    assert res.headers["Content-Type"].startswith("application/json")
    task = res.json()
    assert task["status"] == "pending" and task["priority"] == 20
    assert task["instruction"] == payload["instruction"]
    geometries = task["params"]["geometries"]
    assert set(geometries) == {"box", "polygon", "line", "cuboid"}
    assert geometries["box"]["min_height"] == 0 and geometries["box"]["can_rotate"] is False
    assert geometries["polygon"]["min_vertices"] == 1
    again = requests.get(f"{server.base_url}/task/{task['task_id']}",
                         auth=(account.live_key, ""), timeout=30)
    assert again.status_code == 200
    # The worker may have failed to fetch the image meanwhile (no network): status may differ.
    assert without(again.json(), "status", "updated_at", "response") == \
        without(task, "status", "updated_at", "response")


def test_chunked_json_body_is_read(live_server_process):
    import requests

    key = live_server_process.new_key("chunky")
    body = b'{"type": "imageannotation", "name": "chunked-project"}'
    res = requests.post(f"{live_server_process.base_url}/projects", data=iter([body[:10],
                                                                              body[10:]]),
                        auth=(key, ""), headers={"Content-Type": "application/json"},
                        timeout=10)
    assert res.status_code == 200, res.text
    assert res.json()["name"] == "chunked-project"
