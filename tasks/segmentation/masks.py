"""A segmentation task's masks (docs/segmentation.md): the PNG codec of an index mask, where
the masks are stored, and what the rest of the house reads of them.

A mask is a numpy array (H, W) of uint8, one index per pixel, 0 = unlabeled. On disk and on
the wire it is an 8-bit grayscale PNG. Review, rework, exports and quality read a completed
task's mask with `load_indexed(task)` and name its indices with `label_mapping(task)` (Scale's
labelMapping) or `index_labels(task)`.
"""

from __future__ import annotations

from typing import IO, Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tasks.models import Task
from tasks.rules.segmentation import label_table
from tasks.segmentation.codec import (
    COMPRESS_LEVEL,
    MaskError,
    decode_base64_png,
    decode_png,
    encode_png,
    index_counts,
    save_png,
)
from tasks.segmentation.response_files import INDEXED

__all__ = ["COMPRESS_LEVEL", "INDEXED", "MaskError", "MaskMissing", "decode_base64_png",
           "decode_png", "encode_png", "index_counts", "index_labels", "label_mapping",
           "load_indexed", "save_png"]



class MaskMissing(LookupError):
    """The task has no stored mask (not completed, or not a segmentation task)."""


# --- storage --------------------------------------------------------------------------------

def response_name(task_id: str, name: str) -> str:
    """Where a response file of the task is stored (served as /v1/task/<id>/files/<name>)."""
    return f"segmentation/{task_id}/response/{name}"


def draft_name(task_id: str, name: str) -> str:
    """Where a draft's base mask (a hypothesis, a snapshot) is stored."""
    return f"segmentation/{task_id}/draft/{name}"


def write(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(data))


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def read(name: str) -> bytes | None:
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def open_file(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


def load_stored(name: str) -> np.ndarray | None:
    data = read(name)
    return None if data is None else decode_png(data)


# --- what the house reads -------------------------------------------------------------------

def load_indexed(task: Task) -> np.ndarray:
    """The mask of the task's last published response, (H, W) uint8; MaskMissing when there
    is none."""
    mask = load_stored(response_name(task.task_id, INDEXED))
    if mask is None:
        raise MaskMissing(f"task {task.task_id} has no stored mask")
    return mask


def label_mapping(task: Task) -> dict[str, Any]:
    """Scale's labelMapping of the task: its response's (with the instances it has), else
    the labels' own ({label: {index, color}}, an empty list for an instance label)."""
    response = task.response if isinstance(task.response, dict) else {}
    mapping = response.get("labelMapping")
    if isinstance(mapping, dict):
        return mapping
    return {entry.label: [] if entry.instance else {"index": entry.index, "color": entry.color}
            for entry in label_table((task.params or {}).get("labels") or [])}


def index_labels(task: Task) -> dict[int, str]:
    """index -> label name of every index label_mapping(task) names (an instance's index
    names its label)."""
    found: dict[int, str] = {}
    for name, item in label_mapping(task).items():
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict) and isinstance(entry.get("index"), int):
                found[entry["index"]] = name
    return found
