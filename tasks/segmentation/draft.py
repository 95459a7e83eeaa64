"""A segmentation task's draft: a base mask and the operations painted over it since
(docs/segmentation.md "Draft operations").

The state lives in `Task.draft_extras["segmentation"]`: {"base": storage name or null,
"ops": [...], "instances": [{index, label, attributes}]}. Until the first operation it is
where the work starts: the response the task was sent back with, else the hypothesis, else
an empty mask. The server checks each operation's shape and bounds and appends it; it never
paints (the page replays the operations over the base). A snapshot stores the page's whole
mask as the new base and drops the operations before it.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from django.db import transaction
from django.urls import reverse

from tasks.drafts import Draft, Refused
from tasks.models import Task
from tasks.rules.errors import RuleError
from tasks.rules.segmentation import (
    SegLabel,
    check_instance,
    index_refusal,
    label_table,
    paintable_indices,
)
from tasks.rules.segmentation_ops import MAX_OP_BYTES, check_id, check_paint_op
from tasks.segmentation import hypothesis, masks
from tasks.segmentation.publish import check_mask, decoded

KEY = "segmentation"
MAX_OPS = 2000  # the page snapshots every ~200 operations
MAX_DROP_IDS = 5000
SNAPSHOT_PREFIX = "snapshot-"


# --- the state ------------------------------------------------------------------------------

def current(task: Task) -> dict[str, Any]:
    """The draft's state: as stored, else where the work starts."""
    extras = task.draft_extras if isinstance(task.draft_extras, dict) else {}
    stored = extras.get(KEY)
    return stored if isinstance(stored, dict) else start(task)


def start(task: Task) -> dict[str, Any]:
    """Where the work starts: the sent-back response's mask, else the hypothesis's."""
    sent_back = task.sent_back_response
    if isinstance(sent_back, dict) and isinstance(sent_back.get("labelMapping"), dict):
        return {"base": masks.response_name(task.task_id, masks.INDEXED), "ops": [],
                "instances": response_instances(sent_back["labelMapping"])}
    params = task.params or {}
    if hypothesis.url_of(params) is None:
        return {"base": None, "ops": [], "instances": []}
    return {"base": masks.draft_name(task.task_id, hypothesis.STORED), "ops": [],
            "instances": hypothesis.instances_of(params)}


def response_instances(mapping: dict) -> list[dict]:
    """The instances of a published labelMapping, as the draft holds them."""
    return [{"index": item["index"], "label": name, "attributes": item.get("attributes") or {}}
            for name, items in mapping.items() if isinstance(items, list)
            for item in items if isinstance(item, dict)]


def base_url(task: Task, state: dict) -> str | None:
    """The workbench's URL of the base mask (named by its file, so a new base is a new URL)."""
    name = state.get("base")
    if not name or not masks.exists(name):
        return None
    version = uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:12]
    return f"{reverse('task-mask', args=[task.task_id])}?v={version}"


# --- the operations -------------------------------------------------------------------------

def table(draft: Draft) -> list[SegLabel]:
    return label_table(draft.params.get("labels") or [])


def _state(draft: Draft) -> dict[str, Any]:
    if KEY not in draft.context:
        found = draft.extras.get(KEY)
        if not isinstance(found, dict):
            found = start(Task.objects.only("task_id", "params", "sent_back_response")
                          .get(pk=draft.task.pk))
        draft.context[KEY] = {"base": found.get("base"), "ops": list(found.get("ops") or []),
                              "instances": list(found.get("instances") or [])}
    return draft.context[KEY]


def _save(draft: Draft, state: dict[str, Any]) -> None:
    draft.extras[KEY] = state
    draft.task.draft_extras = draft.extras
    draft.task.save(update_fields=["draft_extras"])


def _rule(error: RuleError) -> Refused:
    return Refused("rule", str(error))


def paint(draft: Draft, op: dict, depth: int) -> None:
    """seg.stroke, seg.polygon, seg.fill: checked and appended."""
    if len(orjson.dumps(op)) > MAX_OP_BYTES:
        raise Refused("invalid", f"An operation is at most {MAX_OP_BYTES} bytes.")
    state = _state(draft)
    width, height = draft.task.attachment_width, draft.task.attachment_height
    if not width or not height:
        raise Refused("invalid", "The task's image is not stored yet.")
    try:
        clean = check_paint_op(op, width, height)
    except RuleError as error:
        raise _rule(error) from error
    labels = table(draft)
    if clean["index"] not in paintable_indices(labels, state["instances"]):
        raise Refused("rule", index_refusal(clean["index"], labels))
    if any(item.get("id") == clean["id"] for item in state["ops"]):
        raise Refused("conflict", f"Operation {clean['id']} is already in the draft.")
    if len(state["ops"]) >= MAX_OPS:
        raise Refused("invalid", f"The draft holds {MAX_OPS} operations: send a snapshot.")
    state["ops"].append(clean)
    _save(draft, state)


def drop(draft: Draft, op: dict, depth: int) -> None:
    """seg.drop: the operations named are removed (undo); unknown ids are no error."""
    ids = op.get("ids")
    if not isinstance(ids, list) or len(ids) > MAX_DROP_IDS:
        raise Refused("invalid", f"A seg.drop carries `ids`, a list of at most {MAX_DROP_IDS} "
                                 "operation ids.")
    try:
        gone = {check_id(item, "ids") for item in ids}
    except RuleError as error:
        raise _rule(error) from error
    state = _state(draft)
    state["ops"] = [item for item in state["ops"] if item.get("id") not in gone]
    _save(draft, state)


def instance(draft: Draft, op: dict, depth: int) -> None:
    """seg.instance: a new instance, or an instance's label or attributes changed."""
    state = _state(draft)
    try:
        clean = check_instance({key: op.get(key) for key in ("index", "label", "attributes")},
                               table(draft), draft.params.get("annotation_attributes") or {},
                               "", check_required=False)
    except RuleError as error:
        raise _rule(error) from error
    others = [item for item in state["instances"] if item["index"] != clean["index"]]
    state["instances"] = sorted([*others, clean], key=lambda item: item["index"])
    _save(draft, state)


def snapshot(draft: Draft, op: dict, depth: int) -> None:
    """seg.snapshot: the page's whole mask becomes the base; the operations are dropped."""
    state = _state(draft)
    try:
        check_id(op.get("id"))
        mask = decoded(op.get("png"), "png")
        check_mask(mask, draft.task, table(draft), state["instances"], "png")
    except RuleError as error:
        raise _rule(error) from error
    name = masks.draft_name(draft.task.task_id, f"{SNAPSHOT_PREFIX}{uuid.uuid4().hex}.png")
    masks.write(name, masks.encode_png(mask))
    previous = state.get("base")
    if previous and previous.rsplit("/", 1)[-1].startswith(SNAPSHOT_PREFIX):
        transaction.on_commit(lambda: masks.delete(previous))
    state.update(base=name, ops=[])
    _save(draft, state)
    draft.note(KEY, op["id"], {"base": base_url(draft.task, state)})


OPS = {"seg.stroke": paint, "seg.polygon": paint, "seg.fill": paint, "seg.drop": drop,
       "seg.instance": instance, "seg.snapshot": snapshot}
