"""Tile pyramids of large images, built once by the worker and served to the workbench.

An image wider or taller than THRESHOLD pixels is too big for a browser to decode and redraw
whole (20,000 × 20,000 is 1.6 GB of pixels). The attachment worker (tasks/attachments.py) then
cuts it into TILE_SIZE squares at every level of a pyramid: level 0 is the full resolution,
level k the image halved k times (each side rounded up), down to the level that fits in one
tile. The tiles are JPEG files in the default storage under `tiles/<task_id>/<build>/`, with
`tiles/<task_id>/manifest.json` naming the build; GET /tasks/<id>/data announces them
(`announce`) and GET /tasks/<id>/tiles/<level>/<x>_<y>.jpg serves them with the image's access
rule. The page loads only the tiles of the level and area on screen (static/js/lib/tiles.js).

Pillow decodes the whole image once, within the deliberate pixel limit of tasks/images.py
(400 megapixels: a 20,000 × 20,000 RGB image takes 1.2 GB while it is cut).
"""

from __future__ import annotations

import io
import logging
import math
import secrets
import warnings
from dataclasses import dataclass

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from tasks.images import MAX_PIXELS

logger = logging.getLogger("annotator.tiles")

THRESHOLD = 4096  # px on the longer side: larger images are tiled
TILE_SIZE = 512
QUALITY = 85


@dataclass(frozen=True)
class Pyramid:
    width: int
    height: int
    tile_size: int
    levels: int
    build: str

    def as_json(self) -> dict:
        return {"width": self.width, "height": self.height, "tile_size": self.tile_size,
                "levels": self.levels, "build": self.build, "format": "jpg"}


def needs_tiles(width: int | None, height: int | None) -> bool:
    if not width or not height:
        return False
    return max(width, height) > THRESHOLD


def level_count(width: int, height: int, tile_size: int) -> int:
    """Levels from full size down to the first that fits in one tile."""
    return max(1, math.ceil(math.log2(max(width, height) / tile_size)) + 1)


def manifest_name(task_id: str) -> str:
    return f"tiles/{task_id}/manifest.json"


def tile_name(task_id: str, build: str, level: int, x: int, y: int) -> str:
    return f"tiles/{task_id}/{build}/{level}/{x}_{y}.jpg"


def build(task_id: str, image_name: str) -> Pyramid:
    """Cut the stored image `image_name` into the task's pyramid and record its manifest.

    Runs in the worker. A new build goes to a new folder and the manifest is written last,
    so the page never sees a half-built pyramid."""
    with default_storage.open(image_name, "rb") as handle:
        data = handle.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image: Image.Image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width}×{image.height} is over the pixel limit")
        image = image.convert("RGB")
    del data
    width, height = image.size
    pyramid = Pyramid(width, height, TILE_SIZE, level_count(width, height, TILE_SIZE),
                      secrets.token_hex(4))
    for level in range(pyramid.levels):
        if level:
            # reduce(): the mean of each 2 × 2 block, exact and fast (rounding the size up)
            image = image.reduce(2)
        _cut(image, task_id, pyramid, level)
    if default_storage.exists(manifest_name(task_id)):  # a rebuild: the new build wins
        default_storage.delete(manifest_name(task_id))
    default_storage.save(manifest_name(task_id),
                         ContentFile(orjson.dumps(pyramid.as_json())))
    logger.info("task %s: %d×%d image cut into a %d-level pyramid", task_id, width, height,
                pyramid.levels)
    return pyramid


def _cut(image: Image.Image, task_id: str, pyramid: Pyramid, level: int) -> None:
    size = pyramid.tile_size
    for y in range(math.ceil(image.height / size)):
        for x in range(math.ceil(image.width / size)):
            box = (x * size, y * size, min((x + 1) * size, image.width),
                   min((y + 1) * size, image.height))
            out = io.BytesIO()
            image.crop(box).save(out, "JPEG", quality=QUALITY)
            default_storage.save(tile_name(task_id, pyramid.build, level, x, y),
                                 ContentFile(out.getvalue()))


def pyramid_for(task_id: str) -> Pyramid | None:
    name = manifest_name(task_id)
    try:
        with default_storage.open(name, "rb") as handle:
            data = orjson.loads(handle.read())
        return Pyramid(int(data["width"]), int(data["height"]), int(data["tile_size"]),
                       int(data["levels"]), str(data["build"]))
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None


def announce(task) -> dict | None:
    """The `tiles` entry of the workbench's task data, when the task's image has a pyramid."""
    if not needs_tiles(task.attachment_width, task.attachment_height):
        return None
    pyramid = pyramid_for(task.task_id)
    if pyramid is None:
        return None
    template = reverse("task-tile", args=[task.task_id, 0, 0, 0]).replace(
        "/0/0_0.jpg", "/{level}/{x}_{y}.jpg")
    return {"levels": pyramid.levels, "tile_size": pyramid.tile_size,
            "width": pyramid.width, "height": pyramid.height,
            "url_template": f"{template}?v={pyramid.build}"}


def tile_file(task_id: str, level: int, x: int, y: int):
    """The stored tile, opened; None when the task has no such tile."""
    pyramid = pyramid_for(task_id)
    if pyramid is None or not 0 <= level < pyramid.levels:
        return None
    span = pyramid.tile_size * 2 ** level
    if not (0 <= x < math.ceil(pyramid.width / span) and 0 <= y < math.ceil(pyramid.height
                                                                            / span)):
        return None
    try:
        return default_storage.open(tile_name(task_id, pyramid.build, level, x, y), "rb")
    except OSError:
        return None
