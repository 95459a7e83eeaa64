"""The worker processes' heartbeats (tasks/worker_pool.py)."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One row per running worker process, touched every few seconds while it lives. A job
    row left RUNNING by a worker whose beat stopped is lost (tasks/jobs.py), and GET /healthz
    reports the age of the freshest beat."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    running = models.IntegerField(default=0)  # jobs in progress at the last beat

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id[:8]})"
