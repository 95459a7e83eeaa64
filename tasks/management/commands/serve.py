"""`python manage.py serve`: the ASGI application under uvicorn (HTTP and WebSockets), and the
background work (jobs and their sweeper). One server process runs the jobs in threads of its
own (tasks/job_runner.py); with `--workers N` > 1, or `--worker-process`, the worker
(`run_worker`) runs beside it as a child process, restarted whenever it dies
(tasks/worker_supervisor.py); `--no-worker` runs none (docs/deploy.md)."""

from __future__ import annotations

import os
import signal

import uvicorn
from django.core.management.base import BaseCommand

from annotator import memory
from tasks.worker_supervisor import Supervisor

# Before the system checks load the URLs, and with them Django REST framework.
memory.lean_imports()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Serve annotator.asgi:application with uvicorn, and run the worker beside it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-worker", action="store_true",
                            help="Run no background jobs here (run `manage.py run_worker` "
                                 "elsewhere).")
        parser.add_argument("--worker-process", action="store_true",
                            help="Run the background jobs in a worker process beside the "
                                 "server (always so with --workers > 1).")

    def handle(self, *args, host: str, port: int, workers: int, no_worker: bool,
               worker_process: bool, **options) -> None:
        # uvicorn stops gracefully on SIGTERM, then raises the signal again: exit through
        # `finally` instead of dying at once, so that the jobs are stopped too.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        supervisor = runner = None
        if no_worker:
            jobs = ""
        elif worker_process or workers > 1:
            supervisor = Supervisor()
            jobs = f"; worker pid {supervisor.start_first().pid}"
        else:
            from tasks.job_runner import JobRunner  # after lean_imports (above)

            runner = JobRunner()
            runner.start()
            jobs = "; background jobs in this process"
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C stops it){jobs}")
        self.stdout.flush()
        try:
            uvicorn.run("annotator.asgi:application", host=host, port=port, workers=workers,
                        log_level=os.environ.get("UVICORN_LOG_LEVEL", "warning"),
                        lifespan="off", http="annotator.http_protocol:DeadlineHttpProtocol")
        finally:
            if supervisor is not None:
                supervisor.stop()
            if runner is not None:
                runner.stop()
