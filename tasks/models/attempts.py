"""One row per claim of a task by a person: who worked, reworked or reviewed what, and
how long it took (docs/quality.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.tasks import Task


class AttemptKind(models.TextChoices):
    WORK = "work"
    REWORK = "rework"
    REVIEW = "review"


class AttemptOutcome(models.TextChoices):
    OPEN = "open"
    SUBMITTED = "submitted"
    RELEASED = "released"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    FIXED = "fixed"
    SENT_BACK = "sent_back"


class TaskAttempt(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attempts")
    # The customer task the claimed row stands for (a replica's parent, a copy's template).
    root = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="root_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="attempts")
    kind = models.CharField(max_length=8, choices=AttemptKind.choices)
    claimed_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices,
                               default=AttemptOutcome.OPEN)
    # What the tasker said when they skipped (outcome "released"); shown to managers.
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["root", "user"], name="attempt_root_user"),
            models.Index(fields=["user", "kind", "outcome"], name="attempt_user_kind"),
            models.Index(fields=["task", "user", "outcome"], name="attempt_task_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.task_id} ({self.outcome})"
