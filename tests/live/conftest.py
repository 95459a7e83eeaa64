"""A real server process for the live tests: `manage.py serve` on a free port of 127.0.0.1.

The server gets its own data folder and, when DATABASE_URL names a PostgreSQL server, its own
fresh database (created here and dropped at the end). The tests talk to it only over HTTP and
through subprocesses; they never touch pytest-django's test database.
"""

from __future__ import annotations

import io
import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from PIL import Image

from tests.isolation import server_redis_env
from tests.polling import answers, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60
COMMAND_TIMEOUT_SECONDS = 300
# `serve` lets its jobs in progress finish (up to 15 s) before it exits.
STOP_TIMEOUT_SECONDS = 30


@dataclass
class LiveServer:
    base_url: str  # http://127.0.0.1:PORT/v1
    root_url: str  # http://127.0.0.1:PORT
    env: dict[str, str] = field(repr=False)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return run_manage(self.env, *args)

    def new_key(self, username: str, test: bool = False) -> str:
        """Issue an API key with `create_api_key` (which prints it as its last line)."""
        result = self.manage("create_api_key", username, *(["--test"] if test else []))
        lines = result.stdout.strip().splitlines()
        assert lines, f"create_api_key printed nothing; stderr:\n{result.stderr}"
        return lines[-1].strip()


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True,
        text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class PostgresDatabase:
    """A fresh database beside the one DATABASE_URL names, for the server alone.

    Each instance has a name of its own: a session's live server keeps its database (and its
    worker) while other tests make theirs, and a shared name let a later test drop and re-create
    the database under that running worker, which then worked the other test's tasks."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        base = urlsplit(url).path.lstrip("/") or "postgres"
        suffix = f"_live_{os.getpid()}_{secrets.token_hex(4)}"
        self.name = base[:63 - len(suffix)] + suffix
        self.url = _with_database(url, self.name)

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def create(self) -> None:
        from psycopg import sql

        self.drop()  # a leftover of an earlier run with the same pid
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        from psycopg import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                      .format(sql.Identifier(self.name)))


def _wait_until_serving(process: subprocess.Popen, url: str, stderr_path: Path) -> None:
    def serving() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before answering:\n"
                        f"{stderr_path.read_text(errors='replace')}")
        return answers(url)  # any HTTP answer (here a 401: no key) means the server is up

    wait_until(serving, START_TIMEOUT_SECONDS, interval=0.1,
               message=lambda: f"the server did not answer {url} within "
                               f"{START_TIMEOUT_SECONDS}s:\n"
                               f"{stderr_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment of a server process of the tests: its own data folder, loopback
    fetches allowed (the tests' little HTTP servers), not the test runner's database, and Redis
    keys of its own (tests/isolation.py)."""
    env = dict(os.environ)
    env.update({
        "ANNOTATOR_DATA_DIR": str(data_dir),
        "ANNOTATOR_FETCH_ALLOW": "127.0.0.0/8",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        **server_redis_env("live"),
    })
    env.pop("ANNOTATOR_TEST_DB_NAME", None)
    return env


@pytest.fixture(scope="session")
def live_server_process() -> Iterator[LiveServer]:
    data_dir = Path(tempfile.mkdtemp(prefix="annotator-live-"))
    env = server_env(data_dir)
    database = None
    if os.environ.get("DATABASE_URL"):
        database = PostgresDatabase(os.environ["DATABASE_URL"])
        database.create()
        env["DATABASE_URL"] = database.url
    process = None
    try:
        run_manage(env, "migrate", "--noinput")
        port = free_port()
        stdout_path, stderr_path = data_dir / "server.out", data_dir / "server.err"
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port",
                 str(port)],
                cwd=REPO_ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            )
        root = f"http://127.0.0.1:{port}"
        _wait_until_serving(process, f"{root}/v1/tasks", stderr_path)
        yield LiveServer(base_url=f"{root}/v1", root_url=root, env=env)
        if process.poll() is not None:
            pytest.fail(f"the server died during the tests:\n"
                        f"{stderr_path.read_text(errors='replace')}")
    finally:
        if process is not None:
            _stop(process)
        if database is not None:
            database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- little HTTP servers in the test process, reachable from the server (127.0.0.0/8) ---------

def png_bytes(size=(48, 32), color=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


class ImageHandler(BaseHTTPRequestHandler):
    """Any path ending in .png is a small PNG; every other path is a 404."""

    body = png_bytes((20, 10), (250, 200, 0))

    def do_GET(self):  # noqa: N802
        if not self.path.endswith(".png"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class ReceiverHandler(BaseHTTPRequestHandler):
    """Answers 200 to every POST and keeps it for the test."""

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.posts.put(Post(self.path, {k.lower(): v for k, v in self.headers.items()},
                                   body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def serve_locally(handler) -> Iterator[ThreadingHTTPServer]:
    """`handler` on a free loopback port in this process, with a queue for what it records."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.posts = queue.Queue()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def image_server() -> Iterator[str]:
    """The root URL of a local image host, so that the server's worker can fetch attachments."""
    with serve_locally(ImageHandler) as httpd:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture
def callback_receiver() -> Iterator[ThreadingHTTPServer]:
    """A local callback receiver: `.server_address`, and `.posts`, a queue of `Post`."""
    with serve_locally(ReceiverHandler) as httpd:
        yield httpd
