"""A segmentation task's masks (docs/segmentation.md): the PNG codec of an index mask, where
the masks are stored, and what the rest of the house reads of them.

A mask is a numpy array (H, W) of uint8, one index per pixel, 0 = unlabeled. On disk and on
the wire it is an 8-bit grayscale PNG. Review, rework, exports and quality read a completed
task's mask with `load_indexed(task)` and name its indices with `label_mapping(task)` (Scale's
labelMapping) or `index_labels(task)`.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from typing import IO, Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tasks import images  # noqa: F401 - sets Pillow's pixel limit (a decompression bomb)
from tasks.models import Task
from tasks.rules.segmentation import label_table

# The response's 1-channel index image: the mask itself, as the customer downloads it.
INDEXED = "indexedImage.png"
# zlib level of the masks written: 1 is 3-4 times faster than the default for a 10 % larger
# file (a 4,000 x 3,000 response must be built in under a second; docs/segmentation.md).
COMPRESS_LEVEL = 1
# Modes of a 1-channel PNG whose values are the indices as they are.
INDEX_MODES = ("L", "P", "1", "I", "I;16", "I;16B")


class MaskError(ValueError):
    """A mask that cannot be used: not a PNG, not 1-channel, values above 255."""


class MaskMissing(LookupError):
    """The task has no stored mask (not completed, or not a segmentation task)."""


# --- the codec ------------------------------------------------------------------------------

def decode_png(data: bytes) -> np.ndarray:
    """The index mask a 1-channel PNG holds (gray, palette indices, 16-bit within 0..255)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != "PNG":
                raise MaskError(f"is a {image.format} image, not a PNG")
            if image.mode not in INDEX_MODES:
                raise MaskError(f"is a {image.mode} PNG: a mask is a 1-channel PNG (8-bit "
                                "gray), one index per pixel")
            array = np.asarray(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        if isinstance(exc, MaskError):
            raise
        raise MaskError("is not a readable PNG") from exc
    if array.dtype == np.bool_:
        return array.astype(np.uint8)
    if array.dtype != np.uint8:
        if array.size and int(array.max()) > 255:
            raise MaskError(f"holds the value {int(array.max())}; indices go up to 255")
        array = array.astype(np.uint8)
    return np.ascontiguousarray(array)


def decode_base64_png(text: object) -> np.ndarray:
    """The mask of a base64 PNG (standard or URL-safe alphabet, padding optional)."""
    if not isinstance(text, str) or not text:
        raise MaskError("must be a base64 PNG (a string)")
    body = text.split(",", 1)[1] if text.startswith("data:") else text
    body = body.strip().replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MaskError("is not valid base64") from exc
    return decode_png(data)


def encode_png(mask: np.ndarray) -> bytes:
    """An index mask as an 8-bit grayscale PNG."""
    return save_png(Image.fromarray(np.ascontiguousarray(mask, dtype=np.uint8), mode="L"))


def save_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()


# --- storage --------------------------------------------------------------------------------

def response_name(task_id: str, name: str) -> str:
    """Where a response file of the task is stored (served as /v1/task/<id>/files/<name>)."""
    return f"segmentation/{task_id}/response/{name}"


def draft_name(task_id: str, name: str) -> str:
    """Where a draft's base mask (a hypothesis, a snapshot) is stored."""
    return f"segmentation/{task_id}/draft/{name}"


def write(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(data))


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def read(name: str) -> bytes | None:
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def open_file(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


def load_stored(name: str) -> np.ndarray | None:
    data = read(name)
    return None if data is None else decode_png(data)


# --- what the house reads -------------------------------------------------------------------

def load_indexed(task: Task) -> np.ndarray:
    """The mask of the task's last published response, (H, W) uint8; MaskMissing when there
    is none."""
    mask = load_stored(response_name(task.task_id, INDEXED))
    if mask is None:
        raise MaskMissing(f"task {task.task_id} has no stored mask")
    return mask


def label_mapping(task: Task) -> dict[str, Any]:
    """Scale's labelMapping of the task: its response's (with the instances it has), else
    the labels' own ({label: {index, color}}, an empty list for an instance label)."""
    response = task.response if isinstance(task.response, dict) else {}
    mapping = response.get("labelMapping")
    if isinstance(mapping, dict):
        return mapping
    return {entry.label: [] if entry.instance else {"index": entry.index, "color": entry.color}
            for entry in label_table((task.params or {}).get("labels") or [])}


def index_labels(task: Task) -> dict[int, str]:
    """index -> label name of every index label_mapping(task) names (an instance's index
    names its label)."""
    found: dict[int, str] = {}
    for name, item in label_mapping(task).items():
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict) and isinstance(entry.get("index"), int):
                found[entry["index"]] = name
    return found
