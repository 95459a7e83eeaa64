"""A segmentation task's hypothesis mask (docs/segmentation.md "Hypothesis").

The hypothesis names a 1-channel PNG by URL (http(s), or the account's scaledata:// upload)
and maps its values to the task's labels (Scale's labelMapping). The worker fetches it through
tasks/fetching.py with the task's image, translates its values to the task's indices and keeps
the result as the draft's first base mask; a value the labelMapping does not name, or a size
other than the image's, ends the task in error. A test key's task completes at create with
its hypothesis, read then: its mask must be an upload (the worker does not run test tasks).
"""

from __future__ import annotations

import numpy as np

from tasks.fetch_pool import Deadline
from tasks.models import Task
from tasks.rules.segmentation import hypothesis_translation, label_table, mask_urls
from tasks.segmentation import masks
from tasks.video_layers import FileFailure, fetch_bytes

STORED = "hypothesis.png"


class HypothesisFailure(FileFailure):
    def as_response(self) -> dict:
        """The task's response when it ends in error for its hypothesis."""
        return {"error": f"The hypothesis could not be used: {self.message}.",
                "hypothesis": {"statusCode": self.status_code, "url": self.url}}


def url_of(params: dict) -> str | None:
    found = mask_urls(params)
    return found[0][1] if found else None


def instances_of(params: dict) -> list[dict]:
    """The instances the hypothesis creates (index N+1.. in the order of its labelMapping)."""
    hypothesis = params.get("hypothesis")
    if not isinstance(hypothesis, dict):
        return []
    return hypothesis_translation(hypothesis, label_table(params.get("labels") or []))[1]


def read_mask(task: Task, deadline: Deadline | None = None) -> np.ndarray | None:
    """The hypothesis's mask in the task's indices; None without a hypothesis.
    HypothesisFailure."""
    params = task.params or {}
    url = url_of(params)
    if url is None:
        return None
    try:
        data = fetch_bytes(task, url, "hypothesis mask", deadline)
    except FileFailure as exc:
        raise HypothesisFailure(exc.message, url, exc.status_code) from exc
    try:
        mask = masks.decode_png(data)
    except masks.MaskError as exc:
        raise HypothesisFailure(f"the mask {exc}", url, 200) from exc
    return translate(mask, params, url)


def translate(mask: np.ndarray, params: dict, url: str) -> np.ndarray:
    """The file's values made the task's indices (a lookup table over 256 values)."""
    table = label_table(params.get("labels") or [])
    values, _ = hypothesis_translation(params["hypothesis"], table)
    lut = np.zeros(256, dtype=np.uint8)
    for value, index in values.items():
        lut[value] = index
    present = np.flatnonzero(masks.index_counts(mask))
    unknown = [int(v) for v in present if v and int(v) not in values]
    if unknown:
        raise HypothesisFailure(f"the mask holds values its labelMapping does not name: "
                                f"{', '.join(map(str, unknown[:10]))}", url, 200)
    return lut[mask]


def store(task: Task, deadline: Deadline | None = None) -> np.ndarray | None:
    """Fetch, translate and keep the hypothesis mask as the draft's base; HypothesisFailure."""
    mask = read_mask(task, deadline)
    if mask is not None:
        masks.write(masks.draft_name(task.task_id, STORED), masks.encode_png(mask))
    return mask


def check_size(task: Task, mask: np.ndarray | None) -> None:
    """The mask has the image's size (read once the image is stored); HypothesisFailure."""
    if mask is None or not task.attachment_width:
        return
    if mask.shape != (task.attachment_height, task.attachment_width):
        raise HypothesisFailure(f"the mask is {mask.shape[1]} x {mask.shape[0]} pixels, the "
                                f"image {task.attachment_width} x {task.attachment_height}",
                                url_of(task.params or {}), 200)
