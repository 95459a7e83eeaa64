"""The worker's job loop: several jobs at once, shared fairly between accounts, with a
heartbeat.

django-tasks-db's own loop runs one job at a time, first come first served, so one task with
many slow attachments held every other account's fetches and callbacks back. `PooledWorker`
keeps its claiming and its bookkeeping of each job (`Worker.run_task`) but runs up to
ANNOTATOR_WORKER_SLOTS jobs in threads, and chooses the next job among the first CANDIDATES
ready ones: the earliest whose account has the fewest jobs running here, never one whose
account already runs ANNOTATOR_WORKER_SLOTS_PER_ACCOUNT. A heartbeat thread touches the
worker's `WorkerBeat` row every few seconds (tasks/heartbeat.py). See docs/deploy.md.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import FrameType

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from annotator import memory
from tasks import callbacks, heartbeat, jobs, tiles
from tasks.models import CallbackDelivery, Task

logger = logging.getLogger("annotator.worker")

CANDIDATES = 100  # ready jobs looked at when choosing the next one


def job_owners(rows: list[DBTaskResult]) -> dict[str, int | None]:
    """The account of each job row (its task's or its delivery's owner), by row id."""
    task_jobs = (jobs.fetch_attachment.module_path, tiles.build_tiles.module_path,
                 jobs.merge_consensus.module_path, jobs.score_answer.module_path)
    fetches = {r.pk: _first_arg(r) for r in rows if r.task_path in task_jobs}
    deliveries = {r.pk: _first_arg(r) for r in rows
                  if r.task_path == callbacks.deliver_callback.module_path}
    task_owner = dict(Task.objects.filter(pk__in=[a for a in fetches.values() if a])
                      .values_list("task_id", "owner_id"))
    delivery_owner = {str(k): v for k, v in CallbackDelivery.objects.filter(
        pk__in=[a for a in deliveries.values() if a]).values_list("id", "owner_id")}
    owners: dict[str, int | None] = {}
    for row in rows:
        arg = fetches.get(row.pk) or deliveries.get(row.pk)
        owners[str(row.pk)] = (task_owner.get(arg) or delivery_owner.get(arg)) if arg else None
    return owners


def _first_arg(row: DBTaskResult) -> str | None:
    args = (row.args_kwargs or {}).get("args") or []
    return str(args[0]) if args else None


def choose(rows: list[DBTaskResult], owners: dict[str, int | None],
           running: Counter, per_account: int) -> DBTaskResult | None:
    """The earliest row whose account has the fewest jobs running (rows are in the queue's
    order); None when every candidate's account is at its cap. Jobs of no account (None)
    share one count."""
    best = None
    for row in rows:
        count = running[owners.get(str(row.pk))]
        if count >= per_account:
            continue
        if best is None or count < running[owners.get(str(best.pk))]:
            best = row
            if count == 0:
                break
    return best


class PooledWorker(Worker):
    def __init__(self, *, slots: int | None = None, per_account: int | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.slots = slots or settings.ANNOTATOR_WORKER_SLOTS
        self.per_account = per_account or settings.ANNOTATOR_WORKER_SLOTS_PER_ACCOUNT
        self.active: dict[Future, int | None] = {}
        self._lock = threading.Lock()
        self._beating = threading.Event()
        self._released_rss = 0

    # Worker.run_task flips this flag around each job, and Worker.shutdown exits at once when
    # it is off: here it says whether any job is in progress.
    @property
    def running_task(self) -> bool:
        return bool(getattr(self, "active", None))

    @running_task.setter
    def running_task(self, value: bool) -> None:
        pass

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:  # a second signal: the jobs' threads cannot be stopped, so end
            logger.warning("worker %s: stopped during %d jobs", self.worker_id,
                           len(self.active))
            os._exit(1)
        super().shutdown(signum, frame)

    def run(self) -> None:
        logger.info("worker %s: %d slots, at most %d per account", self.worker_id, self.slots,
                    self.per_account)
        heartbeat.beat(self.worker_id)
        beater = threading.Thread(target=self._beat, name="annotator-heartbeat", daemon=True)
        beater.start()
        pool = ThreadPoolExecutor(self.slots, thread_name_prefix="annotator-job")
        try:
            while self.running:
                close_old_connections()
                self._reap()
                started = len(self.active) < self.slots and self._start_next(pool)
                if not started and self.running:
                    self._wait()
            if self.active:
                wait(list(self.active))
        finally:
            pool.shutdown(wait=False)
            self._beating.set()
            beater.join(timeout=5)
            heartbeat.forget(self.worker_id)

    def _start_next(self, pool: ThreadPoolExecutor) -> bool:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name,
                                                    queue_name__in=self.queue_names)
        with self._lock:
            running = Counter(self.active.values())
        try:
            with exclusive_transaction(tasks.db):
                rows = list(tasks.select_for_update(skip_locked=True)[:CANDIDATES])
                row = choose(rows, job_owners(rows), running, self.per_account) if rows \
                    else None
                if row is None:
                    return False
                row.claim(self.worker_id)
                owner = job_owners([row]).get(str(row.pk))
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return False
            raise
        with self._lock:
            self.active[pool.submit(self._run, row)] = owner
        return True

    def _run(self, row: DBTaskResult) -> None:
        try:
            self.run_task(row)
        finally:
            connection.close()  # this thread's own connection

    def _reap(self) -> None:
        with self._lock:
            done = [f for f in self.active if f.done()]
            for future in done:
                del self.active[future]
        if done and memory.resident_bytes() > self._released_rss + memory.GROWTH_BYTES:
            # a job that parsed a big file or response leaves its peak in malloc's free
            # lists: hand it back, as the server does after a big request (annotator/memory.py)
            self._released_rss = memory.release()

    def _wait(self) -> None:
        """Until a job ends or the poll interval passes."""
        with self._lock:
            pending = list(self.active)
        if len(pending) >= self.slots:
            wait(pending, timeout=self.interval, return_when=FIRST_COMPLETED)
        else:
            time.sleep(self.interval)

    def _beat(self) -> None:
        try:
            while not self._beating.wait(heartbeat.BEAT_SECONDS):
                try:
                    heartbeat.beat(self.worker_id, len(self.active))
                except Exception:  # a locked or lost database: the next beat tries again
                    logger.exception("worker %s: heartbeat failed", self.worker_id)
                close_old_connections()
        finally:
            connection.close()
