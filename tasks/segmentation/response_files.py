"""The files of a segmentation response, built from its mask (docs/segmentation.md
"Response"). Pure numpy and Pillow: `build` returns the PNG bytes by file name and the
response that names them; tasks/segmentation/publish.py stores them.

* image.png: RGBA in the label colours, transparent where unlabeled;
* indexedImage.png: 8-bit gray, the index of each pixel (0 = unlabeled);
* extendedIndexedImage.png: RGBA, the index over R, G, B (R least significant), A = 255;
* labeled-<index>.png: one per label (and per instance), the label's colour where it is,
  transparent elsewhere: a 1-bit palette PNG with a transparent entry (Pillow's
  `.convert("RGBA")` gives the 4-channel image), which keeps 50 of them fast to write;
* unlabeled.png: the same, white where a pixel is unlabeled (none when every pixel is).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from tasks.rules.segmentation import SegLabel, color, rgb
from tasks.segmentation.codec import encode_png, index_counts, one_bit_png, save_png

COMBINED = "image.png"
# the mask itself, from which review, rework, exports and quality read (masks.load_indexed)
INDEXED = "indexedImage.png"
EXTENDED = "extendedIndexedImage.png"
UNLABELED = "unlabeled.png"
# Pillow encodes with the GIL released: the big images are written side by side.
WORKERS = 2


@dataclass(frozen=True)
class Built:
    files: dict[str, bytes]
    response: dict[str, Any]  # URLs as file names; the caller makes them URLs


def labeled_name(index: int) -> str:
    return f"labeled-{index}.png"


def build(mask: np.ndarray, table: list[SegLabel], instances: list[dict]) -> Built:
    """Every file of the response and its labelMapping / annotations (with file names)."""
    counts = index_counts(mask)
    kept = [item for item in instances if counts[item["index"]]]
    jobs: dict[str, Callable[[], bytes]] = {
        COMBINED: lambda: combined_image(mask, table, kept),
        INDEXED: lambda: encode_png(mask),
        EXTENDED: lambda: extended_image(mask),
    }
    for index, hex_color in _colors(table, kept).items():
        jobs[labeled_name(index)] = _mask_job(mask, index, hex_color)
    if counts[0]:
        jobs[UNLABELED] = _mask_job(mask, 0, "#ffffff")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        files = {name: future.result() for name, future in futures.items()}
    return Built(files, _response(table, kept, bool(counts[0])))


def _mask_job(mask: np.ndarray, index: int, hex_color: str) -> Callable[[], bytes]:
    return lambda: single_mask(mask == index, hex_color)


def _colors(table: list[SegLabel], instances: list[dict]) -> dict[int, str]:
    found = {entry.index: entry.color for entry in table if not entry.instance}
    found.update({item["index"]: color(item["index"]) for item in instances})
    return found


def _response(table: list[SegLabel], instances: list[dict], unlabeled: bool) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    labeled: dict[str, Any] = {}
    for entry in table:
        if entry.instance:
            mine = [item for item in instances if item["label"] == entry.label]
            mapping[entry.label] = [_instance_entry(item) for item in mine]
            labeled[entry.label] = [labeled_name(item["index"]) for item in mine]
        else:
            mapping[entry.label] = {"index": entry.index, "color": entry.color}
            labeled[entry.label] = labeled_name(entry.index)
    return {"labelMapping": mapping,
            "annotations": {"combined": {"image": COMBINED, "indexedImage": INDEXED,
                                         "extendedIndexedImage": EXTENDED},
                            "labeled": labeled,
                            "unlabeled": UNLABELED if unlabeled else None}}


def _instance_entry(item: dict) -> dict[str, Any]:
    entry: dict[str, Any] = {"index": item["index"], "color": color(item["index"])}
    if item.get("attributes"):
        entry["attributes"] = item["attributes"]
    return entry


def palette(table: list[SegLabel], instances: list[dict]) -> np.ndarray:
    """(256, 4) uint8: the RGBA of each index; 0 and unused indices transparent."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    for index, hex_color in _colors(table, instances).items():
        lut[index] = (*rgb(hex_color), 255)
    return lut


def combined_image(mask: np.ndarray, table: list[SegLabel], instances: list[dict]) -> bytes:
    """RGBA in the label colours: the mask as a palette image, converted by Pillow (in C)."""
    lut = palette(table, instances)
    image = Image.fromarray(mask, mode="P")
    image.putpalette(lut.ravel().tobytes(), rawmode="RGBA")
    return save_png(image.convert("RGBA"))


def extended_image(mask: np.ndarray) -> bytes:
    """RGBA whose R, G, B hold the index (R least significant; an 8-bit index leaves G and B
    at 0) and A is opaque."""
    height, width = mask.shape
    zero = Image.new("L", (width, height), 0)
    opaque = Image.new("L", (width, height), 255)
    return save_png(Image.merge("RGBA", (Image.fromarray(mask, mode="L"), zero, zero, opaque)))


def single_mask(where: np.ndarray, hex_color: str) -> bytes:
    """The label's colour where `where` holds, transparent elsewhere (a 1-bit palette PNG)."""
    return one_bit_png(where, rgb(hex_color))
