"""The callback outbox, and the copies of a task's context images.

A `CallbackDelivery` is written in the same transaction as the change it reports, so a change
that commits always has its callback on record; the worker (`tasks.jobs`) sends it and keeps
trying until the receiver answers 2xx or the retry schedule runs out.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.fields import OrderedJSONField
from tasks.models.projects import Batch
from tasks.models.tasks import Task


class DeliveryEvent(models.TextChoices):
    COMPLETED = "completed"
    ERROR = "error"
    AUDIT = "audit"
    RECALL = "recall"
    BATCH_COMPLETED = "batch_completed"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every try failed; nothing more is sent


class CallbackDelivery(models.Model):
    # Sent as the X-Annotator-Delivery header, so a receiver can drop a repeat.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="callback_deliveries")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="deliveries")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="deliveries")
    event = models.CharField(max_length=20, choices=DeliveryEvent.choices)
    url = models.CharField(max_length=2048, help_text="An http(s) URL or an email address.")
    payload = OrderedJSONField(help_text="The body, frozen when the event happened.")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # While a worker sends, it holds the delivery until then; a killed worker's hold expires.
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        ordering = ["-created_at"]
        verbose_name_plural = "callback deliveries"

    def __str__(self) -> str:
        subject = self.task_id or (self.batch.name if self.batch else "?")
        return f"{self.event} of {subject} to {self.url}"


class ContextAttachment(models.Model):
    """Our copy of one of a task's `context_attachments` (in their order)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="context_copies")
    position = models.PositiveIntegerField()
    url = models.CharField(max_length=2048)
    file = models.FileField(upload_to="attachments/context/", max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    mime_type = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "position"],
                                               name="context_attachment_position")]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.task_id} context {self.position}"
