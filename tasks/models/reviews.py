"""Review rounds, per-annotation verdicts and issues pinned on a task (docs/quality.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.fields import OrderedJSONField
from tasks.models.tasks import Task


class RoundSource(models.TextChoices):
    INTERNAL = "internal"  # the project's own review
    CUSTOMER = "customer"  # an API audit rejection or a recall


class RoundVerdict(models.TextChoices):
    ACCEPTED = "accepted"
    FIXED = "fixed"  # accepted with the reviewer's changes
    SENT_BACK = "sent_back"


class ReviewRound(models.Model):
    """One pass of a task through review, or one rejection by the customer."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="review_rounds")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=RoundSource.choices,
                              default=RoundSource.INTERNAL)
    worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="reviewed_rounds")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="review_rounds")
    work_response = OrderedJSONField(null=True, blank=True)  # the answer as submitted
    final_response = OrderedJSONField(null=True, blank=True)  # the draft at the decision
    reviewer_changes = OrderedJSONField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=RoundVerdict.choices, blank=True,
                               default="")  # "" while open
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "number"],
                                               name="review_round_number")]
        indexes = [models.Index(fields=["decided_at"], name="review_round_decided")]
        ordering = ["task", "number"]

    def __str__(self) -> str:
        return f"{self.task_id} round {self.number}"


class AnnotationVerdictValue(models.TextChoices):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class AnnotationVerdict(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="verdicts")
    uuid = models.CharField(max_length=64)
    verdict = models.CharField(max_length=10, choices=AnnotationVerdictValue.choices)
    reason = models.TextField(blank=True, default="")
    annotation = OrderedJSONField(null=True, blank=True)  # as judged: what rework locks keep
    revised = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "uuid"],
                                               name="annotation_verdict_per_round")]

    def __str__(self) -> str:
        return f"{self.uuid}: {self.verdict}"


class IssueStatus(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Issue(models.Model):
    """A comment pinned to a point of the task's image (or to the whole task)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="issues")
    uuid = models.CharField(max_length=64)
    round = models.ForeignKey(ReviewRound, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="issues")
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    frame = models.IntegerField(null=True, blank=True)
    annotation_uuid = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=IssueStatus.choices,
                              default=IssueStatus.OPEN)
    source = models.CharField(max_length=10, choices=RoundSource.choices,
                              default=RoundSource.INTERNAL)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "uuid"],
                                               name="issue_uuid_per_task")]
        ordering = ["opened_at", "pk"]

    def __str__(self) -> str:
        return f"issue {self.uuid} ({self.status})"


class IssueComment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")  # null: the customer
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
