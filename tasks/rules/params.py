"""The create body of an image task: top-level task fields and `params`.

`split_body` separates the hoisted task fields (TASK_FIELDS) from the params;
`validate_task_fields` checks the former, `normalize_image_params` the latter. Null for any
optional field, at any depth, means "not given" (except inside `metadata` and unknown extra
keys, which are kept exactly as sent). Nothing here mutates its input.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tasks.kinds.names import IMAGE

from .annotations import validate_annotations, validate_response
from .attributes import validate_attribute_definitions
from .errors import RuleError, join
from .geometry import leaf_labels, normalize_geometries
from .reachable import refuse_unreachable
from .values import (
    require_bool,
    require_dict,
    require_int,
    require_list,
    require_non_negative_int,
    require_number,
    require_string,
)

TASK_FIELDS = frozenset(
    {
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
    }
)
BASE_FLAGS = (
    "can_add_base_annotations",
    "can_edit_base_annotations",
    "can_edit_base_annotation_labels",
    "can_delete_base_annotations",
)
LAYER_KEYS = {
    "boxes": "box",
    "polygons": "polygon",
    "lines": "line",
    "points": "point",
    "cuboids": "cuboid",
    "ellipses": "ellipse",
}
PADDING_KEYS = ("padding", "paddingX", "paddingY")
KNOWN_PARAMS = (
    "attachment",
    "attachment_type",
    "context_attachments",
    "geometries",
    "annotation_attributes",
    "links",
    "hypothesis",
    "layer",
    "layers",
    "base_annotations",
    *BASE_FLAGS,
    "image_metadata",
    *PADDING_KEYS,
)
MAX_URL_LENGTH = 2048
MAX_PADDING = 10_000
MAX_INSTRUCTION_LENGTH = 100_000
MAX_METADATA_BYTES = 10 * 1024
MAX_UNIQUE_ID_LENGTH = 512
# Each is fetched by the worker: the cap bounds one task's share of it (docs/api-decisions.md).
MAX_CONTEXT_ATTACHMENTS = 100
MAX_TAGS = 5
MAX_TAG_LENGTH = 200
MAX_NAME_LENGTH = 1000
PRIORITIES = (10, 20, 30)
DEFAULT_PRIORITY = 20
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---------------------------------------------------------------- body and task fields


def split_body(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(task fields, params) of a create body; both new dicts (values are not copied)."""
    _require_body(body)
    task_fields = {key: value for key, value in body.items() if key in TASK_FIELDS}
    params = {key: value for key, value in body.items() if key not in TASK_FIELDS}
    return task_fields, params


def validate_task_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Validate the top-level task fields found in `body` (other keys are ignored). Returns a
    new dict holding the given fields plus the defaults priority 20,
    clear_unique_id_on_error false and metadata {}."""
    _require_body(body)
    result: dict[str, Any] = {}
    for key in sorted(TASK_FIELDS):
        if body.get(key) is not None:
            result[key] = _TASK_FIELD_RULES[key](body[key], key)
    result.setdefault("priority", DEFAULT_PRIORITY)
    result.setdefault("clear_unique_id_on_error", False)
    result.setdefault("metadata", {})
    return result


def _require_body(body: Any) -> None:
    if not isinstance(body, dict):
        raise RuleError("", "the request body must be a JSON object")


def _callback_url(value: Any, path: str) -> str:
    url = require_string(value, path, max_length=MAX_URL_LENGTH)
    if EMAIL.match(url):
        return url
    if _is_web_url(url):
        refuse_unreachable(url, path)
        return url
    raise RuleError(path, "must be an http(s) URL or an email address")


def _instruction(value: Any, path: str) -> str:
    return require_string(value, path, max_length=MAX_INSTRUCTION_LENGTH, allow_empty=True)


def _metadata(value: Any, path: str) -> dict[str, Any]:
    require_dict(value, path)
    try:
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        raise RuleError(path, "must be a JSON object") from None
    if len(encoded.encode("utf-8")) > MAX_METADATA_BYTES:
        raise RuleError(path, "must be at most 10 KB")
    return copy.deepcopy(value)


def _priority(value: Any, path: str) -> int:
    if not isinstance(value, int | float) or isinstance(value, bool) or value not in PRIORITIES:
        raise RuleError(path, "must be 10, 20 or 30")
    return int(value)


def _unique_id(value: Any, path: str) -> str:
    return require_string(value, path, max_length=MAX_UNIQUE_ID_LENGTH)


def _tags(value: Any, path: str) -> list[str]:
    require_list(value, path)
    tags: list[str] = []
    for index, tag in enumerate(value):
        require_string(tag, join(path, index), max_length=MAX_TAG_LENGTH)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise RuleError(path, f"must have at most {MAX_TAGS} tags")
    return tags


def _name(value: Any, path: str) -> str:
    name = require_string(value, path, max_length=MAX_NAME_LENGTH)
    if "/" in name:
        raise RuleError(path, 'must not contain "/"')
    return name


def _project_version(value: Any, path: str) -> int:
    return require_int(value, path, minimum=-1)


_TASK_FIELD_RULES = {
    "project": _name,
    "batch": _name,
    "instruction": _instruction,
    "callback_url": _callback_url,
    "metadata": _metadata,
    "priority": _priority,
    "unique_id": _unique_id,
    "clear_unique_id_on_error": require_bool,
    "tags": _tags,
    "project_version": _project_version,
}


# ---------------------------------------------------------------- urls


def _is_web_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    if any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(host)


def _is_scaledata_url(value: str) -> bool:
    if any(char.isspace() for char in value) or not value.lower().startswith("scaledata://"):
        return False
    return bool(value[len("scaledata://") :].strip("/"))


def validate_attachment_url(value: Any, path: str) -> str:
    """An http(s) or scaledata:// URL of at most 2048 characters."""
    if value is None:
        raise RuleError(path, "is required")
    url = require_string(value, path, max_length=MAX_URL_LENGTH)
    if not (_is_web_url(url) or _is_scaledata_url(url)):
        raise RuleError(path, "must be an http(s) URL or a scaledata:// URL")
    refuse_unreachable(url, path)
    return url


# ---------------------------------------------------------------- params


def normalize_image_params(params: dict[str, Any], *,
                           event_labels: Collection[str] = ()) -> dict[str, Any]:
    """Validate the image task's params (the create body minus TASK_FIELDS) and return a
    new, normalized dict: defaults filled in (attachment_type, geometry options, the four
    can_* flags), nulls dropped, unknown non-null keys kept as sent. `event_labels`: a video
    task's events, which the label_condition of a global attribute may name."""
    if not isinstance(params, dict):
        raise RuleError("", "the task parameters must be a JSON object")
    result: dict[str, Any] = {
        "attachment": validate_attachment_url(params.get("attachment"), "attachment"),
        "attachment_type": _attachment_type(params.get("attachment_type")),
    }
    if params.get("context_attachments") is not None:
        result["context_attachments"] = _context_attachments(
            params["context_attachments"], result["attachment"]
        )
    result["geometries"] = normalize_geometries(params.get("geometries"), "geometries")
    labels = leaf_labels(result["geometries"])
    if params.get("annotation_attributes") is not None:
        result["annotation_attributes"] = validate_attribute_definitions(
            params["annotation_attributes"], labels, "annotation_attributes",
            global_labels=event_labels,
        )
    _check_connections(result)
    if params.get("links") is not None:
        result["links"] = _links(params["links"], labels, "links")
    _pre_labels(params, result)
    for flag in BASE_FLAGS:
        value = params.get(flag)
        result[flag] = True if value is None else require_bool(value, flag)
    if params.get("image_metadata") is not None:
        result["image_metadata"] = _image_metadata(params["image_metadata"], "image_metadata")
    for key in PADDING_KEYS:
        if params.get(key) is not None:
            result[key] = require_non_negative_int(params[key], key, maximum=MAX_PADDING)
    for key, value in params.items():
        if key not in KNOWN_PARAMS and value is not None:
            result[key] = copy.deepcopy(value)
    return result


def effective_padding(params: dict[str, Any]) -> tuple[int, int]:
    """(horizontal, vertical) padding in px: paddingX / paddingY override padding; 0 if none."""
    padding = params.get("padding") or 0
    horizontal = params.get("paddingX")
    vertical = params.get("paddingY")
    return (
        padding if horizontal is None else horizontal,
        padding if vertical is None else vertical,
    )


def _attachment_type(value: Any) -> str:
    if value is None:
        return "image"
    if value != "image":
        raise RuleError("attachment_type", f'must be "image" for an {IMAGE} task')
    return "image"


def _context_attachments(value: Any, attachment: str) -> list[dict[str, Any]]:
    path = "context_attachments"
    require_list(value, path)
    if len(value) > MAX_CONTEXT_ATTACHMENTS:
        raise RuleError(path, f"must hold at most {MAX_CONTEXT_ATTACHMENTS} items")
    result = []
    for index, item in enumerate(value):
        item_path = join(path, index)
        require_dict(item, item_path)
        url_path = join(item_path, "attachment")
        url = validate_attachment_url(item.get("attachment"), url_path)
        if url == attachment:
            raise RuleError(url_path, "must not be the task's own attachment")
        clean = {key: copy.deepcopy(v) for key, v in item.items() if v is not None}
        result.append(clean)
    return result


def _check_connections(result: dict[str, Any]) -> None:
    point = result["geometries"].get("point")
    if not point:
        return
    defs = result.get("annotation_attributes", {})
    for index, connection in enumerate(point.get("connections", [])):
        attr_id = connection.get("connection_attribute")
        if attr_id is None:
            continue
        if attr_id not in defs or defs[attr_id]["type"] != "linked":
            path = f"geometries.point.connections[{index}].connection_attribute"
            raise RuleError(path, "must be the id of a linked attribute")


def _links(value: Any, labels: set[str], path: str) -> dict[str, Any]:
    require_dict(value, path)
    result = {}
    for name, rules in value.items():
        if rules is None:
            continue
        rules_path = join(path, name)
        if not name:
            raise RuleError(path, "link labels must be non-empty strings")
        if not isinstance(rules, list) or not rules:
            raise RuleError(rules_path, "must be a non-empty list of link rules")
        result[name] = [
            _link_rule(rule, labels, join(rules_path, index)) for index, rule in enumerate(rules)
        ]
    return result


def _link_rule(rule: Any, labels: set[str], path: str) -> dict[str, Any]:
    require_dict(rule, path)
    result = {key: copy.deepcopy(value) for key, value in rule.items() if value is not None}
    result["is_bidirectional"] = require_bool(
        result.get("is_bidirectional", False), join(path, "is_bidirectional")
    )
    for key in ("from_allowed_labels", "to_allowed_labels"):
        key_path = join(path, key)
        allowed = result.get(key)
        if allowed is None:
            raise RuleError(key_path, "is required")
        if not isinstance(allowed, list) or not allowed:
            raise RuleError(key_path, "must be a non-empty list of labels")
        for index, label in enumerate(allowed):
            if not isinstance(label, str) or label not in labels:
                raise RuleError(join(key_path, index), "must be a label of some geometry")
    return result


def _pre_labels(params: dict[str, Any], result: dict[str, Any]) -> None:
    """hypothesis, layer / layers and base_annotations, checked against `result` so far."""
    if params.get("hypothesis") is not None:
        result["hypothesis"] = validate_response(
            params["hypothesis"], result, "hypothesis", kind="hypothesis"
        )
    for name in ("layer", "layers"):
        if params.get(name) is not None:
            result[name] = _layers(params[name], result, name)
    if params.get("base_annotations") is not None:
        result["base_annotations"] = _base_annotations(params["base_annotations"], result)


def _layers(value: Any, result: dict[str, Any], path: str) -> dict[str, Any]:
    require_dict(value, path)
    layers = {}
    for key, items in value.items():
        if key not in LAYER_KEYS:
            raise RuleError(join(path, key), f"is not a layer (use {', '.join(LAYER_KEYS)})")
        if items is None:
            continue
        layers[key] = validate_annotations(
            items, result, path=join(path, key), kind="layer", expected_type=LAYER_KEYS[key]
        )
    return layers


def _base_annotations(value: Any, result: dict[str, Any]) -> dict[str, Any]:
    path = "base_annotations"
    if not isinstance(value, dict):
        raise RuleError(path, "must be an object with an annotations list")
    annotations = value.get("annotations")
    if annotations is None:
        raise RuleError(join(path, "annotations"), "is required")
    return {
        "annotations": validate_annotations(
            annotations, result, path=join(path, "annotations"), kind="base"
        )
    }


def _image_metadata(value: Any, path: str) -> dict[str, Any]:
    require_dict(value, path)
    result = {key: copy.deepcopy(item) for key, item in value.items() if item is not None}
    if "date_time" in result:
        result["date_time"] = _date_time(result["date_time"], join(path, "date_time"))
    for key, rule in (("resolution", _resolution), ("location", _location)):
        if key not in result:
            continue
        if isinstance(result[key], dict) and all(v is None for v in result[key].values()):
            del result[key]
        else:
            result[key] = rule(result[key], join(path, key))
    return result


def _date_time(value: Any, path: str) -> str:
    given = require_string(value, path, max_length=100)
    text = given[:-1] + "+00:00" if given[-1] in "Zz" else given
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise RuleError(path, "must be an ISO 8601 date and time") from None
    return given


def _resolution(value: Any, path: str) -> dict[str, Any]:
    require_dict(value, path)
    result = {key: item for key, item in value.items() if item is not None}
    for key in ("resolution_ratio", "resolution_unit"):
        if key not in result:
            raise RuleError(join(path, key), "is required")
    ratio_path = join(path, "resolution_ratio")
    require_number(result["resolution_ratio"], ratio_path, minimum=0, exclusive_minimum=True)
    require_string(result["resolution_unit"], join(path, "resolution_unit"), max_length=100)
    return result


def _location(value: Any, path: str) -> dict[str, Any]:
    require_dict(value, path)
    result = {key: item for key, item in value.items() if item is not None}
    for key, limit in (("lat", 90), ("long", 180)):
        if key not in result:
            raise RuleError(join(path, key), "is required")
        require_number(result[key], join(path, key), minimum=-limit, maximum=limit)
    return result
