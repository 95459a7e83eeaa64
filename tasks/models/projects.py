"""Projects with their versioned params, and batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks import kinds
from tasks.models.fields import OrderedJSONField


class Project(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    is_test = models.BooleanField(default=False)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=64, default=kinds.IMAGE, choices=kinds.choices)
    created_at = models.DateTimeField(default=timezone.now)
    archived = models.BooleanField(default=False)
    ontology = models.JSONField(default=list, blank=True)
    ontology_history = models.JSONField(default=list, blank=True)
    extra = OrderedJSONField(default=dict, blank=True)
    taskers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="tasker_projects",
        help_text="Taskers who may work on this project; none means every tasker.",
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reviewer_projects",
        help_text="Reviewers who may review this project's work; none means every reviewer.",
    )
    # docs/assist.md, "Model backends": prelabels new tasks and/or serves the Assist tool.
    model_backend = models.ForeignKey(
        "tasks.ModelBackend", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="projects",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "is_test", "name"], name="project_name_unique_per_account"
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> ProjectParamVersion | None:
        return self.param_versions.order_by("-version").first()


class ProjectParamVersion(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="param_versions")
    version = models.PositiveIntegerField()
    params = OrderedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="project_version_unique")
        ]
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.project.name} v{self.version}"


class BatchStatus(models.TextChoices):
    STAGING = "staging"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Batch(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batches"
    )
    is_test = models.BooleanField(default=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="batches")
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=BatchStatus.choices, default=BatchStatus.IN_PROGRESS
    )
    callback = models.CharField(max_length=2048, blank=True, default="")
    metadata = OrderedJSONField(default=dict, blank=True)
    calibration_batch = models.BooleanField(default=False)
    self_label_batch = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Studio (docs/workforce.md): the order batches are served in (lower first; none after,
    # by created_at), and the groups that work the batch (none: every assigned labeler).
    studio_priority = models.PositiveIntegerField(null=True, blank=True)
    groups = models.ManyToManyField("tasks.ProjectGroup", related_name="batches", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "is_test", "name"], name="batch_name_unique_per_account"
            )
        ]
        indexes = [models.Index(fields=["owner", "is_test", "-created_at"])]
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return self.name
