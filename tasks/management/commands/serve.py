"""`python manage.py serve`: the ASGI application under uvicorn (HTTP and WebSockets), with
the background worker (`run_worker`) beside it as a child process unless `--no-worker`,
restarted whenever it dies (tasks/worker_supervisor.py)."""

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
                            help="Do not start the background worker (run `manage.py "
                                 "run_worker` elsewhere).")

    def handle(self, *args, host: str, port: int, workers: int, no_worker: bool,
               **options) -> None:
        # uvicorn stops gracefully on SIGTERM, then raises the signal again: exit through
        # `finally` instead of dying at once, so that the worker is stopped too.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        supervisor = None if no_worker else Supervisor()
        worker = supervisor.start_first() if supervisor else None
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C stops it)"
                          + ("" if worker is None else f"; worker pid {worker.pid}"))
        self.stdout.flush()
        try:
            uvicorn.run("annotator.asgi:application", host=host, port=port, workers=workers,
                        log_level=os.environ.get("UVICORN_LOG_LEVEL", "warning"),
                        lifespan="off", http="annotator.http_protocol:DeadlineHttpProtocol")
        finally:
            if supervisor is not None:
                supervisor.stop()
