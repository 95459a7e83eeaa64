"""The numbers of the admin's daily view, each from one aggregate query.

Every function returns plain data (dataclasses with `as_json`), so the page that shows them and
a later live feed (a WebSocket consumer pushing the same JSON when tasks change) share them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from tasks.models import CallbackDelivery, DeliveryStatus, Project, Task, TaskStatus

THROUGHPUT_DAYS = 30
FAILING_LIMIT = 50


@dataclass
class Progress:
    pending: int = 0  # waiting for a tasker
    in_progress: int = 0  # pending, held by a tasker with a live lease
    completed: int = 0
    canceled: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.in_progress + self.completed + self.canceled + self.error

    def add(self, other: Progress) -> None:
        for name in ("pending", "in_progress", "completed", "canceled", "error"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict:
        return {**asdict(self), "total": self.total}


def _live_lease(now: datetime) -> Q:
    return Q(claimed_by__isnull=False, lease_expires_at__gte=now)


def progress_by(tasks: QuerySet, group: str, now: datetime | None = None) -> dict:
    """Progress per value of `group` (e.g. "project", "batch"), in one query."""
    now = now or timezone.now()
    pending = Q(status=TaskStatus.PENDING)
    rows = tasks.values(group).order_by().annotate(
        in_progress=Count("pk", filter=pending & _live_lease(now)),
        waiting=Count("pk", filter=pending),
        completed=Count("pk", filter=Q(status=TaskStatus.COMPLETED)),
        canceled=Count("pk", filter=Q(status=TaskStatus.CANCELED)),
        error=Count("pk", filter=Q(status=TaskStatus.ERROR)),
    )
    return {row[group]: Progress(pending=row["waiting"] - row["in_progress"],
                                 in_progress=row["in_progress"], completed=row["completed"],
                                 canceled=row["canceled"], error=row["error"])
            for row in rows}


@dataclass
class Day:
    day: date
    completed: int

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "completed": self.completed}


def throughput(tasks: QuerySet, days: int = THROUGHPUT_DAYS,
               today: date | None = None) -> list[Day]:
    """Tasks completed per day (UTC) over the last `days` days, today last, zeros included."""
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=timezone.get_current_timezone())
    counts = dict(tasks.filter(status=TaskStatus.COMPLETED, completed_at__gte=start)
                  .annotate(day=TruncDate("completed_at")).values("day").order_by()
                  .annotate(n=Count("pk")).values_list("day", "n"))
    return [Day(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(days)]


@dataclass
class Median:
    tasks: int
    seconds: float

    def as_json(self) -> dict:
        return {"tasks": self.tasks, "median_seconds": round(self.seconds, 3)}

    @property
    def display(self) -> str:
        return duration_text(self.seconds)


def median_work(tasks: QuerySet, group: str | None = None) -> dict:
    """The median work time (claim to completion) of completed tasks, per value of `group`
    (or under the key None), in one query: a window numbers each group's tasks by work time
    and only the one or two middle rows come back."""
    work = ExpressionWrapper(F("completed_at") - F("work_started_at"),
                             output_field=DurationField())
    partition = [F(group)] if group else []
    qs = (tasks.filter(status=TaskStatus.COMPLETED, completed_at__isnull=False,
                       work_started_at__isnull=False)
          .annotate(work=work)
          .annotate(rank=Window(RowNumber(), partition_by=partition, order_by=[F("work").asc(),
                                                                                F("pk").asc()]),
                    n=Window(Count("pk"), partition_by=partition))
          .filter(rank__gte=(F("n") + 1) / 2, rank__lte=F("n") / 2 + 1))
    middles: dict = {}
    for key, n, work_time in qs.values_list(group or "pk", "n", "work"):
        middles.setdefault(key if group else None, (n, []))[1].append(work_time)
    return {key: Median(n, sum(t.total_seconds() for t in times) / len(times))
            for key, (n, times) in middles.items()}


def duration_text(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


@dataclass
class ProjectStats:
    project: Project
    totals: Progress
    batches: list[tuple[str, Progress, Median | None]]  # batch name ("" = no batch)
    days: list[Day]
    median: Median | None
    taskers: list[tuple[str, Median]]
    failing: list[CallbackDelivery] = field(default_factory=list)
    failing_count: int = 0

    def as_json(self) -> dict:
        return {
            "project": self.project.name,
            "totals": self.totals.as_json(),
            "batches": [{"batch": name or None, **progress.as_json(),
                         "median": median.as_json() if median else None}
                        for name, progress, median in self.batches],
            "throughput": [day.as_json() for day in self.days],
            "median": self.median.as_json() if self.median else None,
            "taskers": [{"tasker": name, **median.as_json()} for name, median in self.taskers],
            "failing_callbacks": self.failing_count,
        }


def project_stats(project: Project) -> ProjectStats:
    tasks = Task.objects.for_customer().filter(project=project)
    by_batch = progress_by(tasks, "batch")
    names = dict(project.batches.values_list("pk", "name"))
    medians = median_work(tasks, "batch")
    totals = Progress()
    for progress in by_batch.values():
        totals.add(progress)
    batches = sorted(((names.get(pk, ""), progress, medians.get(pk))
                      for pk, progress in by_batch.items()), key=lambda row: row[0])
    failing = failing_deliveries(project)
    return ProjectStats(
        project=project, totals=totals, batches=batches, days=throughput(tasks),
        median=median_work(tasks).get(None),
        taskers=sorted(median_work(tasks, "completed_by__username").items(),
                       key=lambda row: str(row[0])),
        failing=list(failing[:FAILING_LIMIT]), failing_count=failing.count(),
    )


def failing_deliveries(project: Project) -> QuerySet:
    """Callbacks of the project's tasks and batches that were tried and are not delivered."""
    return (CallbackDelivery.objects
            .filter(Q(task__project=project) | Q(batch__project=project), attempts__gt=0)
            .exclude(status=DeliveryStatus.DELIVERED)
            .select_related("task", "batch").order_by("-created_at"))


@dataclass
class ProjectRow:
    project: Project
    progress: Progress
    median: Median | None


def overview() -> list[ProjectRow]:
    """Every project with its progress and median work time (three queries)."""
    tasks = Task.objects.for_customer()
    progress = progress_by(tasks, "project")
    medians = median_work(tasks, "project")
    projects = Project.objects.select_related("owner").order_by("owner__username", "is_test",
                                                                  "name")
    return [ProjectRow(p, progress.get(p.pk, Progress()), medians.get(p.pk)) for p in projects]
