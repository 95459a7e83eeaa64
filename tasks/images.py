"""What we accept as an image: whatever Pillow can open, within a deliberate pixel limit."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

# 20,000 × 20,000 images are a use case; anything beyond that is refused as a likely bomb.
MAX_PIXELS = 400_000_000
MIME_BY_FORMAT = {
    "PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp",
    "BMP": "image/bmp", "TIFF": "image/tiff",
}


class NotAnImage(ValueError):
    pass


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    mime_type: str


def inspect_image(data: bytes) -> ImageInfo:
    """Identify an image from its bytes (not its name) without decoding all its pixels."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            width, height = img.size
            img.verify()
    except Exception as exc:  # Pillow raises many types for broken input
        raise NotAnImage("the file is not an image this server can read") from exc
    if fmt not in MIME_BY_FORMAT:
        raise NotAnImage(f"image format {fmt or 'unknown'} is not supported")
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"the image has {width}×{height} pixels, more than the limit of "
                         f"{MAX_PIXELS:,}")
    return ImageInfo(width=width, height=height, mime_type=MIME_BY_FORMAT[fmt])
