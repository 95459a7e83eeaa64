"""A tasker's standing in a project: flagged, paused, training passed or failed
(docs/quality.md).

One `TaskerStanding` row per (project, user), made on first need; no row means not flagged,
not paused and training not taken. Flags follow the gold answers (`after_gold_answer`, called
by the score job after each scored evaluation answer) and a failed training; the admin pauses,
unpauses and lets a tasker retry the training through the functions below.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks.models import GoldAnswer, Project, TaskerStanding
from tasks.quality_flow import settings as quality_settings

GOLD = "gold"
TRAINING = "training"


def of(project: Project, user) -> TaskerStanding | None:
    """The user's standing row in the project, if any."""
    return TaskerStanding.objects.filter(project=project, user=user).first()


def _row(project: Project, user) -> TaskerStanding:
    """The standing row, locked for the caller's transaction (made when missing)."""
    row, _ = TaskerStanding.objects.select_for_update().get_or_create(project=project,
                                                                      user=user)
    return row


def is_paused(user, project: Project) -> bool:
    return TaskerStanding.objects.filter(project=project, user=user,
                                         paused_at__isnull=False).exists()


# --- gold -----------------------------------------------------------------------------------

def gold_mean(project: Project, user, window: int) -> tuple[float | None, int]:
    """The mean score of the user's last `window` evaluation answers (work phase) in the
    project, and how many there are."""
    scores = list(GoldAnswer.objects.filter(project=project, user=user, kind="evaluation",
                                            phase="work")
                  .order_by("-answered_at", "-pk").values_list("score", flat=True)[:window])
    return (math.fsum(scores) / len(scores) if scores else None), len(scores)


def after_gold_answer(answer: GoldAnswer) -> None:
    """Flag the tasker when their last `gold_window` evaluation answers number at least
    `gold_min_answers` and average under `gold_threshold` (pausing them too with
    `pause_when_flagged`); clear a gold flag once the mean is back at or above it."""
    if answer.kind != "evaluation" or answer.phase != "work":
        return
    project = answer.project
    settings = quality_settings.of(project)
    mean, count = gold_mean(project, answer.user, settings.gold_window)
    if mean is None or count < settings.gold_min_answers:
        return
    if mean < settings.gold_threshold:
        flag(project, answer.user, GOLD, pause=settings.pause_when_flagged)
    else:
        unflag(project, answer.user, only=GOLD)


# --- flags and pauses -----------------------------------------------------------------------

PauseListener = Callable[[Project, Any], object]
_pause_listeners: list[PauseListener] = []


def on_paused(listener: PauseListener) -> None:
    """Call `listener(project, user)` when a tasker is paused in a project: the queue takes
    back what they hold there (tasks/quality_flow/wiring.py, docs/architecture.md)."""
    _pause_listeners.append(listener)


def paused(project: Project, user) -> None:
    """Tell the listeners that the tasker was just paused in the project (also called by the
    Tasker standings admin when staff set the pause there)."""
    for listener in _pause_listeners:
        listener(project, user)


def flag(project: Project, user, reason: str, *, pause: bool = False,
         now: datetime | None = None) -> TaskerStanding:
    """Flag the tasker (kept as it is when already flagged); `pause`: pause them too."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _row(project, user)
        if row.flagged_at is None:
            row.flagged_at, row.flag_reason = now, reason
        newly_paused = pause and row.paused_at is None
        if newly_paused:
            row.paused_at, row.paused_by = now, None
        row.save()
        if newly_paused:
            paused(project, user)
    return row


def unflag(project: Project, user, *, only: str | None = None) -> None:
    """Clear the tasker's flag (`only`: when it has that reason)."""
    rows = TaskerStanding.objects.filter(project=project, user=user, flagged_at__isnull=False)
    if only is not None:
        rows = rows.filter(flag_reason=only)
    rows.update(flagged_at=None, flag_reason="")


def pause(project: Project, user, by=None, now: datetime | None = None) -> TaskerStanding:
    """Start gives the tasker nothing in this project until unpaused, and what they hold there
    goes back to the queue (`on_paused`)."""
    with transaction.atomic():
        row = _row(project, user)
        if row.paused_at is None:
            row.paused_at, row.paused_by = now or timezone.now(), by
            row.save()
            paused(project, user)
    return row


def unpause(project: Project, user) -> None:
    TaskerStanding.objects.filter(project=project, user=user).update(paused_at=None,
                                                                    paused_by=None)


# --- training -------------------------------------------------------------------------------

def training_passed(project: Project, user, now: datetime | None = None) -> TaskerStanding:
    with transaction.atomic():
        row = _row(project, user)
        row.training_passed_at = now or timezone.now()
        row.save()
    return row


def training_failed(project: Project, user, now: datetime | None = None) -> TaskerStanding:
    """A failed training: recorded, and the tasker flagged (reason training)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _row(project, user)
        row.training_failed_at = now
        row.save()
    return flag(project, user, TRAINING, now=now)


def training_state(row: TaskerStanding | None) -> str:
    """"passed", "failed" or "not_taken": the latest outcome since the last "Let retry"."""
    if row is None:
        return "not_taken"
    since = row.training_reset_at
    outcomes = [(at, name) for at, name in ((row.training_passed_at, "passed"),
                                            (row.training_failed_at, "failed"))
                if at is not None and (since is None or at > since)]
    return max(outcomes)[1] if outcomes else "not_taken"


def let_retry(project: Project, user, now: datetime | None = None) -> TaskerStanding:
    """The tasker may take the training again: answers before now no longer count (nor the
    outcome: `training_state` reads only what came after), and a training flag is cleared."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _row(project, user)
        row.training_reset_at = now
        if row.flag_reason == TRAINING:
            row.flagged_at, row.flag_reason = None, ""
        row.save()
    return row
