"""Issue 5 on the server: every rule the workbench enforces is enforced again on a hand-made
submit (400 naming the annotation and the rule); the data endpoint's global attributes and
links follow the draft (hypothesis, recall, rejected audit); context images are served."""

from __future__ import annotations

import copy
import io

import pytest
from PIL import Image

from tasks import files, jobs, lifecycle, queue
from tasks.models import Task
from tests.factories import make_project, make_tasker

pytestmark = pytest.mark.django_db

CAR = "11111111-1111-4111-8111-000000000001"
TRUCK = "11111111-1111-4111-8111-000000000002"
HEAD = "11111111-1111-4111-8111-000000000003"
ROAD = "11111111-1111-4111-8111-000000000004"
BASE_TRUCK = "22222222-2222-4222-8222-000000000001"
BASE_OPEN = "22222222-2222-4222-8222-000000000002"

PARAMS = {
    "attachment": "https://example.com/street.png",
    "geometries": {
        "box": {"objects_to_annotate": [{"choice": "Vehicle", "subchoices": ["car", "truck"]}]},
        "polygon": {"objects_to_annotate": ["road"]},
        "point": {"objects_to_annotate": ["head"]},
    },
    "annotation_attributes": {
        "parked": {"choices": ["yes", "no"], "required": True,
                   "conditions": {"label_condition": {"label": ["car", "truck"]}}},
        "speed": {"type": "number", "min": 0, "max": 130, "step": 5,
                  "conditions": {"label_condition": {"label": ["car", "truck"]},
                                 "attribute_conditions": [{"parked": "no"}]}},
        "centre": {"type": "x_line"},
        "horizon": {"type": "y_line"},
        "owner": {"type": "linked", "allowed_labels": ["car"], "required": True,
                  "conditions": {"label_condition": {"label": "head"}}},
        "weather": {"choices": ["sun", "rain"], "required": True,
                    "conditions": {"is_global": True}},
    },
    "links": {"tows": [{"is_bidirectional": False, "from_allowed_labels": ["truck"],
                        "to_allowed_labels": ["car"]}]},
    "base_annotations": {"annotations": [
        # locked, and without its required `parked`: the tasker cannot be asked for it
        {"uuid": BASE_TRUCK, "type": "box", "label": "truck", "left": 400, "top": 50,
         "width": 100, "height": 60, "locked": True},
        {"uuid": BASE_OPEN, "type": "box", "label": "truck", "left": 400, "top": 200,
         "width": 100, "height": 60, "attributes": {"parked": "yes"}},
    ]},
    "hypothesis": {
        "annotations": [
            {"uuid": CAR, "type": "box", "label": "car", "left": 10, "top": 20, "width": 100,
             "height": 50, "attributes": {"parked": "no", "speed": 50}},
            {"uuid": TRUCK, "type": "box", "label": "truck", "left": 200, "top": 20,
             "width": 120, "height": 80, "attributes": {"parked": "yes"}},
        ],
        "global_attributes": {"weather": "rain"},
        "links": [{"label": "tows", "from": TRUCK, "to": CAR}],
    },
}


def good_response() -> dict:
    return {
        "annotations": [
            {"uuid": CAR, "type": "box", "label": "car", "left": 10, "top": 20, "width": 100,
             "height": 50, "attributes": {"parked": "no", "speed": 55, "centre": 40.5,
                                          "horizon": 0}},
            {"uuid": TRUCK, "type": "box", "label": "truck", "left": 200, "top": 20,
             "width": 120, "height": 80, "attributes": {"parked": "yes", "centre": 120}},
            {"uuid": HEAD, "type": "point", "label": "head", "x": 30, "y": 30,
             "attributes": {"owner": CAR}},
            {"uuid": ROAD, "type": "polygon", "label": "road",
             "vertices": [{"x": 0, "y": 300}, {"x": 600, "y": 300}, {"x": 600, "y": 390}],
             "attributes": {}},
            {"uuid": BASE_TRUCK, "type": "box", "label": "truck", "left": 400, "top": 50,
             "width": 100, "height": 60, "attributes": {}},
            {"uuid": BASE_OPEN, "type": "box", "label": "truck", "left": 400, "top": 200,
             "width": 100, "height": 60, "attributes": {"parked": "yes"}},
        ],
        "global_attributes": {"weather": "sun"},
        "links": [{"label": "tows", "from": TRUCK, "to": CAR},
                  {"label": "tows", "from": BASE_OPEN, "to": CAR}],
    }


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


def claimed(account, tasker, name: str = "streets", **overrides) -> Task:
    project = make_project(account, name)
    body = {**copy.deepcopy(PARAMS), "project": name, **overrides}
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation", body=body)
    return queue.claim_next(tasker, project)


@pytest.fixture
def task(account, tasker):
    return claimed(account, tasker)


def submit(client, task, body):
    return client.post(f"/tasks/{task.task_id}/submit", body, content_type="application/json")


def refused(client, task, body, uuid: str | None, *words: str) -> dict:
    res = submit(client, task, body)
    assert res.status_code == 400, res.content
    error = res.json()
    assert error["annotation_uuid"] == uuid, error
    for word in words:
        assert word in error["error"], (word, error)
    assert Task.objects.get(pk=task.pk).status == "pending"
    return error


def ann(body: dict, uuid: str) -> dict:
    return next(a for a in body["annotations"] if a["uuid"] == uuid)


def test_a_complete_response_is_accepted_exactly(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    res = submit(client, task, body)
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    response = task.response
    assert {a["uuid"]: a["attributes"] for a in response["annotations"]} == \
        {a["uuid"]: a["attributes"] for a in body["annotations"]}
    assert response["global_attributes"] == {"weather": "sun"}
    assert response["links"] == body["links"]


def test_hidden_attribute_value_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    ann(body, TRUCK)["attributes"]["speed"] = 20  # speed shows only while parked is "no"
    error = refused(client, task, body, TRUCK, "attributes.speed", "conditions do not hold")
    assert error["path"] == "response.annotations[1].attributes.speed"


def test_missing_required_value_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    del ann(body, CAR)["attributes"]["parked"]
    del ann(body, CAR)["attributes"]["speed"]  # would be hidden without parked
    refused(client, task, body, CAR, "attributes.parked", "is required")
    body = good_response()
    del ann(body, HEAD)["attributes"]["owner"]
    refused(client, task, body, HEAD, "attributes.owner", "is required")


def test_number_outside_its_range_or_steps_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    ann(body, CAR)["attributes"]["speed"] = 52
    refused(client, task, body, CAR, "attributes.speed", "steps of 5")
    ann(body, CAR)["attributes"]["speed"] = 135
    refused(client, task, body, CAR, "attributes.speed", "130")


def test_linked_attribute_to_a_disallowed_label_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    ann(body, HEAD)["attributes"]["owner"] = TRUCK
    refused(client, task, body, HEAD, "attributes.owner", "labelled car")
    ann(body, HEAD)["attributes"]["owner"] = "no-such-annotation"
    refused(client, task, body, HEAD, "attributes.owner", "uuid of another annotation")


def test_link_no_rule_allows_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    body["links"].append({"label": "tows", "from": CAR, "to": TRUCK})
    refused(client, task, body, CAR, "response.links[2]", '"tows" cannot link a "car"')
    body = good_response()
    body["links"].append({"label": "pulls", "from": TRUCK, "to": CAR})
    refused(client, task, body, TRUCK, "links[2].label", "link labels")
    body = good_response()
    body["links"].append({"label": "tows", "from": TRUCK, "to": "gone"})
    refused(client, task, body, TRUCK, "links[2].to", "uuid of an annotation")
    body = good_response()
    body["links"].append(dict(body["links"][0]))
    refused(client, task, body, TRUCK, "duplicates")


def test_link_from_a_locked_base_annotation_is_refused(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    body["links"].append({"label": "tows", "from": BASE_TRUCK, "to": CAR})
    refused(client, task, body, BASE_TRUCK, "response.links[2]", "locked")
    # a link TO a locked annotation changes nothing of it (it belongs to its `from` end)
    ok = submit(client, task, good_response())
    assert ok.status_code == 200, ok.content


def test_link_from_a_base_annotation_that_cannot_be_edited_is_refused(client, account, tasker):
    task = claimed(account, tasker, "frozen", can_edit_base_annotations=False)
    client.force_login(tasker)
    body = good_response()
    refused(client, task, body, BASE_OPEN, "response.links[1]", "cannot be edited")
    body["links"].pop()
    assert submit(client, task, body).status_code == 200


def test_x_and_y_lines_lie_inside_boxes_and_only_boxes_and_cuboids(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    ann(body, CAR)["attributes"]["centre"] = 100.5  # the car is 100 px wide
    refused(client, task, body, CAR, "attributes.centre", "inside the box", "between 0 and 100")
    body = good_response()
    ann(body, CAR)["attributes"]["horizon"] = -1
    refused(client, task, body, CAR, "attributes.horizon", "top edge")
    body = good_response()
    ann(body, ROAD)["attributes"]["centre"] = 10
    refused(client, task, body, ROAD, "attributes.centre", "boxes and cuboids only")


def test_global_attributes_are_checked(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    body["global_attributes"] = {}
    refused(client, task, body, None, "global_attributes.weather", "is required")
    body["global_attributes"] = {"weather": "snow"}
    refused(client, task, body, None, "global_attributes.weather", "choices")
    body["global_attributes"] = {"weather": "sun", "parked": "no"}
    refused(client, task, body, None, "global_attributes.parked", "not a global attribute")


def test_base_annotation_flags_and_locks_on_attributes(client, tasker, task):
    client.force_login(tasker)
    body = good_response()
    ann(body, BASE_TRUCK)["attributes"] = {"parked": "no"}
    refused(client, task, body, BASE_TRUCK, "attributes", "locked")
    body = good_response()
    ann(body, BASE_TRUCK)["label"] = "car"
    ann(body, BASE_TRUCK)["attributes"] = {}
    refused(client, task, body, BASE_TRUCK, "locked")
    body = good_response()
    body["annotations"] = [a for a in body["annotations"] if a["uuid"] != BASE_TRUCK]
    refused(client, task, body, BASE_TRUCK, "must keep base annotation")
    # the open base annotation's attributes may change
    body = good_response()
    ann(body, BASE_OPEN)["attributes"] = {"parked": "no", "speed": 10}
    assert submit(client, task, body).status_code == 200


# ---------------------------------------------------------------- the draft's extras


def data(client, task) -> dict:
    res = client.get(f"/tasks/{task.task_id}/data")
    assert res.status_code == 200
    return res.json()


def test_data_starts_from_the_hypothesis_global_attributes_and_links(client, tasker, task):
    client.force_login(tasker)
    got = data(client, task)
    assert got["global_attributes"] == {"weather": "rain"}
    assert got["links"] == [{"label": "tows", "from": TRUCK, "to": CAR}]
    assert got["context"] == []
    uuids = {a["uuid"] for a in got["annotations"]}
    assert {CAR, TRUCK, BASE_TRUCK, BASE_OPEN} == uuids  # hypothesis uuids kept


@pytest.mark.parametrize("send_back", ["recall", "reject"])
def test_recall_and_rejected_audit_start_from_the_last_response(client, tasker, task,
                                                                 send_back):
    client.force_login(tasker)
    body = good_response()
    assert submit(client, task, body).status_code == 200
    task.refresh_from_db()
    if send_back == "recall":
        lifecycle.recall_task(task)
    else:
        lifecycle.audit_task(task, accepted=False, comments="redo", by="customer")
    task = queue.claim_next(tasker, task.project)
    got = data(client, task)
    assert got["global_attributes"] == {"weather": "sun"}
    assert got["links"] == body["links"]
    by_uuid = {a["uuid"]: a for a in got["annotations"]}
    assert by_uuid[CAR]["attributes"] == ann(body, CAR)["attributes"]
    assert by_uuid[BASE_TRUCK]["source"] == "base" and by_uuid[BASE_TRUCK]["locked"] is True

    # a discarded draft returns to that response, not to the hypothesis
    task.draft_extras = {"global_attributes": {"weather": "rain"}, "links": []}
    task.save(update_fields=["draft_extras"])
    lifecycle.reset_draft(task)
    assert data(client, task)["links"] == body["links"]


def test_reset_draft_returns_to_the_hypothesis(client, tasker, task):
    client.force_login(tasker)
    task.draft_extras = {"global_attributes": {"weather": "sun"}, "links": []}
    task.save(update_fields=["draft_extras"])
    assert data(client, task)["links"] == []
    lifecycle.reset_draft(task)
    got = data(client, task)
    assert got["global_attributes"] == {"weather": "rain"}
    assert got["links"] == [{"label": "tows", "from": TRUCK, "to": CAR}]


def test_tasks_from_before_the_extras_fall_back_to_the_hypothesis(client, tasker, task):
    client.force_login(tasker)
    Task.objects.filter(pk=task.pk).update(draft_extras={})
    got = data(client, task)
    assert got["global_attributes"] == {"weather": "rain"}
    assert got["links"] == [{"label": "tows", "from": TRUCK, "to": CAR}]


# ---------------------------------------------------------------- context images


def png(color: str, size=(12, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_context_images_are_served_with_the_task_image_access_rule(client, account, tasker,
                                                                     django_user_model):
    main = files.store_file(owner=account, is_test=False, data=png("blue"), fields={})
    side = files.store_file(owner=account, is_test=False, data=png("red", (20, 10)), fields={})
    project = make_project(account, "ctx")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation", body={
        "project": "ctx", "attachment": main.attachment_url,
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "context_attachments": [{"attachment": side.attachment_url},
                                {"attachment": "https://example.com/side.png"}]})
    task = queue.claim_next(tasker, project)
    client.force_login(tasker)
    listed = data(client, task)["context"]
    assert [c["url"] for c in listed] == [f"/tasks/{task.task_id}/context/0",
                                          f"/tasks/{task.task_id}/context/1"]

    # not fetched yet: the uploaded file itself, and a redirect to a web original
    res = client.get(listed[0]["url"])
    assert res.status_code == 200 and b"".join(res.streaming_content) == png("red", (20, 10))
    res = client.get(listed[1]["url"])
    assert res.status_code == 302 and res["Location"] == "https://example.com/side.png"
    assert client.get(f"/tasks/{task.task_id}/context/2").status_code == 404

    # others get 403, staff may look
    other = make_tasker("otto")  # a tasker of the same account
    client.force_login(other)
    assert client.get(listed[0]["url"]).status_code == 403
    admin = django_user_model.objects.create_superuser("boss", password="pw-boss-1")
    client.force_login(admin)
    assert client.get(listed[0]["url"]).status_code == 200


def test_context_images_come_from_the_stored_copies(client, account, tasker):
    main = files.store_file(owner=account, is_test=False, data=png("blue"), fields={})
    side = files.store_file(owner=account, is_test=False, data=png("red", (20, 10)), fields={})
    project = make_project(account, "ctx2")
    created = lifecycle.create_task(
        owner=account, is_test=False, task_type="imageannotation",
        body={"project": "ctx2", "attachment": main.attachment_url,
              "geometries": {"box": {"objects_to_annotate": ["car"]}},
              "context_attachments": [{"attachment": side.attachment_url}]})
    assert jobs.fetch_for_task(created.task_id) == "stored"
    task = queue.claim_next(tasker, project)
    client.force_login(tasker)
    (listed,) = data(client, task)["context"]
    assert listed["width"] == 20 and listed["height"] == 10
    res = client.get(listed["url"])
    assert res.status_code == 200 and res["Content-Type"] == "image/png"
    assert b"".join(res.streaming_content) == png("red", (20, 10))
