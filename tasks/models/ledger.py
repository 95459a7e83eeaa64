"""The prelabel ledger's rows (docs/assist.md, "The prelabel ledger"): per submitted task
that had prelabels, what became of them, in all and per label."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.projects import Project
from tasks.models.tasks import Task


class LedgerStatus(models.TextChoices):
    PENDING = "pending"  # recorded at submit, the worker has not compared it yet
    DONE = "done"


class OutcomeCounts(models.Model):
    """The counts of the comparison's outcomes, and the IoU sum of kept and moved shapes."""

    prelabels = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    relabelled = models.PositiveIntegerField(default=0)
    attributes_changed = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    iou_sum = models.FloatField(default=0)
    iou_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PrelabelLedger(OutcomeCounts):
    """One per task submitted with prelabels: the latest tasker's submit replaces it."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="prelabel_ledger")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="prelabel_ledgers")
    tasker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="prelabel_ledgers")
    # the Prelabel's model version, or "hypothesis" for prelabels the API gave
    model_version = models.CharField(max_length=200)
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=LedgerStatus.choices,
                              default=LedgerStatus.PENDING)
    # the submitted annotations, kept until the worker has compared them, then emptied
    answer = models.JSONField(default=list, blank=True)
    compared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "submitted_at"], name="ledger_project_day"),
            models.Index(fields=["model_version", "submitted_at"], name="ledger_version_day"),
        ]

    def __str__(self) -> str:
        return f"prelabel ledger of {self.task_id} ({self.status})"


class PrelabelLabelTally(OutcomeCounts):
    """A ledger's counts for one label: the prelabels the model gave that label, the
    annotations added with it."""

    ledger = models.ForeignKey(PrelabelLedger, on_delete=models.CASCADE, related_name="labels")
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ledger", "label"],
                                               name="ledger_label_unique")]

    def __str__(self) -> str:
        return f"{self.ledger_id}: {self.label}"
