"""WebSocket consumers: a task's live editing session, and the live progress stream.

The protocol is docs/live-sessions.md. Consumers never change state themselves: they call
`tasks.drafts`, `tasks.presence` and `tasks.queue` in a worker thread, and relay the events
`tasks.live` publishes. Bad input gets an `error` message, never a crash.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tasks import drafts, limits, live, presence, queue, workforce
from tasks.models import Project
from tasks.signed_out import user_group

logger = logging.getLogger("annotator.live")

REFUSED = 4403  # not the lease holder, nor staff (or not signed in)
NOT_FOUND = 4404  # no such task, or one of a project not offered to the user
GONE = 4410  # the task can no longer be edited by this user: submitted, canceled, lease lost
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_MESSAGE_CHARS = 8 * 1024 * 1024
# Events after which a watcher's copy of the draft is stale as a whole.
DRAFT_RESET_EVENTS = {"expired", "audit", "recall", "claimed", "sent_back"}
# A progress stream sends the counts of a project at most this often.
COALESCE_SECONDS = 0.25


class BadMessage(ValueError):
    """A client message that does not follow the protocol."""


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """Decodes each text frame as one JSON object with a `type`; anything else is answered
    with {type: "error", message} and the connection stays open."""

    handlers: dict[str, str] = {}
    # A task session's presence role (tasks/presence.py), None when it has none (yet, or any
    # more); set by the consumers that have one, cleared on sign-out.
    role: str | None

    @classmethod
    async def encode_json(cls, content) -> str:
        # On the event loop: a welcome of 10,000 annotations took json.dumps ~80 ms, during
        # which the server answered nothing else; orjson takes a tenth of that.
        return orjson.dumps(content).decode()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        try:
            message = self.parse(text_data)
            handler = getattr(self, self.handlers[message["type"]])
            await handler(message)
        except BadMessage as exc:
            await self.send_error(str(exc))
        except Exception:
            logger.exception("a %s message failed", type(self).__name__)
            await self.send_error("The server could not handle that message.")

    def parse(self, text: str | None) -> dict:
        if text is None:
            raise BadMessage("Send JSON text frames.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise BadMessage("The message is too large.")
        try:
            message = orjson.loads(text)  # refuses NaN and Infinity, as the API does
        except orjson.JSONDecodeError as exc:
            raise BadMessage("The message is not valid JSON.") from exc
        problem = limits.unstorable(message, "message")
        if problem:
            raise BadMessage(problem)
        if not isinstance(message, dict) or message.get("type") not in self.handlers:
            raise BadMessage(f"A message is an object whose type is one of: "
                             f"{', '.join(self.handlers)}.")
        return message

    async def send_error(self, text: str) -> None:
        await self.send_json({"type": "error", "message": text})

    async def refuse(self) -> None:
        await self.close(code=REFUSED)

    async def on_ping(self, message: dict) -> None:
        await self.send_json({"type": "pong"})

    async def user_signed_out(self, event: dict) -> None:
        """The user logged out or changed password (tasks/signed_out.py): nothing more from
        this socket, and no more heartbeats."""
        self.role = None
        beat = getattr(self, "beat", None)
        if beat is not None:
            beat.cancel()
        await self.refuse()


class TaskSessionConsumer(JsonConsumer):
    """ws/tasks/<task_id>/: one page's connection to one task."""

    handlers = {"hello": "on_hello", "op": "on_op", "takeover": "on_takeover",
                "ping": "on_ping"}

    async def connect(self) -> None:
        self.task_id: str = self.scope["url_route"]["kwargs"]["task_id"]
        self.user = self.scope.get("user")
        self.role: str | None = None
        self.session_id = ""
        self.tab_id = ""
        self.beat: asyncio.Task | None = None
        self.group = ""
        await self.accept()
        access = await database_sync_to_async(presence.access)(self.task_id, self.user)
        if access == presence.MISSING:
            await self.close(code=NOT_FOUND)
            return
        if access is None:
            await self.refuse()
            return
        self.group = live.task_group(self.task_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.beat is not None:
            self.beat.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        if self.role in (presence.EDITOR, presence.READONLY):
            await database_sync_to_async(presence.close_session)(
                self.task_id, self.user, self.session_id, self.channel_name)
        self.role = None

    # -- client messages

    async def on_hello(self, message: dict) -> None:
        session_id = message.get("session_id")
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise BadMessage("hello needs session_id: 1 to 64 letters, digits or - _ . :")
        tab_id = message.get("tab_id", "")
        if not isinstance(tab_id, str) or len(tab_id) > 64:
            raise BadMessage("tab_id is a string of at most 64 characters.")
        _seq(message.get("last_seq", 0), "last_seq", minimum=0)
        self.session_id, self.tab_id = session_id, tab_id
        opening = await database_sync_to_async(presence.open_session)(
            self.task_id, self.user, session_id, tab_id, self.channel_name)
        await self.opened(opening)

    async def on_op(self, message: dict) -> None:
        seq = _seq(message.get("seq"), "seq", minimum=1)
        if self.role != presence.EDITOR:
            await self.not_editor()
            return
        reply = await database_sync_to_async(drafts.apply_op)(
            self.task_id, self.user, self.session_id, self.channel_name, seq, message.get("op"))
        await self.send_json(reply)
        if reply["type"] == "readonly":
            self.role = presence.READONLY
        elif reply["type"] == "status":
            await self.lost()

    async def on_takeover(self, message: dict) -> None:
        if self.role != presence.READONLY:
            raise BadMessage("Only a read-only tab of the task's tasker can take it over"
                             + (" (this one already edits)." if self.role == presence.EDITOR
                                else "."))
        opening = await database_sync_to_async(presence.take_over)(
            self.task_id, self.user, self.session_id, self.tab_id, self.channel_name)
        await self.opened(opening)

    async def not_editor(self) -> None:
        if self.role == presence.READONLY:
            await self.send_json({"type": "readonly", "reason": presence.OPEN_ELSEWHERE})
        elif self.role == presence.WATCHER:
            raise BadMessage("Watchers cannot edit.")
        else:
            raise BadMessage("Say hello first.")

    async def opened(self, opening: presence.Opening) -> None:
        if opening.refused is not None:
            await self.send_json(opening.refused)
            if opening.refused["type"] == "status":
                await self.lost()
            return
        self.role = opening.role
        await self.send_json(opening.welcome)
        if opening.demoted:
            await self.channel_layer.send(opening.demoted, {"type": "session.demoted"})
        if self.role != presence.WATCHER and self.beat is None:
            self.beat = asyncio.create_task(self.keep_alive())

    async def lost(self) -> None:
        """This user may no longer edit: the page was told why; a tasker's socket ends."""
        if self.user.is_staff:
            self.role = presence.WATCHER
            return
        self.role = None
        await self.close(code=GONE)

    async def keep_alive(self) -> None:
        """While open, renew the lease every heartbeat."""
        while True:
            await asyncio.sleep(presence.heartbeat_seconds())
            if self.role not in (presence.EDITOR, presence.READONLY):
                continue
            status = await database_sync_to_async(presence.heartbeat)(
                self.task_id, self.user, self.session_id, self.channel_name)
            if status is not None:
                await self.send_json(status)
                await self.lost()
                return

    # -- channel layer events

    async def session_demoted(self, event: dict) -> None:
        if self.role == presence.EDITOR:
            self.role = presence.READONLY
            await self.send_json({"type": "readonly", "reason": presence.TAKEN_OVER})

    async def draft_changed(self, event: dict) -> None:
        if self.role is None or event["origin"] == self.channel_name:
            return
        message = {"type": "remote_op", "seq": event["seq"], "op": event["op"],
                   "annotations": event["annotations"]}
        if event.get("extras"):
            message["extras"] = event["extras"]
        message.update(event.get("notes") or {})  # a review's verdicts and issues
        await self.send_json(message)

    async def task_changed(self, event: dict) -> None:
        if self.role is None:
            return
        if self.role == presence.WATCHER:
            await self.send_json({"type": "status", "status": event["status"],
                                  "event": event["event"]})
            if event["event"] in DRAFT_RESET_EVENTS:
                await self.send_json(await database_sync_to_async(presence.watch)(self.task_id))
            return
        status = _status_for_holder(event, self.user.pk)
        if status is not None:
            await self.send_json({"type": "status", "status": status, "event": event["event"]})
            await self.lost()


def _status_for_holder(event: dict, user_id: int) -> str | None:
    if event["status"] != "pending":
        return event["status"]
    if event["claimed_by"] != user_id:
        return "lease_lost"
    return None


def _seq(value: Any, name: str, *, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise BadMessage(f"{name} must be an integer ≥ {minimum}.")
    return value


class ProgressConsumer(JsonConsumer):
    """ws/progress/: task counts of the projects (and, for staff, batches) this user sees.
    Changes are coalesced for COALESCE_SECONDS, then counted once (through the cache)."""

    handlers = {"ping": "on_ping"}

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.projects: set[int] = set()
        self.hidden: set[int] = set()
        self.dirty: dict[tuple[str, int], float] = {}
        self.flusher: asyncio.Task | None = None
        self.joined = False
        await self.accept()
        if not await database_sync_to_async(_may_watch_progress)(self.user):
            await self.refuse()
            return
        await self.channel_layer.group_add(live.QUEUE_GROUP, self.channel_name)
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        self.joined = True
        for message in await database_sync_to_async(self.snapshot)():
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        if self.flusher is not None:
            self.flusher.cancel()
        if self.joined:
            await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)

    def snapshot(self) -> list[dict]:
        self.projects = set(_visible_project_ids(self.user))
        return [{"type": "progress", "project": pk, "counts": live.counts(project_id=pk)}
                for pk in sorted(self.projects)]

    async def task_changed(self, event: dict) -> None:
        project = event.get("project")
        if project is None or not await self.sees(project):
            return
        self.mark("project", project, event["at"])
        if self.user.is_staff and event.get("batch") is not None:  # a batch of a seen project
            self.mark("batch", event["batch"], event["at"])

    def mark(self, kind: str, pk: int, at: float) -> None:
        self.dirty[(kind, pk)] = max(at, self.dirty.get((kind, pk), at))
        if self.flusher is None:
            self.flusher = asyncio.create_task(self.flush_later())

    async def flush_later(self) -> None:
        await asyncio.sleep(COALESCE_SECONDS)
        dirty, self.dirty, self.flusher = self.dirty, {}, None
        for (kind, pk), since in dirty.items():
            counts = await database_sync_to_async(live.counts_since)(
                since=since, **{f"{kind}_id": pk})
            await self.send_json({"type": "progress", kind: pk, "counts": counts})

    async def sees(self, project: int) -> bool:
        if project not in self.projects and project not in self.hidden:  # new since: look
            self.projects = set(await database_sync_to_async(_visible_project_ids)(self.user))
            if project not in self.projects:
                self.hidden.add(project)
        return project in self.projects


def _may_watch_progress(user) -> bool:
    return user is not None and user.is_authenticated and queue.is_tasker(user)


def _visible_project_ids(user) -> list[int]:
    if user.is_superuser:
        return list(Project.objects.values_list("pk", flat=True))
    if user.is_staff:  # a manager: the projects of their accounts too (docs/workforce.md)
        return list(Project.objects.filter(workforce.open_q(user)).values_list("pk", flat=True))
    return list(queue.visible_projects(user).values_list("pk", flat=True))
