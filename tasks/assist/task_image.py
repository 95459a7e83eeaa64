"""The task's stored image for an assist: its bytes (for a backend) and its pixels as RGB
(for the built-in assists), decoded once and the last two kept (a tasker clicks many times on
one image; docs/assist.md, "Limits")."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage

from tasks.errors import ApiError
from tasks.models import Task

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# Decoded, an image costs 3 bytes a pixel: above this the assists refuse it (the page shows
# such images as tiles; docs/assist.md).
MAX_PIXELS = 36_000_000
CACHE_SIZE = 2

_cache: OrderedDict[str, Any] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class AssistImage:
    """The stored copy `name` (in the default storage) of a task's image."""

    name: str
    width: int
    height: int
    mime_type: str

    def data(self) -> bytes:
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
    """The image of `task` (its stored copy: a replica's is its parent's), or an ApiError."""
    if not task.attachment_file or not task.attachment_width or not task.attachment_height:
        raise ApiError(400, "This task has no stored image to assist on.")
    if task.attachment_width * task.attachment_height > MAX_PIXELS:
        raise ApiError(400, f"The image is too large for assists ({task.attachment_width} x "
                            f"{task.attachment_height}; at most {MAX_PIXELS:,} pixels).")
    return AssistImage(task.attachment_file.name, task.attachment_width,
                       task.attachment_height, task.attachment_mime or "")


def cached_names() -> list[str]:
    """The images whose pixels are kept, oldest first."""
    with _cache_lock:
        return list(_cache)


def _decode(data: bytes) -> NDArray[np.uint8]:
    import numpy as np  # with the assists only: never at start-up
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            return np.ascontiguousarray(np.asarray(img.convert("RGB")))
    except (OSError, ValueError) as exc:
        raise ApiError(400, "The task's image cannot be decoded.") from exc
