"""The background job queue (django-tasks), run by `manage.py run_worker` or by a one-process
`serve` itself (tasks/job_runner.py).

`fetch_attachment` fetches a created task's media: it hands the task to its kind
(`Kind.fetch_media`, docs/architecture.md), so this module needs nothing above the models and
the kinds' registry, and the lifecycle that queues it stays below the fetching code.
`merge_consensus` and `score_answer` run the quality loop's merges and gold scores
(tasks/quality_flow/merging.py, gold.py), `compare_prelabels` the prelabel ledger's
comparisons (tasks/prelabel_ledger/job.py), with the cyclic garbage collector paused in a
worker process (tasks/collector.py): only the jobs load numpy, scipy and shapely, never a
request (docs/quality.md#memory). The other job,
`tasks.callbacks.deliver_callback`, lives beside its work. Below them: what is waiting in the
queue, and the rows a dead worker left running.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task as Job
from django_tasks_db.models import DBTaskResult

from tasks import heartbeat, kinds
from tasks.collector import collector_paused
from tasks.models import Task, TaskStatus


@task()
def fetch_attachment(task_id: str) -> str:
    """Fetch and keep a task's media (see fetch_for_task)."""
    return fetch_for_task(task_id)


def needs_fetch(task: Task) -> bool:
    return task.status == TaskStatus.PENDING and not task.is_test and not task.attachment_mime


def fetch_for_task(task_id: str) -> str:
    """Fetch, check and keep the task's media as its kind does (an image task's image and
    context images: tasks/attachments.py); what happened, in a word."""
    task = Task.objects.select_related("owner").filter(pk=task_id).first()
    if task is None or not needs_fetch(task):
        return "skipped"
    return kinds.of(task).fetch_media(task)


# The bodies of the quality loop's jobs sit above this module (they route tasks through the
# stages): tasks/quality_flow/wiring.py registers them when the app starts, so that this
# module never imports them (docs/architecture.md).
JobBody = Callable[[str], str]
_bodies: dict[str, JobBody] = {}


def register_body(job: Job, body: JobBody) -> None:
    _bodies[job.name] = body


def _run_body(job_name: str, task_id: str) -> str:
    with collector_paused():
        return _bodies[job_name](task_id)


@task()
def merge_consensus(task_id: str) -> str:
    """Merge the replicas of a customer task once all are completed (merging.merge_parent)."""
    return _run_body("merge_consensus", task_id)


@task()
def score_answer(task_id: str) -> str:
    """Score a finished gold or training copy against its expected response
    (answers.score_copy)."""
    return _run_body("score_answer", task_id)


@task()
def prelabel_task(task_id: str) -> str:
    """Ask the project's model backend once for a new task's prelabels
    (tasks/model_backends/prelabel.py, docs/assist.md)."""
    return _run_body("prelabel_task", task_id)


@task()
def compare_prelabels(task_id: str) -> str:
    """Compare a submitted answer with the task's prelabels (tasks/prelabel_ledger/job.py)."""
    return _run_body("compare_prelabels", task_id)


def enqueue_missing(job: Job, task_ids, limit: int) -> int:
    """Queue `job` again for each of `task_ids` (up to `limit`) that has none waiting or
    running: the sweeper's way back from a job a killed worker lost. Returns how many."""
    waiting = queued_args(job, include_running=True)
    count = 0
    for task_id in task_ids[:limit]:
        if task_id not in waiting:
            job.enqueue(task_id)
            count += 1
    return count


def queued_args(job: Job, include_running: bool = False) -> set[str]:
    """The first argument of every job of this kind that is waiting to run, plus (with
    `include_running`) of those running in a worker that still beats (tasks/heartbeat.py)."""
    statuses = [TaskResultStatus.READY]
    if include_running:
        statuses.append(TaskResultStatus.RUNNING)
    rows = DBTaskResult.objects.filter(task_path=job.module_path, status__in=statuses)
    live = heartbeat.live_worker_ids() if include_running else set()
    found = set()
    for status, worker_ids, args_kwargs in rows.values_list("status", "worker_ids",
                                                            "args_kwargs"):
        if status == TaskResultStatus.RUNNING and (worker_ids or [None])[-1] not in live:
            continue  # a worker that died with it
        args = (args_kwargs or {}).get("args") or []
        if args:
            found.add(str(args[0]))
    return found


# Our jobs' paths (tasks.jobs.fetch_attachment, tasks.callbacks.deliver_callback,
# tasks.tiles.build_tiles, and those queued by older versions under tasks.jobs) all start with it.
JOB_PATH_PREFIX = "tasks."


def expire_lost() -> int:
    """Mark as failed the job rows left RUNNING by a worker whose heartbeat stopped (the
    sweeper queues their work again). Returns how many."""
    now = timezone.now()
    live = heartbeat.live_worker_ids()
    rows = DBTaskResult.objects.filter(
        task_path__startswith=JOB_PATH_PREFIX, status=TaskResultStatus.RUNNING,
        started_at__lt=now - heartbeat.LOST_AFTER)
    lost = [pk for pk, worker_ids in rows.values_list("pk", "worker_ids")
            if (worker_ids or [None])[-1] not in live]
    return DBTaskResult.objects.filter(pk__in=lost, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=now,
        exception_class_path="tasks.jobs.WorkerLost",
        traceback="The worker running this job stopped before it finished.")
