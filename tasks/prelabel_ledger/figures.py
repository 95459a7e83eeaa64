"""The prelabel ledger's figures (docs/assist.md, "The prelabel ledger"): in all, per task,
tasker, model version, label and UTC day, over the ledger rows the filters select.

Counts are SQL sums over `PrelabelLedger` (per label: `PrelabelLabelTally`), one query per
grouping. The time figures compare the submitted first-round work attempts (`TaskAttempt`)
of tasks with prelabels against those of tasks without, in the same project.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncDate

from tasks.models import LedgerStatus, PrelabelLabelTally, PrelabelLedger, TaskAttempt
from tasks.prelabel_ledger.filters import Filters

COUNTS = ("prelabels", "kept", "moved", "relabelled", "attributes_changed", "deleted",
          "added", "iou_sum", "iou_count")
GROUPS = {"tasker": "tasker__username", "model_version": "model_version",
          "day": "day", "project": "project__name"}
TIMED_ROLES = ("customer", "replica")


def ledgers(filters: Filters) -> QuerySet:
    """The compared ledger rows the filters select."""
    rows = PrelabelLedger.objects.filter(status=LedgerStatus.DONE,
                                         submitted_at__gte=filters.since,
                                         submitted_at__lt=filters.until)
    if filters.projects is not None:
        rows = rows.filter(project__in=filters.projects)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.model_version is not None:
        rows = rows.filter(model_version=filters.model_version)
    return rows


def _sums() -> dict:
    return {name: Sum(name) for name in COUNTS}


def ratio(num: float | None, den: float | None) -> float | None:
    return round(num / den, 6) if num is not None and den else None


def figures(counts: dict, images: int) -> dict:
    """A row's counts and its ratios: acceptance rate, mean IoU, shapes added per image."""
    row = {name: counts.get(name) or 0 for name in COUNTS}
    row["iou_sum"] = round(float(row["iou_sum"]), 6)
    return {"images": images, **row,
            "acceptance_rate": ratio(row["kept"], row["prelabels"]),
            "mean_iou": ratio(row["iou_sum"], row["iou_count"]),
            "added_per_image": ratio(row["added"], images)}


# --- working time -----------------------------------------------------------------------------

@dataclass
class Times:
    """Seconds of submitted work attempts: per project without prelabels (the baseline), and
    per grouping key with prelabels, each attempt with its project's baseline."""

    baseline: dict[int, tuple[float, int]] = field(default_factory=dict)
    timed: list[tuple[dict[str, Hashable], int, float]] = field(default_factory=list)

    def figures(self, keep: Iterable[tuple[dict[str, Hashable], int, float]]) -> dict:
        """Mean seconds with prelabels; over those whose project has a baseline, the mean
        baseline and the time saved (baseline − seconds), also as a share of the baseline."""
        own = [(project, seconds) for _, project, seconds in keep]
        compared = [(p, self.baseline[p][0], s) for p, s in own if p in self.baseline]
        work = sum(s for _, s in own) / len(own) if own else None
        base = saved = percent = None
        if compared:
            base = sum(b for _, b, _ in compared) / len(compared)
            saved = base - sum(s for _, _, s in compared) / len(compared)
            percent = 100 * saved / base if base else None
        return {"timed_tasks": len(own), "work_seconds": _round(work),
                "baseline_tasks": sum(self.baseline[p][1] for p in {p for p, _, _ in compared}),
                "baseline_seconds": _round(base), "time_saved_seconds": _round(saved),
                "time_saved_percent": _round(percent)}

    def of(self, group: str, key: Hashable) -> dict:
        return self.figures(t for t in self.timed if t[0].get(group) == key)

    def total(self) -> dict:
        return self.figures(self.timed)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def work_attempts(filters: Filters) -> QuerySet:
    """Submitted first-round work attempts on live customer tasks and replicas, ended in the
    window, in the projects the filters select."""
    rows = TaskAttempt.objects.filter(kind="work", outcome="submitted",
                                      ended_at__gte=filters.since, ended_at__lt=filters.until,
                                      task__role__in=TIMED_ROLES, task__is_test=False,
                                      task__project__isnull=False)
    if filters.projects is not None:
        rows = rows.filter(task__project__in=filters.projects)
    if filters.project is not None:
        rows = rows.filter(task__project_id=filters.project)
    return rows


def times(filters: Filters) -> Times:
    """The baseline per project (tasks without any prelabel of the model: no ledger row, no
    hypothesis) and the prelabelled attempts whose ledger the filters select."""
    attempts = work_attempts(filters)
    ledgered = PrelabelLedger.objects.filter(task=OuterRef("task"))
    plain = (attempts.exclude(Exists(ledgered)).filter(task__params__hypothesis__isnull=True)
             .values_list("task__project_id", "claimed_at", "ended_at"))
    sums: dict[int, list[float]] = defaultdict(list)
    for project, claimed, ended in plain:
        sums[project].append((ended - claimed).total_seconds())
    result = Times(baseline={p: (sum(s) / len(s), len(s)) for p, s in sums.items()})
    with_prelabels = (attempts.filter(task__prelabel_ledger__in=ledgers(filters))
                      .values_list("task_id", "user__username", "task__project_id",
                                   "task__prelabel_ledger__model_version", "ended_at",
                                   "claimed_at", "task__project__name"))
    for task, user, project, version, ended, claimed, project_name in with_prelabels:
        keys: dict[str, Hashable] = {"task": task, "tasker": user, "model_version": version,
                                     "day": ended.astimezone(dt.UTC).date(),
                                     "project": project_name}
        result.timed.append((keys, project, (ended - claimed).total_seconds()))
    return result


# --- the report --------------------------------------------------------------------------------

ALL_GROUPS = ("project", "model_version", "tasker", "day", "label", "task")


def report(filters: Filters, groups: tuple[str, ...] = ALL_GROUPS) -> dict:
    """Every figure of the ledger over the filters: `totals`, then rows per each of `groups`
    (project, model version, tasker, UTC day, label, task), as `by_<group>` (JSON-ready)."""
    rows = ledgers(filters)
    totals = rows.aggregate(images=Count("pk"), **_sums())
    images = totals.pop("images")
    # no row: every group is empty and no time is compared (one query, for the daily view)
    timing = times(filters) if images else Times()
    data: dict = {"filters": filters.as_json(),
                  "totals": {**figures(totals, images), **timing.total()}}
    for name in groups:
        if not images:
            data[f"by_{name}"] = []
        elif name == "label":
            data["by_label"] = by_label(rows, images)
        elif name == "task":
            data["by_task"] = by_task(rows, timing)
        else:
            data[f"by_{name}"] = grouped(rows, name, timing)
    return data


def grouped(rows: QuerySet, group: str, timing: Times) -> list[dict]:
    if group == "day":
        rows = rows.annotate(day=TruncDate("submitted_at", tzinfo=dt.UTC))
    found = (rows.order_by().values(GROUPS[group])
             .annotate(images=Count("pk"), **_sums()).order_by(GROUPS[group]))
    result = []
    for counts in found:
        key = counts.pop(GROUPS[group])
        images = counts.pop("images")
        result.append({"group": group, "key": key.isoformat() if group == "day" else key,
                       **figures(counts, images), **timing.of(group, key)})
    return result


def by_label(rows: QuerySet, images: int) -> list[dict]:
    """Per label: the prelabels the model gave it and the annotations added with it; added
    per image over every image of the selection (a label absent from an image counts 0)."""
    found = (PrelabelLabelTally.objects.filter(ledger__in=rows).order_by().values("label")
             .annotate(**_sums()).order_by("label"))
    return [{"group": "label", "key": counts.pop("label"), **figures(counts, images)}
            for counts in found]


def by_task(rows: QuerySet, timing: Times) -> list[dict]:
    found = (rows.order_by("-submitted_at", "task_id")
             .values("task_id", "tasker__username", "model_version", "project__name",
                     "submitted_at", *COUNTS))
    return [{"group": "task", "key": row["task_id"], "tasker": row["tasker__username"],
             "model_version": row["model_version"], "project": row["project__name"],
             "submitted_at": row["submitted_at"].isoformat(),
             **figures(row, 1), **timing.of("task", row["task_id"])}
            for row in found]


def by_project(filters: Filters) -> dict[int, dict]:
    """The daily view's overview cells per project id: acceptance rate, mean IoU, added per
    image over the filters."""
    found = (ledgers(filters).order_by().values("project_id")
             .annotate(images=Count("pk"), **_sums()))
    return {row.pop("project_id"): figures(row, row.pop("images")) for row in found}
