"""Cutting a stored image into its tile pyramid (tasks/tiles.py says what a pyramid is).

libvips (pyvips) reads the image once, top to bottom, and keeps only the strips each level
needs, so the cut's peak stays under tiles.PEAK_BYTES whatever the image's size up to the
pixel limit of tasks/images.py (Pillow decoded the whole image: a 20,000 × 20,000 PNG took
the worker to 2 GB). The cut runs in a short-lived process of its own (tasks/tile_cut.py):
its peak goes back to the system when it exits, and libvips never loads into the process
that runs the jobs. Only the decoder of the image's own, already checked, format sees the
bytes. A build is atomic for the page: tiles go to a new folder, the manifest naming it is
written last, and the folders of earlier or interrupted builds are removed after it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tasks import tile_cut
from tasks.images import MAX_PIXELS

logger = logging.getLogger("annotator.tiles")
_ROOT = Path(__file__).resolve().parents[1]  # where `python -m tasks.tile_cut` finds it
CUT_SECONDS = 1800  # a 20,000 × 20,000 PNG takes ~10 s here

TILE_SIZE = 512
QUALITY = 85

# One build at a time in the process that runs the jobs, whose job slots run in threads: the
# peak is one build's.
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
        size = TILE_SIZE
        width, height = _cut_in_child(_local_copy(image_name, work), mime,
                                      os.path.join(work, "p"), size)
        pyramid = Pyramid(width, height, size, level_count(width, height, size),
                          secrets.token_hex(4))
        # DeepZoom's level N is the full size, each level below halved (rounding up, as
        # ours): our level k is its level N - k.
        top = math.ceil(math.log2(max(width, height))) if max(width, height) > 1 else 0
        for level in range(pyramid.levels):
            _store_level(os.path.join(work, "p_files", str(top - level)), task_id, pyramid,
                         level)
        return pyramid
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cut_in_child(source: str, mime: str, prefix: str, size: int) -> tuple[int, int]:
    """tasks/tile_cut.py on `source`: the image's (width, height). A refused image raises
    ValueError, a failed cut RuntimeError, each with the cut's own message."""
    argv = [sys.executable, "-m", "tasks.tile_cut", source, mime, prefix, str(MAX_PIXELS),
            str(size), str(QUALITY)]
    result = subprocess.run(argv, cwd=_ROOT, capture_output=True, text=True,
                            timeout=CUT_SECONDS, stdin=subprocess.DEVNULL, check=False)
    reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
    if result.returncode == tile_cut.REFUSED:
        raise ValueError(reason)
    if result.returncode != 0:
        how = (f"was killed by {signal.Signals(-result.returncode).name}"
               if result.returncode < 0 else f"exited {result.returncode}")
        raise RuntimeError(f"the tile cut {how}: {reason}")
    found = json.loads(result.stdout)
    logger.info("tile cut of %d×%d px: peak %.0f MiB", found["width"], found["height"],
                found["peak_bytes"] / 2**20)
    return found["width"], found["height"]


def _local_copy(image_name: str, work: str) -> str:
    """A path libvips can read: the stored file itself, or a copy in `work` (a bucket)."""
    try:
        return default_storage.path(image_name)
    except NotImplementedError:
        target = os.path.join(work, "source")
        with default_storage.open(image_name, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        return target


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
