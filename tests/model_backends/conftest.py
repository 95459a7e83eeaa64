"""A real annotator-protocol model backend on loopback (a ThreadingHTTPServer in the test), the
worker's fixtures (tests/worker/conftest.py), and a project that names a backend."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tasks.models import ModelBackend, Project
from tests.worker.conftest import jobs, receiver, worker_settings  # noqa: F401 - fixtures

GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"]},
              "polygon": {"objects_to_annotate": ["road"]},
              "point": {"objects_to_annotate": ["sign"]}}


class FakeBackend(ThreadingHTTPServer):
    """Answers /health and /predict (and /interact) with what the test sets; counts requests.
    With `failing`, every request gets a 500."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, dict | None]] = []
        self.predict_answer: dict = {"model_version": "fixed-1", "annotations": []}
        self.interact_answer: dict = {}
        self.failing = False
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, path: str | None = None) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if path is None or p == path)

    def bodies(self, path: str) -> list[dict]:
        with self.lock:
            return [body for _, p, body in self.requests if p == path and body is not None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeBackend

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(json.loads(self.rfile.read(length) or b"null"))

    def _answer(self, body: dict | None) -> None:
        with self.server.lock:
            self.server.requests.append((self.command, self.path, body))
        if self.server.failing:
            return self._send(500, {"error": "down"})
        answers = {"/health": {"status": "ok", "model_version": "fixed-1",
                               "capabilities": ["predict", "interact"]},
                   "/predict": self.server.predict_answer,
                   "/interact": self.server.interact_answer}
        if self.path not in answers:
            return self._send(404, {"error": "no such path"})
        return self._send(200, answers[self.path])

    def _send(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def backend_server() -> Iterator[FakeBackend]:
    server = FakeBackend()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def attach_backend(account, url: str, *, name: str = "detector", protocol: str = "annotator",
                   project: str = "streets", **fields: object) -> ModelBackend:
    """A backend of `account` named by a new project with GEOMETRIES."""
    from tests.factories import make_project

    backend = ModelBackend.objects.create(owner=account, name=name, url=url, protocol=protocol,
                                          timeout_seconds=5, **fields)
    make_project(account, project, params={"geometries": GEOMETRIES})
    Project.objects.filter(owner=account, name=project).update(model_backend=backend)
    return backend
