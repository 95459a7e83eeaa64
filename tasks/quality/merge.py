"""One response from the answers of k taskers, and how far they agreed (docs/quality.md#merge).

`merge(answers)` takes k responses in Scale's format ({"annotations": [...],
"global_attributes"?, "links"?}) in a fixed order (the order breaks ties, so the caller passes
them in a stable one, e.g. by submission time) and returns a `Merged`: the merged `response`,
in the same format, and an agreement `report` (a JSON-ready dict).

* An object (a cluster of matching.cluster) is kept when at least half of the k taskers drew
  it (2 * drawn >= k).
* Label, and each attribute, by majority of the members; a tie goes to the value given by the
  earliest answer among the tied ones. An attribute is kept when at least half of the members
  gave it. Linked attributes (uuids) are compared and returned as the merged objects' uuids.
* Geometry: boxes and points are the mean of the members' numbers (rotation: the circular
  mean); polygons, lines, ellipses and cuboids are those of the medoid, the member with the
  highest mean similarity to the others (ties: the earliest answer).
* uuid: the members' own when they all share it (a pre-label), else the medoid's; a uuid
  already taken by another merged object is replaced by one derived from the members' uuids.
* Global attributes by majority over the answers, like an object's attributes; a link is kept
  when at least half of the taskers drew it between the same two merged objects.

Agreement of an object: `geometry` (mean similarity over every pair of its members; 1 when
only one tasker drew it) times `label` (share of members giving the merged label).
`coverage` is the share of the k taskers who drew it. Agreement of the task: the sum over kept
objects of agreement x coverage, divided by the number of objects (dropped ones included, as
0); 1 when no tasker drew anything.
"""

from __future__ import annotations

import math
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from tasks.rules.geometry import box_corners

from .matching import Cluster, Clustering, cluster
from .options import QualityOptions
from .votes import majority

UUID_NAMESPACE = uuid_module.UUID("5b0c6a1e-8f0e-4a8e-9a51-0c0a7a7f0e51")
BOX_NUMBERS = ("left", "top", "width", "height")


@dataclass
class Merged:
    response: dict
    report: dict


def merge(answers: Sequence[dict], options: QualityOptions | None = None,
          params: dict | None = None) -> Merged:
    """Merge k responses. `params` (the task's normalized params), when given, names the
    linked attributes and asks for whole pixels when `geometries.box.integer_pixels`."""
    if not answers:
        raise ValueError("merge needs at least one answer")
    return _merge(answers, options or QualityOptions(), params or {})


def _merge(answers: Sequence[dict], options: QualityOptions, params: dict) -> Merged:
    k = len(answers)
    lists = [list(answer.get("annotations") or []) for answer in answers]
    clustering = cluster(lists, options)
    linked = _linked_attributes(params)
    objects = [_ObjectMerge(c, clustering, k) for c in clustering.clusters]
    kept = [obj for obj in objects if obj.kept]
    _assign_uuids(kept)
    to_merged = {(i, lists[i][x].get("uuid")): obj.uuid
                 for obj in kept for i, x in obj.cluster.members.items()}
    whole_pixels = bool((params.get("geometries") or {}).get("box", {}).get("integer_pixels"))
    response: dict = {"annotations": [obj.annotation(to_merged, linked, whole_pixels)
                                      for obj in kept]}
    if any("global_attributes" in answer for answer in answers):
        response["global_attributes"] = _global_attributes(answers)
    if any("links" in answer for answer in answers):
        response["links"] = _links(answers, to_merged)
    return Merged(response, _report(objects, k))


# ---------------------------------------------------------------- one object


class _ObjectMerge:
    def __init__(self, found: Cluster, clustering: Clustering, k: int) -> None:
        self.cluster = found
        self.k = k
        self.order = sorted(found.members)  # answer indices, earliest first
        self.items = [clustering.answers[i][found.members[i]] for i in self.order]
        self.kept = 2 * len(self.order) >= k
        pairs = self._pairs(clustering)
        self.geometry = _mean(list(pairs.values()))
        # each member's mean similarity to the others (1 when alone), for the medoid
        means = [_mean([pairs[min(i, j), max(i, j)] for j in self.order if j != i])
                 for i in self.order]
        # (rounded: sums of the same similarities in another order may differ in the last bit)
        best = max(range(len(means)), key=lambda n: (round(means[n], 9), -n))
        self.medoid = self.items[best]
        labels = [item.get("label") for item in self.items]
        self.label, votes = majority(labels)
        self.label_agreement = votes / len(labels)
        self.uuid: str | None = None

    def _pairs(self, clustering: Clustering) -> dict[tuple[int, int], float]:
        """The similarity of every two members, by their answers' indices (i < j)."""
        kind, members = self.cluster.kind, self.cluster.members
        return {(i, j): clustering.similarity(kind, i, members[i], j, members[j])
                for i, j in combinations(self.order, 2)}

    @property
    def agreement(self) -> float:
        return self.geometry * self.label_agreement

    @property
    def coverage(self) -> float:
        return len(self.order) / self.k

    def annotation(self, to_merged: dict, linked: set[str], whole_pixels: bool) -> dict:
        result: dict = {"uuid": self.uuid, "type": self.cluster.kind}
        if self.label is not None:
            result["label"] = self.label
        result.update(GEOMETRIES.get(self.cluster.kind, _medoid_geometry)(self, whole_pixels))
        answers = [(i, item.get("attributes") or {})
                   for i, item in zip(self.order, self.items, strict=True)]
        result["attributes"] = _attributes(answers, to_merged, linked)
        for key, value in self.medoid.items():  # other keys the format carries (cuboid 3D fields)
            result.setdefault(key, value)
        return result

    def report(self) -> dict:
        return {
            "uuid": self.uuid,
            "type": self.cluster.kind,
            "label": self.label,
            "kept": self.kept,
            "members": [self.items[self.order.index(i)].get("uuid") if i in self.cluster.members
                        else None for i in range(self.k)],
            "coverage": self.coverage,
            "geometry": self.geometry,
            "label_agreement": self.label_agreement,
            "agreement": self.agreement,
        }


def _assign_uuids(kept: list[_ObjectMerge]) -> None:
    taken: set[str] = set()
    for obj in kept:
        uuids = {item.get("uuid") for item in obj.items}
        value = uuids.pop() if len(uuids) == 1 else obj.medoid.get("uuid")
        if value is None or value in taken:
            seed = "/".join(str(item.get("uuid")) for item in obj.items)
            value = str(uuid_module.uuid5(UUID_NAMESPACE, seed))
        taken.add(value)
        obj.uuid = value


# ---------------------------------------------------------------- geometry


def _box_geometry(obj: _ObjectMerge, whole_pixels: bool) -> dict:
    result: dict[str, Any] = {key: _mean([item[key] for item in obj.items])
                              for key in BOX_NUMBERS}
    rotations = [item["rotation"] for item in obj.items if "rotation" in item]
    if rotations:
        rotation = math.atan2(_mean([math.sin(r) for r in rotations]),
                              _mean([math.cos(r) for r in rotations]))
        result["rotation"] = rotation
        left, top, width, height = (result[key] for key in BOX_NUMBERS)
        result["vertices"] = box_corners(left, top, width, height, rotation)
    elif whole_pixels:
        result = {key: math.floor(value + 0.5) for key, value in result.items()}
        result["width"], result["height"] = max(result["width"], 1), max(result["height"], 1)
    return result


def _point_geometry(obj: _ObjectMerge, whole_pixels: bool) -> dict:
    return {key: _mean([item[key] for item in obj.items]) for key in ("x", "y")}


def _medoid_geometry(obj: _ObjectMerge, whole_pixels: bool) -> dict:
    medoid = obj.medoid
    return {key: medoid[key] for key in ("vertices", "edges") if key in medoid}


GEOMETRIES = {"box": _box_geometry, "point": _point_geometry}


# ---------------------------------------------------------------- votes


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 1.0


def _attributes(answers: list[tuple[int, dict]], to_merged: dict, linked: set[str]) -> dict:
    """Each attribute given by at least half of `answers` ((answer index, values) pairs), by
    majority."""
    keys = list(dict.fromkeys(key for _, values in answers for key in values))
    result = {}
    for key in keys:
        given = [(i, values[key]) for i, values in answers if key in values]
        if 2 * len(given) < len(answers):
            continue
        if key in linked:
            given = [(i, _linked_target(i, value, to_merged)) for i, value in given]
            given = [(i, value) for i, value in given if value is not None]
            if 2 * len(given) < len(answers):
                continue
        result[key] = majority([value for _, value in given])[0]
    return result


def _linked_target(answer: int, value: Any, to_merged: dict) -> str | None:
    """The merged uuid of the object a linked attribute of `answer` points to (None when that
    object was not kept)."""
    return to_merged.get((answer, value)) if isinstance(value, str) else None


def _linked_attributes(params: dict) -> set[str]:
    defs = params.get("annotation_attributes") or {}
    return {key for key, spec in defs.items()
            if isinstance(spec, dict) and spec.get("type") == "linked"}


def _global_attributes(answers: Sequence[dict]) -> dict:
    given = [(i, answer.get("global_attributes") or {}) for i, answer in enumerate(answers)]
    return _attributes(given, {}, set())


def _links(answers: Sequence[dict], to_merged: dict) -> list[dict]:
    votes: dict[tuple[str, str, str], set[int]] = {}
    for i, answer in enumerate(answers):
        for link in answer.get("links") or []:
            source, target = (_linked_target(i, link.get(end), to_merged)
                              for end in ("from", "to"))
            if source is not None and target is not None and source != target:
                votes.setdefault((link["label"], source, target), set()).add(i)
    return [{"label": label, "from": a, "to": b} for (label, a, b), who in votes.items()
            if 2 * len(who) >= len(answers)]


# ---------------------------------------------------------------- report


def _report(objects: list[_ObjectMerge], k: int) -> dict:
    kept = [obj for obj in objects if obj.kept]
    task = (math.fsum(obj.agreement * obj.coverage for obj in kept) / len(objects)
            if objects else 1.0)
    taskers = [{"missed": 0, "extra": 0, "mislabelled": 0} for _ in range(k)]
    for obj in objects:
        for i in range(k):
            drew = i in obj.cluster.members
            if obj.kept and not drew:
                taskers[i]["missed"] += 1
            elif not obj.kept and drew:
                taskers[i]["extra"] += 1
            elif obj.kept and obj.items[obj.order.index(i)].get("label") != obj.label:
                taskers[i]["mislabelled"] += 1
    return {
        "taskers": k,
        "agreement": task,
        "kept": len(kept),
        "dropped": len(objects) - len(kept),
        "objects": [obj.report() for obj in objects],
        "per_tasker": taskers,
    }
