"""YOLO (Ultralytics) labels, as a zip:

    detect/data.yaml, detect/labels/<image stem>.txt     one "class cx cy w h" line per box
    segment/data.yaml, segment/labels/<image stem>.txt   one "class x1 y1 x2 y2 ..." per shape
    images.csv, export_report.json

Coordinates are relative to the image size (0..1) and clipped to the image; classes are the
0-based ids of `tasks.exports.labels`. Boxes go to detect (a rotated box as its axis-aligned
bounds); polygons and ellipses (as 32-point polygons) go to segment. Lines, points, cuboids,
attributes, global attributes and links have no place in YOLO: dropped, and reported. Images
are not included: put them in each `images/` folder under the names in images.csv.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import orjson

from tasks.exports import shapes
from tasks.exports.archive import Archive
from tasks.exports.extras import note_attributes, note_dropped, note_task_fields
from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem

MEDIA_TYPE = "application/zip"
EXTENSION = "zip"
NEEDS_IMAGES = True
TASK_FIELDS = ("global_attributes", "links")
NO_PLACE = {"line": "YOLO has no polylines", "point": "YOLO has no single points",
            "cuboid": "YOLO has no cuboids"}


def write(items: Iterable[ExportItem], categories: Categories, out: IO[bytes],
          report: ExportReport) -> None:
    archive = Archive(out, report)
    for item in items:
        archive.add_image(item)
        note_task_fields(item, report, TASK_FIELDS)
        if not item.has_size:
            report.note(item.task.task_id, "image size",
                        "unknown: no label file written (YOLO coordinates are relative to it)")
            continue
        detect, segment = _lines(item, categories, report)
        archive.add(f"detect/labels/{item.stem}.txt", "".join(detect))
        archive.add(f"segment/labels/{item.stem}.txt", "".join(segment))
    for task in ("detect", "segment"):
        archive.add(f"{task}/data.yaml", data_yaml(categories, task))
    archive.close()


def _lines(item: ExportItem, categories: Categories,
           report: ExportReport) -> tuple[list[str], list[str]]:
    detect: list[str] = []
    segment: list[str] = []
    for ann in item.annotations:
        kind = ann.get("type")
        if kind == "box":
            target, line = detect, _box_line(ann, item, categories, report)
        elif kind in ("polygon", "ellipse"):
            target, line = segment, _shape_line(ann, item, categories, report)
        else:
            note_dropped(ann, item, report, NO_PLACE.get(str(kind), "unknown type"))
            continue
        if line is not None:
            target.append(line)
            note_attributes(ann, item, report)
    return detect, segment


def _box_line(ann: dict, item: ExportItem, categories: Categories,
              report: ExportReport) -> str | None:
    outline = shapes.outline(ann)
    if outline is None:
        note_dropped(ann, item, report, "broken geometry")
        return None
    x0, y0, x1, y1 = shapes.bounds(outline)
    w, h = item.size
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if cx1 <= cx0 or cy1 <= cy0:
        note_dropped(ann, item, report, "outside the image")
        return None
    if shapes.is_rotated(ann):
        report.note(item.task.task_id, "rotated box", "written as its axis-aligned bounds",
                    ann.get("uuid"))
    if (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1):
        report.note(item.task.task_id, "box outside the image", "clipped", ann.get("uuid"))
    report.wrote("box")
    numbers = ((cx0 + cx1) / 2 / w, (cy0 + cy1) / 2 / h, (cx1 - cx0) / w, (cy1 - cy0) / h)
    return _line(categories.index(ann.get("label")), numbers)


def _shape_line(ann: dict, item: ExportItem, categories: Categories,
                report: ExportReport) -> str | None:
    outline = shapes.outline(ann)
    if outline is None:
        note_dropped(ann, item, report, "broken geometry")
        return None
    w, h = item.size
    clipped = [(min(max(x, 0), w) / w, min(max(y, 0), h) / h) for x, y in outline]
    if any(not (0 <= x <= w and 0 <= y <= h) for x, y in outline):
        report.note(item.task.task_id, f"{ann['type']} outside the image", "clipped",
                    ann.get("uuid"))
    if ann["type"] == "ellipse":
        report.note(item.task.task_id, "ellipse",
                    f"written as a {shapes.ELLIPSE_SAMPLES}-point polygon", ann.get("uuid"))
    report.wrote(ann["type"])
    return _line(categories.index(ann.get("label")), shapes.flat(clipped))


def _line(class_id: int, numbers: Iterable[float]) -> str:
    return " ".join([str(class_id), *(f"{n:.6f}" for n in numbers)]) + "\n"


def data_yaml(categories: Categories, task: str) -> str:
    """The dataset file; names are JSON-quoted, which YAML reads as double-quoted strings."""
    kind = "boxes" if task == "detect" else "polygons"
    lines = [
        f"# annotator export: YOLO {task} labels ({kind}), relative to each image's size.",
        "# Put the images named in ../images.csv into images/ beside labels/.",
        "train: images",
        "val: images",
        f"nc: {len(categories.names)}",
        "names:" if categories.names else "names: {}",
    ]
    lines += [f"  {i}: {orjson.dumps(name).decode()}" for i, name in enumerate(categories.names)]
    return "\n".join(lines) + "\n"
