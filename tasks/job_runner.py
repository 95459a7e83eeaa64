"""The background work of an install: the job loop (tasks/worker_pool.py) and its sweeper.

`manage.py run_worker` runs them as a process of their own; `manage.py serve`, when it is the
install's one process, runs them in threads of the server itself (`JobRunner`), so that one
interpreter with Django loaded serves both (docs/deploy.md "One process or several").

A sweeper thread, every ANNOTATOR_SWEEP_SECONDS (default 30) and once at start, queues
the work that a killed worker left behind: deliveries that are due with no live lease and no
queued job, attachment fetches that never finished, the consensus merges of tasks whose
replicas are all done, the scores of finished gold and training copies and the prelabel
ledger's comparisons (docs/assist.md); and it gives tasks whose lease lapsed (no open session
for ANNOTATOR_LEASE_SECONDS) back to the queue.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string

from annotator import memory
from tasks import attachments, callbacks, collector, heartbeat, jobs, queue
from tasks.prelabel_ledger import recording as prelabel_ledger
from tasks.quality_flow import answers, merging
from tasks.worker_pool import PooledWorker
from tasks.worker_supervisor import FIRST_BACKOFF, MAX_BACKOFF, STABLE_SECONDS

logger = logging.getLogger("annotator.worker")

STOP_SECONDS = 15.0  # for the jobs in progress when the server stops
# A failed job loop starts again as a dead worker process does: FIRST_BACKOFF, MAX_BACKOFF and
# STABLE_SECONDS of tasks/worker_supervisor.py.


def sweep() -> tuple[int, int]:
    """One pass: (deliveries queued again, attachment fetches queued again)."""
    jobs.expire_lost()
    heartbeat.forget_dead()
    deliveries = callbacks.requeue_stalled()
    fetches = attachments.requeue_unfinished()
    merging.requeue_stuck()
    answers.requeue_unscored()
    prelabel_ledger.requeue_uncompared()
    return_lapsed_leases()
    if deliveries or fetches:
        logger.warning("sweeper queued %d callback deliveries and %d attachment fetches again",
                       deliveries, fetches)
    return deliveries, fetches


def return_lapsed_leases() -> int:
    """Tasks that no open session kept for the lease time go back to the queue, their drafts
    discarded."""
    returned = queue.expire_leases()
    if returned:
        logger.info("sweeper returned %d tasks with lapsed leases to the queue", returned)
    return returned


class Sweeper(threading.Thread):
    def __init__(self, every: float) -> None:
        super().__init__(name="annotator-sweeper", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    sweep()
                except Exception:  # a locked or lost database: try again next time
                    logger.exception("sweep failed")
                self.stopped.wait(self.every)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


def sweep_every(seconds: float | None) -> float:
    return seconds if seconds is not None else float(settings.ANNOTATOR_SWEEP_SECONDS)


def pooled_worker(interval: float = 1.0) -> PooledWorker:
    # before the job, sweeper and heartbeat threads allocate (annotator/memory.py)
    memory.limit_arenas(settings.ANNOTATOR_MALLOC_ARENAS)
    return PooledWorker(queue_names=["default"], interval=max(interval, 0.05), batch=False,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id=get_random_string(32), excluded_queue_names=[])


class JobRunner:
    """The job loop and the sweeper in threads of this process (the server's, when `serve`
    is the install's one process). `stop()` lets the jobs in progress finish."""

    def __init__(self, interval: float = 1.0, sweep_seconds: float | None = None) -> None:
        collector.never_pause()  # the server's requests share this process (tasks/collector.py)
        self.worker = pooled_worker(interval)
        self.sweeper = Sweeper(max(sweep_every(sweep_seconds), 0.1))
        self.loop = threading.Thread(target=self._run, name="annotator-jobs", daemon=True)
        self.stopping = threading.Event()

    def start(self) -> None:
        self.sweeper.start()
        self.loop.start()

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        try:
            while self.worker.running:
                started = time.monotonic()
                try:
                    self.worker.run()
                except Exception:  # a lost database, say: the server goes on, the loop again
                    if time.monotonic() - started >= STABLE_SECONDS:
                        backoff = FIRST_BACKOFF
                    logger.exception("the job loop failed; starting it again in %g s", backoff)
                    close_old_connections()
                    if self.stopping.wait(backoff):
                        return
                    backoff = min(backoff * 2, MAX_BACKOFF)
        finally:
            connection.close()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        self.stopping.set()
        self.worker.running = False
        self.sweeper.stop()
        self.loop.join(timeout)
        self.sweeper.join(timeout=5)
        if self.loop.is_alive():
            logger.warning("stopped with %d jobs still running; the sweeper of the next start "
                           "queues their work again", len(self.worker.active))
