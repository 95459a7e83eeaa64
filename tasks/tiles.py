"""Tile pyramids of large images, built once by the worker and served to the workbench.

An image wider or taller than THRESHOLD pixels is too big for a browser to decode and redraw
whole (20,000 × 20,000 is 1.6 GB of pixels). The attachment worker (tasks/attachments.py) then
cuts it into TILE_SIZE squares at every level of a pyramid: level 0 is the full resolution,
level k the image halved k times (each side rounded up), down to the level that fits in one
tile. The tiles are JPEG files in the default storage under `tiles/<task_id>/<build>/`, with
`tiles/<task_id>/manifest.json` naming the build; GET /tasks/<id>/data announces them
(`announce`) and GET /tasks/<id>/tiles/<level>/<x>_<y>.jpg serves them with the image's access
rule. The page loads only the tiles of the level and area on screen (static/js/lib/tiles.js).

The pyramid is cut by libvips in one pass over the image, within PEAK_BYTES
(tasks/tile_build.py). A build is atomic for the page (manifest last, earlier or half-written
builds removed after it), and a page that finds a large image without a manifest has its
build queued again (`request_build`).
"""

from __future__ import annotations

import logging
import math

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django_tasks import task as job

from tasks import tile_build
from tasks.jobs import queued_args
from tasks.models import Task
from tasks.tile_build import Pyramid, tile_name

logger = logging.getLogger("annotator.tiles")

THRESHOLD = 4096  # px on the longer side: larger images are tiled
# The worker's peak while cutting a 20,000 × 20,000 image stays below this (measured ~200 MiB
# by tests/perf/test_tile_memory.py; one build at a time per worker; docs/deploy.md).
PEAK_BYTES = 512 * 1024 * 1024


def needs_tiles(width: int | None, height: int | None) -> bool:
    if not width or not height:
        return False
    return max(width, height) > THRESHOLD


def manifest_name(task_id: str) -> str:
    return f"tiles/{task_id}/manifest.json"


def build(task_id: str, image_name: str, mime_type: str = "") -> Pyramid:
    """Cut the stored image `image_name` into the task's pyramid and record its manifest.

    Runs in the worker. A new build goes to a new folder and the manifest is written last,
    so the page never sees a half-built pyramid; the folders of earlier or interrupted builds
    are removed once the manifest names the new one."""
    pyramid = tile_build.cut(task_id, image_name, mime_type)
    if default_storage.exists(manifest_name(task_id)):  # a rebuild: the new build wins
        default_storage.delete(manifest_name(task_id))
    default_storage.save(manifest_name(task_id),
                         ContentFile(orjson.dumps(pyramid.as_json())))
    tile_build.remove_orphans(task_id, keep=pyramid.build)
    logger.info("task %s: %d×%d image cut into a %d-level pyramid", task_id, pyramid.width,
                pyramid.height, pyramid.levels)
    return pyramid


@job()
def build_tiles(task_id: str) -> str:
    """Build the pyramid of a task's large image when it has none (see build_for_task)."""
    return build_for_task(task_id)


def request_build(task) -> bool:
    """Queue the build of a large image's missing pyramid (a worker was killed while cutting
    it, or its files were lost), unless one is queued or running. True when queued."""
    if not task.attachment_mime or task.task_id in queued_args(build_tiles,
                                                                include_running=True):
        return False
    build_tiles.enqueue(task.task_id)
    return True


def build_for_task(task_id: str) -> str:
    """The job: build the pyramid of the task's stored image if it still has none."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None or not task.attachment_file or not needs_tiles(
            task.attachment_width, task.attachment_height):
        return "skipped"
    if pyramid_for(task_id) is not None:
        return "exists"
    build(task_id, task.attachment_file.name, task.attachment_mime)
    return "built"


def pyramid_for(task_id: str) -> Pyramid | None:
    name = manifest_name(task_id)
    try:
        with default_storage.open(name, "rb") as handle:
            data = orjson.loads(handle.read())
        return Pyramid(int(data["width"]), int(data["height"]), int(data["tile_size"]),
                       int(data["levels"]), str(data["build"]))
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None


def announce(task, media=None) -> dict | None:
    """The `tiles` entry of the workbench's task data, when the task's image has a pyramid;
    `media`: the task whose pyramid it is (a replica's or a gold copy's parent,
    tasks/quality_flow/media.py), else `task`."""
    if not needs_tiles(task.attachment_width, task.attachment_height):
        return None
    media = media or task
    pyramid = pyramid_for(media.task_id)
    if pyramid is None:
        request_build(media)  # killed mid-build, or lost: cut again
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
