"""A project's quality settings, gold and training answer keys, consensus results, and each
tasker's standing in a project (docs/quality.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tasks.models.fields import OrderedJSONField
from tasks.models.projects import Project
from tasks.models.tasks import Task


class ReviewMode(models.TextChoices):
    OFF = "off", "off"
    ALL = "all", "every task"
    SAMPLE = "sample", "a percentage"
    FIRST_THEN_SAMPLE = "first_then_sample", "each tasker's first N, then a percentage"


def _share(**kwargs) -> models.FloatField:
    return models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                             **kwargs)


class ProjectQuality(models.Model):
    """How much of a project's work is checked, and how. No row means every default: off."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="quality",
                                   primary_key=True)
    review_mode = models.CharField(max_length=20, choices=ReviewMode.choices,
                                   default=ReviewMode.OFF,
                                   help_text="Which first submissions go to review.")
    review_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)],
        help_text="The share of submissions reviewed (a percentage, and after the first N).")
    review_first_n = models.PositiveIntegerField(
        default=0, help_text="Each tasker's first N submissions in the project are all "
                             "reviewed (with 'first N, then a percentage').")
    consensus_k = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many taskers annotate each task independently (1: no consensus).")
    consensus_min_similarity = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Two shapes match when their similarity (IoU, or closeness) reaches this.")
    consensus_review_below = _share(
        null=True, blank=True,
        help_text="A merged task whose agreement is below this goes to review.")
    consensus_skip_review_at = _share(
        null=True, blank=True,
        help_text="A merged task whose agreement reaches this skips review.")
    gold_share = _share(default=0.0, help_text="The share of claims served a gold task.")
    gold_threshold = _share(default=0.8,
                            help_text="Gold accuracy under which a tasker is flagged.")
    gold_min_answers = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1)],
        help_text="No flag before this many gold answers.")
    gold_window = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1)],
        help_text="Flagging uses the tasker's last N gold answers.")
    pause_when_flagged = models.BooleanField(
        default=False, help_text="A flagged tasker is also paused in the project.")
    training_required = models.BooleanField(
        default=False, help_text="New taskers get only training tasks until they pass.")
    training_threshold = _share(default=0.8,
                                help_text="The pass mark: mean score over training tasks.")

    class Meta:
        verbose_name = "quality settings"
        verbose_name_plural = "quality settings"
        constraints = [
            models.CheckConstraint(condition=Q(review_percent__lte=100),
                                   name="quality_review_percent_range"),
            models.CheckConstraint(condition=Q(consensus_k__gte=1, consensus_k__lte=5),
                                   name="quality_consensus_k_range"),
            models.CheckConstraint(condition=Q(gold_share__gte=0, gold_share__lte=1),
                                   name="quality_gold_share_range"),
        ]

    def __str__(self) -> str:
        return f"quality of {self.project}"


class GoldKind(models.TextChoices):
    EVALUATION = "evaluation"
    TRAINING = "training"


class GoldPhase(models.TextChoices):
    WORK = "work"  # the tasker's answer is scored
    REVIEW = "review"  # an initial response is reviewed; the reviewer's answer is scored


class GoldStandard(models.Model):
    """The answer key of a gold (evaluation) or training template task."""

    template = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="gold")
    kind = models.CharField(max_length=12, choices=GoldKind.choices)
    phase = models.CharField(max_length=8, choices=GoldPhase.choices, default=GoldPhase.WORK)
    expected_response = OrderedJSONField(default=dict)
    initial_response = OrderedJSONField(null=True, blank=True)
    origin = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="gold_copies_made",
                               help_text="The customer task this was made from ('Use as gold').")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "gold or training task"

    def __str__(self) -> str:
        return f"{self.kind} {self.template_id}"


class GoldAnswer(models.Model):
    """A tasker's (or reviewer's) scored answer to a served copy of a gold or training task."""

    copy = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="gold_answer")
    standard = models.ForeignKey(GoldStandard, on_delete=models.CASCADE, related_name="answers")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gold_answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="gold_answers")
    kind = models.CharField(max_length=12, choices=GoldKind.choices)
    phase = models.CharField(max_length=8, choices=GoldPhase.choices, default=GoldPhase.WORK)
    score = models.FloatField()
    details = OrderedJSONField(default=dict, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "user", "answered_at"],
                                name="gold_answer_by_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.score:.2f}"


class ConsensusResult(models.Model):
    """The merge of a task's k independent answers (tasks/quality/merge.py)."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="consensus")
    replicas = models.JSONField(default=list)  # the replicas' task ids, in merge order
    report = OrderedJSONField(default=dict)
    agreement = models.FloatField()
    merged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"consensus of {self.task_id}: {self.agreement:.2f}"


class FlagReason(models.TextChoices):
    GOLD = "gold"
    TRAINING = "training"


class TaskerStanding(models.Model):
    """A tasker's standing in one project. No row: not flagged, not paused, no training."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="standings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="standings")
    training_passed_at = models.DateTimeField(null=True, blank=True)
    training_failed_at = models.DateTimeField(null=True, blank=True)
    training_reset_at = models.DateTimeField(
        null=True, blank=True, help_text="Training answers before this are ignored.")
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=12, choices=FlagReason.choices, blank=True,
                                   default="")
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"],
                                               name="standing_per_project_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"
