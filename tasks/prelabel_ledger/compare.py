"""Compare a submitted answer with the model's prelabels (docs/assist.md, "The prelabel
ledger"). Pure: annotations in Scale's response format in, outcomes out; no Django.

Each prelabel has exactly one outcome, by its uuid in the answer:

* `deleted`: no annotation of the answer has its uuid;
* `relabelled`: the label differs (whatever else changed too);
* `moved`: same label, the geometry differs by more than TOLERANCE px somewhere;
* `attributes_changed`: same label and geometry, the attributes differ;
* `kept`: same label, geometry (within TOLERANCE) and attributes.

Each annotation of the answer whose uuid is no prelabel's is `added`. Every prelabel still
in the answer gets its IoU with its final shape (tasks/quality/similarity.py: IoU for boxes,
polygons, ellipses and cuboids, the distance similarity for points and lines); a shape whose
geometry is unchanged has 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.quality.options import QualityOptions
from tasks.quality.similarity import similarity
from tasks.quality.votes import canonical

KEPT, MOVED, RELABELLED = "kept", "moved", "relabelled"
ATTRIBUTES_CHANGED, DELETED, ADDED = "attributes_changed", "deleted", "added"
PRELABEL_OUTCOMES = (KEPT, MOVED, RELABELLED, ATTRIBUTES_CHANGED, DELETED)
OUTCOMES = (*PRELABEL_OUTCOMES, ADDED)
# Submits round coordinates to two decimals (docs/task-format.md "Coordinates"): a prelabel
# given with more decimals and left alone differs by at most 0.005 px.
TOLERANCE = 0.01
# The keys that place each geometry; a key missing on both sides is equal, a box's missing
# rotation is 0. A box's `vertices` and a cuboid's `edges` follow from these.
GEOMETRY_KEYS: dict[str, tuple[str, ...]] = {
    "box": ("left", "top", "width", "height", "rotation"),
    "polygon": ("vertices",),
    "line": ("vertices",),
    "ellipse": ("vertices",),
    "point": ("x", "y"),
    "cuboid": ("vertices", "position", "dimensions", "yaw"),
}
DEFAULTS: dict[str, Any] = {"rotation": 0}


@dataclass(frozen=True)
class Outcome:
    """What became of one prelabel (or, `added`, where one answer annotation came from)."""

    uuid: str
    type: str
    label: str  # the prelabel's ("" when it has none); an added annotation's own
    outcome: str
    iou: float | None = None  # prelabels still in the answer


@dataclass
class Tally:
    """Counts of outcomes, and the IoU sum over the kept and moved prelabels."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    iou_sum: float = 0.0
    iou_count: int = 0

    @property
    def prelabels(self) -> int:
        return sum(self.counts[name] for name in PRELABEL_OUTCOMES)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.outcome] += 1
        if outcome.outcome in (KEPT, MOVED) and outcome.iou is not None:
            self.iou_sum += outcome.iou
            self.iou_count += 1


def compare(prelabels: Sequence[dict], answer: Sequence[dict],
            options: QualityOptions | None = None) -> list[Outcome]:
    """One outcome per prelabel (in their order), then one `added` per new annotation."""
    options = options or QualityOptions()
    final = {a["uuid"]: a for a in answer if isinstance(a.get("uuid"), str)}
    outcomes = [judge(p, final.get(p["uuid"]), options) for p in prelabels]
    known = {p["uuid"] for p in prelabels}
    outcomes += [Outcome(a["uuid"], a.get("type", ""), label_of(a), ADDED)
                 for a in answer if a.get("uuid") not in known]
    return outcomes


def judge(prelabel: dict, final: dict | None, options: QualityOptions) -> Outcome:
    """The one outcome of `prelabel`, given its annotation in the answer (None: deleted)."""
    uuid, kind, label = prelabel["uuid"], prelabel.get("type", ""), label_of(prelabel)
    if final is None:
        return Outcome(uuid, kind, label, DELETED)
    same_place = same_geometry(prelabel, final)
    iou = 1.0 if same_place else shape_iou(prelabel, final, options)
    if label_of(final) != label:
        outcome = RELABELLED
    elif not same_place:
        outcome = MOVED
    elif not same_attributes(prelabel, final):
        outcome = ATTRIBUTES_CHANGED
    else:
        outcome = KEPT
    return Outcome(uuid, kind, label, outcome, iou)


def label_of(annotation: dict) -> str:
    label = annotation.get("label")
    return label if isinstance(label, str) else ""


def shape_iou(a: dict, b: dict, options: QualityOptions) -> float:
    """IoU (or, points and lines, the distance similarity) of two annotations; 0 when the
    type changed or a shape cannot be compared."""
    if a.get("type") != b.get("type") or a.get("type") not in GEOMETRY_KEYS:
        return 0.0
    try:
        return round(similarity(a, b, options), 6)
    except (KeyError, TypeError, ValueError):
        return 0.0


def same_geometry(a: dict, b: dict, tolerance: float = TOLERANCE) -> bool:
    if a.get("type") != b.get("type"):
        return False
    keys = GEOMETRY_KEYS.get(str(a.get("type")), ())
    return all(close(a.get(k, DEFAULTS.get(k)), b.get(k, DEFAULTS.get(k)), tolerance)
               for k in keys)


def close(x: Any, y: Any, tolerance: float) -> bool:
    """Equal values, numbers within `tolerance`, lists and objects element by element."""
    if _number(x) and _number(y):
        return abs(float(x) - float(y)) <= tolerance
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(close(u, v, tolerance)
                                        for u, v in zip(x, y, strict=True))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(close(x[k], y[k], tolerance) for k in x)
    return type(x) is type(y) and x == y


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_attributes(a: dict, b: dict) -> bool:
    """Equal attributes, compared as canonical JSON (a multiple choice as a set); an empty
    value and a missing one are equal."""
    mine, theirs = a.get("attributes") or {}, b.get("attributes") or {}
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return canonical(mine) == canonical(theirs)
    keys = {k for k in (*mine, *theirs) if mine.get(k) not in (None, [], "")
            or theirs.get(k) not in (None, [], "")}
    return all(canonical(mine.get(k)) == canonical(theirs.get(k)) for k in keys)


def tally(outcomes: Iterable[Outcome]) -> tuple[Tally, dict[str, Tally]]:
    """The counts of all outcomes, and per label (a prelabel's label, an added one's own)."""
    total, by_label = Tally(), dict[str, Tally]()
    for outcome in outcomes:
        total.add(outcome)
        by_label.setdefault(outcome.label, Tally()).add(outcome)
    return total, by_label
