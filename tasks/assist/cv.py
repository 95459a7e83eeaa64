"""The built-in assists: image-aware shapes from a prompt, with OpenCV and numpy only
(docs/assist.md, "Built-in assists").

Pure: no Django here, so the reference backend (reference_backend/) imports the same code.
Every function takes an RGB image as a (H, W, 3) uint8 array and image-pixel coordinates
(continuous: pixel (i, j) covers [i, i+1) x [j, j+1)), and returns a list of (x, y) floats in
image pixels. The work happens on a crop around the prompt with a margin, shrunk so its long
side is at most `MAX_SIDE`, and the result is scaled back.

cv2 is imported inside the functions that run, never at import time: the server imports this
module only when an assist is asked for (its memory budget is tight).

Errors: `BadPrompt` (the prompt cannot be used: outside the image, too few points) and
`NothingFound` (the prompt is fine but no region came out); both are `AssistError`, a
`ValueError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

Point = tuple[float, float]
Box = tuple[float, float, float, float]

MAX_SIDE = 512            # the working crop's long side, in pixels
DEFAULT_TOLERANCE = 20.0  # click_region's colour tolerance, 0..100
_CLICK_RADIUS = 3         # a click seeds a disc of this many working pixels
_GRABCUT_SIDE = 384       # GrabCut's crop: its time grows with the area, its IoU barely
_LEG_SIDE = 320           # a scissors leg's crop: its map costs time by area
_MIN_AREA = 6.0           # a region smaller than this (working pixels) is nothing


class AssistError(ValueError):
    """An assist could not produce a shape."""


class BadPrompt(AssistError):
    """The prompt cannot be used (outside the image, too few points, bad numbers)."""


class NothingFound(AssistError):
    """The prompt was fine but no region came out of it."""


def _cv2() -> Any:
    import cv2  # lazily: see the module docstring

    return cv2


# --- public API ------------------------------------------------------------------------------


def box_to_polygon(image: NDArray[np.uint8], box: Sequence[float], *,
                   positive: Iterable[Sequence[float]] = (),
                   negative: Iterable[Sequence[float]] = (),
                   max_vertices: int | None = None, iterations: int = 3) -> list[Point]:
    """The outline of the object inside `box` = (x0, y0, x1, y1), by GrabCut: outside the box
    is background, inside probably foreground; `positive` / `negative` clicks are definite
    foreground / background seeds."""
    cv2 = _cv2()
    img = _as_rgb(image)
    x0, y0, x1, y1 = _clip_box(box, img)
    margin = max(8.0, 0.15 * max(x1 - x0, y1 - y0))
    view = _View.of(img, _window(img, x0 - margin, y0 - margin, x1 + margin, y1 + margin),
                    _GRABCUT_SIDE)
    mask = np.full(view.shape, cv2.GC_BGD, np.uint8)
    (bx0, by0), (bx1, by1) = view.to_work_px(x0, y0), view.to_work_px(x1, y1)
    mask[by0:by1 + 1, bx0:bx1 + 1] = cv2.GC_PR_FGD
    if not (mask == cv2.GC_BGD).any():  # the box is the whole image: its frame may be background
        mask[[0, -1], :] = cv2.GC_PR_BGD
        mask[:, [0, -1]] = cv2.GC_PR_BGD
    seeds = [view.to_work_px(*_point(p, img)) for p in positive]
    for x, y in seeds:
        cv2.circle(mask, (x, y), _CLICK_RADIUS, int(cv2.GC_FGD), -1)
    for p in negative:
        cv2.circle(mask, view.to_work_px(*_point(p, img)), _CLICK_RADIUS, int(cv2.GC_BGD), -1)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(view.pixels, mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    return view.outline(_component(fg, seeds), max_vertices)


def click_region(image: NDArray[np.uint8], point: Sequence[float], *,
                 tolerance: float = DEFAULT_TOLERANCE,
                 positive: Iterable[Sequence[float]] = (),
                 negative: Iterable[Sequence[float]] = (),
                 max_vertices: int | None = None) -> list[Point]:
    """The region around a click whose (smoothed) colour is within `tolerance` (0..100) of the
    clicked colour, connected to the click. More `positive` clicks add their regions (the
    outline is of the part holding most clicks); `negative` clicks are split off by a
    watershed between them and the positive ones. The window grows until the region stops
    touching its edge."""
    if not 0 <= _number(tolerance) <= 100:
        raise BadPrompt("tolerance must be between 0 and 100")
    img = _as_rgb(image)
    seeds = [_point(point, img)] + [_point(p, img) for p in positive]
    negatives = [_point(p, img) for p in negative]
    xs, ys = [p[0] for p in seeds], [p[1] for p in seeds]
    half = 128.0
    while True:
        window = _window(img, min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half)
        view = _View.of(img, window)
        region = _flood(view, [view.to_work_px(*p) for p in seeds], float(tolerance),
                        [view.to_work_px(*p) for p in negatives if view.contains(*p)])
        if window == (0, 0, img.shape[1], img.shape[0]) or not view.touches_cut(region):
            return view.outline(region, max_vertices)
        half *= 2


def scissors(image: NDArray[np.uint8], points: Sequence[Sequence[float]], *,
             closed: bool = True, max_vertices: int | None = None) -> list[Point]:
    """The path along image edges through `points` in order (intelligent scissors), closed
    back to the first point unless `closed` is False."""
    img = _as_rgb(image)
    pts = [_point(p, img) for p in points]
    if len(pts) < (3 if closed else 2):
        raise BadPrompt(f"scissors need at least {3 if closed else 2} points")
    legs = list(zip(pts, pts[1:] + pts[:1] if closed else pts[1:], strict=False))
    path = [_scissors_leg(img, a, b) for a, b in legs]
    if not closed:
        path.append(np.array([pts[-1]]))
    dense = np.concatenate(path)
    return _finish_image(dense, (img.shape[1], img.shape[0]), max_vertices, closed=closed)


def snap_polygon(image: NDArray[np.uint8], vertices: Sequence[Sequence[float]], *,
                 radius: float = 8.0, max_vertices: int | None = None) -> list[Point]:
    """`vertices` (a closed polygon) with its edges moved onto the strongest image edge
    within `radius` pixels along each edge's normal; where none is strong, they stay."""
    img = _as_rgb(image)
    poly = [_point(p, img) for p in vertices]
    if len(poly) < 3:
        raise BadPrompt("snapping needs a polygon of at least 3 vertices")
    if not 0 < float(radius) <= 256:
        raise BadPrompt("radius must be between 0 and 256 pixels")
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    margin = 2 * float(radius) + 4
    view = _View.of(img, _window(img, min(xs) - margin, min(ys) - margin,
                                 max(xs) + margin, max(ys) + margin))
    work = np.array([view.to_work(*p) for p in poly], np.float64)
    snapped = _snap(view, work, max(1.5, float(radius) * view.scale))
    return view.finish(snapped, max_vertices)


def simplify(vertices: Sequence[Sequence[float]], max_vertices: int | None, *,
             closed: bool = True) -> list[Point]:
    """`vertices` with at most `max_vertices` (>= 3) of them: Douglas-Peucker (approxPolyDP)
    with a growing tolerance, then the least significant vertices dropped if still needed.
    `None` leaves them as they are."""
    pts = [(float(p[0]), float(p[1])) for p in vertices]
    if max_vertices is None or len(pts) <= max_vertices:
        return pts
    if max_vertices < 3:
        raise BadPrompt("max_vertices must be at least 3")
    cv2 = _cv2()
    arr = np.array(pts, np.float32).reshape(-1, 1, 2)
    x, y = arr[:, 0, 0], arr[:, 0, 1]
    epsilon = max(0.25, 0.002 * float(max(np.ptp(x), np.ptp(y))))
    best = pts
    for _ in range(60):
        approx = cv2.approxPolyDP(arr, epsilon, closed).reshape(-1, 2)
        if len(approx) < 3:
            break
        best = [(float(a), float(b)) for a, b in approx]
        if len(best) <= max_vertices:
            return best
        epsilon *= 1.3
    return _drop_least(best, max_vertices)


def polygon_box(vertices: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(left, top, width, height) of the vertices' bounding box."""
    xs, ys = [float(p[0]) for p in vertices], [float(p[1]) for p in vertices]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


# --- the working view: a crop, shrunk --------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """A crop of the image at (x0, y0), scaled by `scale` (<= 1) into `pixels`."""

    x0: int
    y0: int
    width: int   # the crop's size in image pixels
    height: int
    image_size: tuple[int, int]
    scale: float
    pixels: NDArray[np.uint8]

    @classmethod
    def of(cls, img: NDArray[np.uint8], window: tuple[int, int, int, int],
           max_side: int | None = None) -> _View:
        cv2 = _cv2()
        x0, y0, x1, y1 = window
        crop = img[y0:y1, x0:x1]
        scale = min(1.0, (max_side or MAX_SIDE) / max(x1 - x0, y1 - y0))
        if scale < 1.0:
            size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
            crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        pixels = np.ascontiguousarray(crop)
        return cls(x0, y0, x1 - x0, y1 - y0, (img.shape[1], img.shape[0]), scale, pixels)

    @property
    def shape(self) -> tuple[int, int]:
        return self.pixels.shape[0], self.pixels.shape[1]

    @property
    def scales(self) -> tuple[float, float]:
        return self.pixels.shape[1] / self.width, self.pixels.shape[0] / self.height

    def to_work(self, x: float, y: float) -> Point:
        sx, sy = self.scales
        return (x - self.x0) * sx, (y - self.y0) * sy

    def to_work_px(self, x: float, y: float) -> tuple[int, int]:
        wx, wy = self.to_work(x, y)
        h, w = self.shape
        return min(w - 1, max(0, math.floor(wx))), min(h - 1, max(0, math.floor(wy)))

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x0 + self.width and self.y0 <= y < self.y0 + self.height

    def to_image(self, work: NDArray[np.float64]) -> NDArray[np.float64]:
        sx, sy = self.scales
        return work / np.array([sx, sy]) + np.array([self.x0, self.y0])

    def touches_cut(self, mask: NDArray[np.uint8]) -> bool:
        """Whether the region reaches a side of the crop that is not the image's own side."""
        iw, ih = self.image_size
        sides = [(self.x0 > 0, mask[:, 0]), (self.y0 > 0, mask[0, :]),
                 (self.x0 + self.width < iw, mask[:, -1]),
                 (self.y0 + self.height < ih, mask[-1, :])]
        return any(cut and bool(edge.any()) for cut, edge in sides)

    def outline(self, mask: NDArray[np.uint8], max_vertices: int | None) -> list[Point]:
        """The outer outline of a one-region mask, in image pixels."""
        return self.finish(_outer_contour(mask), max_vertices)

    def finish(self, work: NDArray[np.float64], max_vertices: int | None) -> list[Point]:
        """Working-pixel vertices of a closed outline -> image pixels, simplified."""
        return _finish_image(self.to_image(work), self.image_size, max_vertices,
                             epsilon=0.7 / self.scale)


# --- pieces ----------------------------------------------------------------------------------


def _as_rgb(image: NDArray[Any]) -> NDArray[np.uint8]:
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise BadPrompt("the image must be 8-bit")
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or min(arr.shape[:2]) < 2:
        raise BadPrompt("the image must be (H, W, 3) RGB")
    return arr[:, :, :3]


def _number(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise BadPrompt(f"not a number: {value!r}") from exc
    if not math.isfinite(out):
        raise BadPrompt(f"not a finite number: {value!r}")
    return out


def _point(p: Sequence[float], img: NDArray[np.uint8]) -> Point:
    if len(p) < 2:
        raise BadPrompt("a point needs x and y")
    x, y = _number(p[0]), _number(p[1])
    h, w = img.shape[:2]
    if not (0 <= x <= w and 0 <= y <= h):
        raise BadPrompt(f"point ({x:g}, {y:g}) is outside the {w} x {h} image")
    return min(x, w - 1e-6), min(y, h - 1e-6)


def _clip_box(box: Sequence[float], img: NDArray[np.uint8]) -> Box:
    if len(box) != 4:
        raise BadPrompt("a box is [x0, y0, x1, y1]")
    x0, y0, x1, y1 = (_number(v) for v in box)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        raise BadPrompt("the box must be at least 4 x 4 pixels inside the image")
    return x0, y0, x1, y1


def _finish_image(pts: NDArray[np.float64], image_size: tuple[int, int],
                  max_vertices: int | None, *, epsilon: float = 0.7,
                  closed: bool = True) -> list[Point]:
    """Dense image-pixel vertices, clipped to the image, with the pixel staircase taken out
    (Douglas-Peucker within `epsilon`), then capped at `max_vertices`."""
    cv2 = _cv2()
    light = cv2.approxPolyDP(pts.astype(np.float32).reshape(-1, 1, 2), epsilon, closed)
    light = light.reshape(-1, 2).astype(np.float64)
    if len(light) < 3 <= len(pts):
        light = pts
    iw, ih = image_size
    light[:, 0] = np.clip(light[:, 0], 0, iw)
    light[:, 1] = np.clip(light[:, 1], 0, ih)
    return simplify([(float(x), float(y)) for x, y in light], max_vertices, closed=closed)


def _window(img: NDArray[np.uint8], x0: float, y0: float, x1: float,
            y1: float) -> tuple[int, int, int, int]:
    h, w = img.shape[:2]
    return (max(0, math.floor(x0)), max(0, math.floor(y0)),
            min(w, math.ceil(x1)), min(h, math.ceil(y1)))


def _component(mask: NDArray[np.uint8], seeds: Sequence[tuple[int, int]]) -> NDArray[np.uint8]:
    """The connected region of `mask` holding the most seeds (ties: the largest)."""
    cv2 = _cv2()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        raise NothingFound("nothing found there")
    hits = np.zeros(count, np.int64)
    for x, y in seeds:
        hits[labels[y, x]] += 1
    hits[0] = -1
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.int64)
    areas[0] = -1
    best = max(range(1, count), key=lambda i: (hits[i], areas[i]))
    if areas[best] < _MIN_AREA:
        raise NothingFound("nothing found there")
    return (labels == best).astype(np.uint8)


def _outer_contour(mask: NDArray[np.uint8]) -> NDArray[np.float64]:
    """The outer boundary of the mask's largest region, on the pixels' outer edges."""
    cv2 = _cv2()
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise NothingFound("nothing found there")
    contour = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64) + 0.5
    if len(contour) < 3 or cv2.contourArea(contour.astype(np.float32)) < _MIN_AREA:
        raise NothingFound("nothing found there")
    return _outset(contour, 0.5)


def _outset(contour: NDArray[np.float64], by: float) -> NDArray[np.float64]:
    """Each vertex moved `by` outward: a contour through pixel centres -> the pixels' edges."""
    tangent = np.roll(contour, -1, axis=0) - np.roll(contour, 1, axis=0)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    length = np.hypot(normal[:, 0], normal[:, 1])
    normal /= np.where(length > 0, length, 1.0)[:, None]
    x, y = contour[:, 0], contour[:, 1]
    area = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    return contour + (by if area > 0 else -by) * normal


def _flood(view: _View, seeds: Sequence[tuple[int, int]], tolerance: float,
           negatives: Sequence[tuple[int, int]]) -> NDArray[np.uint8]:
    """The pixels connected to a seed within `tolerance` of its smoothed colour."""
    cv2 = _cv2()
    smooth = cv2.GaussianBlur(view.pixels, (5, 5), 0)
    near = np.zeros(view.shape, np.uint8)
    for seed in seeds:
        near |= _near_colour(smooth, seed, 2 + tolerance * 1.28)
    near = cv2.morphologyEx(near, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    for x, y in seeds:
        near[y, x] = 1
    region = _component(near, seeds)
    if negatives:
        region = _split_off(view, smooth, region, seeds, negatives)
    return region


def _near_colour(smooth: NDArray[np.uint8], seed: tuple[int, int],
                 within: float) -> NDArray[np.uint8]:
    """Where the colour is within `within` (per channel) of the colour around `seed`."""
    x, y = seed
    h, w = smooth.shape[:2]
    patch = smooth[max(0, y - 2):min(h, y + 3), max(0, x - 2):min(w, x + 3)]
    colour = patch.reshape(-1, 3).mean(axis=0)
    distance = np.abs(smooth.astype(np.float32) - colour).max(axis=2)
    return (distance <= within).astype(np.uint8)


def _split_off(view: _View, smooth: NDArray[np.uint8], region: NDArray[np.uint8],
               seeds: Sequence[tuple[int, int]],
               negatives: Sequence[tuple[int, int]]) -> NDArray[np.uint8]:
    """The part of `region` a watershed gives to the seeds against the negative clicks."""
    cv2 = _cv2()
    markers = np.zeros(view.shape, np.int32)
    outside = cv2.dilate(region, np.ones((5, 5), np.uint8)) == 0
    markers[outside] = 2
    for point in negatives:
        cv2.circle(markers, point, _CLICK_RADIUS, 2, -1)
    for seed in seeds:
        cv2.circle(markers, seed, _CLICK_RADIUS, 1, -1)
    cv2.watershed(np.ascontiguousarray(smooth), markers)
    kept = ((markers == 1) & (region > 0)).astype(np.uint8)
    return _component(kept, seeds)


def _scissors_leg(img: NDArray[np.uint8], a: Point, b: Point) -> NDArray[np.float64]:
    """The edge-following path from a to b (without b), in image pixels, found on a crop
    around the leg: the map from a costs time in proportion to the crop's area."""
    cv2 = _cv2()
    margin = max(16.0, 0.3 * math.hypot(b[0] - a[0], b[1] - a[1]))
    view = _View.of(img, _window(img, min(a[0], b[0]) - margin, min(a[1], b[1]) - margin,
                                 max(a[0], b[0]) + margin, max(a[1], b[1]) + margin),
                    _LEG_SIDE)
    tool = cv2.segmentation.IntelligentScissorsMB()
    tool.setEdgeFeatureCannyParameters(32, 100)
    tool.setGradientMagnitudeMaxLimit(200)
    tool.applyImage(view.pixels)
    tool.buildMap(view.to_work_px(*a))
    leg = tool.getContour(view.to_work_px(*b)).reshape(-1, 2).astype(np.float64) + 0.5
    return view.to_image(leg[:-1] if len(leg) > 1 else leg)


def _snap(view: _View, poly: NDArray[np.float64], radius: float) -> NDArray[np.float64]:
    """Dense samples along the polygon, each moved along its edge's normal to the strongest
    edge within `radius` (working pixels); a median over neighbours keeps it smooth."""
    cv2 = _cv2()
    smooth = cv2.GaussianBlur(view.pixels, (5, 5), 0).astype(np.float32)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)  # per colour channel: a red shape on
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)  # grey can have no edge in grey levels
    samples, normals = _densify(poly, step=2.0)
    offsets = np.linspace(-radius, radius, int(2 * radius) + 1)
    cand = samples[:, None, :] + offsets[None, :, None] * normals[:, None, :]
    h, w = view.shape
    cx = np.clip(np.rint(cand[..., 0] - 0.5), 0, w - 1).astype(np.intp)
    cy = np.clip(np.rint(cand[..., 1] - 0.5), 0, h - 1).astype(np.intp)
    across = np.abs(gx[cy, cx] * normals[:, None, 0, None]
                    + gy[cy, cx] * normals[:, None, 1, None]).max(axis=2)
    score = across * (1.0 - 0.25 * np.abs(offsets) / radius)[None, :]
    best = np.argmax(score, axis=1)
    strength = across[np.arange(len(samples)), best]
    strong = max(40.0, float(np.percentile(np.hypot(gx, gy).max(axis=2), 90)))
    shift = np.where(strength >= strong, offsets[best], 0.0)
    shift = _circular_median(shift, 5)
    return samples + shift[:, None] * normals


def _densify(poly: NDArray[np.float64], step: float) -> tuple[NDArray[np.float64],
                                                              NDArray[np.float64]]:
    """Points every ~`step` along the closed polygon, with their edge's unit normal."""
    points, normals = [], []
    for a, b in zip(poly, np.roll(poly, -1, axis=0), strict=True):
        d = b - a
        length = float(np.hypot(*d))
        if length == 0:
            continue
        n = max(1, math.ceil(length / step))
        t = np.arange(n)[:, None] / n
        points.append(a + t * d)
        normals.append(np.repeat([[d[1] / length, -d[0] / length]], n, axis=0))
    return np.concatenate(points), np.concatenate(normals)


def _circular_median(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    half = width // 2
    padded = np.concatenate([values[-half:], values, values[:half]])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.median(windows, axis=1)


def _drop_least(pts: list[Point], max_vertices: int) -> list[Point]:
    """Visvalingam: drop the vertex spanning the smallest triangle until few enough remain."""
    pts = list(pts)
    while len(pts) > max_vertices:
        n = len(pts)
        areas = [abs((pts[i][0] - pts[i - 1][0]) * (pts[(i + 1) % n][1] - pts[i - 1][1])
                     - (pts[(i + 1) % n][0] - pts[i - 1][0]) * (pts[i][1] - pts[i - 1][1]))
                 for i in range(n)]
        pts.pop(int(np.argmin(areas)))
    return pts
