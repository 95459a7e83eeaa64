"""Who has a task open, and who may edit it (docs/live-sessions.md).

The lease holder's connections are editing sessions: one of them edits (role "editor"), any
other (a second tab, window or computer) is "readonly" until it takes the session over, which
makes the previous editor read-only. Staff who do not hold the task watch it ("watcher").
Everyone else is refused. The state lives in `DraftSession` rows so that every server process
sees the same editor; each function here runs in one transaction with the task row locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks import drafts, queue, workforce
from tasks.models import DraftSession, Task

EDITOR, READONLY, WATCHER = "editor", "readonly", "watcher"
OPEN_ELSEWHERE = ("This task is open in another tab or window: this one is read-only until "
                  "you take the session over.")
TAKEN_OVER = "You took this task over in another tab or window: this one is now read-only."


def heartbeat_seconds() -> float:
    return float(settings.ANNOTATOR_SESSION_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    """A session that said nothing for this long counts as closed (a killed server)."""
    return timedelta(seconds=3 * heartbeat_seconds())


@dataclass
class Opening:
    """The outcome of a hello or a takeover: the role, the welcome for the client, and the
    connection that lost the editor role (to be told), if any."""

    role: str
    welcome: dict = field(default_factory=dict)
    demoted: str = ""
    refused: dict | None = None


MISSING = "missing"


def access(task_id: str, user) -> str | None:
    """"holder", "staff", MISSING (no such task, or one of a project not offered to the user:
    docs/workforce.md) or None (refused) for a user opening the task's socket."""
    if user is None or not user.is_authenticated:
        return None
    task = workforce.openable_tasks(user, _tasks()).filter(pk=task_id).first()
    if task is None:
        return MISSING
    if queue.holds(user, task):
        return "holder"
    return "staff" if user.is_staff else None


def open_session(task_id: str, user, session_id: str, tab_id: str,
                 channel_name: str) -> Opening:
    """A hello: the lease holder edits unless another live connection does; staff watch."""
    with transaction.atomic():
        task = _tasks().select_for_update().filter(pk=task_id).first()
        if drafts.not_editable(task, user) is not None:
            return _watch(task, user)
        row, created = _session_row(task, user, session_id)
        if row is None:
            return Opening(READONLY, refused={"type": "error", "message": "Unknown session."})
        active = DraftSession.objects.filter(task=task, is_active=True).first()
        if active is not None and _live(active) and not (
                active.pk == row.pk and active.tab_id == tab_id):
            return Opening(READONLY, _welcome(task, READONLY, row, created, OPEN_ELSEWHERE))
        demoted = _make_editor(task, user, row, active, tab_id, channel_name)
        return Opening(EDITOR, _welcome(task, EDITOR, row, created), demoted=demoted)


def take_over(task_id: str, user, session_id: str, tab_id: str, channel_name: str) -> Opening:
    """A read-only connection of the lease holder becomes the editor."""
    with transaction.atomic():
        task = _tasks().select_for_update().filter(pk=task_id).first()
        lost = drafts.not_editable(task, user)
        if lost is not None:
            return Opening(READONLY, refused=lost)
        row, created = _session_row(task, user, session_id)
        if row is None:
            return Opening(READONLY, refused={"type": "error", "message": "Unknown session."})
        active = DraftSession.objects.filter(task=task, is_active=True).first()
        demoted = _make_editor(task, user, row, active, tab_id, channel_name)
        return Opening(EDITOR, _welcome(task, EDITOR, row, created), demoted=demoted)


def close_session(task_id: str, user, session_id: str, channel_name: str) -> None:
    """The connection closed: the session stays the task's (it may come back), the lease
    runs for its full time from now."""
    with transaction.atomic():
        task = _tasks().select_for_update().filter(pk=task_id).first()
        if task is None:
            return
        DraftSession.objects.filter(task=task, session_id=session_id,
                                    channel_name=channel_name).update(
            channel_name="", last_seen=timezone.now())
        queue.renew(task, user)


def heartbeat(task_id: str, user, session_id: str, channel_name: str) -> dict | None:
    """An open session renews the lease; the status reply once the task is no longer
    editable by this user (None while it is)."""
    with transaction.atomic():
        task = _tasks().select_for_update().filter(pk=task_id).first()
        lost = drafts.not_editable(task, user)
        if lost is not None:
            return lost
        queue.renew(task, user)
        DraftSession.objects.filter(task=task, session_id=session_id,
                                    channel_name=channel_name).update(last_seen=timezone.now())
    return None


def watch(task_id: str) -> dict:
    """The welcome of a watcher (also sent again when the draft was replaced)."""
    task = _tasks().filter(pk=task_id).first()
    return _watch(task, None).welcome


# --- helpers --------------------------------------------------------------------------------

def _tasks():
    """Tasks without the JSON columns sessions never read: a 10,000-annotation hypothesis
    makes `params` megabytes, decoded on every hello, heartbeat and close otherwise."""
    return Task.objects.defer("params", "response", "sent_back_response")


def _watch(task: Task | None, user) -> Opening:
    if task is None or (user is not None and not user.is_staff):
        return Opening(WATCHER, refused=drafts.not_editable(task, user))
    return Opening(WATCHER, {"type": "welcome", "role": WATCHER, "last_seq": 0,
                             "status": task.status,
                             "annotations": drafts.draft_state(task),
                             "extras": drafts.extras_state(task)})


def _session_row(task: Task, user, session_id: str) -> tuple[DraftSession | None, bool]:
    row, created = DraftSession.objects.get_or_create(
        task=task, session_id=session_id, defaults={"user": user})
    return (row, created) if row.user_id == user.pk else (None, False)


def _live(session: DraftSession) -> bool:
    return bool(session.channel_name) and session.last_seen >= timezone.now() - stale_after()


def _make_editor(task: Task, user, row: DraftSession, active: DraftSession | None,
                 tab_id: str, channel_name: str) -> str:
    """`row` becomes the task's active session, served by this connection; returns the
    channel of the connection that edited until now ("" if none)."""
    demoted = active.channel_name if active is not None else ""
    if active is not None and active.pk != row.pk:
        DraftSession.objects.filter(pk=active.pk).update(is_active=False)
    now = timezone.now()
    row.is_active, row.tab_id, row.channel_name = True, tab_id, channel_name
    row.connected_at = row.last_seen = now
    row.save(update_fields=["is_active", "tab_id", "channel_name", "connected_at", "last_seen"])
    queue.renew(task, user)
    return demoted if demoted != channel_name else ""


def _welcome(task: Task, role: str, row: DraftSession, created: bool,
             reason: str = "") -> dict:
    # The draft as JSON text (drafts.draft_state_json), sent as it is by the consumer's
    # orjson: 10,000 annotations made 10,000 dicts only to be encoded again.
    welcome = {"type": "welcome", "role": role, "session_id": row.session_id,
               "last_seq": row.last_seq, "new_session": created, "status": task.status,
               "lease_expires_at": _iso(task),
               "annotations": orjson.Fragment(drafts.draft_state_json(task)),
               "extras": drafts.extras_state(task)}
    if reason:
        welcome["reason"] = reason
    return welcome


def _iso(task: Task) -> str | None:
    return task.lease_expires_at.isoformat() if task.lease_expires_at else None
