"""Binary masks to polygons: OpenCV's contours, then Douglas-Peucker simplification within a
vertex budget."""

from __future__ import annotations

import cv2
import numpy as np

from .model import Vertex

# Douglas-Peucker tolerance to start from, in pixels: drops the staircase of a pixel mask
# without rounding visible corners.
BASE_EPSILON = 1.0


def mask_outlines(mask: np.ndarray, *, min_area: float = 4.0) -> list[np.ndarray]:
    """The outer contours of a boolean mask, largest first, each (N, 2) int32."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    kept = [c.reshape(-1, 2) for c in contours if cv2.contourArea(c) >= min_area]
    return sorted(kept, key=lambda c: -cv2.contourArea(c.reshape(-1, 1, 2)))


def contour_polygon(contour: np.ndarray, max_vertices: int | None) -> list[Vertex]:
    """A contour as polygon vertices through its boundary pixels' centres (+0.5), simplified
    to at most `max_vertices` (at least 3) vertices."""
    simplified = simplify_contour(contour, max_vertices)
    return [(round(float(x) + 0.5, 2), round(float(y) + 0.5, 2)) for x, y in simplified]


def simplify_contour(contour: np.ndarray, max_vertices: int | None) -> np.ndarray:
    budget = max(3, max_vertices) if max_vertices else None
    points = contour.reshape(-1, 1, 2).astype(np.float32)
    epsilon = BASE_EPSILON
    simplified = cv2.approxPolyDP(points, epsilon, True)
    while budget is not None and len(simplified) > budget:
        coarser = cv2.approxPolyDP(points, epsilon * 1.5, True)
        if len(coarser) < 3:  # Douglas-Peucker overshoots: drop vertices one by one
            return drop_least(simplified.reshape(-1, 2), budget)
        epsilon *= 1.5
        simplified = coarser
    return simplified.reshape(-1, 2)


def drop_least(polygon: np.ndarray, budget: int) -> np.ndarray:
    """Removes the vertex spanning the smallest triangle with its neighbours until `budget`
    are left (Visvalingam-Whyatt)."""
    kept = [tuple(map(float, p)) for p in polygon]
    while len(kept) > budget:
        areas = [triangle_area(kept[i - 1], kept[i], kept[(i + 1) % len(kept)])
                 for i in range(len(kept))]
        del kept[int(np.argmin(areas))]
    return np.array(kept)


def triangle_area(a: tuple[float, ...], b: tuple[float, ...], c: tuple[float, ...]) -> float:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2


def mask_polygon(mask: np.ndarray, max_vertices: int | None) -> list[Vertex] | None:
    """The polygon of a mask's largest region, or None for an empty mask."""
    outlines = mask_outlines(mask)
    return contour_polygon(outlines[0], max_vertices) if outlines else None
