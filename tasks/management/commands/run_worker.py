"""`python manage.py run_worker`: the background worker, with its sweeper, as a process of its
own (tasks/job_runner.py; `serve` runs the same in its own process when it is the install's
only one).

The jobs (callbacks, attachment fetches, the quality loop's merges and scores) run a few at
once, fairly between accounts, and the worker's heartbeat is kept (tasks/worker_pool.py).
SIGTERM or SIGINT lets the current jobs finish and stops both (a second signal ends them too).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from annotator import memory
from tasks.job_runner import Sweeper, pooled_worker, sweep_every


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
        every = sweep_every(sweep_seconds)
        worker = pooled_worker(interval)
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
