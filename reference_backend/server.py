"""The HTTP server: the standard library's ThreadingHTTPServer, JSON in and out.

Routes (docs/assist.md, "Reference backend"):
- `GET /health` (and `GET /`): Label Studio's `{"status": "UP", "model_class"}` unless the
  caller is annotator (its User-Agent starts with "annotator", or `?protocol=annotator`),
  which gets `{"status": "ok", "model_version", "capabilities"}`; each body carries the
  other's fields too.
- `POST /predict`: Label Studio's when the body has `tasks`, else annotator's.
- `POST /interact`: annotator's. `POST /setup`: Label Studio's.
Errors: `{"status_code": n, "error": message}` with that status. At most `WORKERS` requests
run a model at once (the CPU is the limit); one that waits longer than `QUEUE_SECONDS` gets 503.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import annotator_protocol, label_studio
from .model import Model, RequestError

log = logging.getLogger("reference_backend")

MAX_BODY = 80 * 1024 * 1024  # a 50 MB image in base64, and the JSON around it
QUEUE_SECONDS = 30.0


class Backend:
    """The model and the protocol state shared by the request threads."""

    def __init__(self, model: Model, *, workers: int = 2, token: str | None = None) -> None:
        self.model = model
        self.setup = label_studio.Setup()
        self.slots = threading.BoundedSemaphore(workers)
        self.token = token

    def run(self, answer: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if not self.slots.acquire(timeout=QUEUE_SECONDS):
            raise RequestError("the backend is busy", status=503)
        try:
            return answer()
        finally:
            self.slots.release()

    def authorized(self, header: str | None) -> bool:
        if not self.token:
            return True
        given = (header or "").split(" ", 1)[-1].strip()  # "Bearer t", "Token t" or "t"
        return hmac.compare_digest(given.encode(), self.token.encode())


class Handler(BaseHTTPRequestHandler):
    server_version = "annotator-reference-backend/1"
    backend: Backend  # set on the subclass make_server builds

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        if url.path not in ("/", "/health"):
            return self.reply(404, error_body(404, f"no route GET {url.path}"))
        protocol = parse_qs(url.query).get("protocol", [""])[0]
        from_annotator = protocol == "annotator" or (
            not protocol and self.headers.get("User-Agent", "").startswith("annotator"))
        module = annotator_protocol if from_annotator else label_studio
        body = {**(label_studio if from_annotator else annotator_protocol).health(
            self.backend.model), **module.health(self.backend.model)}
        self.reply(200, body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        try:
            if not self.backend.authorized(self.headers.get("Authorization")):
                raise RequestError("a valid Authorization header is required", status=401)
            body = self.read_json()
            self.reply(200, self.route(path, body))
        except RequestError as exc:
            self.reply(exc.status, error_body(exc.status, str(exc)))
        except Exception:  # a model failure: said, logged, and the server stays up
            log.exception("POST %s failed", path)
            self.reply(500, error_body(500, "the model failed on this request"))

    def route(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        backend, model = self.backend, self.backend.model
        if path == "/predict" and "tasks" in body:
            return backend.run(lambda: label_studio.predict(model, backend.setup, body))
        if path == "/predict":
            return backend.run(lambda: annotator_protocol.predict(model, body))
        if path == "/interact":
            return backend.run(lambda: annotator_protocol.interact(model, body))
        if path == "/setup":
            return label_studio.setup(model, backend.setup, body)
        raise RequestError(f"no route POST {path}", status=404)

    def read_json(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as exc:
            raise RequestError("Content-Length is not a number") from exc
        if length > MAX_BODY:
            raise RequestError(f"the body is larger than {MAX_BODY} bytes", status=413)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RequestError("the body is not JSON") from exc
        if not isinstance(body, dict):
            raise RequestError("the body must be a JSON object")
        return body

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        log.info("%s %s", self.address_string(), format % args)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"status_code": status, "error": message}


def make_server(model: Model, host: str, port: int, *, workers: int = 2) -> ThreadingHTTPServer:
    backend = Backend(model, workers=workers,
                      token=os.environ.get("ANNOTATOR_REFBACKEND_TOKEN") or None)
    handler = type("BoundHandler", (Handler,), {"backend": backend})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
