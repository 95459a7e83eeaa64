"""Label Studio's brush masks (`brushlabels`, format "rle") as polygons.

The RLE is Label Studio's own bit-packed run-length code of the RGBA pixels (as
label-studio-converter's `brush.decode_rle` reads it); the mask is the alpha channel. Its outer
contours become polygons (OpenCV, imported when a brush region arrives: never at start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a brush region arrives (start-up stays without it)
    import numpy as np


class _Bits:
    def __init__(self, data: bytes) -> None:
        import numpy as np

        self.bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
        self.i = 0

    def read(self, size: int) -> int:
        chunk = self.bits[self.i:self.i + size]
        if len(chunk) < size:
            raise ValueError("the brush RLE ends early")
        self.i += size
        value = 0
        for bit in chunk:
            value = (value << 1) | int(bit)
        return value


def decode_rle(rle: list[int] | bytes) -> np.ndarray:
    """The flat uint8 array the RLE codes (width × height × 4 values)."""
    import numpy as np

    bits = _Bits(bytes(rle))
    count = bits.read(32)
    word_size = bits.read(5) + 1
    sizes = [bits.read(4) + 1 for _ in range(4)]
    out = np.zeros(count, dtype=np.uint8)
    i = 0
    while i < count:
        repeated = bits.read(1)
        j = i + 1 + bits.read(sizes[bits.read(2)])
        if repeated:
            out[i:j] = bits.read(word_size)
            i = j
        else:
            while i < j:
                out[i] = bits.read(word_size)
                i += 1
    return out


def mask_polygons(rle: list[int] | bytes, width: int, height: int,
                  min_area: float = 4.0) -> list[list[tuple[float, float]]]:
    """The outer outlines of the mask, largest first, in pixels."""
    import cv2
    import numpy as np

    flat = decode_rle(rle)
    if flat.size != width * height * 4:
        raise ValueError(f"the brush mask has {flat.size} values, not {width}×{height}×4")
    mask = (flat.reshape(height, width, 4)[:, :, 3] > 0).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    shapes = [c for c in contours if cv2.contourArea(c) >= min_area and len(c) >= 3]
    shapes.sort(key=cv2.contourArea, reverse=True)
    return [[(float(x), float(y)) for x, y in c.reshape(-1, 2)] for c in shapes]
