"""Generated images for the assists' tests and bench: a flat-coloured shape (an ellipse or a
star) on a blocky, noisy background, with its true outline."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image
from shapely.geometry import Polygon


def background(width: int, height: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(60, 200, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    img = cv2.resize(blocks, (width // 8 * 8 + 8, height // 8 * 8 + 8),
                     interpolation=cv2.INTER_NEAREST)[:height, :width]
    noise = rng.integers(-20, 21, (height, width, 3))
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def paint(img: np.ndarray, mask: np.ndarray, colour=(230, 40, 40), seed: int = 2) -> np.ndarray:
    out = img.copy()
    rng = np.random.default_rng(seed)
    inside = mask > 0
    noise = rng.integers(-15, 16, (int(inside.sum()), 3))
    out[inside] = np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)
    return out


def ellipse_mask(width: int, height: int, centre, axes, angle: float) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    cv2.ellipse(mask, tuple(map(int, centre)), tuple(map(int, axes)), angle, 0, 360, 1, -1)
    return mask


def star_points(centre, outer: float, inner: float, tips: int = 5) -> list[tuple[float, float]]:
    cx, cy = centre
    points = []
    for i in range(2 * tips):
        r = outer if i % 2 == 0 else inner
        a = math.pi * i / tips - math.pi / 2
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def star_mask(width: int, height: int, points) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, [np.round(np.array(points)).astype(np.int32)], 1)
    return mask


def outline(mask: np.ndarray) -> Polygon:
    """The mask's true outline (on the pixels' outer edges), as a polygon."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea).reshape(-1, 2) + 0.5
    return Polygon(contour.tolist()).buffer(0.5, join_style="mitre")


def iou(vertices, truth: Polygon) -> float:
    shape = Polygon(vertices).buffer(0)
    return shape.intersection(truth).area / shape.union(truth).area


def ellipse_outline_points(centre, axes, angle: float, count: int,
                           grow: tuple[float, float] = (0, 0)) -> list[tuple[float, float]]:
    """`count` points on the ellipse (its axes grown by `grow`)."""
    cx, cy = centre
    a, b = axes[0] + grow[0], axes[1] + grow[1]
    t = math.radians(angle)
    return [(cx + a * math.cos(s) * math.cos(t) - b * math.sin(s) * math.sin(t),
             cy + a * math.cos(s) * math.sin(t) + b * math.sin(s) * math.cos(t))
            for s in (2 * math.pi * i / count for i in range(count))]


def ellipse_scene(width: int = 800, height: int = 600):
    """(image, true mask, centre, axes, angle) of a red ellipse on a noisy background."""
    centre, axes, angle = (width * 0.45, height * 0.47), (width * 0.15, height * 0.12), 20.0
    mask = ellipse_mask(width, height, centre, axes, angle)
    return paint(background(width, height), mask), mask, centre, axes, angle


def ellipse_png(width: int = 800, height: int = 600):
    """The ellipse scene with its image as PNG: (png bytes, true mask, centre, axes, angle)."""
    img, mask, centre, axes, angle = ellipse_scene(width, height)
    buffer = io.BytesIO()
    Image.fromarray(img).save(buffer, "PNG")
    return buffer.getvalue(), mask, centre, axes, angle
