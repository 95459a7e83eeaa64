"""Cutting a stored image into its tile pyramid (tasks/tiles.py says what a pyramid is).

libvips (pyvips) reads the image once, top to bottom, and keeps only the strips each level
needs, so the worker's peak stays under tiles.PEAK_BYTES whatever the image's size up to the
pixel limit of tasks/images.py (Pillow decoded the whole image: a 20,000 × 20,000 PNG took
the worker to 2 GB). Only the decoder of the image's own, already checked, format sees the
bytes. A build is atomic for the page: tiles go to a new folder, the manifest naming it is
written last, and the folders of earlier or interrupted builds are removed after it.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tasks.images import MAX_PIXELS

TILE_SIZE = 512
QUALITY = 85

LOADERS = {"image/png": "pngload", "image/jpeg": "jpegload", "image/webp": "webpload",
           "image/gif": "gifload", "image/tiff": "tiffload"}
MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
         (b"RIFF", "image/webp"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))
# One build at a time in a worker process, whose job slots run in threads: the peak is one
# build's.
_ONE_AT_A_TIME = threading.Lock()
EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp", ".gif": "image/gif", ".tif": "image/tiff",
              ".tiff": "image/tiff"}


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


def level_count(width: int, height: int, tile_size: int) -> int:
    """Levels from full size down to the first that fits in one tile."""
    return max(1, math.ceil(math.log2(max(width, height) / tile_size)) + 1)


def tile_name(task_id: str, build: str, level: int, x: int, y: int) -> str:
    return f"tiles/{task_id}/{build}/{level}/{x}_{y}.jpg"


def cut(task_id: str, image_name: str, mime_type: str = ""):
    """Write the pyramid's tiles to a new build folder; the Pyramid, without its manifest."""

    with _ONE_AT_A_TIME:
        return _cut(task_id, image_name, mime_type)


def _cut(task_id: str, image_name: str, mime_type: str):
    work = tempfile.mkdtemp(prefix="annotator-tiles-")
    try:
        mime = mime_type or EXTENSIONS.get(os.path.splitext(image_name)[1].lower(), "")
        image = _open(_local_copy(image_name, work), mime)
        width, height = image.width, image.height
        size = TILE_SIZE
        pyramid = Pyramid(width, height, size, level_count(width, height, size),
                                secrets.token_hex(4))
        # DeepZoom layout: its level N is the full size, each level below halved (rounding
        # up, as ours) and tiles cut at the edges: our level k is its level N - k.
        image.dzsave(os.path.join(work, "p"), layout="dz", tile_size=size, overlap=0,
                     depth="onepixel", suffix=f".jpg[Q={QUALITY},strip]")
        top = math.ceil(math.log2(max(width, height))) if max(width, height) > 1 else 0
        for level in range(pyramid.levels):
            _store_level(os.path.join(work, "p_files", str(top - level)), task_id, pyramid,
                         level)
        return pyramid
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _local_copy(image_name: str, work: str) -> str:
    """A path libvips can read: the stored file itself, or a copy in `work` (a bucket)."""
    try:
        return default_storage.path(image_name)
    except NotImplementedError:
        target = os.path.join(work, "source")
        with default_storage.open(image_name, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        return target


def _open(path: str, mime_type: str):
    """The image as 8-bit sRGB without alpha, read in one pass (sequential access)."""
    import pyvips

    pyvips.cache_set_max(0)  # nothing of one build kept for the next
    # one libvips thread: its buffers, hence the peak, do not grow with the machine's load
    pyvips.concurrency_set(1)
    loader = LOADERS.get(mime_type) or _sniffed_loader(path)
    if loader is None:
        raise ValueError(f"no tile loader for {mime_type or 'this file'}")
    image = getattr(pyvips.Image, loader)(path, access="sequential", fail=True)
    if image.width * image.height > MAX_PIXELS:
        raise ValueError(f"{image.width}×{image.height} is over the pixel limit")
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.bands > 3:
        image = image.extract_band(0, n=3)
    return image


def _sniffed_loader(path: str) -> str | None:
    """Our loader for the file's format, from its first bytes (the attachment worker checked
    the file with Pillow already; this only picks the decoder)."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    for magic, mime in MAGIC:
        if head.startswith(magic) and (mime != "image/webp" or head[8:12] == b"WEBP"):
            return LOADERS[mime]
    return None


def _store_level(folder: str, task_id: str, pyramid, level: int) -> None:
    for entry in os.scandir(folder):
        x, y = entry.name.split(".")[0].split("_")
        with open(entry.path, "rb") as handle:
            default_storage.save(tile_name(task_id, pyramid.build, level, int(x), int(y)),
                                 ContentFile(handle.read()))


def remove_orphans(task_id: str, keep: str) -> int:
    """Delete the task's tile folders other than `keep` (earlier builds, or one a killed
    worker left half-written). Returns how many files went."""
    root = f"tiles/{task_id}"
    try:
        folders, _ = default_storage.listdir(root)
    except (OSError, NotImplementedError):
        return 0
    return sum(_delete_tree(f"{root}/{folder}") for folder in folders if folder != keep)


def _delete_tree(prefix: str) -> int:
    folders, names = default_storage.listdir(prefix)
    removed = 0
    for name in names:
        default_storage.delete(f"{prefix}/{name}")
        removed += 1
    for folder in folders:
        removed += _delete_tree(f"{prefix}/{folder}")
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(prefix))  # file-system storage keeps empty folders
    return removed
