"""What a reviewer changed of the tasker's answer, by annotation uuid (docs/quality.md):
`ReviewRound.reviewer_changes` = {added: [uuid], deleted: [uuid], changed: {uuid: [parts]}},
parts among "geometry", "label", "attributes" (geometry compared within the rules' tolerance,
tasks/rules/locks.py same_geometry; a track's keyframes by track_changes)."""

from __future__ import annotations

from typing import Any

from tasks.rules.locks import same_geometry, track_changes


def reviewer_changes(before: object, after: object) -> dict:
    old, new = _by_uuid(before), _by_uuid(after)
    changed = {}
    for uuid, annotation in new.items():
        if uuid in old and (parts := changed_parts(old[uuid], annotation)):
            changed[uuid] = parts
    return {"added": [uuid for uuid in new if uuid not in old],
            "deleted": [uuid for uuid in old if uuid not in new], "changed": changed}


def has_changes(changes: dict) -> bool:
    return bool(changes["added"] or changes["deleted"] or changes["changed"])


def changed_parts(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    parts = []
    if a.get("type") != b.get("type") or _geometry_changed(a, b):
        parts.append("geometry")
    if a.get("label") != b.get("label"):
        parts.append("label")
    if (a.get("attributes") or {}) != (b.get("attributes") or {}) or (
            "attributes" in track_changes(a.get("keyframes"), b.get("keyframes"))):
        parts.append("attributes")
    return parts


def _geometry_changed(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if isinstance(a.get("keyframes"), list) or isinstance(b.get("keyframes"), list):
        return "keyframes" in track_changes(a.get("keyframes"), b.get("keyframes"))
    return not same_geometry(a, b)


def _by_uuid(response: object) -> dict[str, dict]:
    annotations = response.get("annotations") if isinstance(response, dict) else None
    return {a["uuid"]: a for a in annotations or []
            if isinstance(a, dict) and isinstance(a.get("uuid"), str)}
