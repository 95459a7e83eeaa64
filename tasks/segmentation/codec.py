"""The PNG codec of an index mask (docs/segmentation.md "The mask"): an (H, W) uint8 array,
one index per pixel, 0 = unlabeled, as an 8-bit grayscale PNG. No Django: the bench and the
pure code use it as it is; tasks/segmentation/masks.py offers it with the storage."""

from __future__ import annotations

import base64
import binascii
import io
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

from tasks import images  # noqa: F401 - sets Pillow's pixel limit (a decompression bomb)

# zlib level of the masks written: 1 is 3-4 times faster than the default for a 10 % larger
# file (a 4,000 x 3,000 response must be built in under a second; docs/segmentation.md).
COMPRESS_LEVEL = 1
# Modes of a 1-channel PNG whose values are the indices as they are.
INDEX_MODES = ("L", "P", "1", "I", "I;16", "I;16B")


class MaskError(ValueError):
    """A mask that cannot be used: not a PNG, not 1-channel, values above 255."""


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


def index_counts(mask: np.ndarray) -> np.ndarray:
    """How many pixels hold each index 0..255: Pillow's histogram (numpy's bincount widens
    the 12 million bytes of a 4,000 x 3,000 mask to int64 first, 15 times slower)."""
    return np.asarray(Image.fromarray(mask, mode="L").histogram(), dtype=np.int64)


def one_bit_png(where: np.ndarray, rgb: tuple[int, int, int]) -> bytes:
    """A 1-bit palette PNG of a boolean (H, W) array: entry 0 transparent, entry 1 `rgb`
    opaque. Written here rather than by Pillow, which unpacks the bits to a byte a pixel on
    the way: one such mask per label of a 4,000 x 3,000 response took it ~10 ms, this ~2 ms."""
    height, width = where.shape
    rows = np.packbits(where, axis=1)
    raw = np.zeros((height, rows.shape[1] + 1), dtype=np.uint8)  # filter byte 0 per row
    raw[:, 1:] = rows
    header = struct.pack(">IIBBBBB", width, height, 1, 3, 0, 0, 0)  # 1 bit, palette
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"PLTE", bytes((0, 0, 0, *rgb))), _chunk(b"tRNS", b"\x00\xff"),
                     _chunk(b"IDAT", zlib.compress(raw.tobytes(), COMPRESS_LEVEL)),
                     _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
