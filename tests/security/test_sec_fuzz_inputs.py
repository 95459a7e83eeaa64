"""Property-based tests (hypothesis) of hostile input, through the real URLs (Django test
client) and at the rules underneath: whatever the body, never a 5xx, every refusal in the
contract's error shape, and the validators raise nothing but RuleError."""

from __future__ import annotations

import contextlib
import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.rules.annotations import validate_response
from tasks.rules.attributes import validate_attribute_definitions
from tasks.rules.errors import RuleError
from tasks.rules.locks import check_locks
from tasks.rules.params import (
    KNOWN_PARAMS,
    TASK_FIELDS,
    normalize_image_params,
    validate_task_fields,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=24) | st.sampled_from(["", "car", "box", "https://e.com/a.png",
                                                     "scaledata://1/x", "10", "true"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=24)
KEYS = st.sampled_from(sorted(TASK_FIELDS | set(KNOWN_PARAMS))) | st.text(max_size=10)

RICH = {
    "attachment": "https://example.com/image.png",
    "instruction": "Label **every** car.",
    "geometries": {
        "box": {"objects_to_annotate": ["car", {"choice": "vehicle",
                                                 "subchoices": ["bus", "truck"]}],
                "min_width": 2, "can_rotate": True},
        "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3, "max_vertices": 10},
        "line": {"objects_to_annotate": ["lane"]},
        "point": {"objects_to_annotate": ["head", "foot"],
                  "connections": [{"pair": ["head", "foot"]}]},
        "cuboid": {"objects_to_annotate": ["crate"]},
        "ellipse": {"objects_to_annotate": ["sign"]},
    },
    "annotation_attributes": {
        "occluded": {"type": "category", "choices": ["yes", "no"], "default": "no"},
        "speed": {"type": "number", "min": 0, "max": 200,
                  "conditions": {"label_condition": {"label": "car"}}},
        "note": {"type": "text"},
        "night": {"type": "category", "choices": ["yes", "no"],
                  "conditions": {"is_global": True}},
    },
    "links": {"follows": [{"is_bidirectional": False, "from_allowed_labels": ["car"],
                           "to_allowed_labels": ["bus"]}]},
    "hypothesis": {"annotations": [
        {"uuid": "h1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 30,
         "height": 40, "attributes": {"occluded": "yes", "speed": 20}},
        {"uuid": "h2", "type": "polygon", "label": "road",
         "vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 5, "y": 9}]},
    ]},
    "base_annotations": {"annotations": [
        {"uuid": "b1", "type": "point", "label": "head", "x": 4, "y": 5, "locked": True}]},
    "can_add_base_annotations": False,
    "padding": 10,
    "priority": 30,
    "unique_id": "rich",
    "tags": ["a", "b"],
    "metadata": {"k": "v"},
}


def paths(value, prefix=()):
    """Every path into a JSON value (keys and list indexes), the value's own included."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


RICH_PATHS = [p for p in paths(RICH) if p]


@st.composite
def mutated_rich(draw):
    """The rich valid body with one to three places replaced by arbitrary JSON or removed."""
    body = copy.deepcopy(RICH)
    body["unique_id"] = draw(st.uuids()).hex
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(RICH_PATHS))
        parent = body
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(JSON)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return body


def assert_contract(res) -> None:
    assert res.status_code < 500, res.content[:500]
    body = res.json()
    if res.status_code == 200:
        return
    assert set(body) == {"status_code", "error"}, body
    assert body["status_code"] == res.status_code
    assert isinstance(body["error"], str) and body["error"]


def post(api, path: str, raw: bytes, content_type: str = "application/json"):
    return api.client.generic("POST", path, raw, content_type=content_type)


@pytest.fixture
def objects(api):
    """A project, a batch and a task of the key, for the endpoints that name one."""
    assert api.post("projects", {"type": "imageannotation", "name": "p"}).status_code == 200
    assert api.post("batches", {"project": "p", "name": "b"}).status_code == 200
    task = api.post("task/imageannotation", {**RICH, "unique_id": "seed"})
    assert task.status_code == 200, task.content
    return task.json()["task_id"]


def test_the_rich_body_is_valid(api):
    res = api.post("task/imageannotation", RICH)
    assert res.status_code == 200, res.content


@FUZZ
@given(body=st.dictionaries(KEYS, JSON, max_size=8))
def test_create_with_arbitrary_fields_never_fails_the_server(api, body):
    res = post(api, "/v1/task/imageannotation", json.dumps(body).encode())
    assert_contract(res)
    assert res.status_code in (200, 400, 409)


@FUZZ
@given(body=mutated_rich())
def test_create_with_a_damaged_valid_body_never_fails_the_server(api, body):
    res = post(api, "/v1/task/imageannotation", json.dumps(body).encode())
    assert_contract(res)
    assert res.status_code in (200, 400, 409)


@FUZZ
@given(raw=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()),
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8",
                                     "application/x-www-form-urlencoded", "text/plain"]))
def test_create_with_arbitrary_bytes_never_fails_the_server(api, raw, content_type):
    res = post(api, "/v1/task/imageannotation", raw, content_type)
    assert_contract(res)


ENDPOINTS = [
    ("POST", "projects"), ("POST", "projects/p/setParams"), ("POST", "projects/p/setOntology"),
    ("POST", "batches"), ("POST", "batches/b/setMetadata"), ("POST", "TASK/audit"),
    ("POST", "TASK/unique_id"), ("POST", "TASK/setMetadata"), ("POST", "TASK/tags"),
    ("PUT", "TASK/tags"), ("DELETE", "TASK/tags"), ("POST", "TASK/cancel"),
]


@FUZZ
@given(endpoint=st.sampled_from(ENDPOINTS), body=JSON)
def test_every_json_endpoint_with_arbitrary_json_never_fails_the_server(api, objects,
                                                                         endpoint, body):
    method, path = endpoint
    path = path.replace("TASK", f"task/{objects}")
    res = api.client.generic(method, f"/v1/{path}", json.dumps(body).encode(),
                             content_type="application/json")
    assert_contract(res)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["status", "project", "batch", "tags", "limit",
                                              "next_token", "start_time", "unique_id",
                                              "customer_review_status", "limited_response",
                                              "include_attachment_url"]) | st.text(max_size=6),
                             st.text(max_size=30), max_size=4))
def test_the_task_list_with_arbitrary_parameters_never_fails_the_server(api, query):
    assert_contract(api.client.get("/v1/tasks", query))


# --- the validators underneath -----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(params=st.dictionaries(KEYS, JSON, max_size=8) | mutated_rich())
def test_image_params_only_raise_rule_error_and_never_change_their_input(params):
    before = copy.deepcopy(params)
    fields = {k: v for k, v in params.items() if k in TASK_FIELDS}
    rest = {k: v for k, v in params.items() if k not in TASK_FIELDS}
    with contextlib.suppress(RuleError):
        validate_task_fields(fields)
    with contextlib.suppress(RuleError):
        normalize_image_params(rest)
    assert params == before


@settings(max_examples=200, deadline=None)
@given(params=mutated_rich())
def test_normalized_params_normalize_to_themselves(params):
    rest = {k: v for k, v in params.items() if k not in TASK_FIELDS}
    try:
        once = normalize_image_params(rest)
    except RuleError:
        return
    assert normalize_image_params(once) == once


@settings(max_examples=300, deadline=None)
@given(definitions=JSON | st.dictionaries(st.text(max_size=8), st.fixed_dictionaries(
    {"type": st.sampled_from(["category", "number", "text", "angle", "linked", "x"])},
    optional={"choices": JSON, "min": JSON, "max": JSON, "default": JSON,
              "conditions": JSON, "description": JSON}), max_size=3))
def test_attribute_definitions_only_raise_rule_error(definitions):
    with contextlib.suppress(RuleError):
        validate_attribute_definitions(definitions, {"car", "bus"}, "annotation_attributes")


@settings(max_examples=300, deadline=None)
@given(annotations=st.lists(JSON | st.fixed_dictionaries(
    {"uuid": st.sampled_from(["b1", "h1", "new"]), "type": st.sampled_from(["box", "point"])},
    optional={"label": st.sampled_from(["car", "head", "foot"]) | JSON, "x": JSON, "y": JSON,
              "left": JSON, "top": JSON, "width": JSON, "height": JSON, "locked": JSON,
              "attributes": JSON}), max_size=4))
def test_a_submit_is_checked_with_rule_errors_only(annotations):
    """What the workbench's submit runs: the response rules, then the base-annotation locks."""
    params = normalize_image_params({k: v for k, v in RICH.items() if k not in TASK_FIELDS})
    with contextlib.suppress(RuleError):
        response = validate_response({"annotations": annotations}, params)
        check_locks(response["annotations"], params, "response.annotations")
