"""The quality loop on masks (docs/segmentation.md "Quality"): the segmentation kind's
`merge_answers`, `score_answer` and `draft_payload`, over the stored masks, with the pure
core of tasks/quality/masks.py.

A mask's index names a label (1..N, the task's label table) or an instance of an instance
label (N+1..). The core compares label ids: `lookup(mapping, table)` maps each index of one
answer (its labelMapping) to its label's index in the table, so instances compare as their
label and two answers' instance numbering does not matter.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from tasks.errors import ApiError
from tasks.models import Task
from tasks.models.files import SCHEME
from tasks.quality import masks as core
from tasks.rules.errors import RuleError
from tasks.rules.segmentation import SegLabel, label_table
from tasks.segmentation import draft, gold, masks
from tasks.segmentation.publish import CHECKED, CheckedMask

if TYPE_CHECKING:
    from tasks.quality.merge import Merged

# A response file's URL: /v1/task/<id>/files/<name> (tasks/segmentation/publish.py).
FILE_URL = re.compile(r"/v1/task/([^/]+)/files/([^/?#]+)$")


def table_of(task: Task) -> list[SegLabel]:
    return label_table((task.params or {}).get("labels") or [])


def lookup(mapping: dict[str, Any], table: list[SegLabel]) -> np.ndarray:
    """(256,) uint8: each index of a labelMapping -> its label's index in the table (0 for
    unused indices and labels the table does not have)."""
    own = {entry.label: entry.index for entry in table}
    lut = np.zeros(core.LUT_SIZE, dtype=np.uint8)
    for entry in table:
        if not entry.instance:
            lut[entry.index] = entry.index
    for name, item in mapping.items():
        if name not in own:
            continue
        for value in item if isinstance(item, list) else [item]:
            index = value.get("index") if isinstance(value, dict) else None
            if isinstance(index, int) and 0 < index < core.LUT_SIZE:
                lut[index] = own[name]
    return lut


def names_of(table: list[SegLabel]) -> dict[int, str]:
    return {entry.index: entry.label for entry in table}


# --- consensus ------------------------------------------------------------------------------

def merge_answers(parent: Task, replicas: list[Task]) -> Merged:
    """The replicas' masks merged by per-pixel majority of labels (tasks/quality/masks.py);
    the response is a checked one (the merged mask), the report the per-label agreement."""
    from tasks.quality.merge import Merged

    table = table_of(parent)
    found = [masks.load_indexed(replica) for replica in replicas]
    mappings = [masks.label_mapping(replica) for replica in replicas]
    result = core.merge(found, [lookup(m, table) for m in mappings], len(table))
    instances = [_instance(mappings[i], old, new) for i, old, new in result.instances]
    response = {"annotations": [], CHECKED: CheckedMask(result.mask, instances)}
    return Merged(response, _report(result, found, mappings, table))


def _instance(mapping: dict[str, Any], old: int, new: int) -> dict:
    for name, item in mapping.items():
        for value in item if isinstance(item, list) else []:
            if isinstance(value, dict) and value.get("index") == old:
                return {"index": new, "label": name, "attributes": value.get("attributes") or {}}
    raise ValueError(f"index {old} is no instance of its answer's labelMapping")


def _report(result: core.MaskMerge, found: list[np.ndarray], mappings: list[dict],
            table: list[SegLabel]) -> dict:
    """The merge's report, in the shape of the shapes' (tasks/quality/merge.py): `kept` and
    `dropped` count labels (in the merged mask; only in some answers), `labels` gives each
    label's agreement; no per-object or per-tasker entries."""
    present: set[int] = set()
    for mask, mapping in zip(found, mappings, strict=True):
        present |= _labels_in(mask, lookup(mapping, table))
    merged_lut = lookup({}, table)
    for i, old, new in result.instances:
        merged_lut[new] = lookup(mappings[i], table)[old]
    merged = _labels_in(result.mask, merged_lut)
    names = names_of(table)
    return {"method": "mask", "taskers": len(found), "agreement": result.agreement,
            "kept": len(merged), "dropped": len(present - merged), "objects": [],
            "labels": {names[label]: value for label, value in result.labels.items()},
            "per_tasker": []}


def _labels_in(mask: np.ndarray, lut: np.ndarray) -> set[int]:
    return {int(label) for label in np.unique(lut[mask]) if label}


# --- gold and training ----------------------------------------------------------------------

def score_answer(copy: Task, expected: dict) -> core.MaskScore:
    """The copy's mask scored against the expected response's (its indexedImage file)."""
    table = table_of(copy)
    answer = masks.load_indexed(copy)
    wanted = expected_mask(expected, copy)
    if wanted.shape != answer.shape:
        raise ValueError(f"the expected mask is {wanted.shape}, the answer {answer.shape}")
    return core.score(answer, wanted, lookup(masks.label_mapping(copy), table),
                      lookup(expected.get("labelMapping") or {}, table), names_of(table))


def expected_mask(expected: dict, copy: Task | None = None) -> np.ndarray:
    """The mask of an expected response: the stored file its indexedImage URL names (a
    task's response file: the admin's Use as gold), or the copy's owner's upload (a
    scaledata:// URL: a template made through the API, tasks/segmentation/gold.py)."""
    combined = ((expected.get("annotations") or {}).get("combined") or {})
    url = combined.get("indexedImage") if isinstance(combined, dict) else None
    if isinstance(url, str) and url.startswith(SCHEME) and copy is not None:
        try:
            return gold.read_upload(url, copy.owner, copy.is_test)
        except RuleError as exc:
            raise masks.MaskMissing(f"the expected mask: {exc}") from exc
    match = FILE_URL.search(url) if isinstance(url, str) else None
    if match is None:
        raise masks.MaskMissing("the expected response names no stored indexedImage")
    found = masks.load_stored(masks.response_name(match.group(1), match.group(2)))
    if found is None:
        raise masks.MaskMissing(f"the expected mask {url} is not stored")
    return found


# --- review ---------------------------------------------------------------------------------

def draft_payload(task: Task) -> dict:
    """The response a reviewer's decision stands for, decoded (what check_submit returns):
    the draft's base mask (the page sends a snapshot before it decides, so no operation is
    left over it) and its instances."""
    state = draft.current(task)
    if state.get("ops"):
        raise ApiError(409, f"The mask has {len(state['ops'])} operation(s) since its last "
                            "snapshot: save the mask (a snapshot) before deciding.")
    mask = masks.load_stored(state.get("base") or "")
    if mask is None:
        mask = np.zeros((task.attachment_height or 0, task.attachment_width or 0), np.uint8)
    return {"annotations": [], CHECKED: CheckedMask(mask, list(state.get("instances") or []))}


# --- the training result page ---------------------------------------------------------------

def label_image(copy: Task, expected: dict | None = None) -> bytes:
    """The copy's mask (or, given, the expected response's) as an RGBA PNG in the label
    colours (instances in their label's), transparent where unlabeled: the training result
    page shows the two side by side (tasks/workbench/training_views.py). MaskMissing."""
    from tasks.segmentation.response_files import combined_image

    table = table_of(copy)
    if expected is None:
        mask, mapping = masks.load_indexed(copy), masks.label_mapping(copy)
    else:
        mask, mapping = expected_mask(expected, copy), expected.get("labelMapping") or {}
    return combined_image(lookup(mapping, table)[mask], table, [])
