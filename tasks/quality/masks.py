"""Masks compared, merged and scored (docs/quality.md "Masks", docs/segmentation.md "Quality").

Pure numpy over index masks ((H, W) uint8, 0 = unlabeled) and `labels`: a lookup table of 256
label ids, `labels[index]` the label id of a mask index (0 for unlabeled and unused indices; an
instance's index maps to its label's id, so instances compare as their label).

* Per-label IoU of two masks: for each label, |A ∩ B| / |A ∪ B| of its pixels.
* Agreement of k masks: per label, the mean IoU over the pairs of masks in which it appears
  at least once; the task's agreement is the mean over the labels present in any mask (1 when
  no mask has a label).
* Merge: per pixel, the label most masks give (a tie goes to the earliest mask among the tied
  ones); the merged pixel takes the index of the earliest mask that gives the winning label
  there, so a semantic label keeps its index and an instance pixel its instance of that mask.
* Score of an answer against the expected mask: the mean per-label IoU over the labels present
  in either (1 when neither has any).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

LUT_SIZE = 256


@dataclass(frozen=True)
class MaskMerge:
    mask: np.ndarray  # (H, W) uint8: the merged indices
    agreement: float
    labels: dict[int, float]  # label id -> agreement (mean pairwise IoU)
    # (mask i, its instance index, the merged index) of each instance kept, merged order
    instances: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class MaskScore:
    score: float
    labels: dict[str, float] = field(default_factory=dict)  # label -> IoU
    pixel_accuracy: float = 1.0  # share of pixels with the expected label

    def as_json(self) -> dict:
        return {"score": self.score, "labels": dict(self.labels),
                "pixel_accuracy": self.pixel_accuracy, "method": "mask_iou"}


def label_ids(mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mask with each index replaced by its label id."""
    return np.asarray(labels, dtype=np.uint8)[mask]


def label_ious(a: np.ndarray, b: np.ndarray, count: int) -> dict[int, float]:
    """IoU of each label id 1..count present in `a` or `b` (label-id maps of one shape)."""
    if a.shape != b.shape:
        raise ValueError(f"masks of different sizes: {a.shape} and {b.shape}")
    size = int(max(count, a.max(initial=0), b.max(initial=0))) + 1
    joint = np.bincount(a.ravel().astype(np.int64) * size + b.ravel(),
                        minlength=size * size).reshape(size, size)
    inter = np.diag(joint)
    union = joint.sum(axis=1) + joint.sum(axis=0) - inter
    return {int(label): float(inter[label] / union[label])
            for label in range(1, size) if union[label]}


def agreement(maps: list[np.ndarray], count: int) -> tuple[float, dict[int, float]]:
    """(the agreement of k label-id maps, each label's) as the module says."""
    found: dict[int, list[float]] = {}
    for i in range(len(maps)):
        for j in range(i + 1, len(maps)):
            for label, iou in label_ious(maps[i], maps[j], count).items():
                found.setdefault(label, []).append(iou)
    if len(maps) == 1:
        found = {int(label): [1.0] for label in np.unique(maps[0]) if label}
    per_label = {label: math.fsum(values) / len(values) for label, values in found.items()}
    total = math.fsum(per_label.values()) / len(per_label) if per_label else 1.0
    return total, dict(sorted(per_label.items()))


def majority(maps: list[np.ndarray]) -> np.ndarray:
    """(H, W) uint8: per pixel, the first of the maps that gives the label most maps give."""
    if not maps:
        raise ValueError("majority needs at least one mask")
    best_votes = np.zeros(maps[0].shape, dtype=np.uint8)
    winner = np.zeros(maps[0].shape, dtype=np.uint8)
    for i, own in enumerate(maps):
        votes = np.zeros(own.shape, dtype=np.uint8)
        for other in maps:
            votes += own == other
        better = votes > best_votes  # strictly: a tie keeps the earlier mask
        winner[better] = i
        best_votes[better] = votes[better]
    return winner


def merge(masks: list[np.ndarray], tables: list[np.ndarray], count: int) -> MaskMerge:
    """Merge k masks, `tables[i]` the label lookup of mask i, `count` the number of labels
    (indices above it are instances: renumbered count+1.. by (mask, index), as they come, so
    two masks' instances of one index stay apart; those past 255 become unlabeled)."""
    maps = [label_ids(mask, table) for mask, table in zip(masks, tables, strict=True)]
    winner = majority(maps)
    merged = masks[0].copy()
    for i in range(1, len(masks)):
        taken = winner == i
        merged[taken] = masks[i][taken]
    total, per_label = agreement(maps, count)
    merged, instances = _renumbered(merged, winner, count)
    return MaskMerge(merged, total, per_label, instances)


def _renumbered(merged: np.ndarray, winner: np.ndarray,
                count: int) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    keys = winner.astype(np.int32) * LUT_SIZE + merged
    used = np.unique(keys[merged > count])
    lut = np.zeros(len(used), dtype=np.uint8)
    instances: list[tuple[int, int, int]] = []
    for n, key in enumerate(used):
        new = count + 1 + n
        lut[n] = new if new < LUT_SIZE else 0
        if new < LUT_SIZE:
            instances.append((int(key) // LUT_SIZE, int(key) % LUT_SIZE, new))
    out = merged.copy()
    where = merged > count
    out[where] = lut[np.searchsorted(used, keys[where])]
    return out, instances


def score(answer: np.ndarray, expected: np.ndarray, answer_labels: np.ndarray,
          expected_labels: np.ndarray, names: dict[int, str]) -> MaskScore:
    """The answer mask scored against the expected one (`names`: label id -> label)."""
    given = label_ids(answer, answer_labels)
    wanted = label_ids(expected, expected_labels)
    ious = label_ious(given, wanted, max(names, default=0))
    value = math.fsum(ious.values()) / len(ious) if ious else 1.0
    accuracy = float(np.count_nonzero(given == wanted) / given.size) if given.size else 1.0
    return MaskScore(value, {names.get(label, str(label)): iou for label, iou in ious.items()},
                     accuracy)
