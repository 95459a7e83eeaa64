"""Fixtures for the worker tests: a real local HTTP receiver and a way to run queued jobs."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.polling import wait_until

HANG = "hang"  # a scripted answer: keep the connection open until the receiver stops


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived

    def json(self) -> object:
        return json.loads(self.body)


class Receiver(ThreadingHTTPServer):
    """Records every request. POSTs get the scripted statuses in turn, then `default`;
    GETs get the file registered for their path, else 404."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.script: deque[int | str] = deque()
        self.default: int = 200
        self.files: dict[str, tuple[int, str, bytes]] = {}
        self.delays: dict[str, float] = {}  # GET path: seconds to wait before answering
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def answer(self, *statuses: int | str) -> None:
        self.script.extend(statuses)

    def serve_file(self, path: str, body: bytes, status: int = 200,
                   content_type: str = "image/png", delay: float = 0.0) -> str:
        """Serve `body` at `path`, answered after `delay` seconds when given."""
        self.files[path] = (status, content_type, body)
        if delay:
            self.delays[path] = delay
        return self.url(path)

    def posts(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.method == "POST"]

    def wait_for_posts(self, count: int, timeout: float = 20.0) -> list[Received]:
        wait_until(lambda: len(self.posts()) >= count, timeout,
                   message=lambda: f"expected {count} POSTs, got {len(self.posts())}")
        return self.posts()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received.append(Received(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))

    def do_POST(self) -> None:
        self._record()
        with self.server.lock:
            status = self.server.script.popleft() if self.server.script else self.server.default
        if status == HANG:
            self.server.stopping.wait(60)
            return
        self._send(int(status), "text/plain", b"ok" if status == 200 else b"not now")

    def do_GET(self) -> None:
        self._record()
        if self.path in self.server.delays:
            self.server.stopping.wait(self.server.delays[self.path])
        status, content_type, body = self.server.files.get(self.path, (404, "text/plain",
                                                                       b"missing"))
        self._send(status, content_type, body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client hung up

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker_settings(settings):
    """Local receivers allowed, retries without waiting, a short lease."""
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    settings.ANNOTATOR_CALLBACK_BACKOFF_BASE = 0
    settings.ANNOTATOR_CALLBACK_LEASE_SECONDS = 30
    return settings


def run_jobs(limit: int = 200) -> list[str]:
    """Run the queued jobs that are due, as the worker does, until none is left; returns
    what each job answered. A job that raised fails the test."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test",
                    excluded_queue_names=[])
    answers = []
    for _ in range(limit):
        row = DBTaskResult.objects.ready().first()
        if row is None:
            return answers
        row.claim("test")
        worker.run_task(row)
        row.refresh_from_db()
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        answers.append(row.return_value)
    raise AssertionError(f"still jobs to run after {limit}")


@pytest.fixture
def jobs() -> Callable[..., list[str]]:
    return run_jobs


def box_body(receiver: Receiver, **extra: object) -> dict:
    """A valid create body whose image the receiver serves."""
    body = {
        "attachment": receiver.serve_file("/image.png", png_bytes()),
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
        "callback_url": receiver.url(),
    }
    body.update(extra)
    return body


BOX = {"uuid": "a1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 3,
       "height": 4, "attributes": {}}


def a_response(*annotations: dict) -> dict:
    return {"annotations": list(annotations or [BOX])}
