"""What a submitted response may do to the task's base annotations.

The same decisions as the workbench's `static/js/lib/locks.js`:
* `locked: true` on a base annotation forbids every change to it, and its deletion.
* `can_edit_base_annotations: false` locks geometry, attributes and label of base annotations;
  `can_edit_base_annotation_labels: false` locks only their labels.
* `can_delete_base_annotations: false` keeps every base annotation in the response.
* `can_add_base_annotations: false` allows no annotation beyond the prelabels (base and
  hypothesis) when the task has base annotations.
"""

from __future__ import annotations

import math

from .errors import RuleError, join

FLAGS = ("can_add_base_annotations", "can_edit_base_annotations",
         "can_edit_base_annotation_labels", "can_delete_base_annotations")
NOT_GEOMETRY = {"uuid", "type", "label", "attributes", "locked"}


def flags(params: dict) -> dict[str, bool]:
    return {name: params.get(name) is not False for name in FLAGS}


def base_annotations(params: dict) -> list[dict]:
    return list((params.get("base_annotations") or {}).get("annotations") or [])


def check_locks(annotations: list[dict], params: dict, path: str = "annotations") -> None:
    """Raise RuleError when `annotations` (a normalized response) breaks a base rule."""
    base = base_annotations(params)
    if not base:
        return
    allowed = flags(params)
    submitted = {a["uuid"]: (i, a) for i, a in enumerate(annotations)}
    for original in base:
        found = submitted.get(original["uuid"])
        if found is None:
            _check_delete(original, allowed, path)
        else:
            index, annotation = found
            _check_change(original, annotation, allowed, join(path, index))
    if not allowed["can_add_base_annotations"]:
        _check_no_additions(annotations, params, base, path)


def _locked(original: dict) -> bool:
    return bool(original.get("locked"))


def _check_delete(original: dict, allowed: dict, path: str) -> None:
    if _locked(original) or not allowed["can_delete_base_annotations"]:
        why = "is locked" if _locked(original) else "cannot be deleted in this task"
        raise RuleError(path, f"must keep base annotation {original['uuid']}: it {why}",
                        annotation_uuid=original["uuid"])


def _check_change(original: dict, annotation: dict, allowed: dict, path: str) -> None:
    uuid = original["uuid"]
    editable = allowed["can_edit_base_annotations"] and not _locked(original)
    why = "is locked" if _locked(original) else "cannot be edited in this task"
    if annotation["type"] != original["type"]:
        raise RuleError(join(path, "type"), f"of base annotation {uuid} cannot change",
                        annotation_uuid=uuid)
    if not editable and not same_geometry(original, annotation):
        raise RuleError(path, f"changes the geometry of base annotation {uuid}, which {why}",
                        annotation_uuid=uuid)
    if not editable and (original.get("attributes") or {}) != (annotation.get("attributes")
                                                               or {}):
        raise RuleError(join(path, "attributes"),
                        f"of base annotation {uuid} cannot change: it {why}",
                        annotation_uuid=uuid)
    relabel = editable and allowed["can_edit_base_annotation_labels"]
    if not relabel and original.get("label") != annotation.get("label"):
        reason = why if not editable else "cannot be relabelled in this task"
        raise RuleError(join(path, "label"), f"of base annotation {uuid} cannot change: it "
                                             f"{reason}", annotation_uuid=uuid)


def _check_no_additions(annotations: list[dict], params: dict, base: list[dict],
                        path: str) -> None:
    hypothesis = (params.get("hypothesis") or {}).get("annotations") or []
    known = {a["uuid"] for a in base} | {a["uuid"] for a in hypothesis}
    for index, annotation in enumerate(annotations):
        if annotation["uuid"] not in known:
            raise RuleError(join(path, index), "is a new annotation, and this task allows no "
                                               "annotations besides its base annotations",
                            annotation_uuid=annotation["uuid"])


def same_geometry(a: dict, b: dict, tolerance: float = 1e-6) -> bool:
    keys = (set(a) | set(b)) - NOT_GEOMETRY
    return all(_close(a.get(k), b.get(k), tolerance) for k in keys)


def _close(x: object, y: object, tolerance: float) -> bool:
    if isinstance(x, bool) or isinstance(y, bool):
        return x == y
    if isinstance(x, int | float) and isinstance(y, int | float):
        return math.isclose(x, y, abs_tol=tolerance)
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k], tolerance) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_close(p, q, tolerance) for p, q in zip(x, y,
                                                                                  strict=True))
    return x == y
