"""The background jobs (django-tasks, run by `manage.py run_worker`).

Each job is a thin entry point: the work lives in `tasks.callbacks` and `tasks.attachments`,
imported when the job runs so that those modules can import the jobs to enqueue them.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task as Job


@task()
def deliver_callback(delivery_id: str) -> str:
    """Send one try of a callback delivery (see tasks.callbacks.attempt)."""
    from tasks import callbacks

    return callbacks.attempt(delivery_id)


@task()
def fetch_attachment(task_id: str) -> str:
    """Fetch and keep a task's image and context images (see tasks.attachments)."""
    from tasks import attachments

    return attachments.fetch_for_task(task_id)


@task()
def build_tiles(task_id: str) -> str:
    """Cut a task's large image into its tile pyramid when it has none (see tasks.tiles)."""
    from tasks import tiles

    return tiles.build_for_task(task_id)


def queued_args(job: Job, include_running: bool = False) -> set[str]:
    """The first argument of every job of this kind that is waiting to run, plus (with
    `include_running`) of those running in a worker that still beats (tasks/heartbeat.py)."""
    from django_tasks_db.models import DBTaskResult

    from tasks import heartbeat

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


def expire_lost() -> int:
    """Mark as failed the job rows left RUNNING by a worker whose heartbeat stopped (the
    sweeper queues their work again). Returns how many."""
    from django_tasks_db.models import DBTaskResult

    from tasks import heartbeat

    paths = [deliver_callback.module_path, fetch_attachment.module_path,
             build_tiles.module_path]
    now = timezone.now()
    live = heartbeat.live_worker_ids()
    rows = DBTaskResult.objects.filter(
        task_path__in=paths, status=TaskResultStatus.RUNNING,
        started_at__lt=now - heartbeat.LOST_AFTER)
    lost = [pk for pk, worker_ids in rows.values_list("pk", "worker_ids")
            if (worker_ids or [None])[-1] not in live]
    return DBTaskResult.objects.filter(pk__in=lost, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=now,
        exception_class_path="tasks.jobs.WorkerLost",
        traceback="The worker running this job stopped before it finished.")
