"""Model backends a project may name, and the prelabel asked of one for a task
(docs/assist.md, "Model backends")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.tasks import Task


class BackendProtocol(models.TextChoices):
    ANNOTATOR = "annotator", "annotator (v1)"
    LABEL_STUDIO = "label_studio", "Label Studio ML backend"


class ModelBackend(models.Model):
    """An HTTP model server of an account. The breaker fields are kept on the row so that
    every process sees the same state (tasks/model_backends/breaker.py)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="model_backends"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, help_text="Base URL; /health, /predict ... are appended.")
    protocol = models.CharField(
        max_length=20, choices=BackendProtocol.choices, default=BackendProtocol.ANNOTATOR
    )
    predict = models.BooleanField(default=True, help_text="Prelabel new tasks.")
    interact = models.BooleanField(default=False, help_text="Serve the workbench's Assist tool.")
    timeout_seconds = models.FloatField(default=10)
    auth_header = models.CharField(
        max_length=500, blank=True, help_text="Sent as the Authorization header when set."
    )
    enabled = models.BooleanField(default=True)
    # The breaker (docs/assist.md): consecutive failures, and until when no request is made.
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="model_backend_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PrelabelStatus(models.TextChoices):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class Prelabel(models.Model):
    """What a backend was asked about a task and what came of it."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="prelabel")
    backend = models.ForeignKey(
        ModelBackend, null=True, blank=True, on_delete=models.SET_NULL, related_name="prelabels"
    )
    backend_name = models.CharField(max_length=100, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=PrelabelStatus.choices, default=PrelabelStatus.QUEUED
    )
    error = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True)
    annotation_count = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"prelabel of {self.task_id} ({self.status})"
