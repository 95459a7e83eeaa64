"""What the export formats read of a task whose answer is a mask (docs/segmentation.md
"Exports"): whether an item has one, the mask itself, and its COCO annotations.

A segmentation response names files (`annotations.combined.indexedImage`) and maps labels to
indices (`labelMapping`: {label: {index, color}} or, for an instance label, a list of them);
the mask is read from storage (tasks/segmentation/masks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem

if TYPE_CHECKING:  # numpy is loaded by an export of masks only (docs/quality.md#memory)
    import numpy as np


def has_mask(item: ExportItem) -> bool:
    annotations = item.response.get("annotations")
    return (isinstance(item.response.get("labelMapping"), dict)
            and isinstance(annotations, dict) and isinstance(annotations.get("combined"), dict))


def load(item: ExportItem, report: ExportReport) -> np.ndarray | None:
    """The item's mask, or None (reported) when its file is gone."""
    from tasks.segmentation import masks

    try:
        return masks.load_indexed(item.task)
    except (masks.MaskMissing, masks.MaskError):
        report.note(item.task.task_id, "mask", "dropped: its file is not stored")
        return None


def entries(mapping: dict[str, Any]) -> Iterator[tuple[str, dict, bool]]:
    """(label, {index, color, attributes?}, is an instance) of a labelMapping."""
    for label, item in mapping.items():
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict) and isinstance(entry.get("index"), int):
                yield label, entry, isinstance(item, list)


def coco_annotations(item: ExportItem, mask: np.ndarray, categories: Categories,
                     report: ExportReport, *, polygons: bool = False) -> list[dict]:
    """One COCO annotation per semantic label present (`iscrowd` 1: a region, not an object)
    and per instance (`iscrowd` 0), each an RLE of its pixels; with `polygons`, an instance's
    `segmentation` is its outline's polygons instead (tasks/exports/polygons.py), its `area`
    and `bbox` still the pixels'."""
    import numpy as np

    from tasks.exports import rle

    found = []
    for label, entry, instance in entries(item.response["labelMapping"]):
        where = mask == entry["index"]
        area = int(np.count_nonzero(where))
        if not area:
            continue
        shape = (_polygons(item, entry["index"], where, report) if instance and polygons
                 else rle.encode(where))
        found.append({"category_id": categories.coco_id(label), "iscrowd": 0 if instance else 1,
                      "segmentation": shape, "area": float(area),
                      "bbox": rle.bbox(where), "scale_type": "instance" if instance else
                      "segmentation", "scale_index": entry["index"],
                      "attributes": entry.get("attributes") or {}})
        report.wrote("instance" if instance else "segmentation")
    return found


def _polygons(item: ExportItem, index: int, where: np.ndarray,
              report: ExportReport) -> list[list[float]]:
    from tasks.exports import polygons

    outlines, filled = polygons.trace(where)
    if filled:
        report.note(item.task.task_id, f"instance {index}", "its holes filled: a COCO polygon "
                    "has none (instances=rle keeps the exact pixels)")
    return outlines
