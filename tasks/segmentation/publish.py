"""A segmentation task's response: the submit checked, the files written, the response that
points at them (docs/segmentation.md "Submit" and "Response").

A submit is {"mask": base64 PNG (8-bit gray, W x H), "instances": [{index, label,
attributes}]}. The files are written to the default storage once per completion and served to
the owning account as /v1/task/<id>/files/<name> (tasks/api/views_video.py); the mask itself
(indexedImage.png) is what review, rework, exports and quality read (masks.load_indexed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tasks.models import Task
from tasks.rules.errors import RuleError
from tasks.rules.segmentation import (
    SegLabel,
    check_instances,
    index_refusal,
    label_table,
    paintable_indices,
)
from tasks.rules.values import require_dict
from tasks.segmentation import masks, response_files
from tasks.video_response import file_url

# The key of a checked response that carries the decoded mask to publish_response.
CHECKED = "segmentation"


@dataclass(frozen=True)
class CheckedMask:
    mask: np.ndarray
    instances: list[dict]


def table_of(task: Task) -> list[SegLabel]:
    return label_table((task.params or {}).get("labels") or [])


def check_submit(task: Task, payload: object) -> dict:
    """A tasker's submit checked (RuleError): the mask's size, its indices, its unlabeled
    pixels unless the task allows them, the instances and their attributes."""
    body = require_dict(payload, "response")
    params = task.params or {}
    table = table_of(task)
    if isinstance(body.get(CHECKED), CheckedMask):  # decoded already (a consensus merge)
        merged: CheckedMask = body[CHECKED]
        check_mask(merged.mask, task, table, merged.instances, "response.mask",
                   allow_unlabeled=bool(params.get("allow_unlabeled")))
        return body
    instances = check_instances(body.get("instances"), table,
                                params.get("annotation_attributes") or {},
                                "response.instances", check_required=True)
    mask = decoded(body.get("mask"), "response.mask")
    check_mask(mask, task, table, instances, "response.mask",
               allow_unlabeled=bool(params.get("allow_unlabeled")))
    return {"annotations": [], CHECKED: CheckedMask(mask, instances)}


def decoded(value: Any, path: str) -> np.ndarray:
    if value is None:
        raise RuleError(path, "is required: the mask as a base64 PNG (8-bit gray, one index "
                              "per pixel)")
    try:
        return masks.decode_base64_png(value)
    except masks.MaskError as exc:
        raise RuleError(path, str(exc)) from exc


def check_mask(mask: np.ndarray, task: Task, table: list[SegLabel], instances: list[dict],
               path: str, *, allow_unlabeled: bool = True) -> np.ndarray:
    """The mask fits the task's image and holds only indices it may; returns its counts."""
    size = (task.attachment_height, task.attachment_width)
    if size[0] and size[1] and mask.shape != size:
        raise RuleError(path, f"is {mask.shape[1]} x {mask.shape[0]} pixels; the image is "
                              f"{size[1]} x {size[0]}")
    counts = masks.index_counts(mask)
    allowed = paintable_indices(table, instances)
    for index in np.flatnonzero(counts):
        if int(index) not in allowed:
            raise RuleError(path, f"{index_refusal(int(index), table)} "
                                  f"({int(counts[index])} pixels)")
    if not allow_unlabeled and counts[0]:
        raise RuleError(path, f"leaves {int(counts[0])} pixels unlabeled: every pixel must "
                              "carry a label on this task")
    return counts


def publish(task: Task, response: dict, *, base_url: str = "") -> dict:
    """Write the files of a checked response; the task's response, Scale's shape."""
    checked = response.get(CHECKED)
    if not isinstance(checked, CheckedMask):
        return response  # already published (a response stored as it was)
    return write_files(task, checked.mask, checked.instances, base_url)


def write_files(task: Task, mask: np.ndarray, instances: list[dict], base_url: str) -> dict:
    built = response_files.build(mask, table_of(task), instances)
    for name, data in built.files.items():
        masks.write(masks.response_name(task.task_id, name), data)
    return _with_urls(built.response, task, base_url)


def _with_urls(value: Any, task: Task, base_url: str) -> Any:
    """The built response with each file name made its URL."""
    if isinstance(value, str) and value.endswith(".png"):
        return file_url(task, value, base_url)
    if isinstance(value, dict):
        return {key: item if key == "labelMapping" else _with_urls(item, task, base_url)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_with_urls(item, task, base_url) for item in value]
    return value


def file_names(task: Task) -> set[str]:
    """The names of the files a task's response points at."""
    names: set[str] = set()
    _collect((task.response or {}).get("annotations") if isinstance(task.response, dict)
             else None, names)
    return names


def _collect(value: Any, names: set[str]) -> None:
    if isinstance(value, str):
        names.add(value.rsplit("/", 1)[-1])
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, names)
    elif isinstance(value, list):
        for item in value:
            _collect(item, names)
