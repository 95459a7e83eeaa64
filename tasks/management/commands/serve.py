"""`python manage.py serve`: the ASGI application under uvicorn (HTTP and WebSockets), with
the background worker (`run_worker`) beside it as a child process unless `--no-worker`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from annotator import memory

WORKER_STOP_SECONDS = 15

# Before the system checks load the URLs, and with them Django REST framework.
memory.lean_imports()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the server process dies (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_worker() -> subprocess.Popen:
    manage = str(settings.BASE_DIR / "manage.py")
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    # Its own session: a Ctrl+C in the terminal reaches the server only, which then asks the
    # worker once to finish its current job and stop (a second signal would abort the job).
    return subprocess.Popen([sys.executable, manage, "run_worker"], stdin=subprocess.DEVNULL,
                            preexec_fn=preexec, start_new_session=True)


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
        worker = None if no_worker else start_worker()
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C stops it)"
                          + ("" if worker is None else f"; worker pid {worker.pid}"))
        try:
            uvicorn.run("annotator.asgi:application", host=host, port=port, workers=workers,
                        log_level=os.environ.get("UVICORN_LOG_LEVEL", "warning"),
                        lifespan="off", http="annotator.http_protocol:DeadlineHttpProtocol")
        finally:
            if worker is not None:
                stop_worker(worker)
