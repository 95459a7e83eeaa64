"""Comparing and counting attribute values and labels (docs/quality.md#merge)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson


def canonical(value: Any) -> bytes:
    """A value as its canonical JSON, so that equal values compare equal; a multiple choice
    (a list of strings) as the set it is."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = sorted(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


SCALARS = frozenset((str, int, float, bool, type(None)))


def _vote_key(value: Any) -> Any:
    # a scalar stands for itself (its type too: True is not 1); anything else by its JSON
    return (type(value), value) if type(value) in SCALARS else canonical(value)


def majority(values: Sequence[Any]) -> tuple[Any, int]:
    """The most frequent value and its count; a tie goes to the one given first."""
    if len(values) == 1:
        return values[0], 1
    if all(type(value) is str for value in values):  # labels, single choices: as they are
        keys: Sequence[Any] = values
    else:
        keys = [_vote_key(value) for value in values]
    counts = Counter(keys)  # counts in first-seen order; max keeps the first of equal counts
    best = max(counts, key=counts.__getitem__)
    return values[keys.index(best)], counts[best]
