"""An answer scored against the expected one: gold (evaluation) and training tasks
(docs/quality.md#gold-scoring).

The two responses are matched as two taskers' answers are (matching.match_pair). Then, with
TP matched pairs, FP answer objects left unmatched and FN expected objects left unmatched:

* precision = TP / (TP + FP), recall = TP / (TP + FN) (1 when the denominator is 0);
* mean_similarity: mean similarity (IoU for shapes) of the matched pairs;
* label_accuracy: share of matched pairs with the expected label;
* attribute_accuracy: share of the expected attribute values (of matched objects, and the
  global attributes) that the answer gives equal;
* score = global x sum(q) / (TP + (FP + FN) / 2), where a pair's quality q is its similarity
  x 1 when its label is right, else 0, x the share of the expected object's attributes it
  gives equal (1 when it has none), and `global` is the share of the expected global
  attributes answered equal (1 when there are none). Without attributes this is the panoptic
  quality of the answer: each miss and each extra object costs half a matched one. Two empty
  answers score 1.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .matching import match_pair
from .options import QualityOptions
from .votes import canonical


@dataclass(frozen=True)
class Score:
    score: float
    precision: float
    recall: float
    mean_similarity: float | None
    label_accuracy: float | None
    attribute_accuracy: float | None
    matched: int
    missed: int
    extra: int

    def as_json(self) -> dict:
        return asdict(self)


def score_answer(answer: dict, expected: dict, options: QualityOptions | None = None) -> Score:
    """Score response `answer` against response `expected` (both in Scale's format)."""
    given = list(answer.get("annotations") or [])
    wanted = list(expected.get("annotations") or [])
    pairs = match_pair(given, wanted, options or QualityOptions())
    matched = len(pairs)
    extra, missed = len(given) - matched, len(wanted) - matched
    # a linked attribute names an object of its own answer: read it as the matched one
    matched_uuid = {given[pair.a].get("uuid"): wanted[pair.b].get("uuid") for pair in pairs}
    right_total, asked_total, qualities = 0, 0, []
    for pair in pairs:
        right, asked = _same_values(given[pair.a].get("attributes") or {},
                                    wanted[pair.b].get("attributes") or {}, matched_uuid)
        right_total, asked_total = right_total + right, asked_total + asked
        share = right / asked if asked else 1.0
        qualities.append(pair.similarity * pair.same_label * share)
    right, asked = _same_values(answer.get("global_attributes") or {},
                                expected.get("global_attributes") or {}, {})
    right_total, asked_total = right_total + right, asked_total + asked
    global_share = right / asked if asked else 1.0
    denominator = matched + (extra + missed) / 2
    objects = math.fsum(qualities) / denominator if denominator else 1.0
    return Score(
        score=objects * global_share,
        precision=matched / len(given) if given else 1.0,
        recall=matched / len(wanted) if wanted else 1.0,
        mean_similarity=_mean([pair.similarity for pair in pairs]),
        label_accuracy=_mean([float(pair.same_label) for pair in pairs]),
        attribute_accuracy=right_total / asked_total if asked_total else None,
        matched=matched,
        missed=missed,
        extra=extra,
    )


def _same_values(given: dict, expected: dict, matched_uuid: dict) -> tuple[int, int]:
    """How many of `expected`'s values `given` has equal, out of how many."""
    right = sum(key in given and canonical(_translated(given[key], matched_uuid))
                == canonical(value) for key, value in expected.items())
    return right, len(expected)


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _translated(value: object, matched_uuid: dict) -> object:
    return matched_uuid.get(value, value) if isinstance(value, str) else value
