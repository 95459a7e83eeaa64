"""A real multi-process deployment for the scale tests, on one machine.

Four `manage.py serve --no-worker` processes on four ports and one `manage.py run_worker`, all
sharing one database: a temporary SQLite file, or — when DATABASE_URL names a PostgreSQL
server — a fresh database of their own (created here, dropped at the end). REDIS_URL, when set,
is passed on, with a key prefix of their own (tests/isolation.py). The tests talk to the servers
over HTTP only, and read the shared database directly (`Cluster.sql`) to check what was stored;
pytest-django's test database is not used.
"""

from __future__ import annotations

import base64
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.http_sessions import fresh_connections
from tests.isolation import server_redis_env
from tests.live.conftest import PostgresDatabase, _with_database, free_port, serve_locally
from tests.polling import answers, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVERS = 4
START_TIMEOUT_SECONDS = 60
# Taskers; w00-w14 work the reviewers' test's tasks, and w00-w04 are reviewers as well.
WORKERS = [f"w{i:02d}" for i in range(15)]
TASKERS = [f"t{i:02d}" for i in range(50)] + [f"racer{i}" for i in range(4)] + WORKERS
# Reviewers (docs/quality.md "Roles"): twenty, five of whom also task.
REVIEWERS = WORKERS[:5] + [f"rv{i:02d}" for i in range(15)]
TASKER_PASSWORD = "scale-pw-1"
# Small enough that the body-limit tests send little, large enough for every other test.
MAX_BODY_BYTES = 2 * 1024 * 1024


def run_manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args[:2])} exited {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Cluster:
    env: dict[str, str] = field(repr=False)
    data_dir: Path
    ports: list[int]
    servers: list[subprocess.Popen] = field(repr=False)
    worker: subprocess.Popen | None = field(repr=False)
    database: PostgresDatabase | None
    api_key: str = ""

    # --- HTTP -------------------------------------------------------------------------------
    def url(self, server: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[server % len(self.ports)]}{path}"

    def auth_header(self, key: str | None = None) -> dict[str, str]:
        token = base64.b64encode(f"{key or self.api_key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def api(self, method: str, server: int, path: str, json: object = None,
            key: str | None = None, **kwargs) -> requests.Response:
        return requests.request(method, self.url(server, f"/v1/{path}"), json=json,
                                headers=self.auth_header(key), timeout=60, **kwargs)

    def login(self, server: int, username: str,
              password: str = TASKER_PASSWORD) -> requests.Session:
        """A browser-like session of a tasker, logged in through the login form."""
        session = fresh_connections()
        page = session.get(self.url(server, "/accounts/login/"), timeout=60)
        assert page.status_code == 200, page.text[:500]
        res = session.post(self.url(server, "/accounts/login/"), timeout=60,
                           data={"username": username, "password": password,
                                 "csrfmiddlewaretoken": session.cookies["csrftoken"],
                                 "next": "/"}, allow_redirects=False)
        assert res.status_code == 302 and res.headers["Location"] == "/", (res.status_code,
                                                                           res.text[:500])
        return session

    @staticmethod
    def csrf(session: requests.Session) -> dict[str, str]:
        return {"X-CSRFToken": session.cookies["csrftoken"]}

    # --- the shared database ----------------------------------------------------------------
    def sql(self, query: str, *params: object) -> list[tuple]:
        """Rows of a query on the servers' database (placeholders written as %s)."""
        if self.database is not None:
            import psycopg

            with psycopg.connect(self.database.url) as conn:
                return list(conn.execute(query, params).fetchall())
        conn = sqlite3.connect(self.data_dir / "annotator.sqlite3", timeout=30)
        try:
            return list(conn.execute(query.replace("%s", "?"), params).fetchall())
        finally:
            conn.close()

    def django(self, code: str) -> str:
        """Run Python in a `manage.py shell` of the servers' settings and database (what the
        API cannot do, as an admin would in the admin)."""
        return run_manage(self.env, "shell", "-c", code)

    # --- processes --------------------------------------------------------------------------
    def start_server(self, index: int) -> subprocess.Popen:
        log = self.data_dir / f"server{index}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--no-worker", "--host", "127.0.0.1",
                 "--port", str(self.ports[index])],
                cwd=REPO_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        if index < len(self.servers):
            self.servers[index] = process
        else:
            self.servers.append(process)
        return process

    def wait_until_serving(self, index: int) -> None:
        process = self.servers[index]

        def serving() -> bool:
            if process.poll() is not None:
                pytest.fail(f"server {index} exited with {process.returncode}:\n"
                            f"{self.log(index)}")
            return answers(self.url(index, "/v1/tasks"))

        wait_until(serving, START_TIMEOUT_SECONDS, interval=0.1,
                   message=lambda: f"server {index} did not answer within "
                                   f"{START_TIMEOUT_SECONDS}s:\n{self.log(index)}")

    def log(self, index: int) -> str:
        path = self.data_dir / f"server{index}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def kill(self, index: int) -> None:
        process = self.servers[index]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def restart(self, index: int) -> None:
        if self.servers[index].poll() is None:
            self.kill(index)
        self.start_server(index)
        self.wait_until_serving(index)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    data_dir = Path(tempfile.mkdtemp(prefix="annotator-scale-"))
    env = dict(os.environ)
    for name in ("ANNOTATOR_TEST_DB_NAME", "SECURE_SSL_REDIRECT", "ANNOTATOR_HTTPS"):
        env.pop(name, None)
    env.update({
        # Fifty taskers log in at once: their passwords are hashed fast (tests/conftest.py).
        "ANNOTATOR_TEST_FAST_PASSWORD_HASHER": "1",
        "ANNOTATOR_DATA_DIR": str(data_dir),
        "ANNOTATOR_FETCH_ALLOW": "127.0.0.0/8",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ANNOTATOR_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
        # races of one key's many requests at once, not the per-key cap, are tested here
        "ANNOTATOR_API_IN_FLIGHT_PER_KEY": "0",
        "ANNOTATOR_API_RATE": "off",
        "PYTHONUNBUFFERED": "1",
        **server_redis_env("scale"),
    })
    database = None
    if os.environ.get("DATABASE_URL"):
        database = PostgresDatabase(os.environ["DATABASE_URL"])
        # Not the live tests' database name: both may run in one pytest process.
        database.name = f"{database.name[:50]}_scale"
        database.url = _with_database(os.environ["DATABASE_URL"], database.name)
        database.create()
        env["DATABASE_URL"] = database.url
    cluster = Cluster(env=env, data_dir=data_dir, ports=[free_port() for _ in range(SERVERS)],
                      servers=[], worker=None, database=database)
    try:
        run_manage(env, "migrate", "--noinput")
        for index in range(SERVERS):
            cluster.start_server(index)
        with open(data_dir / "worker.log", "ab") as out:
            cluster.worker = subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
                cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        cluster.api_key = run_manage(env, "create_api_key", "scale-owner").strip() \
            .splitlines()[-1].strip()
        run_manage(env, "create_tasker", *TASKERS, "--password", TASKER_PASSWORD,
                   "--account", "scale-owner")
        run_manage(env, "create_tasker", *REVIEWERS, "--password", TASKER_PASSWORD,
                   "--reviewer", "--account", "scale-owner")  # adds the role: w00-w04 stay taskers
        for index in range(SERVERS):
            cluster.wait_until_serving(index)
        yield cluster
    finally:
        for process in [*cluster.servers, cluster.worker]:
            _stop(process)
        if database is not None:
            database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- a callback receiver in the test process (reachable: ANNOTATOR_FETCH_ALLOW) ----------------

class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.posts.put((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    with serve_locally(_Receiver) as httpd:
        yield httpd


def drain(posts: queue.Queue, wait: float) -> list[tuple[str, dict, bytes]]:
    """Everything the receiver got within `wait` seconds."""
    got = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            got.append(posts.get(timeout=max(deadline - time.monotonic(), 0.01)))
        except queue.Empty:
            break
    return got
