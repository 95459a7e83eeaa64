"""A demonstration detector for `predict` without model weights: regions whose colour stands
out from the image's background. It knows no classes (every region gets the project's first
label) and is meant to show the prelabel flow end to end, not to be a useful model.

How: the background colour is the median of the image's border pixels (in CIE Lab); each
pixel's distance from it is thresholded with Otsu's method, cleaned with a morphological
opening and closing, and each outer contour larger than `MIN_AREA` of the image becomes a
polygon. The score is the region's mean contrast, scaled to 0..1.
"""

from __future__ import annotations

import cv2
import numpy as np

from .model import Region
from .outlines import contour_polygon, mask_outlines

WORK_SIDE = 512  # the long side the detector works at
MIN_AREA = 0.002  # of the image
MAX_AREA = 0.9
MAX_REGIONS = 20
MIN_CONTRAST = 12.0  # Lab distance below which nothing stands out


def contrast_map(pixels: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).astype(np.float32)
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    background = np.median(border, axis=0)
    return np.linalg.norm(lab - background, axis=2)


def find_regions(pixels: np.ndarray, *, max_vertices: int | None) -> list[Region]:
    height, width = pixels.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    small = cv2.resize(pixels, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else pixels
    contrast = contrast_map(small)
    if float(contrast.max()) < MIN_CONTRAST:
        return []
    scaled = np.clip(contrast * (255.0 / float(contrast.max())), 0, 255).astype(np.uint8)
    threshold, mask = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel),
                            cv2.MORPH_CLOSE, kernel)
    area = float(small.shape[0] * small.shape[1])
    regions = []
    for contour in mask_outlines(mask > 0, min_area=MIN_AREA * area)[:MAX_REGIONS]:
        if cv2.contourArea(contour.reshape(-1, 1, 2)) > MAX_AREA * area:
            continue
        vertices = [(round(x / scale, 2), round(y / scale, 2))
                    for x, y in contour_polygon(contour, max_vertices)]
        regions.append(Region(vertices=vertices, score=region_score(contrast, contour)))
    return regions


def region_score(contrast: np.ndarray, contour: np.ndarray) -> float:
    inside = np.zeros(contrast.shape, dtype=np.uint8)
    cv2.drawContours(inside, [contour.reshape(-1, 1, 2)], -1, 1, thickness=-1)
    mean = float(contrast[inside > 0].mean()) if inside.any() else 0.0
    return round(min(1.0, mean / 100.0), 3)
