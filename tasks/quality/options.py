"""The knobs of matching, merging and scoring (docs/quality.md#matching-options)."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Distance (px) at which a point or a line scores 0 when the image size is unknown.
DEFAULT_DISTANCE = 40.0
# ... and as a share of the image diagonal when it is known (2 % of a 1920 x 1080 image: 44 px).
DISTANCE_SHARE = 0.02


@dataclass(frozen=True)
class QualityOptions:
    """`min_similarity`: pairs less similar than this are never matched (IoU for shapes; for
    points and lines the distance similarity of docs/quality.md). `distance`: the distance in
    px at which a point or line pair's similarity reaches 0; None derives it from
    `image_size` (width, height), else DEFAULT_DISTANCE. `label_bonus`: what a pair with
    the same label adds to its weight when matching, so that among overlapping shapes the
    same-label pairing wins, yet a mislabelled shape is still matched (and counted as a
    label disagreement)."""

    min_similarity: float = 0.5
    distance: float | None = None
    image_size: tuple[float, float] | None = None
    label_bonus: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.min_similarity <= 1:
            raise ValueError("min_similarity must be in (0, 1]")
        if self.distance is not None and self.distance <= 0:
            raise ValueError("distance must be > 0")
        if self.label_bonus < 0:
            raise ValueError("label_bonus must be >= 0")

    @property
    def distance_px(self) -> float:
        if self.distance is not None:
            return float(self.distance)
        if self.image_size is not None:
            width, height = self.image_size
            return max(1.0, DISTANCE_SHARE * math.hypot(width, height))
        return DEFAULT_DISTANCE
