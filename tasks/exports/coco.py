"""COCO object detection JSON (with keypoints for points).

* images: id, file_name, width, height (0 when unknown: reported), plus `scale_task_id` and,
  when the response has them, `global_attributes` and `links` (Scale uuids).
* categories: the leaf labels (see `tasks.exports.labels`); a label used by points also has
  `keypoints: [label]` and `skeleton: []`.
* annotations: `bbox` [x, y, w, h] (axis-aligned), `segmentation` (one polygon), `area`,
  `iscrowd` 0, and `scale_uuid`, `scale_type`, `attributes`. Per type:
  - box: its 4 corners; rotated boxes keep `rotation` (radians) and `bbox` bounds the corners;
  - polygon: its vertices, area by the shoelace formula;
  - line: the degenerate polygon along it and back (area 0), vertices in `scale_vertices`;
  - ellipse: a 32-point polygon through its 4 extreme vertices (kept in `scale_vertices`);
  - cuboid: the convex hull of its 6 vertices; vertices, edges and 3D fields under `cuboid`;
  - point: a one-keypoint instance `keypoints: [x, y, 2]`, `num_keypoints` 1, bbox [x, y, 0, 0].
* a segmentation task's mask (tasks/exports/mask_items.py): one annotation per label present,
  `iscrowd` 1, and one per instance, `iscrowd` 0, each with `segmentation` an uncompressed RLE
  (`{"size": [h, w], "counts": [...]}`), `area` its pixel count, `scale_type` "segmentation" or
  "instance", `scale_index` its index in the mask. With the option `instances=polygons`
  an instance's `segmentation` is its outline's polygons instead (tasks/exports/polygons.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson
from django.utils import timezone

from tasks.exports import mask_items, shapes
from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem

MEDIA_TYPE = "application/json"
EXTENSION = "json"
NEEDS_IMAGES = True
COMMON_KEYS = {"uuid", "type", "label", "attributes"}
CONVERSIONS = {
    "line": "written as a zero-area polygon along the line and back (vertices kept in "
            "scale_vertices)",
    "ellipse": f"written as a {shapes.ELLIPSE_SAMPLES}-point polygon (its 4 vertices kept in "
               "scale_vertices)",
    "cuboid": "written as the polygon of its convex hull (vertices, edges and 3D fields kept "
              "under cuboid)",
    "point": "written as a one-keypoint instance of its label's category",
}


def write(items: Iterable[ExportItem], categories: Categories, out: IO[bytes],
          report: ExportReport, *, instances: str = "rle") -> None:
    """`instances` (tasks/exports/options.py): "rle" or "polygons", how a segmentation
    task's instances are written."""
    images: list[dict] = []
    annotations: list[dict] = []
    keypoint_labels: set[str] = set()
    for image_id, item in enumerate(items, start=1):
        images.append(_image(image_id, item, report))
        if mask_items.has_mask(item):
            mask = mask_items.load(item, report)
            found = [] if mask is None else mask_items.coco_annotations(
                item, mask, categories, report, polygons=instances == "polygons")
            annotations += [{"id": len(annotations) + n, "image_id": image_id, **entry}
                            for n, entry in enumerate(found, start=1)]
            continue
        for ann in item.annotations:
            entry = _annotation(ann, item, categories, report)
            if entry is None:
                continue
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, **entry})
            if ann["type"] == "point":
                keypoint_labels.add(categories.names[entry["category_id"] - 1])
    doc: dict[str, Any] = {
        "info": {"description": "annotator export", "version": "1.0",
                 "date_created": timezone.now().isoformat(), "export_report": None},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": _categories(categories, keypoint_labels),
    }
    report.files = 1
    doc["info"]["export_report"] = report.summary()
    out.write(orjson.dumps(doc))


def _image(image_id: int, item: ExportItem, report: ExportReport) -> dict:
    report.images += 1
    if not item.has_size:
        report.note(item.task.task_id, "image size", "unknown: width and height written as 0")
    image = {"id": image_id, "file_name": item.file_name, "width": item.width or 0,
             "height": item.height or 0, "scale_task_id": item.task.task_id}
    for key in ("global_attributes", "links"):
        if key in item.response:
            image[key] = item.response[key]
    return image


def _categories(categories: Categories, keypoint_labels: set[str]) -> list[dict]:
    result = []
    for index, name in enumerate(categories.names):
        entry = {"id": index + 1, "name": name,
                 "supercategory": categories.supercategory.get(name, "")}
        if name in keypoint_labels:
            entry.update(keypoints=[name], skeleton=[])
        result.append(entry)
    return result


def _annotation(ann: dict, item: ExportItem, categories: Categories,
                report: ExportReport) -> dict | None:
    kind = ann.get("type")
    task_id, uuid = item.task.task_id, ann.get("uuid")
    entry = _point(ann) if kind == "point" else _shape(ann)
    if entry is None:
        report.note(task_id, f"{kind} annotation", "dropped: unknown type or broken geometry",
                    uuid)
        return None
    if kind in CONVERSIONS:
        report.note(task_id, kind, CONVERSIONS[kind], uuid)
    elif kind == "box" and shapes.is_rotated(ann):
        report.note(task_id, "rotated box", "bbox is axis-aligned; its 4 corners are the "
                    "segmentation and rotation is kept", uuid)
    report.wrote(str(kind))
    return {"category_id": categories.coco_id(ann.get("label")), "iscrowd": 0, **entry,
            "scale_uuid": uuid, "scale_type": kind, "attributes": ann.get("attributes") or {}}


def _shape(ann: dict) -> dict | None:
    if ann["type"] == "box" and not shapes.is_rotated(ann):
        upright = _upright_box(ann)
        if upright is not None:
            return upright
    outline = shapes.outline(ann)
    if not outline:
        return None
    x0, y0, x1, y1 = shapes.bounds(outline)
    kind = ann["type"]
    entry: dict = {"bbox": [x0, y0, x1 - x0, y1 - y0], "segmentation": [shapes.flat(outline)],
                   "area": 0.0 if kind == "line" else shapes.shoelace(outline)}
    if kind == "box" and shapes.is_rotated(ann):
        entry["rotation"] = ann["rotation"]
    elif kind in ("line", "ellipse"):
        entry["scale_vertices"] = ann["vertices"]
    elif kind == "cuboid":
        entry["cuboid"] = {k: v for k, v in ann.items() if k not in COMMON_KEYS}
    return entry


def _upright_box(ann: dict) -> dict | None:
    """An unrotated box straight from its numbers: no trigonometry, no corner dicts (the
    general path was most of a 10,000-task export's time)."""
    try:
        x, y, w, h = (float(ann["left"]), float(ann["top"]), float(ann["width"]),
                      float(ann["height"]))
    except (KeyError, TypeError, ValueError):
        return None
    if not (w > 0 and h > 0):
        return None  # the general path decides what a degenerate box becomes
    right, bottom = x + w, y + h
    return {"bbox": [x, y, w, h], "segmentation": [[x, y, right, y, right, bottom, x, bottom]],
            "area": w * h}


def _point(ann: dict) -> dict | None:
    try:
        x, y = float(ann["x"]), float(ann["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return {"bbox": [x, y, 0.0, 0.0], "segmentation": [], "area": 0.0,
            "keypoints": [x, y, 2], "num_keypoints": 1}
