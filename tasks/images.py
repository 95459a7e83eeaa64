"""What we accept as an image: whatever Pillow can open, within a deliberate pixel limit."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

# 20,000 × 20,000 images are a use case; anything beyond that is refused as a likely bomb.
MAX_PIXELS = 400_000_000
# Pillow refuses to open an image of more than twice this many pixels; at our limit it opens.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_PIXELS)
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


def _too_many_pixels(width: int, height: int) -> NotAnImage:
    return NotAnImage(f"the image has {width}×{height} pixels, more than the limit of "
                      f"{MAX_PIXELS:,} (a likely decompression bomb)")


def inspect_image(data: bytes) -> ImageInfo:
    """Identify an image from its bytes (not its name) without decoding all its pixels."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard (a warning, then an error at twice its limit) stands
            # below our limit; ours is checked here instead, from the header alone.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the decoders of the formats we accept ever see the bytes.
            with Image.open(io.BytesIO(data), formats=list(MIME_BY_FORMAT)) as img:
                fmt = img.format or ""
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                img.verify()
    except NotAnImage:
        raise
    except Image.DecompressionBombError as exc:
        raise NotAnImage(f"the image has more pixels than the limit of {MAX_PIXELS:,} (a "
                         "likely decompression bomb)") from exc
    except Exception as exc:  # Pillow raises many types for broken input
        raise NotAnImage("the file is not an image this server can read") from exc
    if fmt not in MIME_BY_FORMAT:
        raise NotAnImage(f"image format {fmt or 'unknown'} is not supported")
    return ImageInfo(width=width, height=height, mime_type=MIME_BY_FORMAT[fmt])
