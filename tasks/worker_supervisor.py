"""`serve`'s worker child, kept alive: restarted with backoff whenever it dies, each restart
logged (docs/deploy.md)."""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings

logger = logging.getLogger("annotator.worker")

STOP_SECONDS = 15
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
STABLE_SECONDS = 60.0  # a worker that ran this long restarts after FIRST_BACKOFF again


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
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Supervisor(threading.Thread):
    """Starts the worker, waits on it (so a dead one is reaped, never left a zombie) and
    starts it again after FIRST_BACKOFF, doubling up to MAX_BACKOFF while it keeps dying
    within STABLE_SECONDS."""

    def __init__(self) -> None:
        super().__init__(name="annotator-worker-supervisor", daemon=True)
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._lock = threading.Lock()

    def start_first(self) -> subprocess.Popen:
        self.process = start_worker()
        self.start()
        return self.process

    def run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self.stopping.is_set():
            process = self.process
            assert process is not None, "start_first() starts the first worker"
            started = time.monotonic()
            code = process.wait()
            if self.stopping.is_set():
                return
            backoff = FIRST_BACKOFF if time.monotonic() - started >= STABLE_SECONDS \
                else backoff
            logger.warning("worker pid %d exited with code %s; restarting it in %g s",
                           process.pid, code, backoff)
            if self.stopping.wait(backoff):
                return
            with self._lock:
                if self.stopping.is_set():
                    return
                self.process = start_worker()
                self.restarts += 1
            logger.warning("worker restarted (pid %d, restart %d)", self.process.pid,
                           self.restarts)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def stop(self) -> None:
        with self._lock:
            self.stopping.set()
        if self.process is not None:
            stop_worker(self.process)
