"""Gold and training templates of segmentation tasks made through the API
(`POST /v1/evaluation_tasks/{type}`, `POST /v1/training_tasks/{type}` of the segmentation
kind; docs/segmentation.md "Quality"): the expected response is Scale's response shape, its mask an
upload of the account.

```
{"labelMapping": {"road": {"index": 1}, "car": [{"index": 30}, ...]},
 "annotations": {"combined": {"indexedImage": "scaledata://..."}}}
```

The labelMapping is checked as a hypothesis's (its values need not be the task's indices:
the scoring maps both masks to labels, tasks/segmentation/quality.py); the file is read at
create (a 1-channel PNG whose values the labelMapping names) and again at each scoring, from
the upload, so the upload must be kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tasks.models.files import SCHEME, UploadedFile
from tasks.rules.errors import RuleError
from tasks.rules.segmentation import hypothesis_translation, label_table, normalize_hypothesis
from tasks.segmentation import masks

FIELD = "annotations.combined.indexedImage"


def check_expected(payload: dict, params: dict, name: str, *, owner: Any,
                   is_test: bool) -> dict:
    """The expected response, normalized; RuleError (named under `name`)."""
    if name != "expected_response":
        raise RuleError(name, "is not supported for segmentation tasks: evaluation tasks of "
                              "masks are answered, not reviewed")
    table = label_table(params.get("labels") or [])
    clean = normalize_hypothesis(payload, table, params.get("annotation_attributes") or {},
                                 path=name)
    url = clean["annotations"]["combined"]["indexedImage"]
    path = f"{name}.{FIELD}"
    if not url.startswith(SCHEME):
        raise RuleError(path, "must be a scaledata:// upload of this account (the mask is "
                              "read at create and at each scoring)")
    mask = read_upload(url, owner, is_test, path)
    values, _ = hypothesis_translation(clean, table)
    present = np.flatnonzero(masks.index_counts(mask))
    unknown = [int(v) for v in present if v and int(v) not in values]
    if unknown:
        raise RuleError(path, "holds values its labelMapping does not name: "
                              + ", ".join(map(str, unknown[:10])))
    return clean


def read_upload(url: str, owner: Any, is_test: bool, path: str = FIELD) -> np.ndarray:
    """The uploaded 1-channel PNG as (H, W) uint8; RuleError when it is gone or no mask."""
    upload = UploadedFile.objects.resolve(owner, is_test, url)
    if upload is None or not upload.file:
        raise RuleError(path, f"{url} is not an upload of this account")
    with upload.file.open("rb") as handle:
        data = handle.read()
    try:
        return masks.decode_png(data)
    except masks.MaskError as exc:
        raise RuleError(path, f"the mask {exc}") from exc
