"""A task's draft (its `Annotation` rows), changed one numbered operation at a time.

`apply_op` takes the operations of an editing session (docs/live-sessions.md) in the order of
their numbers, each in one transaction with the task's row locked:

* add: a new annotation (version 1), at `index` in the order when given;
* update: only the keys in `after` (null: remove the key); `base_version` must be the row's
  version, else the operation is refused as a conflict with the current annotation;
* delete: also versioned;
* set_extras: the whole new value of one key of `Task.draft_extras` (global attributes, links,
  and whatever `tasks.draft_extras` has validators for);
* batch: its operations in order, all or none;
* any kind another module registers (`register_op`: the review's verdict and issue
  operations, tasks/quality_flow/ops.py), with code to run after each applied operation
  (`register_after_apply`).

Each annotation an operation leaves behind is checked with the rules of a hypothesis (every
rule but `required` attributes, which wait for the submit) and the base-annotation locks. Only
the keys of the task's params these rules read are loaded (DRAFT_PARAMS, with the task row);
the prelabels, which only an add needs, are read once per task and process (`prelabels`). A
refused operation changes nothing but still uses up its number. The reply to each number is
kept, so a number sent again is answered again and never applied twice; a number past the next
one asks the client to send again from the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from django.db import transaction
from django.db.models import F, Max, TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from tasks import draft_extras, kinds, live, queue
from tasks.annotation_rows import annotation_row, store
from tasks.models import Annotation, DraftOp, DraftSession, Task, TaskStatus
from tasks.models.tasks import AnnotationSource
from tasks.rules import locks
from tasks.rules.annotations import MAX_UUID_LENGTH
from tasks.rules.errors import RuleError

# Keys the server owns: ignored in an operation's annotations.
META_KEYS = frozenset({"uuid", "source", "locked", "version"})
MAX_DEPTH = 4
MAX_BATCH_OPS = 5000
TAKEN_OVER = "This task is being edited in another tab or window."
# The keys of a task's params that checking an operation reads (besides the prelabels), with
# those the task's kind reads (Kind.draft_params).
DRAFT_PARAMS = ("geometries", "annotation_attributes", "links", *locks.FLAGS)
# Above this many, an annotation lookup reads the whole draft instead of an IN list.
MAX_NAMED_UUIDS = 500
# Columns an operation never reads: `params` is megabytes with a big hypothesis.
HEAVY_FIELDS = ("params", "response", "sent_back_response", "metadata", "audits", "tags")


# Operation kinds other modules add: kind -> handler(draft, op, depth), which raises Refused.
OpHandler = Callable[["Draft", dict, int], None]
_REGISTERED_OPS: dict[str, OpHandler] = {}
# Called after each operation applied, in its transaction: fn(draft, uuids of the annotations
# it added, changed or deleted). Only called when it touched some.
AfterApply = Callable[["Draft", list[str]], None]
_AFTER_APPLY: list[AfterApply] = []
BUILTIN_OPS = ("add", "update", "delete", "set_extras", "batch")


def register_op(kind: str, handler: OpHandler) -> None:
    """Let drafts apply operations `{op: kind, ...}` with `handler`, as draft_extras.register
    does for extras (docs/live-sessions.md). A handler may put what it stored in
    `draft.notes` (`notes[key][id] = value`): the ack and the watchers' `remote_op` carry it."""
    if kind in BUILTIN_OPS:
        raise ValueError(f"{kind!r} is a built-in operation")
    _REGISTERED_OPS[kind] = handler


def register_after_apply(fn: AfterApply) -> None:
    if fn not in _AFTER_APPLY:
        _AFTER_APPLY.append(fn)


class Refused(Exception):
    """An operation the draft does not take. kind: "invalid" (malformed), "conflict" (based
    on an old version, or on an annotation that is gone or already there), "rule" or "lock"."""

    def __init__(self, kind: str, reason: str, uuid: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.uuid = uuid


def annotation_state(row: Annotation) -> dict:
    """An annotation as the page holds it: the response shape, plus source, locked, version."""
    return {**row.as_json(), "source": row.source, "locked": row.locked, "version": row.version}


def draft_state(task: Task) -> list[dict]:
    """annotation_state() of every row of the draft, in order. Read as plain values with the
    JSON columns decoded by orjson: building 10,000 model instances and decoding their JSON
    with the standard library took half a second of the workbench's first load."""
    state = []
    for uuid, kind, label, geometry, attributes, source, locked, version in _state_rows(task):
        item = {"uuid": uuid, "type": kind}
        if label is not None:
            item["label"] = label
        item.update(orjson.loads(geometry) if geometry else {})
        item["attributes"] = orjson.loads(attributes) if attributes else {}
        item.update(source=source, locked=locked, version=version)
        state.append(item)
    return state


def draft_state_json(task: Task) -> bytes:
    """draft_state() as JSON text, spliced from each row's stored JSON without decoding it:
    for the workbench's first load, where 10,000 annotations made 10,000 dicts only to be
    encoded again."""
    parts = []
    for uuid, kind, label, geometry, attributes, source, locked, version in _state_rows(task):
        head = {"uuid": uuid, "type": kind}
        if label is not None:
            head["label"] = label
        members = _members(geometry)
        parts.append(orjson.dumps(head)[:-1] + (b"," + members if members else b"")
                     + b',"attributes":' + (attributes or "{}").encode()
                     + b"," + orjson.dumps({"source": source, "locked": locked,
                                            "version": version})[1:])
    return b"[" + b",".join(parts) + b"]"


def extras_state(task: Task) -> dict:
    """The draft's extras as the page holds them: every stored key, global_attributes and
    links always (as the work started, for a task from before they were stored)."""
    return {**draft_extras.stored(task.draft_extras), **draft_extras.current(task)}


def _members(text: str | None) -> bytes:
    """The members of a stored JSON object, without its braces: '{"a": 1}' -> '"a": 1'."""
    text = (text or "{}").strip()
    if not (text.startswith("{") and text.endswith("}")):
        value = orjson.loads(text)
        return orjson.dumps(value)[1:-1] if isinstance(value, dict) else b""
    return text[1:-1].strip().encode()


def _state_rows(task: Task):
    return (Annotation.objects.filter(task=task)
            .annotate(geometry_text=Cast("geometry", TextField()),
                      attributes_text=Cast("attributes", TextField()))
            .values_list("uuid", "type", "label", "geometry_text", "attributes_text",
                         "source", "locked", "version"))


def not_editable(task: Task | None, user) -> dict | None:
    """The status reply for a connection of `user` that may no longer edit the task."""
    if task is None:
        return {"type": "status", "status": "lease_lost"}
    if task.status != TaskStatus.PENDING:
        return {"type": "status", "status": task.status}
    if not queue.holds(user, task):
        return {"type": "status", "status": "lease_lost"}
    return None


# --- one numbered operation -----------------------------------------------------------------

def apply_op(task_id: str, user, session_id: str, channel_name: str, seq: int,
             op: Any) -> dict:
    """Apply operation `seq` of the session to the task's draft; the reply for the client:
    ack, reject or resend, or readonly / status when this connection may no longer edit."""
    with transaction.atomic():
        task = locked_task(task_id)
        lost = not_editable(task, user)
        if lost is not None:
            return lost
        assert task is not None  # not_editable answers for a task that is gone
        session = (DraftSession.objects.select_for_update()
                   .filter(task=task, session_id=session_id).first())
        if session is None or not session.is_active or session.channel_name != channel_name:
            return {"type": "readonly", "reason": TAKEN_OVER}
        if seq <= session.last_seq:
            return _repeat(session, seq)
        if seq > session.last_seq + 1:
            return {"type": "resend", "from_seq": session.last_seq + 1}
        reply = _apply_next(task, session, seq, op, user)
        queue.renew(task, user)
    return reply


def locked_task(task_id: str) -> Task | None:
    """The task's row, locked, without its heavy columns; `task.params_subset` holds the
    keys of its params that checking an operation reads."""
    task = (Task.objects.select_for_update().defer(*HEAVY_FIELDS)
            .with_params_subset((*DRAFT_PARAMS, *kinds.union("draft_params")))
            .filter(pk=task_id).first())
    return task


@dataclass(frozen=True)
class Prelabels:
    """A task's base annotations (whole) and the uuids of its hypothesis."""

    base: tuple[dict, ...]
    hypothesis: frozenset[str]

    def lock_params(self, params: dict, uuid: str) -> dict:
        """`params` with the prelabels tasks.rules.locks reads for an add of `uuid`."""
        hypothesis = [{"uuid": uuid}] if uuid in self.hypothesis else []
        return {**params, "base_annotations": {"annotations": list(self.base)},
                "hypothesis": {"annotations": hypothesis}}


@lru_cache(maxsize=16)
def prelabels(task_id: str) -> Prelabels:
    """The task's prelabels, read once per process: a task's params never change."""
    found = (Task.objects.filter(pk=task_id)
             .values_list(KeyTransform("base_annotations", "params"),
                          KeyTransform("hypothesis", "params")).first())
    base, hypothesis = found or (None, None)
    return Prelabels(
        base=tuple(a for a in _annotation_list(base) if isinstance(a.get("uuid"), str)),
        hypothesis=frozenset(a["uuid"] for a in _annotation_list(hypothesis)
                             if isinstance(a.get("uuid"), str)))


def _annotation_list(layer: object) -> list[dict]:
    if isinstance(layer, str):  # a backend that hands key values back as JSON text
        layer = orjson.loads(layer)
    items = layer.get("annotations") if isinstance(layer, dict) else None
    return [a for a in items if isinstance(a, dict)] if isinstance(items, list) else []


def _repeat(session: DraftSession, seq: int) -> dict:
    done = DraftOp.objects.filter(session=session, seq=seq).first()
    reply = done.reply if done is not None else {"type": "ack", "seq": seq, "versions": {}}
    return {**reply, "repeat": True}


def _apply_next(task: Task, session: DraftSession, seq: int, op: Any, user=None) -> dict:
    draft = Draft(task, task.params_subset, user=user)
    try:
        with transaction.atomic():
            draft.apply(op)
            draft.after_apply()
    except Refused as refusal:
        reply = _reject(task, seq, refusal, op)
    else:
        draft.save_extras()
        reply = draft.ack(seq)
        live.publish_draft_changed(task.task_id, session.channel_name, seq, op, draft.states(),
                                   extras=draft.changed_extras(), notes=draft.notes)
    session.last_seq, session.last_seen = seq, timezone.now()
    session.save(update_fields=["last_seq", "last_seen"])
    DraftOp.objects.create(session=session, seq=seq, op=op, reply=reply)
    return reply


def _reject(task: Task, seq: int, refusal: Refused, op: Any) -> dict:
    uuids = op_uuids(op)
    if refusal.uuid and refusal.uuid not in uuids:
        uuids.append(refusal.uuid)
    rows = {row.uuid: annotation_state(row)
            for row in Annotation.objects.filter(task=task, uuid__in=uuids)}
    current = {uuid: rows.get(uuid) for uuid in uuids}
    reply = {"type": "reject", "seq": seq, "kind": refusal.kind, "reason": refusal.reason,
             "uuid": refusal.uuid, "annotation": current.get(refusal.uuid) if refusal.uuid
             else None, "annotations": current}
    keys = op_extras_keys(op)
    if keys:
        stored = draft_extras.stored(task.draft_extras)
        reply["extras"] = {key: stored.get(key) for key in keys}
    return reply


def op_extras_keys(op: Any, found: list[str] | None = None, depth: int = 0) -> list[str]:
    """The registered extras keys the set_extras of an operation name, in order."""
    found = [] if found is None else found
    if not isinstance(op, dict) or depth > MAX_DEPTH:
        return found
    if op.get("op") == "batch" and isinstance(op.get("ops"), list):
        for item in op["ops"][:MAX_BATCH_OPS]:
            op_extras_keys(item, found, depth + 1)
    elif op.get("op") == "set_extras" and op.get("key") in draft_extras.all_keys() \
            and op["key"] not in found:
        found.append(op["key"])
    return found


def op_uuids(op: Any, found: list[str] | None = None, depth: int = 0) -> list[str]:
    """The uuids an operation (well formed or not) names, in order, without repeats."""
    found = [] if found is None else found
    if not isinstance(op, dict) or depth > MAX_DEPTH:
        return found
    if op.get("op") == "batch" and isinstance(op.get("ops"), list):
        for item in op["ops"][:MAX_BATCH_OPS]:
            op_uuids(item, found, depth + 1)
        return found
    annotation = op.get("annotation")
    uuid = annotation.get("uuid") if isinstance(annotation, dict) else op.get("uuid")
    if isinstance(uuid, str) and uuid and uuid not in found:
        found.append(uuid)
    return found


# --- the draft of one locked task -----------------------------------------------------------

class Draft:
    """The rows of one task while one operation changes them."""

    def __init__(self, task: Task, params: dict, user=None) -> None:
        """`params`: the keys of the task's params the checks read (locked_task); `user`: who
        edits (the session's)."""
        self.task = task
        self.params = params
        self.user = user
        # What registered operations stored, for the ack and remote_op: {"verdicts": {uuid:
        # verdict}, "issues": {uuid: issue}}.
        self.notes: dict[str, dict[str, Any]] = {}
        self.context: dict[str, Any] = {}  # what registered operations keep between them
        self.rows: dict[str, Annotation | None] = {}  # None: absent
        self.sent: dict[str, dict | None] = {}  # what the client made of each touched one
        self.extras = draft_extras.stored(task.draft_extras)
        self.extras_sent: dict[str, Any] = {}  # key -> the value the client sent

    def row(self, uuid: str) -> Annotation | None:
        if uuid not in self.rows:
            self.rows[uuid] = Annotation.objects.filter(task=self.task, uuid=uuid).first()
        return self.rows[uuid]

    def apply(self, op: Any, depth: int = 0) -> None:
        kind = op.get("op") if isinstance(op, dict) else None
        kind = kind if isinstance(kind, str) else ""
        handler = {"add": self.add, "update": self.update, "delete": self.delete,
                   "set_extras": self.set_extras, "batch": self.batch}.get(kind)
        if handler is not None:
            handler(op, depth)
        elif kind in _REGISTERED_OPS:
            _REGISTERED_OPS[kind](self, op, depth)
        else:
            names = ", ".join((*BUILTIN_OPS[:-1], *_REGISTERED_OPS))
            raise Refused("invalid", f'An operation is an object whose "op" is {names} or '
                                     "batch.")

    def after_apply(self) -> None:
        """Run the registered after-apply code for the annotations this operation touched."""
        touched = list(self.sent)
        if touched:
            for fn in _AFTER_APPLY:
                fn(self, touched)

    def note(self, key: str, name: str, value: Any) -> None:
        """Record what a registered operation stored, for the ack and remote_op."""
        self.notes.setdefault(key, {})[name] = value

    # -- the four kinds

    def add(self, op: dict, depth: int) -> None:
        given = op.get("annotation")
        if not isinstance(given, dict):
            raise Refused("invalid", "An add carries the annotation.")
        uuid = _uuid(given.get("uuid"))
        if self.row(uuid) is not None:
            raise Refused("conflict", f"Annotation {uuid} already exists.", uuid)
        wanted = {**_without_meta(given), "uuid": uuid}
        clean = self.validate(wanted)
        lock_params = prelabels(self.task.task_id).lock_params(self.params, uuid)
        _lock_rule(locks.check_add, clean, lock_params)
        source, locked = _origin(uuid, lock_params)
        row = annotation_row(self.task, {**clean, "locked": locked}, source,
                             self.position_at(op.get("index")))
        row.save(force_insert=True)
        self.rows[uuid], self.sent[uuid] = row, wanted

    def update(self, op: dict, depth: int) -> None:
        uuid = _uuid(op.get("uuid"))
        after = op.get("after")
        if not isinstance(after, dict):
            raise Refused("invalid", "An update carries `after`, the changed keys.", uuid)
        row = self.existing(uuid)
        _check_version(row, op)
        current = row.as_json()
        wanted = _merged(current, after)
        changed = locks.changed_keys(current, wanted, set(after) - META_KEYS)
        _lock_rule(locks.check_update, _lockable(row), changed, self.params)
        store(row, self.validate(wanted))
        row.version += 1
        row.save(update_fields=["type", "label", "geometry", "attributes", "version"])
        self.sent[uuid] = wanted

    def delete(self, op: dict, depth: int) -> None:
        given = op.get("annotation")
        uuid = _uuid(given.get("uuid") if isinstance(given, dict) else op.get("uuid"))
        row = self.existing(uuid)
        _check_version(row, op)
        _lock_rule(locks.check_operation, "delete", _lockable(row), self.params)
        row.delete()
        self.rows[uuid], self.sent[uuid] = None, None

    def set_extras(self, op: dict, depth: int) -> None:
        key = op.get("key")
        if not isinstance(key, str) or key not in draft_extras.all_keys():
            raise Refused("invalid", "A set_extras carries `key`, one of "
                                     f"{', '.join(draft_extras.all_keys())}.")
        if "after" not in op:
            raise Refused("invalid", "A set_extras carries `after`, the whole new value.")
        context = draft_extras.ExtrasContext(
            params=self.params, kind=kinds.of(self.task), before=self.extras.get(key),
            load_annotations=self.annotation_index)
        try:
            clean = draft_extras.validate(key, op["after"], context)
        except draft_extras.LockError as error:
            raise Refused("lock", _reason(error), error.annotation_uuid) from error
        except RuleError as error:
            raise Refused("rule", _reason(error), error.annotation_uuid) from error
        self.extras[key] = clean
        self.extras_sent[key] = op["after"]

    def annotation_index(self, uuids: set[str] | None = None) -> dict[str, dict]:
        """uuid -> {uuid, label, source, locked} of the draft's annotations as they are now,
        those among `uuids` (None, or too many to name: all)."""
        rows = Annotation.objects.filter(task=self.task)
        if uuids is not None and len(uuids) <= MAX_NAMED_UUIDS:
            rows = rows.filter(uuid__in=uuids)
        fields = rows.values_list("uuid", "label", "source", "locked")
        return {uuid: {"uuid": uuid, "label": label, "source": source, "locked": locked}
                for uuid, label, source, locked in fields}

    def save_extras(self) -> None:
        if self.extras_sent:
            self.task.draft_extras = self.extras
            self.task.save(update_fields=["draft_extras"])

    def changed_extras(self) -> dict[str, Any]:
        return {key: self.extras[key] for key in self.extras_sent}

    def batch(self, op: dict, depth: int) -> None:
        ops = op.get("ops")
        if not isinstance(ops, list) or len(ops) > MAX_BATCH_OPS or depth >= MAX_DEPTH:
            raise Refused("invalid", f"A batch carries `ops`, a list of at most {MAX_BATCH_OPS} "
                                     f"operations, nested at most {MAX_DEPTH} deep.")
        for item in ops:
            self.apply(item, depth + 1)

    # -- helpers

    def existing(self, uuid: str) -> Annotation:
        row = self.row(uuid)
        if row is None:
            raise Refused("conflict", f"Annotation {uuid} does not exist (any more).", uuid)
        return row

    def validate(self, wanted: dict) -> dict:
        try:
            return kinds.of(self.task).check_draft_annotation(
                self.task, wanted, self.params, known_labels=self.labels(wanted))
        except RuleError as error:
            raise Refused("rule", _reason(error), wanted.get("uuid")) from error

    def labels(self, wanted: dict) -> dict[str, str | None] | None:
        """uuid -> label of the draft's annotations a linked attribute of `wanted` may name
        (None when the task has no linked attributes): those whose uuid is one of its
        strings, not the whole draft."""
        defs = self.params.get("annotation_attributes") or {}
        if not any(isinstance(d, dict) and d.get("type") == "linked" for d in defs.values()):
            return None
        rows = Annotation.objects.filter(task=self.task)
        named = _strings(wanted.get("attributes")) | _strings(wanted.get("keyframes"))
        if len(named) <= MAX_NAMED_UUIDS:
            rows = rows.filter(uuid__in=named)
        return dict(rows.values_list("uuid", "label"))

    def position_at(self, index: object) -> int:
        """A free position at `index` of the order (the end when absent or past it)."""
        rows = Annotation.objects.filter(task=self.task)
        target = None
        if isinstance(index, int) and not isinstance(index, bool) and index >= 0:
            target = (rows.order_by("position", "pk").values_list("position", flat=True)
                      [index:index + 1].first())
        if target is None:
            last = rows.aggregate(last=Max("position"))["last"]
            return 0 if last is None else last + 1
        rows.filter(position__gte=target).update(position=F("position") + 1)
        return target

    def ack(self, seq: int) -> dict:
        versions = {uuid: row.version if row else None
                    for uuid, row in self.rows.items() if uuid in self.sent}
        reply: dict = {"type": "ack", "seq": seq, "versions": versions}
        normalized = {uuid: annotation_state(row) for uuid, row in self.rows.items()
                      if row is not None and (wanted := self.sent.get(uuid)) is not None
                      and row.as_json() != {"attributes": {}, **wanted}}
        if normalized:
            reply["normalized"] = normalized
        extras = {key: self.extras[key] for key, sent in self.extras_sent.items()
                  if self.extras[key] != sent}
        if extras:
            reply["extras"] = extras
        reply.update(self.notes)
        return reply

    def states(self) -> dict[str, dict | None]:
        return {uuid: annotation_state(row) if row else None
                for uuid, row in self.rows.items() if uuid in self.sent}


# --- small rules ----------------------------------------------------------------------------

def _strings(value: object, found: set[str] | None = None) -> set[str]:
    """Every string inside a JSON value (dict values, list items), for uuid lookups."""
    found = set() if found is None else found
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
    return found


def _uuid(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_UUID_LENGTH:
        raise Refused("invalid", f"An annotation's uuid is a string of 1 to {MAX_UUID_LENGTH} "
                                 "characters.")
    return value


def _without_meta(annotation: dict) -> dict:
    return {k: v for k, v in annotation.items() if k not in META_KEYS}


def _merged(current: dict, after: dict) -> dict:
    wanted = dict(current)
    for key, value in after.items():
        if key in META_KEYS:
            continue
        if value is None:
            wanted.pop(key, None)
        else:
            wanted[key] = value
    return wanted


def _check_version(row: Annotation, op: dict) -> None:
    base = op.get("base_version")
    if not isinstance(base, int) or isinstance(base, bool):
        raise Refused("invalid", "An update or delete carries base_version, the version of the "
                                 "annotation it was made on.", row.uuid)
    if base != row.version:
        raise Refused("conflict", f"Annotation {row.uuid} changed meanwhile (version "
                                  f"{row.version}, not {base}): it was reloaded.", row.uuid)


def _lockable(row: Annotation) -> dict:
    return {"uuid": row.uuid, "source": row.source, "locked": row.locked}


def _lock_rule(check, *args: object) -> None:
    try:
        check(*args)
    except RuleError as error:
        raise Refused("lock", _reason(error), error.annotation_uuid) from error


def _origin(uuid: str, params: dict) -> tuple[str, bool]:
    """(source, locked) of an added annotation: a prelabel put back keeps its own."""
    found = locks.prelabel(uuid, params)
    if found is None:
        return AnnotationSource.TASKER, False
    source, original = found
    return source, source == "base" and bool(original.get("locked"))


def _reason(error: RuleError) -> str:
    """A rule's message without the path of the one-item list it was checked in."""
    path = error.path.removeprefix("[0]").lstrip(".")
    return f"{path} {error.message}" if path else error.message
