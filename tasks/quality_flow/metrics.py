"""Measured quality: every figure of docs/quality.md ("Measured quality") per project, per
tasker and per reviewer, over the last N days and per UTC day (the trend).

Each figure is one aggregate query per grouping (tasks/quality_flow/aggregates.py); the
medians are two (the window, and per day). A figure's `value` is null when its `n` is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from tasks.models import (
    AnnotationVerdict,
    ConsensusResult,
    GoldAnswer,
    GoldStandard,
    Issue,
    Project,
    ReviewRound,
    Task,
    TaskAttempt,
    TaskerStanding,
    TaskStatus,
)
from tasks.quality_flow import settings as quality_settings
from tasks.quality_flow.aggregates import (
    DAY,
    EMPTY,
    PROJECT,
    USER,
    Added,
    DayTextSource,
    Figure,
    Measure,
    Median,
    Part,
    Ratio,
    Scope,
    Source,
    daily_of,
)
from tasks.quality_flow.standing import training_state

DAYS = 30
TASKER, REVIEWER = "tasker", "reviewer"
STAGES = ("work", "consensus", "review", "rework")
ACCEPTED = ("accepted", "fixed")
REVIEW_ENDS = ("accepted", "fixed", "sent_back")
ROUND_PEOPLE = {TASKER: "worked_by", REVIEWER: "reviewer"}


# --- the rows each figure counts ---------------------------------------------------------

def decided_rounds() -> Any:
    """Internal review rounds with a verdict ("" while a round is open)."""
    return ReviewRound.objects.filter(source="internal").exclude(verdict="")


def first_rounds() -> Any:
    """Round 1 of each customer task, placed at its decision (a customer round at its
    creation), marked when the task was sent back at least once."""
    sent_back = ReviewRound.objects.filter(task=OuterRef("task"), verdict="sent_back")
    return (ReviewRound.objects.filter(number=1, task__role="customer")
            .exclude(source="internal", verdict="")
            .annotate(settled_at=Coalesce("decided_at", "created_at"),
                      was_sent_back=Exists(sent_back)))


def audited_unreviewed() -> Any:
    """Customer tasks without any review round (so never sent back) that the customer audited,
    placed at the UTC day of their first audit (`audits[0].audited_at`, an ISO text)."""
    first = KeyTextTransform("audited_at", KeyTransform("0", "audits"))
    return (Task.objects.for_customer().annotate(first_audit_day=Substr(first, 1, 10))
            .filter(first_audit_day__isnull=False)
            .exclude(Exists(ReviewRound.objects.filter(task=OuterRef("pk")))))


def rounds_with_issues() -> Any:
    """Decided internal rounds with the number of issues their reviewer opened."""
    opened = (Issue.objects.filter(round=OuterRef("pk"), source="internal").order_by()
              .values("round").annotate(n=Count("pk")).values("n"))
    return decided_rounds().annotate(opened=Coalesce(Subquery(opened), 0))


def gold_answers(kind: str, phase: str | None = None) -> Any:
    answers = GoldAnswer.objects.filter(kind=kind)
    return answers.filter(phase=phase) if phase else answers


def attempts(kinds: Iterable[str], outcomes: Iterable[str]) -> Any:
    return TaskAttempt.objects.filter(kind__in=list(kinds), outcome__in=list(outcomes),
                                      ended_at__isnull=False)


GOLD_PEOPLE = {TASKER: "user", REVIEWER: "user"}


# --- the figures ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskerAgreement:
    """Consensus agreement. Of a project (or all projects): the mean `ConsensusResult.agreement`
    of the merges in the window. Of a tasker: the mean over the merges they took part in of
    1 − (missed + mislabelled + extra) / (kept + extra), clipped to [0, 1] (1 when the
    denominator is 0), from the merge report's `per_tasker` entry of their replica."""

    project_mean: Ratio

    def by(self, scope: Scope, role: str, group: str) -> dict[Hashable, Figure]:
        if scope.user is None and group != USER:
            return self.project_mean.by(scope, role, group)
        return {key: part.figure() for key, part in self.parts(scope, group).items()}

    def daily(self, scope: Scope, role: str) -> tuple[dict[Hashable, Figure], Figure]:
        if scope.user is None:
            return self.project_mean.daily(scope, role)
        return daily_of(self.parts(scope, DAY))

    def parts(self, scope: Scope, group: str) -> dict[Hashable, Part]:
        parts: dict[Hashable, Part] = {}
        for user, project, day, score in self.scores(scope):
            key = {USER: user, PROJECT: project, DAY: day}[group]
            parts[key] = parts.get(key, Part()) + Part(score, 1)
        return parts

    def scores(self, scope: Scope) -> Iterator[tuple[int, int, dt.date, float]]:
        """(tasker, project, UTC day, score) per replica of the merges in the scope (two
        queries: the merges, then who completed their replicas)."""
        merges = self.project_mean.source.scoped(scope.without_user(), TASKER)
        if scope.user is not None:
            mine = Task.objects.filter(parent=OuterRef("task"), completed_by=scope.user)
            merges = merges.filter(Exists(mine))
        results = list(merges.values_list("merged_at", "task__project", "replicas", "report"))
        replica_ids = [pk for *_, replicas, _ in results for pk in replicas or []]
        worked_by = dict(Task.objects.filter(pk__in=replica_ids)
                         .values_list("pk", "completed_by"))
        for merged_at, project, replicas, report in results:
            per_tasker = (report or {}).get("per_tasker") or []
            for replica, counts in zip(replicas or [], per_tasker, strict=False):
                user = worked_by.get(replica)
                if user is None or (scope.user is not None and user != scope.user.pk):
                    continue
                day = merged_at.astimezone(dt.UTC).date()
                yield user, project, day, tasker_agreement(counts, (report or {}).get("kept", 0))


def tasker_agreement(counts: dict, kept: int) -> float:
    """1 − (missed + mislabelled + extra) / (kept + extra), clipped to [0, 1]."""
    extra = counts.get("extra", 0)
    total = kept + extra
    if not total:
        return 1.0
    wrong = counts.get("missed", 0) + counts.get("mislabelled", 0) + extra
    return min(1.0, max(0.0, 1 - wrong / total))


FIGURES: dict[str, Measure] = {
    "acceptance_rate": Ratio(
        Source(decided_rounds, "decided_at", "task__project", ROUND_PEOPLE),
        num=lambda: Count("pk", filter=Q(verdict__in=ACCEPTED))),
    "annotation_acceptance": Ratio(
        Source(lambda: AnnotationVerdict.objects.filter(round__source="internal")
               .exclude(round__verdict=""),
               "round__decided_at", "round__task__project",
               {TASKER: "round__worked_by", REVIEWER: "round__reviewer"}),
        num=lambda: Count("pk", filter=Q(verdict="accepted"))),
    "rework_rate": Added((
        Ratio(Source(first_rounds, "settled_at", "task__project", ROUND_PEOPLE),
              num=lambda: Count("pk", filter=Q(was_sent_back=True))),
        Ratio(DayTextSource(audited_unreviewed, "first_audit_day", "project",
                            {TASKER: "completed_by"}), num=None))),
    "issues_per_task": Ratio(
        Source(rounds_with_issues, "decided_at", "task__project", ROUND_PEOPLE),
        num=lambda: Sum("opened")),
    "consensus_agreement": TaskerAgreement(Ratio(
        Source(ConsensusResult.objects.all, "merged_at", "task__project", {}),
        num=lambda: Sum("agreement"))),
    "gold_accuracy": Ratio(
        Source(lambda: gold_answers("evaluation", "work"), "answered_at", "project",
               GOLD_PEOPLE),
        num=lambda: Sum("score")),
    "review_accuracy": Ratio(
        Source(lambda: gold_answers("evaluation", "review"), "answered_at", "project",
               GOLD_PEOPLE),
        num=lambda: Sum("score")),
    "training_score": Ratio(
        Source(lambda: gold_answers("training"), "answered_at", "project", GOLD_PEOPLE),
        num=lambda: Sum("score")),
    "work_seconds_median": Median(
        Source(lambda: attempts(("work", "rework"), ("submitted",))
               .filter(task__role__in=("customer", "replica", "evaluation")),
               "ended_at", "task__project", {TASKER: "user"}),
        "claimed_at", "ended_at"),
    "review_seconds_median": Median(
        Source(lambda: attempts(("review",), REVIEW_ENDS), "ended_at", "task__project",
               {REVIEWER: "user"}),
        "claimed_at", "ended_at"),
}
PROJECT_FIGURES = tuple(FIGURES)
TASKER_FIGURES = ("acceptance_rate", "annotation_acceptance", "rework_rate", "issues_per_task",
                  "consensus_agreement", "gold_accuracy", "training_score",
                  "work_seconds_median")
REVIEWER_FIGURES = ("acceptance_rate", "annotation_acceptance", "issues_per_task",
                    "review_accuracy", "review_seconds_median")
OVERVIEW_FIGURES = ("acceptance_rate", "gold_accuracy")


# --- computing them ------------------------------------------------------------------------

def scope_of(days: int, today: dt.date | None = None, **kw: Any) -> Scope:
    return Scope.last_days(days, today or timezone.now().astimezone(dt.UTC).date(), **kw)


def daily(names: Iterable[str], scope: Scope, role: str) -> tuple[dict, list[dict]]:
    """The figures over the scope, and the trend: one entry per day, every figure in each."""
    figures: dict[str, Figure] = {}
    per_day: dict[str, dict[Hashable, Figure]] = {}
    for name in names:
        per_day[name], figures[name] = FIGURES[name].daily(scope, role)
    trend = [{"day": day.isoformat(),
              **{name: per_day[name].get(day, EMPTY).as_json() for name in per_day}}
             for day in scope.days()]
    return as_json(figures), trend


def grouped(names: Iterable[str], scope: Scope, role: str, group: str) -> dict[Any, dict]:
    """{key: {figure: Figure}} for every key any of the figures has a row for."""
    table: dict[Any, dict[str, Figure]] = {}
    names = list(names)
    for name in names:
        for key, figure in FIGURES[name].by(scope, role, group).items():
            if key is not None:
                table.setdefault(key, {})[name] = figure
    return {key: {name: row.get(name, EMPTY) for name in names} for key, row in table.items()}


def as_json(figures: dict[str, Figure]) -> dict[str, dict]:
    return {name: figure.as_json() for name, figure in figures.items()}


# --- standings -----------------------------------------------------------------------------

def standing_json(standing: TaskerStanding | None) -> dict:
    flagged = standing is not None and standing.flagged_at is not None
    return {"flagged": (standing.flag_reason or "gold") if flagged and standing else None,
            "paused": bool(standing and standing.paused_at),
            "training": training_state(standing)}


# --- the public answers --------------------------------------------------------------------

def project_figures(project: Project, days: int = DAYS, today: dt.date | None = None) -> dict:
    """Everything the project's quality page shows, as JSON (docs/quality.md)."""
    scope = scope_of(days, today, project=project)
    figures, trend = daily(PROJECT_FIGURES, scope, TASKER)
    return {"project": project.name, "id": project.pk, "days": days,
            "settings": quality_settings.of(project).as_json(),
            "figures": figures, "trend": trend, "stages": stage_counts(project),
            "taskers": tasker_rows(project, scope), "reviewers": reviewer_rows(scope),
            "gold": gold_rows(project)}


def stage_counts(project: Project) -> dict[str, int]:
    counts = dict(Task.objects.for_customer()
                  .filter(project=project, status=TaskStatus.PENDING)
                  .values("stage").order_by().annotate(n=Count("pk")).values_list("stage", "n"))
    return {stage: counts.get(stage, 0) for stage in STAGES}


def usernames(ids: Iterable[Any]) -> dict[Any, str]:
    return dict(get_user_model().objects.filter(pk__in=list(ids))
                .values_list("pk", "username"))


def tasker_rows(project: Project, scope: Scope) -> list[dict]:
    """A row per tasker with figures or a standing in the project: flagged ones first."""
    table = grouped(TASKER_FIGURES, scope, TASKER, USER)
    standings = {s.user_id: s for s in TaskerStanding.objects.filter(project=project)}
    names = usernames({*table, *standings})
    rows = [{"tasker": names.get(user, str(user)), "id": user,
             **standing_json(standings.get(user)),
             "figures": as_json(table.get(user) or empty(TASKER_FIGURES))}
            for user in {*table, *standings}]
    return sorted(rows, key=lambda row: (row["flagged"] is None, row["tasker"]))


def reviewer_rows(scope: Scope) -> list[dict]:
    table = grouped(REVIEWER_FIGURES, scope, REVIEWER, USER)
    names = usernames(table)
    rows = [{"reviewer": names.get(user, str(user)), "id": user,
             "reviews": figures["acceptance_rate"].n, "figures": as_json(figures)}
            for user, figures in table.items()]
    return sorted(rows, key=lambda row: row["reviewer"])


def empty(names: Iterable[str]) -> dict[str, Figure]:
    return dict.fromkeys(names, EMPTY)


def gold_rows(project: Project) -> list[dict]:
    """The project's gold (evaluation) and training tasks, with answer counts and mean scores
    over all time."""
    standards = list(GoldStandard.objects.filter(template__project=project)
                     .order_by("kind", "created_at", "pk")
                     .values_list("pk", "template_id", "kind", "phase", "active", "origin_id"))
    answers = {row["standard"]: row for row in GoldAnswer.objects
               .filter(standard__in=[s[0] for s in standards]).values("standard").order_by()
               .annotate(n=Count("pk"), total=Sum("score"))}
    rows = []
    for pk, template, kind, phase, active, origin in standards:
        part = Part(float(answers.get(pk, {}).get("total") or 0), answers.get(pk, {}).get("n", 0))
        rows.append({"id": template, "kind": kind, "phase": phase, "active": active,
                     "origin": origin, "answers": part.n,
                     "mean_score": part.figure().as_json()["value"]})
    return rows


def tasker_figures(user: Any, days: int = DAYS, today: dt.date | None = None) -> dict:
    """One person across projects: their figures as a tasker and as a reviewer, each with its
    trend, and their tasker figures and standing per project."""
    scope = scope_of(days, today, user=user)
    figures, trend = daily(TASKER_FIGURES, scope, TASKER)
    review, review_trend = daily(REVIEWER_FIGURES, scope, REVIEWER)
    return {"tasker": user.get_username(), "id": user.pk, "days": days,
            "figures": figures, "trend": trend,
            "review": {"figures": review, "trend": review_trend},
            "projects": project_rows(user, scope)}


def project_rows(user: Any, scope: Scope) -> list[dict]:
    table = grouped(TASKER_FIGURES, scope, TASKER, PROJECT)
    standings = {s.project_id: s for s in TaskerStanding.objects.filter(user=user)}
    names = dict(Project.objects.filter(pk__in={*table, *standings}).values_list("pk", "name"))
    rows = [{"project": names.get(pk, str(pk)), "id": pk, **standing_json(standings.get(pk)),
             "figures": as_json(table.get(pk) or empty(TASKER_FIGURES))}
            for pk in {*table, *standings}]
    return sorted(rows, key=lambda row: (row["flagged"] is None, row["project"]))


def overview(days: int = DAYS, today: dt.date | None = None) -> dict[int, dict[str, Figure]]:
    """Per project: the daily view's overview columns (acceptance rate, gold accuracy)."""
    return grouped(OVERVIEW_FIGURES, scope_of(days, today), TASKER, PROJECT)
