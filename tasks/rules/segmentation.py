"""The rules of a segmentation task (docs/segmentation.md): its create
params, its label table (index and colour of each label), its hypothesis and the instances of
a submit. Pure Python: the masks themselves are read and written by tasks/segmentation/.

The mask holds one index per pixel, 0 = unlabeled. Each leaf of `labels` gets 1..N in the
order of the labels; the instances of instance labels get N+1..255 as they are created.
"""

from __future__ import annotations

import colorsys
import copy
from dataclasses import dataclass
from typing import Any

from tasks.kinds.names import SEGMENT

from .attributes import validate_attribute_definitions, validate_attribute_values
from .errors import RuleError, join
from .labels import LabelTree
from .params import _context_attachments, validate_attachment_url
from .values import require_bool, require_dict, require_int, require_list

MAX_LABELS = 50
MAX_INDEX = 255  # the mask is 8 bits a pixel
KNOWN_PARAMS = ("attachment", "attachment_type", "context_attachments", "labels",
                "annotation_attributes", "allow_unlabeled", "hypothesis")
# Keys of an image task that mean nothing on a mask: refused rather than silently dropped.
REFUSED_PARAMS = ("geometries", "links", "layer", "layers", "base_annotations")
# The first colours: distinct at a glance; the rest step round the hue circle.
FIRST_COLORS = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0",
                "#f032e6", "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8",
                "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075", "#808080")


@dataclass(frozen=True)
class SegLabel:
    """One leaf label of the task: what the page paints with and the response names."""

    label: str
    path: tuple[str, ...]
    index: int
    color: str
    instance: bool

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "path": list(self.path), "index": self.index,
                "color": self.color, "instance": self.instance}


def color(index: int) -> str:
    """The colour of an index (a label's or an instance's) as #rrggbb; 0 has none (black)."""
    if index <= 0:
        return "#000000"
    if index <= len(FIRST_COLORS):
        return FIRST_COLORS[index - 1]
    hue = (index * 0.618033988749895) % 1.0
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.65 + 0.3 * (index % 2), 0.95)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (red, green, blue)))


def rgb(hex_color: str) -> tuple[int, int, int]:
    return int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)


def label_table(labels: Any) -> list[SegLabel]:
    """The task's leaf labels with their indices 1..N and colours (labels as normalized)."""
    tree = LabelTree.parse(labels, "labels")
    instance = _instance_leaves(tree)
    return [SegLabel(name, tuple(tree.path(name)), n, color(n), name in instance)
            for n, name in enumerate(tree.leaves, start=1)]


def _instance_leaves(tree: LabelTree) -> set[str]:
    found: set[str] = set()

    def walk(nodes: tuple[Any, ...], inherited: bool) -> None:
        for node in nodes:
            flag = inherited or node.instance_label
            if node.is_group:
                walk(node.children, flag)
            elif flag:
                found.add(node.choice)

    walk(tree.nodes, False)
    return found


def max_instances(table: list[SegLabel]) -> int:
    return MAX_INDEX - len(table)


# --- the create params ----------------------------------------------------------------------

def normalize_segment_params(params: Any) -> dict[str, Any]:
    """The params of a segmentation task, checked and normalized (RuleError): attachment (an
    image), labels, annotation_attributes (of instance labels), allow_unlabeled (default
    false), hypothesis, context_attachments; unknown keys kept as sent."""
    if not isinstance(params, dict):
        raise RuleError("", "the task parameters must be a JSON object")
    for key in REFUSED_PARAMS:
        if params.get(key) is not None:
            raise RuleError(key, f"is not supported for {SEGMENT} tasks (they paint a mask)")
    result: dict[str, Any] = {
        "attachment": validate_attachment_url(params.get("attachment"), "attachment"),
        "attachment_type": _attachment_type(params.get("attachment_type")),
    }
    if params.get("context_attachments") is not None:
        result["context_attachments"] = _context_attachments(params["context_attachments"],
                                                             result["attachment"])
    result["labels"] = _labels(params.get("labels"))
    table = label_table(result["labels"])
    instance_labels = {entry.label for entry in table if entry.instance}
    result["annotation_attributes"] = _attributes(params.get("annotation_attributes"),
                                                  instance_labels)
    allow = params.get("allow_unlabeled")
    result["allow_unlabeled"] = False if allow is None else require_bool(allow,
                                                                         "allow_unlabeled")
    if params.get("hypothesis") is not None:
        result["hypothesis"] = normalize_hypothesis(params["hypothesis"], table,
                                                    result["annotation_attributes"])
    for key, value in params.items():
        if key not in KNOWN_PARAMS and value is not None:
            result[key] = copy.deepcopy(value)
    return result


def _attachment_type(value: Any) -> str:
    if value is not None and value != "image":
        raise RuleError("attachment_type", f'must be "image" for a {SEGMENT} task')
    return "image"


def _labels(value: Any) -> list[Any]:
    if value is None:
        raise RuleError("labels", "is required")
    require_list(value, "labels")
    tree = LabelTree.parse(value, "labels")
    if tree.is_empty:
        raise RuleError("labels", "must name at least one label")
    if len(tree.leaves) > MAX_LABELS:
        raise RuleError("labels", f"must hold at most {MAX_LABELS} labels (it has "
                                  f"{len(tree.leaves)})")
    return tree.to_json()


def _attributes(value: Any, instance_labels: set[str]) -> dict[str, Any]:
    """Attributes describe instances: a task without instance labels has none, and a global
    attribute has nothing to attach to."""
    path = "annotation_attributes"
    if value is None:
        return {}
    if require_dict(value, path) and not instance_labels:
        raise RuleError(path, "describe the instances of instance labels; this task has no "
                              "instance label (LabelDescription with instance_label: true)")
    defs = validate_attribute_definitions(value, instance_labels, path)
    for attr_id, definition in defs.items():
        if (definition.get("conditions") or {}).get("is_global"):
            raise RuleError(join(path, attr_id), f"cannot be global on a {SEGMENT} task: "
                                                 "attributes describe instances")
    return defs


# --- the hypothesis -------------------------------------------------------------------------

def normalize_hypothesis(value: Any, table: list[SegLabel], defs: dict[str, Any],
                         path: str = "hypothesis") -> dict[str, Any]:
    """Scale's segmentation hypothesis: {labelMapping: {label: {index} | [{index,
    attributes?}, ...]}, annotations: {combined: {indexedImage: URL of an 8-bit PNG}}}
    (also a gold task's expected response, `path` naming it)."""
    require_dict(value, path)
    url = _hypothesis_url(value, path)
    mapping_path = join(path, "labelMapping")
    given = require_dict(value.get("labelMapping"), mapping_path)
    by_name = {entry.label: entry for entry in table}
    seen: dict[int, str] = {}
    mapping: dict[str, Any] = {}
    for name, item in given.items():
        item_path = join(mapping_path, name)
        entry = by_name.get(name)
        if entry is None:
            raise RuleError(item_path, "is not one of the task's labels")
        if entry.instance:
            mapping[name] = [_mapped_instance(it, join(item_path, n), seen, name, defs)
                             for n, it in enumerate(require_list(item, item_path))]
        elif isinstance(item, list):
            raise RuleError(item_path, "must be an object {index}: only instance labels map "
                                       "to a list of instances")
        else:
            mapping[name] = {"index": _mapped_index(require_dict(item, item_path), item_path,
                                                    seen, name)}
    count = sum(len(v) for v in mapping.values() if isinstance(v, list))
    if count > max_instances(table):
        raise RuleError(mapping_path, f"names {count} instances; this task has room for "
                                      f"{max_instances(table)} (255 indices less its labels)")
    return {"labelMapping": mapping, "annotations": {"combined": {"indexedImage": url}}}


def mask_urls(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of the hypothesis mask a (normalized) segmentation task names."""
    hypothesis = params.get("hypothesis")
    annotations = hypothesis.get("annotations") if isinstance(hypothesis, dict) else None
    combined = annotations.get("combined") if isinstance(annotations, dict) else None
    url = combined.get("indexedImage") if isinstance(combined, dict) else None
    return [("hypothesis.annotations.combined.indexedImage", url)] if isinstance(url, str) \
        else []


def _hypothesis_url(value: dict[str, Any], path: str) -> str:
    annotations = require_dict(value.get("annotations"), join(path, "annotations"))
    combined_path = join(path, "annotations.combined")
    combined = require_dict(annotations.get("combined"), combined_path)
    return validate_attachment_url(combined.get("indexedImage"),
                                   join(combined_path, "indexedImage"))


def _mapped_index(item: dict[str, Any], path: str, seen: dict[int, str], name: str) -> int:
    index = require_int(item.get("index"), join(path, "index"), minimum=1, maximum=MAX_INDEX)
    if index in seen:
        raise RuleError(join(path, "index"), f"{index} is already {seen[index]}'s")
    seen[index] = name
    return index


def _mapped_instance(item: Any, path: str, seen: dict[int, str], name: str,
                     defs: dict[str, Any]) -> dict[str, Any]:
    require_dict(item, path)
    clean: dict[str, Any] = {"index": _mapped_index(item, path, seen, name)}
    if item.get("attributes") is not None:
        clean["attributes"] = instance_attributes(item["attributes"], name, defs,
                                                  join(path, "attributes"),
                                                  check_required=False)
    return clean


def hypothesis_translation(hypothesis: dict[str, Any], table: list[SegLabel]) -> tuple[
        dict[int, int], list[dict[str, Any]]]:
    """How a hypothesis mask's values become the task's indices: {value in the file: index},
    and the instances it creates (index N+1.. in the order of its labelMapping)."""
    by_name = {entry.label: entry for entry in table}
    values: dict[int, int] = {}
    instances: list[dict[str, Any]] = []
    next_index = len(table) + 1
    for name, item in (hypothesis.get("labelMapping") or {}).items():
        if isinstance(item, list):
            for instance in item:
                values[instance["index"]] = next_index
                instances.append({"index": next_index, "label": name,
                                  "attributes": instance.get("attributes") or {}})
                next_index += 1
        else:
            values[item["index"]] = by_name[name].index
    return values, instances


# --- instances ------------------------------------------------------------------------------

def instance_attributes(value: Any, label: str, defs: dict[str, Any], path: str, *,
                        check_required: bool) -> dict[str, Any]:
    return validate_attribute_values(value, defs, label=label, uuid_labels={}, own_uuid=None,
                                     path=path, check_required=check_required)


def check_instance(item: Any, table: list[SegLabel], defs: dict[str, Any], path: str, *,
                   check_required: bool) -> dict[str, Any]:
    """One instance {index, label, attributes?}: an index above the labels', a label that is
    an instance label."""
    require_dict(item, path)
    first = len(table) + 1
    index = require_int(item.get("index"), join(path, "index"), minimum=first,
                        maximum=MAX_INDEX)
    label = item.get("label")
    instance_labels = [entry.label for entry in table if entry.instance]
    if label not in instance_labels:
        raise RuleError(join(path, "label"), "must be one of the instance labels: "
                        + (", ".join(instance_labels) or "(the task has none)"))
    return {"index": index, "label": label,
            "attributes": instance_attributes(item.get("attributes"), label, defs,
                                              join(path, "attributes"),
                                              check_required=check_required)}


def check_instances(value: Any, table: list[SegLabel], defs: dict[str, Any], path: str, *,
                    check_required: bool) -> list[dict[str, Any]]:
    """A list of instances, each index once."""
    items = [] if value is None else require_list(value, path)
    clean: list[dict[str, Any]] = []
    seen: set[int] = set()
    for n, item in enumerate(items):
        instance = check_instance(item, table, defs, join(path, n),
                                  check_required=check_required)
        if instance["index"] in seen:
            raise RuleError(join(join(path, n), "index"), f"{instance['index']} is named twice")
        seen.add(instance["index"])
        clean.append(instance)
    return clean


def paintable_indices(table: list[SegLabel], instances: list[dict[str, Any]]) -> set[int]:
    """The indices a mask may hold: 0, the labels that are not instance labels (an instance
    label's pixels belong to its instances), and the instances."""
    return ({0} | {entry.index for entry in table if not entry.instance}
            | {int(item["index"]) for item in instances})


def index_refusal(index: int, table: list[SegLabel]) -> str:
    """Why a mask may not hold `index`."""
    for entry in table:
        if entry.index == index and entry.instance:
            return (f"index {index} is the instance label {entry.label}: paint one of its "
                    "instances")
    return f"index {index} is neither a label's nor an instance's"
