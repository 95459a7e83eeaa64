"""Tasks, their tags and their annotations.

A task's status is changed only through `tasks.lifecycle`; nothing else writes `status`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from annotator.backends.plans import literal
from tasks import kinds
from tasks.models.fields import OrderedJSONField
from tasks.models.projects import Batch, Project


def new_task_id() -> str:
    """A 24-hex id in the style of a Mongo ObjectId: creation second, then random bytes."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


class TaskStatus(models.TextChoices):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELED = "canceled"
    ERROR = "error"


# The annotations that carry the keys of `params` read by `with_params_subset`.
SUBSET_PREFIX = "params_subset_"
# The annotation that carries `params` as text, read by `with_raw_params`.
RAW_PARAMS = "params_as_text"


class TaskRole(models.TextChoices):
    """What a task row is. Only customer rows are the customer's (docs/quality.md)."""

    CUSTOMER = "customer"
    REPLICA = "replica"  # one of a consensus task's k independent copies
    EVALUATION = "evaluation"  # a gold task: its template, or a copy served to a tasker
    TRAINING = "training"  # a training task: its template, or a served copy


class TaskStage(models.TextChoices):
    """Where a pending task is in the quality loop; meaningless once it is not pending."""

    WORK = "work"
    CONSENSUS = "consensus"  # waiting for its replicas and their merge
    REVIEW = "review"
    REWORK = "rework"
    TEMPLATE = "template"  # a gold or training answer key: never claimed, never completed


class TaskQuerySet(models.QuerySet["Task"]):
    def for_customer(self) -> TaskQuerySet:
        """The customer's own tasks: never a replica, a gold or a training row. Every API,
        export, count and callback path reads through this (docs/quality.md). The role is
        written into the SQL, so that even a generic plan of a prepared statement walks the
        partial index `task_list_order` (annotator/backends/plans.py)."""
        return self.filter(role=literal(TaskRole.CUSTOMER.value))

    def with_params_subset(self, keys: Iterable[str]) -> TaskQuerySet:
        """Read these keys of each task's `params` by SQL, into `task.params_subset`: a task's
        params are megabytes of JSON with a big hypothesis, decoded whole on every read. The
        subset has an attribute of its own so that nothing can mistake it for (and save it as)
        the whole `params`."""
        return self.annotate(**{SUBSET_PREFIX + key: KeyTransform(key, "params")
                                for key in keys})

    def with_raw_params(self) -> TaskQuerySet:
        """Read each task's `params` as the JSON text the database holds, into
        `task.raw_params`, for passing on without decoding. Defers `params` itself."""
        return self.defer("params").annotate(**{RAW_PARAMS: Cast("params", models.TextField())})


class Task(models.Model):
    task_id = models.CharField(primary_key=True, max_length=24, default=new_task_id)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="owned_tasks")
    is_test = models.BooleanField(default=False)
    type = models.CharField(max_length=64, default=kinds.IMAGE, choices=kinds.choices)
    status = models.CharField(max_length=16, choices=TaskStatus.choices,
                              default=TaskStatus.PENDING)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="tasks")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="tasks")
    project_param_version = models.IntegerField(null=True, blank=True)
    instruction = models.TextField(blank=True, default="")
    callback_url = models.CharField(max_length=2048, blank=True, default="")
    params = OrderedJSONField(default=dict)
    response = OrderedJSONField(null=True, blank=True)
    metadata = OrderedJSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    unique_id = models.CharField(max_length=512, null=True, blank=True)  # noqa: DJ001 - NULL is "absent"
    clear_unique_id_on_error = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=20)
    urgency = models.CharField(max_length=20, default="standard")
    work_started = models.BooleanField(default=False)
    audits = models.JSONField(default=list, blank=True)
    customer_review_status = models.CharField(max_length=20, blank=True, default="")
    callback_succeeded = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    # The image as fetched and kept by us (filled by the attachment worker).
    attachment_file = models.FileField(upload_to="attachments/", max_length=300, blank=True)
    attachment_width = models.PositiveIntegerField(null=True, blank=True)
    attachment_height = models.PositiveIntegerField(null=True, blank=True)
    attachment_mime = models.CharField(max_length=100, blank=True, default="")

    # The tasker who holds the task, and until when.
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="claimed_tasks")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # When the current (or last) holder claimed it: work time runs from here to completed_at.
    work_started_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="completed_tasks")
    # The response the draft restarts from: the one an audit rejection, a recall or a review
    # sent the task back with, or the submitted answer while it is in review (None: the
    # prelabels). A discarded draft returns to it.
    sent_back_response = OrderedJSONField(null=True, blank=True)
    # The draft's response-level parts beside its annotation rows:
    # {"global_attributes": {...}, "links": [...]} (tasks.draft_extras.initial).
    draft_extras = OrderedJSONField(default=dict, blank=True)

    # The quality loop (docs/quality.md): what the row is, its place in the loop, who has the
    # first refusal of it and until when, and the customer-visible quality summary.
    role = models.CharField(max_length=12, choices=TaskRole.choices, default=TaskRole.CUSTOMER)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children")
    stage = models.CharField(max_length=12, choices=TaskStage.choices, default=TaskStage.WORK)
    reserved_for = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="reserved_tasks")
    reserved_until = models.DateTimeField(null=True, blank=True)
    quality = OrderedJSONField(null=True, blank=True)
    # A task given to one person (docs/workforce.md): served only to them, before other work.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="assigned_tasks")

    objects = TaskQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "is_test", "unique_id"],
                condition=models.Q(unique_id__isnull=False),
                name="task_unique_id_per_account",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "is_test", "-created_at", "-task_id"],
                         name="task_list_order", condition=models.Q(role="customer")),
            # A claim's whole order (tasks/queue.py CLAIM_ORDER, after the stage): the next
            # task is the first row of the index that passes the claim's filters, and no
            # pending task is sorted (docs/performance.md "Serving requests").
            models.Index(fields=["project", "stage", "-priority", "created_at", "task_id"],
                         name="task_stage_queue", condition=models.Q(status="pending")),
            models.Index(fields=["project", "status", "-priority", "created_at"],
                         name="task_queue_order"),
            models.Index(fields=["batch", "status"], name="task_batch_status"),
        ]

    def __str__(self) -> str:
        return self.task_id

    @property
    def params_subset(self) -> dict:
        """The keys of `params` read with `Task.objects.with_params_subset(keys)` that the task
        has (a key whose value is null is left out)."""
        return {name.removeprefix(SUBSET_PREFIX): value for name, value in vars(self).items()
                if name.startswith(SUBSET_PREFIX) and value is not None}

    @property
    def raw_params(self) -> str | None:
        """`params` as its stored JSON text, for a task read with
        `Task.objects.with_raw_params()` (an AttributeError for any other)."""
        try:
            return vars(self)[RAW_PARAMS]
        except KeyError:
            raise AttributeError(
                "raw_params is read only with Task.objects.with_raw_params()") from None


class TaskTag(models.Model):
    """One row per tag of a task, so that tag filters use an index."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "tag"], name="task_tag_unique")]
        indexes = [models.Index(fields=["tag"])]

    def __str__(self) -> str:
        return self.tag


class AnnotationSource(models.TextChoices):
    HYPOTHESIS = "hypothesis"
    BASE = "base"
    TASKER = "tasker"


class Annotation(models.Model):
    """One annotation of a task's working set, in the response's JSON shape (docs/task-format.md).

    `geometry` holds exactly the type's geometry keys of the response format (left/top/width/
    height, vertices, x/y, edges...), so that the row, the canvas and the API share one format.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="annotations")
    uuid = models.CharField(max_length=64)
    type = models.CharField(max_length=16)
    label = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001 - NULL is "absent"
    geometry = OrderedJSONField(default=dict)
    attributes = OrderedJSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=AnnotationSource.choices,
                              default=AnnotationSource.TASKER)
    locked = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "uuid"], name="annotation_uuid_per_task")
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.type} {self.label or ''} ({self.uuid})"

    def as_json(self) -> dict:
        data = {"uuid": self.uuid, "type": self.type}
        if self.label is not None:
            data["label"] = self.label
        data.update(self.geometry)
        data["attributes"] = self.attributes
        return data
