"""Live editing sessions of a task's draft, and the operations they sent (docs/live-sessions.md).

A task's draft is its `Annotation` rows. A `DraftSession` is one browser's outbox of operations
for one task: the client names it (`session_id`, kept with the outbox in the browser) and
numbers its operations 1, 2, 3...; the server keeps the last number it applied, and the reply
it gave to each (`DraftOp`), so that an operation sent twice is answered twice and applied once.
At most one session of a task is active: the one whose connection may edit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.tasks import Task


class DraftSession(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="draft_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="draft_sessions")
    session_id = models.CharField(max_length=64)
    # The page instance (one load of the page) and the connection that serve the session
    # now; channel_name is "" while no connection is open.
    tab_id = models.CharField(max_length=64, blank=True, default="")
    channel_name = models.CharField(max_length=200, blank=True, default="")
    last_seq = models.PositiveBigIntegerField(default=0)
    is_active = models.BooleanField(default=False)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "session_id"], name="draft_session_per_task")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} on {self.task_id} (seq {self.last_seq})"


class DraftOp(models.Model):
    """One numbered operation of a session, and what the client was told about it."""

    session = models.ForeignKey(DraftSession, on_delete=models.CASCADE, related_name="ops")
    seq = models.PositiveBigIntegerField()
    op = models.JSONField(null=True, blank=True)  # as sent; null when the client sent null
    reply = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="draft_op_seq_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq}"
