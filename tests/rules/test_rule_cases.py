"""The server's side of the shared rule cases (tests/fixtures/rules/*.json, docs/rules.md).

tests/js/rule-cases.test.mjs runs the very same cases through the page's modules in
static/js/lib/, so a rule that drifts on one side fails here or there. interpolation.json and
cuboid_3d.json have their own readers (test_rules_interpolation.py, test_rules_cuboid_3d.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tasks.rules import constants, locks
from tasks.rules.annotations import validate_annotations, validate_links, vertex_limits
from tasks.rules.attributes import (
    check_value,
    validate_attribute_definitions,
    validate_attribute_values,
)
from tasks.rules.conditions import applies
from tasks.rules.errors import RuleError
from tasks.rules.events import validate_events
from tasks.rules.labels import LabelTree
from tasks.rules.params import normalize_image_params
from tasks.rules.segmentation_ops import decode_points, encode_points

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
# Every case file, and the test module of each side that reads it.
READERS = {
    "attributes": "rule-cases", "conditions": "rule-cases", "events": "rule-cases",
    "geometry": "rule-cases", "labels": "rule-cases", "links": "rule-cases",
    "locks": "rule-cases", "interpolation": "interpolate", "cuboid_3d": "camera",
    "review_lock_cases": "review-locks", "segmentation_points_cases": "maskcodec",
}


def load(family: str) -> dict:
    return json.loads((FIXTURES / f"{family}.json").read_text(encoding="utf-8"))


def cases(family: str, key: str = "cases") -> Any:
    items = load(family)[key]
    return pytest.mark.parametrize("case", items, ids=[item["name"] for item in items])


def relative(path: str, prefix: str) -> str:
    """An error path relative to `prefix`: "links[1].to" -> "to", "links[1]" -> ""."""
    assert path.startswith(prefix), (path, prefix)
    return path[len(prefix):].lstrip(".")


def error_of(call: Any, prefix: str) -> dict | None:
    try:
        call()
    except RuleError as error:
        return {"field": relative(error.path, prefix), "message": error.message}
    return None


def test_every_case_file_has_readers_on_both_sides():
    assert {path.stem for path in FIXTURES.glob("*.json")} == set(READERS)
    for family, reader in READERS.items():
        source = (FIXTURES.parents[1] / "js" / f"{reader}.test.mjs").read_text()
        # The JS readers name a file either whole or as load("<family>").
        assert f"rules/{family}.json" in source or f'load("{family}")' in source, family


def test_each_family_has_enough_cases():
    sizes = {"conditions": len(load("conditions")["cases"]),
             "labels": len(load("labels")["cases"]),
             "attributes": sum(len(load("attributes")[key])
                               for key in ("values", "problems", "line_offsets")),
             "geometry": sum(len(load("geometry")[key])
                             for key in ("min_size", "vertex_limits", "vertex_counts")),
             "locks": len(load("locks")["can"]) + len(load("locks")["track_changes"]),
             "links": len(load("links")["cases"]), "events": len(load("events")["cases"])}
    assert all(size >= 10 for size in sizes.values()), sizes


def test_the_constants_are_the_ones_the_rules_use():
    from tasks.rules import annotations, attributes, geometry
    assert constants.TOLERANCES["number_step"] == attributes.STEP_TOLERANCE
    assert annotations.LINE_OFFSET_TOLERANCE == constants.TOLERANCES["line_offset"] == 1e-6
    assert constants.TOLERANCES["min_size"] == annotations.SIZE_TOLERANCE
    assert constants.LIMITS["max_vertices"] == geometry.MAX_VERTICES
    assert constants.message("number_step_from", step="5", origin="2") == \
        "must go in steps of 5 from 2"


# ---------------------------------------------------------------- conditions


@cases("conditions")
def test_conditions(case):
    assert applies(case["definition"], case["label"], case["values"]) is case["applies"]


# ---------------------------------------------------------------- labels


@cases("labels")
def test_labels(case):
    if "error" in case:
        assert error_of(lambda: LabelTree.parse(case["objects"], "objects"), "") == case["error"]
        return
    tree = LabelTree.parse(case["objects"], "objects")
    assert [{"choice": leaf, "path": tree.path(leaf)} for leaf in tree.leaves] == case["leaves"]


# ---------------------------------------------------------------- attributes

ATTRIBUTES = load("attributes")


def normalized(defs: dict) -> dict:
    return validate_attribute_definitions(defs, set(ATTRIBUTES["labels"]))


@cases("attributes", "values")
def test_attribute_values(case):
    definition = normalized(ATTRIBUTES["definitions"])[case["attribute"]]
    value = case["value"] if "value" in case else case["value_repeat"][0] * case[
        "value_repeat"][1]
    uuid_labels = {a["uuid"]: a["label"] for a in ATTRIBUTES["annotations"]}
    try:
        check_value(value, definition, "", uuid_labels=uuid_labels, own_uuid=case.get("on"))
    except RuleError as error:
        assert error.message == case["message"]
    else:
        assert case["message"] == ""


@cases("attributes", "problems")
def test_attribute_problems(case):
    annotation = case["annotation"]
    defs = normalized(ATTRIBUTES["problems_definitions"])
    assert error_of(lambda: validate_attribute_values(
        annotation.get("attributes"), defs, label=annotation["label"],
        uuid_labels={annotation["uuid"]: annotation["label"]}, own_uuid=annotation["uuid"],
        path="", geometry=annotation["type"]), "") == case["problem"]


def geometry_params(geometries: dict, attributes: dict | None = None) -> dict:
    return normalize_image_params({"attachment": "https://example.com/a.jpg",
                                   "geometries": geometries,
                                   "annotation_attributes": attributes})


@cases("attributes", "line_offsets")
def test_line_offsets(case):
    all_geometries = {name: {"objects_to_annotate": ["car"]}
                      for name in ("box", "cuboid", "polygon")}
    all_geometries["box"]["can_rotate"] = True
    params = geometry_params(all_geometries, ATTRIBUTES["definitions"])
    item = {**case["annotation"], "uuid": "a", "label": "car",
            "attributes": {case["attribute"]: case["value"]}}
    error = error_of(lambda: validate_annotations([item], params, path="a", kind="draft"),
                     "a[0].attributes")
    expected = {"field": case["attribute"], "message": case["message"]}
    assert error == (expected if case["message"] else None)


# ---------------------------------------------------------------- geometry


@cases("geometry", "min_size")
def test_min_size(case):
    annotation = case["annotation"]
    options = {"objects_to_annotate": ["car"], **case["options"]}
    params = geometry_params({annotation["type"]: options})
    item = {**annotation, "uuid": "a", "label": "car"}
    assert error_of(lambda: validate_annotations([item], params, path="a", kind="response"),
                    "a[0]") == case["error"]


@cases("geometry", "vertex_limits")
def test_vertex_limits(case):
    assert vertex_limits(case["geometry"], case["options"]) == (case["min"], case["max"])


@cases("geometry", "vertex_counts")
def test_vertex_counts(case):
    params = geometry_params({case["geometry"]: {"objects_to_annotate": ["car"],
                                                 **case["options"]}})
    vertices = [{"x": index, "y": index * index} for index in range(case["count"])]
    item = {"uuid": "a", "type": case["geometry"], "label": "car", "vertices": vertices}
    assert error_of(lambda: validate_annotations([item], params, path="a", kind="response"),
                    "a[0]") == case["error"]


# ---------------------------------------------------------------- locks

LOCKS = load("locks")


@cases("locks", "can")
def test_locks(case):
    params = {**case["params"], **(LOCKS["base"] if case.get("with_base") else {})}
    assert locks.can(case["action"], case["annotation"], params) == (
        case["allowed"], case["reason"])


@cases("locks", "track_changes")
def test_track_changes(case):
    assert locks.track_changes(case["before"], case["after"]) == set(case["changes"])


# ---------------------------------------------------------------- links

LINKS = load("links")


@cases("links")
def test_links(case):
    labels = {a["uuid"]: a["label"] for a in LINKS["annotations"]}
    existing = case.get("existing", [])
    links = [*existing, case["link"]]
    assert error_of(lambda: validate_links(links, {"links": LINKS["rules"]}, labels, "links"),
                    f"links[{len(existing)}]") == case["error"]


# ---------------------------------------------------------------- events

EVENTS = load("events")


@cases("events")
def test_events(case):
    params = {"events_to_annotate": EVENTS["labels"],
              "annotation_attributes": validate_attribute_definitions(
                  EVENTS["definitions"], set(EVENTS["geometry_labels"]),
                  global_labels=EVENTS["labels"])}
    assert error_of(lambda: validate_events([case["event"]], params, EVENTS["frame_count"],
                                            check_required=True), "events[0]") == case["error"]


@cases("attributes", "global_problems")
def test_global_attribute_problems(case):
    defs = normalized(ATTRIBUTES["global_definitions"])
    assert error_of(lambda: validate_attribute_values(
        case["values"], defs, label=None, uuid_labels={}, own_uuid=None, path="",
        is_global=True), "") == case["problem"]


@cases("attributes", "defaults")
def test_attribute_defaults(case):
    error = error_of(lambda: normalized({"a": case["definition"]}), "annotation_attributes")
    expected = {"field": "a.default", "message": case["message"]}
    assert error == (expected if case["message"] else None)


# --- segmentation: the points of a stroke or polygon (static/js/lib/maskcodec.js) -------------

@pytest.mark.parametrize("case", load("segmentation_points_cases")["cases"],
                         ids=lambda case: case["name"])
def test_segmentation_points_encode_and_decode_as_the_page_does(case):
    points = [tuple(point) for point in case["points"]]
    assert encode_points(points) == case["encoded"]
    assert decode_points(case["encoded"]) == points


@pytest.mark.parametrize("case", load("segmentation_points_cases")["invalid"],
                         ids=lambda case: case["name"])
def test_segmentation_points_the_page_refuses_are_refused(case):
    with pytest.raises(RuleError):
        decode_points(case["encoded"])
