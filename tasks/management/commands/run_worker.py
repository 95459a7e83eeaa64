"""`python manage.py run_worker`: the background worker, with its sweeper.

The jobs (callbacks, attachment fetches) run a few at once, fairly between accounts, and the
worker's heartbeat is kept (tasks/worker_pool.py).
A sweeper thread, every ANNOTATOR_SWEEP_SECONDS (default 30) and once at start, queues
the work that a killed worker left behind: deliveries that are due with no live lease and no
queued job, attachment fetches that never finished, the consensus merges of tasks whose
replicas are all done, the scores of finished gold and training copies and the prelabel
ledger's comparisons (docs/assist.md); and it gives
tasks whose lease lapsed (no open session for ANNOTATOR_LEASE_SECONDS) back to the queue.
SIGTERM or SIGINT lets the current job finish and stops both (a second signal ends the job
too).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string

from annotator import memory
from tasks import attachments, callbacks, heartbeat, jobs, queue
from tasks.prelabel_ledger import recording as prelabel_ledger
from tasks.quality_flow import answers, merging
from tasks.worker_pool import PooledWorker

logger = logging.getLogger("annotator.worker")


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


class Command(BaseCommand):
    help = "Run the background worker: callbacks, attachment fetches, and their sweeper."
    # The system checks load the URLs, hence every view, the admin and the API schema: code
    # the worker never runs, ~20 MiB of its RSS (docs/performance.md, "Memory"). `serve`, which
    # starts it, and `migrate` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between polls of an empty queue (default 1).")
        parser.add_argument("--sweep-seconds", type=float, default=None,
                            help="Seconds between sweeps (default ANNOTATOR_SWEEP_SECONDS "
                                 "or 30).")

    def handle(self, *args, interval: float, sweep_seconds: float | None, **options) -> None:
        every = sweep_seconds if sweep_seconds is not None else float(
            settings.ANNOTATOR_SWEEP_SECONDS)
        # before the job, sweeper and heartbeat threads allocate (annotator/memory.py)
        memory.limit_arenas(settings.ANNOTATOR_MALLOC_ARENAS)
        worker = PooledWorker(queue_names=["default"], interval=max(interval, 0.05), batch=False,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id=get_random_string(32), excluded_queue_names=[])
        sweeper = Sweeper(max(every, 0.1))
        self.stdout.write(f"Worker started (sweeping every {every:g}s)")
        self.stdout.flush()
        sweeper.start()
        worker.configure_signals()
        memory.settle()
        try:
            worker.run()
        finally:
            sweeper.stop()
            sweeper.join(timeout=5)
            self.stdout.write("Worker stopped")
