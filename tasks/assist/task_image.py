"""The task's image for an assist: its bytes (for a backend) and its pixels as RGB (for the
built-in assists), decoded once and the last two kept (a tasker clicks many times on one
image; docs/assist.md, "Limits").

The image is the worker's stored copy. A tasker may claim an image task before the worker has
stored it: the original is then fetched here as the worker fetches it (tasks/media.py
`fetch_image`: the SSRF-safe fetch, the upload size limit), once per task however many clicks
wait for it, and its bytes are kept like the decoded pixels (the last two)."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage

from tasks import media
from tasks.errors import ApiError
from tasks.models import Task
from tasks.models.files import SCHEME

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# Decoded, an image costs 3 bytes a pixel: above this the assists refuse it (the page shows
# such images as tiles; docs/assist.md).
MAX_PIXELS = 36_000_000
CACHE_SIZE = 2
# The fetch of an original runs in the request: shorter than the worker's 60 s.
ORIGINAL_TIMEOUT_SECONDS = 20.0

_cache: OrderedDict[str, Any] = OrderedDict()
_cache_lock = threading.Lock()
# Originals fetched while the worker's copy is missing, by name ("original:<task id>").
_originals: OrderedDict[str, AssistImage] = OrderedDict()
_fetching: dict[str, threading.Lock] = {}


@dataclass(frozen=True)
class AssistImage:
    """The stored copy `name` (in the default storage) of a task's image, or its original
    fetched (`content`, named "original:<task id>")."""

    name: str
    width: int
    height: int
    mime_type: str
    content: bytes | None = field(default=None, repr=False, compare=False)

    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        with default_storage.open(self.name, "rb") as handle:
            return handle.read()

    def pixels(self) -> NDArray[np.uint8]:
        """(H, W, 3) uint8 RGB, from the cache when one of the last two images."""
        with _cache_lock:
            if self.name in _cache:
                _cache.move_to_end(self.name)
                return _cache[self.name]
        pixels = _decode(self.data())
        with _cache_lock:
            _cache[self.name] = pixels
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return pixels


def for_task(task: Task) -> AssistImage:
    """The image of `task` (its stored copy: a replica's is its parent's; else its original,
    fetched), or an ApiError."""
    if task.attachment_file and task.attachment_width and task.attachment_height:
        return _within_limit(AssistImage(task.attachment_file.name, task.attachment_width,
                                         task.attachment_height, task.attachment_mime or ""))
    return _within_limit(original(task))


def _within_limit(image: AssistImage) -> AssistImage:
    if image.width * image.height > MAX_PIXELS:
        raise ApiError(400, f"The image is too large for assists ({image.width} x "
                            f"{image.height}; at most {MAX_PIXELS:,} pixels).")
    return image


def original(task: Task) -> AssistImage:
    """The task's image before the worker stored it: an upload of the account is read where
    it is, a URL fetched once (concurrent requests wait for that fetch) and kept."""
    url = _attachment_url(task)
    if not url:
        raise ApiError(400, "This task has no image to assist on.")
    if url.startswith(SCHEME):
        try:
            copy = media.copy_attachment(task, url, 0)  # points at the upload, writes nothing
        except media.AttachmentFailure as exc:
            raise ApiError(400, f"The task's image cannot be read: {exc}.") from exc
        return AssistImage(copy.name, copy.width, copy.height, copy.mime_type)
    name = f"original:{task.task_id}"
    with _cache_lock:
        if name in _originals:
            _originals.move_to_end(name)
            return _originals[name]
        lock = _fetching.setdefault(name, threading.Lock())
    with lock:
        try:
            with _cache_lock:
                if name in _originals:
                    return _originals[name]
            image = _fetch(name, url)
            with _cache_lock:
                _originals[name] = image
                while len(_originals) > CACHE_SIZE:
                    _originals.popitem(last=False)
            return image
        finally:
            with _cache_lock:
                _fetching.pop(name, None)


def _fetch(name: str, url: str) -> AssistImage:
    try:
        fetched = media.fetch_image(url, ORIGINAL_TIMEOUT_SECONDS)
    except media.AttachmentFailure as exc:
        # the worker fetches it too (and ends the task in error if it never comes): a
        # passing state, as a busy server is, so 503 and the page says to draw by hand
        raise ApiError(503, f"The task's image could not be fetched yet: {exc}.") from exc
    image = AssistImage(name, fetched.width, fetched.height, fetched.mime_type, fetched.content)
    return _within_limit(image)


def _attachment_url(task: Task) -> str:
    subset = task.params_subset
    url = subset["attachment"] if "attachment" in subset else (task.params or {}).get(
        "attachment")
    return url if isinstance(url, str) else ""


def cached_names() -> list[str]:
    """The images whose pixels are kept, oldest first."""
    with _cache_lock:
        return list(_cache)


def fetched_originals() -> list[str]:
    """The originals whose bytes are kept (the worker had not stored them), oldest first."""
    with _cache_lock:
        return list(_originals)


def _decode(data: bytes) -> NDArray[np.uint8]:
    import numpy as np  # with the assists only: never at start-up
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            return np.ascontiguousarray(np.asarray(img.convert("RGB")))
    except (OSError, ValueError) as exc:
        raise ApiError(400, "The task's image cannot be decoded.") from exc
