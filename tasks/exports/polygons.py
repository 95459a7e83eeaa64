"""A mask's outline as COCO polygons (docs/segmentation.md "Exports"), traced with OpenCV.

`cv2.findContours` follows the centres of the boundary pixels, which rasterises back about
half a pixel short all round. Tracing the mask upscaled 2x and mapping each point back to
(p + 0.5) / 2 puts the outline a quarter pixel inside the pixels' edges, which pycocotools
rasterises back to the same pixels; a hole cannot be written (COCO's polygons of one
annotation are a union), so it is filled and the caller told. numpy and cv2 are imported by
an export of masks only (docs/quality.md#memory)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

UPSCALE = 2


def trace(where: np.ndarray) -> tuple[list[list[float]], bool]:
    """The polygons `[x0, y0, x1, y1, ...]` of a boolean (H, W) mask's pieces, and whether
    any piece had a hole (filled)."""
    import cv2
    import numpy as np

    rows, cols = np.flatnonzero(where.any(axis=1)), np.flatnonzero(where.any(axis=0))
    if not rows.size:
        return [], False
    top, left = int(rows[0]), int(cols[0])
    crop = where[top:rows[-1] + 1, left:cols[-1] + 1].astype(np.uint8)
    scaled = crop.repeat(UPSCALE, axis=0).repeat(UPSCALE, axis=1)
    contours, hierarchy = cv2.findContours(scaled, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outer = hierarchy[0][:, 3] == -1  # no parent: an outline, not a hole's
    offset = np.array([left, top], dtype=np.float64)
    polygons = [((contour.reshape(-1, 2) + 0.5) / UPSCALE + offset).ravel().tolist()
                for contour, is_outer in zip(contours, outer, strict=True) if is_outer]
    return polygons, not bool(outer.all())
