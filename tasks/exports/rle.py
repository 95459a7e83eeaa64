"""COCO's run-length encoding of a binary mask, written with numpy (docs/segmentation.md
"Exports"): `{"size": [height, width], "counts": [...]}`, the uncompressed form COCO's API
(pycocotools.mask.frPyObjects, decode) reads. Runs alternate 0 and 1 over the pixels in
column-major order (down the first column, then the next), starting with a run of 0s that may
be empty."""

from __future__ import annotations

import numpy as np


def encode(where: np.ndarray) -> dict:
    """The RLE of a boolean (H, W) mask."""
    height, width = where.shape
    flat = where.ravel(order="F").astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        counts = [0, *counts]
    return {"size": [int(height), int(width)], "counts": [int(c) for c in counts]}


def bbox(where: np.ndarray) -> list[float]:
    """[x, y, w, h] of the pixels set (zeros when none)."""
    rows, cols = np.flatnonzero(where.any(axis=1)), np.flatnonzero(where.any(axis=0))
    if not rows.size:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(cols[0]), float(rows[0]), float(cols[-1] - cols[0] + 1),
            float(rows[-1] - rows[0] + 1)]
