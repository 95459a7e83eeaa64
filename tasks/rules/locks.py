"""What a submitted response may do to the task's base annotations.

The same decisions as the workbench's `static/js/lib/locks.js`:
* `locked: true` on a base annotation forbids every change to it, and its deletion.
* `can_edit_base_annotations: false` locks geometry, attributes and label of base annotations;
  `can_edit_base_annotation_labels: false` locks only their labels.
* `can_delete_base_annotations: false` keeps every base annotation in the response.
* `can_add_base_annotations: false` allows no annotation beyond the prelabels (base and
  hypothesis) when the task has base annotations.

A video task's annotations are tracks ({uuid, type, label, keyframes}): for them "geometry" is
the keyframes without their attributes (frames, outside, geometry keys: adding, moving or
removing a keyframe edits it) and "attributes" are the keyframes' attributes
(`track_changes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .constants import MESSAGES, TOLERANCES
from .errors import RuleError, join
from .prelabel_files import prelabel_list

FLAGS = ("can_add_base_annotations", "can_edit_base_annotations",
         "can_edit_base_annotation_labels", "can_delete_base_annotations")
NOT_GEOMETRY = {"uuid", "type", "label", "attributes", "locked"}




@dataclass(frozen=True)
class Wording:
    """How a refused change names the annotation and why it is locked."""

    noun: str  # "base annotation", "annotation"
    locked: str  # "is locked", "was accepted in review"


BASE = Wording("base annotation", "is locked")
# An annotation a reviewer accepted before sending the task back (docs/quality.md).
ACCEPTED = Wording("annotation", MESSAGES["accepted_in_review"])


def flags(params: dict[str, Any]) -> dict[str, bool]:
    return {name: params.get(name) is not False for name in FLAGS}


def base_annotations(params: dict[str, Any]) -> list[dict[str, Any]]:
    return list(prelabel_list(params, "base_annotations"))


def check_locks(annotations: list[dict[str, Any]], params: dict[str, Any],
                path: str = "annotations") -> None:
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


def check_link_locks(links: list[dict[str, Any]], params: dict[str, Any],
                     path: str = "links") -> None:
    """A link belongs to its `from` annotation, as a linked attribute does to the annotation
    that carries it: no link may start at a base annotation whose attributes the tasker may
    not change (locked, or can_edit_base_annotations false). Prelabel links only join
    hypothesis annotations, so such a base annotation never starts one."""
    base = {a["uuid"]: a for a in base_annotations(params)}
    if not base:
        return
    for index, link in enumerate(links):
        original = base.get(link.get("from"))
        if original is None:
            continue
        row = {"source": "base", "locked": _locked(original)}
        ok, reason = can("edit_attributes", row, params)
        if not ok:
            raise RuleError(join(path, index), f"cannot start at base annotation "
                                               f"{original['uuid']}: {reason[0].lower()}"
                                               f"{reason[1:]}",
                            annotation_uuid=original["uuid"])


def _locked(original: dict[str, Any]) -> bool:
    return bool(original.get("locked"))


def _check_delete(original: dict[str, Any], allowed: dict[str, Any], path: str,
                  wording: Wording = BASE) -> None:
    if _locked(original) or not allowed["can_delete_base_annotations"]:
        why = wording.locked if _locked(original) else "cannot be deleted in this task"
        raise RuleError(path, f"must keep {wording.noun} {original['uuid']}: it {why}",
                        annotation_uuid=original["uuid"])


def _check_change(original: dict[str, Any], annotation: dict[str, Any], allowed: dict[str, Any],
                  path: str, wording: Wording = BASE) -> None:
    uuid = original["uuid"]
    noun = f"{wording.noun} {uuid}"
    editable = allowed["can_edit_base_annotations"] and not _locked(original)
    why = wording.locked if _locked(original) else "cannot be edited in this task"
    if annotation["type"] != original["type"]:
        raise RuleError(join(path, "type"), f"of {noun} cannot change", annotation_uuid=uuid)
    if not editable and _is_track(original):
        changed = track_changes(original.get("keyframes"), annotation.get("keyframes"))
        if "keyframes" in changed:
            raise RuleError(join(path, "keyframes"), f"change the geometry of {noun}, which "
                                                     f"{why}", annotation_uuid=uuid)
        if "attributes" in changed:
            raise RuleError(join(path, "keyframes"), f"change the attributes of {noun}, "
                                                     f"which {why}", annotation_uuid=uuid)
    elif not editable and not same_geometry(original, annotation):
        raise RuleError(path, f"changes the geometry of {noun}, which {why}",
                        annotation_uuid=uuid)
    if not editable and (original.get("attributes") or {}) != (annotation.get("attributes")
                                                               or {}):
        raise RuleError(join(path, "attributes"), f"of {noun} cannot change: it {why}",
                        annotation_uuid=uuid)
    relabel = editable and allowed["can_edit_base_annotation_labels"]
    if not relabel and original.get("label") != annotation.get("label"):
        reason = why if not editable else "cannot be relabelled in this task"
        raise RuleError(join(path, "label"), f"of {noun} cannot change: it {reason}",
                        annotation_uuid=uuid)


def check_accepted(annotations: list[dict[str, Any]], accepted: list[dict[str, Any]],
                   path: str = "annotations") -> None:
    """Raise RuleError when `annotations` (a normalized response) deletes or changes one of
    `accepted`: the annotations as a reviewer accepted them before sending the task back,
    which the rework may not touch (docs/quality.md). Shared with the page's
    `checkAccepted` (static/js/lib/locks.js) through tests/fixtures/rules/review_lock_cases.json."""
    if not accepted:
        return
    allowed = flags({})
    submitted = {a["uuid"]: (i, a) for i, a in enumerate(annotations)}
    for snapshot in accepted:
        original = {**snapshot, "locked": True}
        found = submitted.get(original["uuid"])
        if found is None:
            _check_delete(original, allowed, path, ACCEPTED)
        else:
            index, annotation = found
            _check_change(original, annotation, allowed, join(path, index), ACCEPTED)


def _is_track(annotation: dict[str, Any]) -> bool:
    return isinstance(annotation.get("keyframes"), list)


def track_changes(before: object, after: object) -> set[str]:
    """What a change of a track's keyframes from `before` to `after` edits: "keyframes" (its
    geometry: a keyframe added, moved, removed, reshaped, outside or not) and / or
    "attributes" (a keyframe's attributes)."""
    before = before if isinstance(before, list) else []
    after = after if isinstance(after, list) else []
    changed = set()
    if len(before) != len(after) or not all(
            _same_keyframe_geometry(a, b) for a, b in zip(before, after, strict=True)):
        changed.add("keyframes")
    if _keyframe_attributes(before) != _keyframe_attributes(after):
        changed.add("attributes")
    return changed


def _same_keyframe_geometry(a: object, b: object) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a == b
    return a.get("frame") == b.get("frame") and bool(a.get("outside")) == bool(
        b.get("outside")) and same_geometry(_without_attributes(a), _without_attributes(b))


def _without_attributes(keyframe: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in keyframe.items() if k not in ("attributes", "frame", "outside")}


def _keyframe_attributes(keyframes: list[Any]) -> dict[Any, Any]:
    """frame -> the attributes a keyframe sets (keyframes without any left out)."""
    return {k.get("frame"): k["attributes"] for k in keyframes
            if isinstance(k, dict) and k.get("attributes")}


def _check_no_additions(annotations: list[dict[str, Any]], params: dict[str, Any],
                        base: list[dict[str, Any]],
                        path: str) -> None:
    hypothesis = prelabel_list(params, "hypothesis")
    known = {a["uuid"] for a in base} | {a["uuid"] for a in hypothesis}
    for index, annotation in enumerate(annotations):
        if annotation["uuid"] not in known:
            raise RuleError(join(path, index), "is a new annotation, and this task allows no "
                                               "annotations besides its base annotations",
                            annotation_uuid=annotation["uuid"])


def same_geometry(a: dict[str, Any], b: dict[str, Any],
                  tolerance: float = TOLERANCES["same_geometry"]) -> bool:
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


# --- one operation at a time (a draft's add / update / delete) -----------------------------

ACTIONS = ("add", "move", "edit_geometry", "relabel", "edit_attributes", "delete")
# The page's sentences (static/js/lib/rules-constants.json, docs/rules.md).
REASONS = {key: MESSAGES[f"lock_{key}"] for key in ("add", "edit", "relabel", "delete", "type")}


def can(action: str, annotation: dict[str, Any] | None, params: dict[str, Any]) -> tuple[bool, str]:
    """May the tasker do `action` to `annotation` ({source, locked}; None for "add")? The
    verdict and, when refused, the sentence `static/js/lib/locks.js` `can()` gives."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    allowed = flags(params)
    if action == "add":
        ok = allowed["can_add_base_annotations"] or not base_annotations(params)
        return (True, "") if ok else (False, REASONS["add"])
    annotation = annotation or {}
    if annotation.get("locked"):
        is_base = annotation.get("source") == "base"
        return False, MESSAGES["locked_base" if is_base else "locked"]
    if annotation.get("source") != "base":
        return True, ""
    return _base_verdict(action, allowed)


def _base_verdict(action: str, allowed: dict[str, bool]) -> tuple[bool, str]:
    if action == "delete":
        ok = allowed["can_delete_base_annotations"]
        return (True, "") if ok else (False, REASONS["delete"])
    if not allowed["can_edit_base_annotations"]:
        return False, REASONS["edit"]
    if action == "relabel" and not allowed["can_edit_base_annotation_labels"]:
        return False, REASONS["relabel"]
    return True, ""


def update_actions(changed_keys: set[str]) -> list[str]:
    """The actions an update of these annotation keys amounts to (a track's: see
    `track_changes`, "keyframes" for its geometry, "attributes" for its keyframes')."""
    actions = []
    if "label" in changed_keys:
        actions.append("relabel")
    if "attributes" in changed_keys:
        actions.append("edit_attributes")
    if changed_keys - {"label", "attributes", "uuid"}:
        actions.append("edit_geometry")
    return actions


def check_operation(action: str, annotation: dict[str, Any] | None, params: dict[str, Any]) -> None:
    """Raise RuleError when `can()` refuses `action`; `annotation` carries uuid, source and
    locked (the row as the server holds it)."""
    ok, reason = can(action, annotation, params)
    if not ok:
        uuid = (annotation or {}).get("uuid")
        raise RuleError("", reason, annotation_uuid=uuid)


def changed_keys(current: dict[str, Any], wanted: dict[str, Any], keys: set[str]) -> set[str]:
    """The keys of `keys` an update from `current` to `wanted` changes, a track's keyframes
    split by `track_changes` into geometry ("keyframes") and "attributes"."""
    changed = {key for key in keys if current.get(key) != wanted.get(key)}
    if "keyframes" in changed:
        changed = (changed - {"keyframes"}) | track_changes(current.get("keyframes"),
                                                            wanted.get("keyframes"))
    return changed


def check_update(row: dict[str, Any], changed_keys: set[str], params: dict[str, Any]) -> None:
    """An update of `changed_keys` of the annotation `row` ({uuid, source, locked})."""
    if row.get("source") == "base" and "type" in changed_keys:
        raise RuleError("", REASONS["type"], annotation_uuid=row.get("uuid"))
    for action in update_actions(changed_keys):
        check_operation(action, row, params)


def prelabel(uuid: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """("base" | "hypothesis", the prelabel) for a uuid of the task's prelabels, else None."""
    for source, key in (("base", "base_annotations"), ("hypothesis", "hypothesis")):
        for annotation in (params.get(key) or {}).get("annotations") or []:
            if isinstance(annotation, dict) and annotation.get("uuid") == uuid:
                return source, annotation
    return None


def check_add(annotation: dict[str, Any], params: dict[str, Any]) -> None:
    """An added annotation. Putting a prelabel back (an undone delete) is always an addition
    the task allows; a base annotation must come back as it was where it may not be edited."""
    found = prelabel(annotation["uuid"], params)
    if found is None:
        check_operation("add", None, params)
        return
    source, original = found
    if source == "base":
        _check_change(original, annotation, flags(params), "")
