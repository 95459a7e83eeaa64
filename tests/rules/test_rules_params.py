"""tasks.rules.params: the create body (task fields and imageannotation params)."""

import copy
import json
import math

import pytest

from tasks.rules.errors import RuleError
from tasks.rules.params import (
    TASK_FIELDS,
    effective_padding,
    normalize_image_params,
    split_body,
    validate_task_fields,
)
from tests.payloads import BRIEF_EXAMPLE as BRIEF_PAYLOAD

BRIEF_PARAMS_NORMALIZED = {
    "attachment": "https://i.imgur.com/iDZcXfS.png",
    "attachment_type": "image",
    "geometries": {
        "box": {
            "objects_to_annotate": [],
            "min_height": 0,
            "min_width": 0,
            "can_rotate": False,
            "integer_pixels": False,
        },
        "polygon": {"objects_to_annotate": [], "min_vertices": 1, "max_vertices": None},
        "line": {"objects_to_annotate": [], "min_vertices": 1, "max_vertices": None},
        "cuboid": {
            "objects_to_annotate": [],
            "min_height": 0,
            "min_width": 0,
            "camera_intrinsics": None,
            "camera_rotation_quaternion": None,
            "camera_height": None,
        },
    },
    "can_add_base_annotations": True,
    "can_edit_base_annotations": True,
    "can_edit_base_annotation_labels": True,
    "can_delete_base_annotations": True,
}

# A request shaped as Scale's documented example (geometry options: docs/task-format.md).
CONTRACT_PAYLOAD = {
    "project": "kitten_labeling",
    "callback_url": "https://example.com/cb",
    "instruction": "Box every car.",
    "attachment": "https://example.com/img.jpg",
    "geometries": {
        "box": {
            "objects_to_annotate": ["car", {"choice": "vehicle", "subchoices": ["truck", "bus"]}],
            "min_width": 5,
            "min_height": 5,
            "can_rotate": False,
        },
        "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3},
    },
    "annotation_attributes": {
        "occluded": {"type": "category", "description": "Occluded?", "choices": ["yes", "no"]}
    },
    "metadata": {"frame": 12},
    "unique_id": "s3://bucket/img.jpg",
    "tags": ["run_7"],
}


def base_params(**overrides):
    params = {"attachment": "https://example.com/a.png", "geometries": {"box": {}}}
    params.update(overrides)
    return params


def error_at(path, params):
    with pytest.raises(RuleError) as info:
        normalize_image_params(params)
    assert info.value.path == path, str(info.value)
    return info.value


def field_error(path, body):
    with pytest.raises(RuleError) as info:
        validate_task_fields(body)
    assert info.value.path == path, str(info.value)
    return info.value


# ---------------------------------------------------------------- the two reference examples


def test_brief_example_is_accepted_exactly_as_written():
    payload = copy.deepcopy(BRIEF_PAYLOAD)
    task_fields, params = split_body(payload)
    assert task_fields == {
        "instruction": "**Instructions:** Please label all the things",
        "priority": None,
    }
    assert validate_task_fields(task_fields) == {
        "instruction": "**Instructions:** Please label all the things",
        "priority": 20,
        "clear_unique_id_on_error": False,
        "metadata": {},
    }
    assert normalize_image_params(params) == BRIEF_PARAMS_NORMALIZED
    assert effective_padding(normalize_image_params(params)) == (0, 0)
    assert payload == BRIEF_PAYLOAD  # nothing mutated


def test_brief_example_survives_a_json_round_trip():
    payload = json.loads(json.dumps(BRIEF_PAYLOAD))
    _, params = split_body(payload)
    assert normalize_image_params(params) == BRIEF_PARAMS_NORMALIZED


def test_normalized_params_are_a_fixed_point():
    once = normalize_image_params(split_body(BRIEF_PAYLOAD)[1])
    assert normalize_image_params(once) == once
    contract = normalize_image_params(split_body(CONTRACT_PAYLOAD)[1])
    assert normalize_image_params(contract) == contract


def test_contract_example_request():
    task_fields, params = split_body(CONTRACT_PAYLOAD)
    assert set(task_fields) == {
        "project",
        "callback_url",
        "instruction",
        "metadata",
        "unique_id",
        "tags",
    }
    fields = validate_task_fields(task_fields)
    assert fields["project"] == "kitten_labeling"
    assert fields["metadata"] == {"frame": 12}
    assert fields["tags"] == ["run_7"]
    assert fields["priority"] == 20
    result = normalize_image_params(params)
    assert result["geometries"]["box"] == {
        "objects_to_annotate": ["car", {"choice": "vehicle", "subchoices": ["truck", "bus"]}],
        "min_height": 5,
        "min_width": 5,
        "can_rotate": False,
        "integer_pixels": False,
    }
    assert result["geometries"]["polygon"] == {
        "objects_to_annotate": ["road"],
        "min_vertices": 3,
        "max_vertices": None,
    }
    assert result["annotation_attributes"] == CONTRACT_PAYLOAD["annotation_attributes"]
    assert "project" not in result and "metadata" not in result


# ---------------------------------------------------------------- split_body and TASK_FIELDS


def test_task_fields_set():
    assert {
        "project",
        "batch",
        "instruction",
        "callback_url",
        "metadata",
        "priority",
        "unique_id",
        "clear_unique_id_on_error",
        "tags",
        "project_version",
    } == TASK_FIELDS


def test_split_body():
    body = {"project": "p", "attachment": "x", "tags": [], "custom": 1}
    fields, params = split_body(body)
    assert fields == {"project": "p", "tags": []}
    assert params == {"attachment": "x", "custom": 1}
    assert body == {"project": "p", "attachment": "x", "tags": [], "custom": 1}
    with pytest.raises(RuleError):
        split_body([])


# ---------------------------------------------------------------- task fields


def test_task_fields_all_valid():
    body = {
        "project": "p",
        "batch": "b 1",
        "instruction": "",
        "callback_url": "ops@example.com",
        "metadata": {"a": None, "b": [1, {"c": None}]},
        "priority": 30,
        "unique_id": "x" * 512,
        "clear_unique_id_on_error": True,
        "tags": ["a", "b", "a", "c"],
        "project_version": -1,
        "attachment": "ignored",
    }
    result = validate_task_fields(body)
    assert result == {
        "batch": "b 1",
        "callback_url": "ops@example.com",
        "clear_unique_id_on_error": True,
        "instruction": "",
        "metadata": {"a": None, "b": [1, {"c": None}]},
        "priority": 30,
        "project": "p",
        "project_version": -1,
        "tags": ["a", "b", "c"],
        "unique_id": "x" * 512,
    }


def test_task_field_defaults_and_nulls():
    assert validate_task_fields({}) == {
        "priority": 20,
        "clear_unique_id_on_error": False,
        "metadata": {},
    }
    nulls = dict.fromkeys(TASK_FIELDS)
    assert validate_task_fields(nulls) == validate_task_fields({})


def test_priority_accepts_integral_float():
    assert validate_task_fields({"priority": 10.0})["priority"] == 10


def test_callback_urls():
    for url in ("http://example.com/cb", "https://example.com:8443/x?y=1", "a.b@c.example"):
        assert validate_task_fields({"callback_url": url})["callback_url"] == url


def test_metadata_limit():
    just_fits = {"k": "x" * (10 * 1024 - len('{"k":""}'))}
    assert validate_task_fields({"metadata": just_fits})["metadata"] == just_fits
    too_big = {"k": "x" * (10 * 1024 - len('{"k":""}') + 1)}
    error = field_error("metadata", {"metadata": too_big})
    assert str(error) == "metadata must be at most 10 KB"


def test_metadata_counts_utf8_bytes():
    fits_in_chars_not_bytes = {"k": "é" * 6000}
    field_error("metadata", {"metadata": fits_in_chars_not_bytes})


def test_metadata_is_copied():
    metadata = {"a": [1]}
    result = validate_task_fields({"metadata": metadata})
    result["metadata"]["a"].append(2)
    assert metadata == {"a": [1]}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"project": ""}, "project"),
        ({"project": "a/b"}, "project"),
        ({"project": 5}, "project"),
        ({"batch": "x/y"}, "batch"),
        ({"instruction": 5}, "instruction"),
        ({"instruction": "x" * 100_001}, "instruction"),
        ({"callback_url": "ftp://example.com"}, "callback_url"),
        ({"callback_url": "example.com/cb"}, "callback_url"),
        ({"callback_url": "not an email@x"}, "callback_url"),
        ({"callback_url": "https://"}, "callback_url"),
        ({"callback_url": "https://exa mple.com"}, "callback_url"),
        ({"callback_url": "https://example.com/" + "x" * 2048}, "callback_url"),
        ({"callback_url": ["https://example.com"]}, "callback_url"),
        ({"metadata": []}, "metadata"),
        ({"metadata": "{}"}, "metadata"),
        ({"metadata": {"x": math.nan}}, "metadata"),
        ({"priority": 15}, "priority"),
        ({"priority": "20"}, "priority"),
        ({"priority": True}, "priority"),
        ({"unique_id": ""}, "unique_id"),
        ({"unique_id": 7}, "unique_id"),
        ({"unique_id": "x" * 513}, "unique_id"),
        ({"clear_unique_id_on_error": "true"}, "clear_unique_id_on_error"),
        ({"tags": "a"}, "tags"),
        ({"tags": ["a", ""]}, "tags[1]"),
        ({"tags": ["a", 3]}, "tags[1]"),
        ({"tags": ["x" * 201]}, "tags[0]"),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
        ({"project_version": -2}, "project_version"),
        ({"project_version": 1.5}, "project_version"),
        ({"project_version": "1"}, "project_version"),
    ],
)
def test_task_field_errors(body, path):
    field_error(path, body)


def test_tags_duplicates_do_not_count_towards_the_limit():
    tags = ["a", "b", "c", "d", "e", "a", "b"]
    assert validate_task_fields({"tags": tags})["tags"] == ["a", "b", "c", "d", "e"]


# ---------------------------------------------------------------- attachment


def test_attachment_required_message():
    assert str(error_at("attachment", {"geometries": {"box": {}}})) == "attachment is required"
    assert str(error_at("attachment", base_params(attachment=None))) == "attachment is required"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.png",
        "https://example.com/a%20b.png?sig=1",
        "scaledata://account/8ac09d70-ca43-4354-9a4b-6c3591396d1f",
        "HTTPS://EXAMPLE.COM/A.PNG",
    ],
)
def test_attachment_urls_accepted(url):
    assert normalize_image_params(base_params(attachment=url))["attachment"] == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        5,
        ["https://example.com/a.png"],
        "ftp://example.com/a.png",
        "example.com/a.png",
        "https:///a.png",
        "https://exa mple.com/a.png",
        "scaledata://",
        "scaledata:///",
        "https://[::1/a.png",
        "https://example.com/" + "x" * 2048,
    ],
)
def test_attachment_urls_rejected(url):
    error_at("attachment", base_params(attachment=url))


def test_attachment_type():
    assert normalize_image_params(base_params())["attachment_type"] == "image"
    assert (
        normalize_image_params(base_params(attachment_type="image"))["attachment_type"] == "image"
    )
    error_at("attachment_type", base_params(attachment_type="video"))


def test_not_an_object():
    with pytest.raises(RuleError):
        normalize_image_params([])


# ---------------------------------------------------------------- context attachments


def test_context_attachments():
    value = [{"attachment": "https://example.com/b.png"}, {"attachment": "scaledata://x/y"}]
    assert (
        normalize_image_params(base_params(context_attachments=value))["context_attachments"]
        == value
    )
    assert "context_attachments" not in normalize_image_params(
        base_params(context_attachments=None)
    )


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"attachment": "https://example.com/b.png"}, "context_attachments"),
        (["https://example.com/b.png"], "context_attachments[0]"),
        ([{}], "context_attachments[0].attachment"),
        ([{"attachment": "nope"}], "context_attachments[0].attachment"),
        (
            [
                {"attachment": "https://example.com/b.png"},
                {"attachment": "https://example.com/a.png"},
            ],
            "context_attachments[1].attachment",
        ),
    ],
)
def test_context_attachment_errors(value, path):
    error_at(path, base_params(context_attachments=value))


# ---------------------------------------------------------------- geometries and attributes


def test_geometries_required_and_checked():
    error_at("geometries", {"attachment": "https://example.com/a.png"})
    error_at("geometries", base_params(geometries={}))
    error_at("geometries.hexagon", base_params(geometries={"hexagon": {}}))
    error_at(
        "geometries.polygon.max_vertices",
        base_params(geometries={"polygon": {"min_vertices": 4, "max_vertices": 3}}),
    )


def test_attributes_use_labels_of_every_geometry():
    params = base_params(
        geometries={
            "box": {"objects_to_annotate": ["car"]},
            "point": {"objects_to_annotate": ["w"]},
        },
        annotation_attributes={"of": {"type": "linked", "allowed_labels": ["car", "w"]}},
    )
    result = normalize_image_params(params)
    assert result["annotation_attributes"] == {
        "of": {"type": "linked", "allowed_labels": ["car", "w"]}
    }
    params["annotation_attributes"]["of"]["allowed_labels"] = ["bus"]
    error_at("annotation_attributes.of.allowed_labels[0]", params)


def test_null_annotation_attributes_dropped():
    assert "annotation_attributes" not in normalize_image_params(
        base_params(annotation_attributes=None)
    )


POINT_GEOMETRY = {
    "point": {
        "objects_to_annotate": ["l", "r"],
        "connections": [{"pair": ["l", "r"], "connection_attribute": "person"}],
    }
}


def test_connection_attribute_must_be_linked():
    ok = base_params(
        geometries=POINT_GEOMETRY, annotation_attributes={"person": {"type": "linked"}}
    )
    assert normalize_image_params(ok)["geometries"]["point"]["connections"][0] == {
        "pair": ["l", "r"],
        "connection_attribute": "person",
    }
    path = "geometries.point.connections[0].connection_attribute"
    error_at(path, base_params(geometries=POINT_GEOMETRY))
    error_at(
        path,
        base_params(
            geometries=POINT_GEOMETRY, annotation_attributes={"person": {"choices": ["a"]}}
        ),
    )


# ---------------------------------------------------------------- links

LABELLED = {
    "box": {"objects_to_annotate": ["merchandise", "priceTag"]},
    "polygon": {"objects_to_annotate": ["shelf"]},
}


def links_params(links):
    return base_params(geometries=LABELLED, links=links)


def test_links_normalized():
    links = {
        "merchandiseToPriceTag": [
            {"from_allowed_labels": ["merchandise"], "to_allowed_labels": ["priceTag"]},
            {
                "is_bidirectional": True,
                "from_allowed_labels": ["shelf"],
                "to_allowed_labels": ["priceTag", "merchandise"],
                "note": "kept",
            },
        ],
        "unused": None,
    }
    assert normalize_image_params(links_params(links))["links"] == {
        "merchandiseToPriceTag": [
            {
                "from_allowed_labels": ["merchandise"],
                "to_allowed_labels": ["priceTag"],
                "is_bidirectional": False,
            },
            {
                "is_bidirectional": True,
                "from_allowed_labels": ["shelf"],
                "to_allowed_labels": ["priceTag", "merchandise"],
                "note": "kept",
            },
        ]
    }


RULE = {"from_allowed_labels": ["merchandise"], "to_allowed_labels": ["priceTag"]}


@pytest.mark.parametrize(
    ("links", "path"),
    [
        ([RULE], "links"),
        ({"": [RULE]}, "links"),
        ({"m": []}, "links.m"),
        ({"m": RULE}, "links.m"),
        ({"m": ["x"]}, "links.m[0]"),
        ({"m": [{"to_allowed_labels": ["priceTag"]}]}, "links.m[0].from_allowed_labels"),
        ({"m": [{**RULE, "to_allowed_labels": []}]}, "links.m[0].to_allowed_labels"),
        ({"m": [{**RULE, "to_allowed_labels": "priceTag"}]}, "links.m[0].to_allowed_labels"),
        ({"m": [{**RULE, "to_allowed_labels": ["bus"]}]}, "links.m[0].to_allowed_labels[0]"),
        ({"m": [RULE, {**RULE, "is_bidirectional": "yes"}]}, "links.m[1].is_bidirectional"),
    ],
)
def test_link_errors(links, path):
    error_at(path, links_params(links))


# ---------------------------------------------------------------- hypothesis, layers, base


def test_hypothesis_contract_example():
    params = base_params(
        geometries={"box": {"objects_to_annotate": ["car"]}},
        annotation_attributes={
            "is_night": {"choices": ["Yes", "No"], "conditions": {"is_global": True}},
            "plate": {"type": "text", "required": True},
        },
        hypothesis={
            "annotations": [
                {"type": "box", "label": "car", "left": 90, "top": 66, "width": 96, "height": 94}
            ],
            "global_attributes": {"is_night": "No"},
        },
    )
    hypothesis = normalize_image_params(params)["hypothesis"]
    [annotation] = hypothesis["annotations"]
    assert annotation["uuid"]  # generated
    assert annotation["attributes"] == {}  # required attributes may be missing in pre-labels
    assert hypothesis["global_attributes"] == {"is_night": "No"}


def test_hypothesis_errors():
    error_at("hypothesis", base_params(hypothesis=[]))
    error_at("hypothesis.annotations", base_params(hypothesis={}))
    bad = {"annotations": [{"type": "polygon", "vertices": []}]}
    error_at("hypothesis.annotations[0].type", base_params(hypothesis=bad))


def test_hypothesis_links_use_task_links():
    params = links_params({"m": [RULE]})
    params["hypothesis"] = {
        "annotations": [
            {
                "uuid": "a",
                "type": "box",
                "label": "merchandise",
                "left": 0,
                "top": 0,
                "width": 1,
                "height": 1,
            },
            {
                "uuid": "b",
                "type": "box",
                "label": "priceTag",
                "left": 0,
                "top": 0,
                "width": 1,
                "height": 1,
            },
        ],
        "links": [{"label": "m", "from": "a", "to": "b"}],
    }
    assert normalize_image_params(params)["hypothesis"]["links"] == [
        {"label": "m", "from": "a", "to": "b"}
    ]
    params["hypothesis"]["links"] = [{"label": "m", "from": "b", "to": "a"}]
    error_at("hypothesis.links[0]", params)


LAYER = {
    "boxes": [{"left": 1, "top": 2, "width": 3, "height": 4, "label": "free text"}],
    "polygons": [{"vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 0, "y": 1}]}],
    "lines": [{"type": "line", "vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]}],
    "points": [{"x": 5, "y": 6}],
    "ellipses": [
        {"vertices": [{"x": 1, "y": 0}, {"x": 0, "y": 1}, {"x": -1, "y": 0}, {"x": 0, "y": -1}]}
    ],
    "cuboids": None,
}


@pytest.mark.parametrize("name", ["layer", "layers"])
def test_layer_and_layers_kept_under_the_name_sent(name):
    result = normalize_image_params(base_params(**{name: LAYER}))
    other = "layers" if name == "layer" else "layer"
    assert other not in result
    layer = result[name]
    assert list(layer) == ["boxes", "polygons", "lines", "points", "ellipses"]
    assert layer["boxes"][0]["type"] == "box"
    assert layer["boxes"][0]["label"] == "free text"
    assert layer["polygons"][0]["type"] == "polygon"
    assert layer["points"][0] == {
        "uuid": layer["points"][0]["uuid"],
        "type": "point",
        "x": 5,
        "y": 6,
        "attributes": {},
    }
    assert layer["ellipses"][0]["type"] == "ellipse"


def test_both_layer_names_accepted_together():
    result = normalize_image_params(base_params(layer={"boxes": []}, layers={"lines": []}))
    assert result["layer"] == {"boxes": []}
    assert result["layers"] == {"lines": []}


@pytest.mark.parametrize(
    ("layer", "path"),
    [
        ([], "layers"),
        ({"circles": []}, "layers.circles"),
        ({"url": "https://example.com/l.json"}, "layers.url"),
        ({"boxes": {}}, "layers.boxes"),
        ({"boxes": [{"type": "polygon"}]}, "layers.boxes[0].type"),
        ({"boxes": [{"left": 1, "top": 2, "width": 0, "height": 4}]}, "layers.boxes[0].width"),
    ],
)
def test_layer_errors(layer, path):
    error_at(path, base_params(layers=layer))


def test_base_annotations():
    params = base_params(
        geometries={"box": {"objects_to_annotate": ["car"]}},
        base_annotations={
            "annotations": [
                {
                    "uuid": "x",
                    "type": "box",
                    "label": "car",
                    "left": 0,
                    "top": 0,
                    "width": 1,
                    "height": 1,
                    "locked": True,
                },
                {"type": "box", "label": "car", "left": 0, "top": 0, "width": 1, "height": 1},
            ],
            "extra": 1,
        },
        can_delete_base_annotations=False,
    )
    result = normalize_image_params(params)
    first, second = result["base_annotations"]["annotations"]
    assert first["locked"] is True and second["locked"] is False
    assert list(result["base_annotations"]) == ["annotations"]
    assert result["can_delete_base_annotations"] is False
    assert result["can_add_base_annotations"] is True


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (True, "base_annotations"),
        ([], "base_annotations"),
        ({}, "base_annotations.annotations"),
        ({"annotations": {}}, "base_annotations.annotations"),
        (
            {
                "annotations": [
                    {"type": "box", "left": 0, "top": 0, "width": 1, "height": 1, "locked": 1}
                ]
            },
            "base_annotations.annotations[0].locked",
        ),
    ],
)
def test_base_annotation_errors(value, path):
    error_at(path, base_params(base_annotations=value))


@pytest.mark.parametrize(
    "flag",
    [
        "can_add_base_annotations",
        "can_edit_base_annotations",
        "can_edit_base_annotation_labels",
        "can_delete_base_annotations",
    ],
)
def test_flags(flag):
    assert normalize_image_params(base_params())[flag] is True
    assert normalize_image_params(base_params(**{flag: None}))[flag] is True
    assert normalize_image_params(base_params(**{flag: False}))[flag] is False
    error_at(flag, base_params(**{flag: "false"}))


# ---------------------------------------------------------------- image_metadata


def test_image_metadata_full():
    metadata = {
        "date_time": "2021-06-17T21:46:36.359Z",
        "resolution": {"resolution_ratio": 3, "resolution_unit": "m"},
        "location": {"lat": 37.77, "long": -122.43},
        "camera": "kept",
    }
    assert (
        normalize_image_params(base_params(image_metadata=metadata))["image_metadata"] == metadata
    )


@pytest.mark.parametrize(
    "date_time",
    ["2021-06-17", "2021-06-17T21:46:36", "2021-06-17T21:46:36+02:00", "2021-06-17 21:46z"],
)
def test_image_metadata_dates(date_time):
    result = normalize_image_params(base_params(image_metadata={"date_time": date_time}))
    assert result["image_metadata"] == {"date_time": date_time}


def test_image_metadata_nulls():
    metadata = {
        "date_time": None,
        "resolution": {"resolution_ratio": None, "resolution_unit": None},
        "location": None,
    }
    assert normalize_image_params(base_params(image_metadata=metadata))["image_metadata"] == {}
    partial = {"location": {"lat": 1, "long": 2, "alt": None}}
    assert normalize_image_params(base_params(image_metadata=partial))["image_metadata"] == {
        "location": {"lat": 1, "long": 2}
    }


M = "image_metadata"


@pytest.mark.parametrize(
    ("metadata", "path"),
    [
        ("2021", M),
        ({"date_time": "yesterday"}, f"{M}.date_time"),
        ({"date_time": "2021-13-01"}, f"{M}.date_time"),
        ({"date_time": 1623966396}, f"{M}.date_time"),
        ({"date_time": ""}, f"{M}.date_time"),
        ({"resolution": 3}, f"{M}.resolution"),
        ({"resolution": {"resolution_unit": "m"}}, f"{M}.resolution.resolution_ratio"),
        ({"resolution": {"resolution_ratio": 3}}, f"{M}.resolution.resolution_unit"),
        (
            {"resolution": {"resolution_ratio": 0, "resolution_unit": "m"}},
            f"{M}.resolution.resolution_ratio",
        ),
        (
            {"resolution": {"resolution_ratio": "3", "resolution_unit": "m"}},
            f"{M}.resolution.resolution_ratio",
        ),
        (
            {"resolution": {"resolution_ratio": 3, "resolution_unit": ""}},
            f"{M}.resolution.resolution_unit",
        ),
        (
            {"resolution": {"resolution_ratio": 3, "resolution_unit": 1}},
            f"{M}.resolution.resolution_unit",
        ),
        ({"location": [1, 2]}, f"{M}.location"),
        ({"location": {"lat": 91, "long": 0}}, f"{M}.location.lat"),
        ({"location": {"lat": -90.5, "long": 0}}, f"{M}.location.lat"),
        ({"location": {"lat": 0, "long": 180.1}}, f"{M}.location.long"),
        ({"location": {"lat": 0, "long": -181}}, f"{M}.location.long"),
        ({"location": {"lat": 0}}, f"{M}.location.long"),
        ({"location": {"lat": True, "long": 0}}, f"{M}.location.lat"),
    ],
)
def test_image_metadata_errors(metadata, path):
    error_at(path, base_params(image_metadata=metadata))


def test_location_bounds_inclusive():
    metadata = {"location": {"lat": -90, "long": 180}}
    assert (
        normalize_image_params(base_params(image_metadata=metadata))["image_metadata"] == metadata
    )


# ---------------------------------------------------------------- padding


def test_padding_kept_as_sent():
    result = normalize_image_params(base_params(padding=10, paddingY=0.0))
    assert result["padding"] == 10
    assert result["paddingY"] == 0 and isinstance(result["paddingY"], int)
    assert "paddingX" not in result


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (0, 0)),
        ({"padding": 10}, (10, 10)),
        ({"padding": 10, "paddingX": 3}, (3, 10)),
        ({"padding": 10, "paddingY": 0}, (10, 0)),
        ({"paddingX": 4, "paddingY": 5}, (4, 5)),
        ({"padding": None, "paddingX": None, "paddingY": 7}, (0, 7)),
    ],
)
def test_effective_padding(params, expected):
    assert effective_padding(params) == expected


@pytest.mark.parametrize("key", ["padding", "paddingX", "paddingY"])
@pytest.mark.parametrize("value", [-1, 10_001, 2.5, "10", True])
def test_padding_errors(key, value):
    error_at(key, base_params(**{key: value}))


def test_padding_limit_inclusive():
    assert normalize_image_params(base_params(padding=10_000))["padding"] == 10_000


# ---------------------------------------------------------------- unknown keys and purity


def test_unknown_keys_kept_and_nulls_dropped():
    extra = {"future_option": {"a": None, "b": [1, 2]}, "other": None, "priority": None}
    result = normalize_image_params(base_params(**extra))
    assert result["future_option"] == {"a": None, "b": [1, 2]}
    assert "other" not in result and "priority" not in result
    result["future_option"]["b"].append(3)
    assert extra["future_option"]["b"] == [1, 2]


def test_input_never_mutated():
    params = base_params(
        geometries={
            "box": {"objects_to_annotate": [{"choice": "car", "display": None}], "min_width": None},
            "cuboid": {"camera_intrinsics": {"fx": None}},
        },
        annotation_attributes={"a": {"choices": ["x"], "conditions": None}},
        links={"l": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["car"]}]},
        hypothesis={
            "annotations": [
                {"type": "box", "label": "car", "left": 0, "top": 0, "width": 1, "height": 1}
            ]
        },
        layers={"boxes": [{"left": 0, "top": 0, "width": 1, "height": 1}]},
        image_metadata={"location": {"lat": 1, "long": 1, "x": None}},
        padding=None,
    )
    before = copy.deepcopy(params)
    normalize_image_params(params)
    assert params == before
