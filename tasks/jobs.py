"""The background jobs (django-tasks, run by `manage.py run_worker`).

Each job is a thin entry point: the work lives in `tasks.callbacks` and `tasks.attachments`,
imported when the job runs so that those modules can import the jobs to enqueue them.
"""

from __future__ import annotations

from datetime import timedelta

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


def queued_args(job: Job, running_within: timedelta | None = None) -> set[str]:
    """The first argument of every job of this kind that is waiting to run, plus (when
    `running_within` is given) of those that started running that recently."""
    from django_tasks_db.models import DBTaskResult

    statuses = [TaskResultStatus.READY]
    if running_within is not None:
        statuses.append(TaskResultStatus.RUNNING)
    rows = DBTaskResult.objects.filter(task_path=job.module_path, status__in=statuses)
    since = timezone.now() - (running_within or timedelta(0))
    found = set()
    for status, started_at, args_kwargs in rows.values_list("status", "started_at",
                                                            "args_kwargs"):
        if status == TaskResultStatus.RUNNING and (started_at is None or started_at < since):
            continue  # a worker that died with it
        args = (args_kwargs or {}).get("args") or []
        if args:
            found.add(str(args[0]))
    return found


LOST_AFTER = timedelta(hours=1)


def expire_lost(older_than: timedelta = LOST_AFTER) -> int:
    """Mark as failed the job rows left RUNNING by a worker that died (our jobs take seconds;
    the sweeper has queued their work again). Returns how many."""
    from django_tasks_db.models import DBTaskResult

    paths = [deliver_callback.module_path, fetch_attachment.module_path]
    now = timezone.now()
    return DBTaskResult.objects.filter(
        task_path__in=paths, status=TaskResultStatus.RUNNING, started_at__lt=now - older_than,
    ).update(status=TaskResultStatus.FAILED, finished_at=now,
             exception_class_path="tasks.jobs.WorkerLost",
             traceback="The worker running this job stopped before it finished.")
