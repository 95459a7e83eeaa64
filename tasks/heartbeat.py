"""Worker heartbeats: each worker process touches its `WorkerBeat` row every BEAT_SECONDS.

A job row is RUNNING from the moment a worker claims it; if that worker's beat is older than
LOST_AFTER the worker is presumed dead and the job lost (tasks/jobs.py queues its work again
at the next sweep, so within LOST_AFTER + ANNOTATOR_SWEEP_SECONDS of the death: a minute with
the defaults). GET /healthz reports the freshest beat's age (docs/deploy.md).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.utils import timezone

from tasks.models import WorkerBeat

BEAT_SECONDS = 5.0
LOST_AFTER = timedelta(seconds=30)


def beat(worker_id: str, running: int = 0) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(pk=worker_id).update(beat_at=now, running=running)
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, host=socket.gethostname()[:255],
                                  pid=os.getpid(), started_at=now, beat_at=now,
                                  running=running)


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its row."""
    WorkerBeat.objects.filter(pk=worker_id).delete()


def live_worker_ids() -> set[str]:
    since = timezone.now() - LOST_AFTER
    return set(WorkerBeat.objects.filter(beat_at__gte=since).values_list("worker_id",
                                                                          flat=True))


def forget_dead() -> int:
    """Drop the rows of workers dead for a day (they only matter for LOST_AFTER)."""
    return WorkerBeat.objects.filter(beat_at__lt=timezone.now() - timedelta(days=1)).delete()[0]


def health() -> dict:
    """The worker part of GET /healthz: the freshest beat's age in seconds (None when no
    worker ever beat) and the live workers."""
    now = timezone.now()
    rows = list(WorkerBeat.objects.order_by("-beat_at")[:50])
    live = [r for r in rows if now - r.beat_at <= LOST_AFTER]
    return {
        "heartbeat_age_seconds": round((now - rows[0].beat_at).total_seconds(), 1)
        if rows else None,
        "alive": bool(live),
        "workers": [{"host": r.host, "pid": r.pid, "running": r.running,
                     "heartbeat_age_seconds": round((now - r.beat_at).total_seconds(), 1),
                     "started_at": r.started_at.isoformat()} for r in live],
    }
