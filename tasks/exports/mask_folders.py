"""PNG mask folders, as segmentation trainers read them (docs/segmentation.md "Exports"):

    masks/indexed/<image stem>.png   8-bit gray: the index of each pixel (0 = unlabeled)
    masks/color/<image stem>.png     RGB: each pixel in its label's (or instance's) colour
    masks/labels/<image stem>.json   the task's labelMapping (Scale's: {label: {index, color}})
    labels.json                      every label of the export: its index and colour
    images.csv, export_report.json

A label's index is the task's (the order of its labels): labels.json gives the first task's
index of each label, and a task whose index differs is reported. Only segmentation tasks carry
masks; the images are not included (images.csv names them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

import orjson
from PIL import Image

from tasks.exports import mask_items
from tasks.exports.archive import Archive
from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem
from tasks.rules.segmentation import rgb

if TYPE_CHECKING:  # numpy is loaded by an export of masks only (docs/quality.md#memory)
    import numpy as np

MEDIA_TYPE = "application/zip"
EXTENSION = "zip"
NEEDS_IMAGES = True
LABELS_NAME = "labels.json"


def write(items: Iterable[ExportItem], categories: Categories | None, out: IO[bytes],
          report: ExportReport) -> None:
    from tasks.segmentation.masks import encode_png

    archive = Archive(out, report)
    labels: dict[str, dict] = {}
    for item in items:
        archive.add_image(item)
        if not mask_items.has_mask(item):
            report.note(item.task.task_id, "task", "dropped: its response holds no mask")
            continue
        mask = mask_items.load(item, report)
        if mask is None:
            continue
        mapping = item.response["labelMapping"]
        archive.add(f"masks/indexed/{item.stem}.png", encode_png(mask))
        archive.add(f"masks/color/{item.stem}.png", color_png(mask, mapping))
        archive.add(f"masks/labels/{item.stem}.json", orjson.dumps(mapping))
        _note_labels(item, mapping, labels, report)
    archive.add(LABELS_NAME, orjson.dumps({"unlabeled": 0, "labels": labels},
                                          option=orjson.OPT_INDENT_2))
    archive.close()


def color_png(mask: np.ndarray, mapping: dict) -> bytes:
    """The mask in its labels' colours (black where unlabeled)."""
    import numpy as np

    from tasks.segmentation.masks import save_png

    lut = np.zeros((256, 3), dtype=np.uint8)
    for _, entry, _ in mask_items.entries(mapping):
        if isinstance(entry.get("color"), str) and 0 < entry["index"] < 256:
            lut[entry["index"]] = rgb(entry["color"])
    return save_png(Image.fromarray(lut[mask], mode="RGB"))


def _note_labels(item: ExportItem, mapping: dict, labels: dict[str, dict],
                 report: ExportReport) -> None:
    for label, entry, instance in mask_items.entries(mapping):
        if instance:
            report.wrote("instance")
            continue
        report.wrote("segmentation")
        known = labels.setdefault(label, {"index": entry["index"], "color": entry.get("color")})
        if known["index"] != entry["index"]:
            report.note(item.task.task_id, f"label {label}",
                        f"index {entry['index']} in this task, {known['index']} in "
                        f"{LABELS_NAME}: see masks/labels/{item.stem}.json")
