"""Pascal VOC XML, as a zip:

    Annotations/<image stem>.xml, ImageSets/Main/default.txt, labels.txt,
    images.csv, export_report.json

One <object> per box, polygon, ellipse or cuboid, with its <bndbox> in VOC's integer, 1-based
pixel coordinates (the smallest box of whole pixels that contains the shape, clipped to the
image: <truncated>1</truncated> when clipped). A rotated box, polygon, ellipse or cuboid keeps
only its axis-aligned bounds (reported). Attributes go in <attributes> elements (as CVAT
writes them), global attributes under <annotation>. Lines, points and links have no place in
VOC: dropped, and reported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape as _escape

import orjson

from tasks.exports import shapes
from tasks.exports.archive import Archive
from tasks.exports.extras import note_dropped, note_task_fields
from tasks.exports.labels import UNLABELED, Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem

MEDIA_TYPE = "application/zip"
EXTENSION = "zip"
NEEDS_IMAGES = True
NO_PLACE = {"line": "VOC has no polylines", "point": "VOC has no single points"}
BOUNDS_ONLY = {"polygon", "ellipse", "cuboid"}
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write(items: Iterable[ExportItem], categories: Categories, out: IO[bytes],
          report: ExportReport) -> None:
    archive = Archive(out, report)
    stems: list[str] = []
    for item in items:
        archive.add_image(item)
        note_task_fields(item, report, ("links",))
        if not item.has_size:
            report.note(item.task.task_id, "image size",
                        "unknown: written as 0 x 0, boxes not clipped")
        archive.add(f"Annotations/{item.stem}.xml", _document(item, categories, report))
        stems.append(item.stem)
    archive.add("ImageSets/Main/default.txt", "".join(f"{stem}\n" for stem in stems))
    archive.add("labels.txt", "".join(f"{name}\n" for name in categories.names))
    archive.close()


def _document(item: ExportItem, categories: Categories, report: ExportReport) -> str:
    """The XML of one image, built as text (ElementTree is several times slower here)."""
    objects = [_object(ann, item, categories, report) for ann in item.annotations]
    return "".join([
        '<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n',
        "  <folder>JPEGImages</folder>\n",
        f"  <filename>{escape(item.file_name)}</filename>\n",
        "  <source>\n    <database>annotator</database>\n",
        f"    <task_id>{escape(item.task.task_id)}</task_id>\n  </source>\n",
        f"  <size>\n    <width>{item.width or 0}</width>\n    <height>{item.height or 0}</height>"
        "\n    <depth>3</depth>\n  </size>\n",
        "  <segmented>0</segmented>\n",
        *(obj for obj in objects if obj),
        _attributes(item.response.get("global_attributes"), "  "),
        "</annotation>\n",
    ])


def _object(ann: dict, item: ExportItem, categories: Categories, report: ExportReport) -> str:
    kind = ann.get("type")
    if kind not in BOUNDS_ONLY | {"box"}:
        note_dropped(ann, item, report, NO_PLACE.get(str(kind), "unknown type"))
        return ""
    outline = shapes.outline(ann)
    if outline is None:
        note_dropped(ann, item, report, "broken geometry")
        return ""
    box, truncated = _pixel_box(shapes.bounds(outline), item)
    if box is None:
        note_dropped(ann, item, report, "outside the image")
        return ""
    if kind in BOUNDS_ONLY or shapes.is_rotated(ann):
        what = "rotated box" if kind == "box" else str(kind)
        report.note(item.task.task_id, what, "written as its bounding box", ann.get("uuid"))
    categories.index(ann.get("label"))  # the label is listed in labels.txt
    report.wrote(str(kind))
    xmin, ymin, xmax, ymax = box
    return (
        f"  <object>\n    <name>{escape(ann.get('label') or UNLABELED)}</name>\n"
        f"    <pose>Unspecified</pose>\n    <truncated>{int(truncated)}</truncated>\n"
        f"    <difficult>0</difficult>\n    <bndbox>\n      <xmin>{xmin}</xmin>\n"
        f"      <ymin>{ymin}</ymin>\n      <xmax>{xmax}</xmax>\n      <ymax>{ymax}</ymax>\n"
        f"    </bndbox>\n{_attributes(ann.get('attributes'), '    ')}  </object>\n"
    )


def _pixel_box(bounds: tuple[float, float, float, float],
               item: ExportItem) -> tuple[tuple[int, int, int, int] | None, bool]:
    """Whole pixels, 1-based and inclusive, containing the bounds; clipped when the size is
    known. None when nothing is left inside the image."""
    x0, y0, x1, y1 = bounds
    box = [math.floor(x0) + 1, math.floor(y0) + 1, max(math.ceil(x1), math.floor(x0) + 1),
           max(math.ceil(y1), math.floor(y0) + 1)]
    if not item.has_size:
        return (box[0], box[1], box[2], box[3]), False
    w, h = item.size
    clipped = [max(box[0], 1), max(box[1], 1), min(box[2], w), min(box[3], h)]
    if clipped[2] < clipped[0] or clipped[3] < clipped[1]:
        return None, True
    return (clipped[0], clipped[1], clipped[2], clipped[3]), clipped != box


def _attributes(values: object, indent: str) -> str:
    """Attribute values as CVAT writes them: <attributes><attribute><name/><value/>..."""
    if not isinstance(values, dict) or not values:
        return ""
    parts = [f"{indent}<attributes>\n"]
    for name, value in values.items():
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        parts.append(f"{indent}  <attribute><name>{escape(str(name))}</name>"
                     f"<value>{escape(text)}</value></attribute>\n")
    parts.append(f"{indent}</attributes>\n")
    return "".join(parts)


def escape(text: str) -> str:
    """Text for an XML element: markup escaped, characters XML 1.0 forbids left out."""
    return _escape(NOT_IN_XML.sub("", text))
