"""A real server for the benchmark: `manage.py serve --no-worker` (uvicorn, one process) on a
fresh data folder (SQLite), or on a fresh PostgreSQL database beside the one DATABASE_URL
names (created here and dropped at the end), the way tests/live/conftest.py does it."""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 120


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresDatabase:
    """A fresh database beside the one DATABASE_URL names."""

    def __init__(self, url: str, suffix: str) -> None:
        self.admin_url = url
        parts = urlsplit(url)
        base = parts.path.lstrip("/") or "postgres"
        self.name = f"{base}_bench_{os.getpid()}_{suffix}"[:63]
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def create(self) -> None:
        from psycopg import sql

        self.drop()
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def backends(self) -> list[int]:
        """The process ids of the PostgreSQL backends connected to this database."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            return [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name])]

    def drop(self) -> None:
        from psycopg import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                      .format(sql.Identifier(self.name)))


def _process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Http:
    """One keep-alive HTTP/1.1 connection: the least client overhead Python offers, so that
    the latencies measured are the server's."""

    def __init__(self, root: str, *, key: str | None = None, timeout: float = 120) -> None:
        parts = urlsplit(root)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.headers: dict[str, str] = {}
        if key:
            token = base64.b64encode(f"{key}:".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        all_headers = dict(self.headers)
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if headers:
            all_headers.update(headers)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        response_headers = {}
        for name, value in response.getheaders():
            lowered = name.lower()
            if lowered == "set-cookie":
                cookie = value.split(";", 1)[0]
                cname, _, cvalue = cookie.partition("=")
                self.cookies[cname.strip()] = cvalue.strip()
            response_headers[lowered] = value
        if response_headers.get("connection", "").lower() == "close":
            self.close()
        return response.status, response_headers, data

    def get(self, path: str) -> tuple[int, bytes]:
        status, _, data = self.request("GET", path)
        return status, data

    def post_json(self, path: str, payload: object,
                  headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        status, _, data = self.request("POST", path, orjson.dumps(payload),
                                       {"Content-Type": "application/json", **(headers or {})})
        return status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class BenchServer:
    """Data folder (and database), the server process, and `manage.py` beside it."""

    def __init__(self, label: str = "main", *, key_limits: bool = False, worker: bool = False,
                 processes: int = 1) -> None:
        self.worker = worker  # `serve` starts its run_worker (bench/install.py)
        self.processes = processes  # uvicorn's --workers (the scaling figure)
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"annotator-bench-{label}-"))
        self.env = dict(os.environ)
        self.env.update({
            "ANNOTATOR_DATA_DIR": str(self.data_dir),
            "ANNOTATOR_FETCH_ALLOW": "127.0.0.0/8",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
        })
        if not key_limits:
            # The speed figures measure the server, one key driving it as hard as it can;
            # the fairness figures (bench/fairness.py) run with the per-key limits.
            self.env.update({"ANNOTATOR_API_RATE": "off", "ANNOTATOR_API_IN_FLIGHT_PER_KEY": "0"})
        self.env.pop("ANNOTATOR_TEST_DB_NAME", None)
        self.database: PostgresDatabase | None = None
        if os.environ.get("DATABASE_URL"):
            self.database = PostgresDatabase(os.environ["DATABASE_URL"], label)
            self.env["DATABASE_URL"] = self.database.url
        self.process: subprocess.Popen | None = None
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"

    @property
    def backend(self) -> str:
        return "postgresql" if self.database else "sqlite"

    def manage(self, *args: str, timeout: float = 1800) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT,
                                env=self.env, capture_output=True, text=True, timeout=timeout,
                                check=False)
        if result.returncode != 0:
            raise BenchError(f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, module: str, *args: str, timeout: float = 3600) -> str:
        """Run `python -m module args` with Django's settings for this server's data."""
        result = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO_ROOT,
                                env=self.env, capture_output=True, text=True, timeout=timeout,
                                check=False)
        if result.returncode != 0:
            raise BenchError(f"python -m {module} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def new_key(self, username: str) -> str:
        return self.manage("create_api_key", username).strip().splitlines()[-1].strip()

    def cold_start(self) -> tuple[float, str, dict[str, float]]:
        """Empty data folder → migrate → an API key → serve → the first 200 of GET /v1/tasks.
        Returns (seconds, the key, the seconds of each step)."""
        steps = {}
        t0 = time.perf_counter()
        if self.database:
            self.database.create()
        self.manage("migrate", "--noinput")
        steps["migrate"] = time.perf_counter() - t0
        key = self.new_key("bench-owner")
        steps["create_api_key"] = time.perf_counter() - t0 - steps["migrate"]
        t1 = time.perf_counter()
        self.start()
        client = Http(self.root, key=key, timeout=5)
        while True:
            try:
                status, _ = client.get("/v1/tasks")
                if status == 200:
                    break
                raise BenchError(f"GET /v1/tasks answered {status}")
            except (ConnectionError, OSError):
                client.close()
                if self.process.poll() is not None:
                    raise BenchError("the server exited:\n" + self.stderr()) from None
                if time.perf_counter() - t1 > START_TIMEOUT_SECONDS:
                    raise BenchError("the server did not answer:\n" + self.stderr()) from None
                time.sleep(0.01)
        client.close()
        steps["serve_to_first_200"] = time.perf_counter() - t1
        return time.perf_counter() - t0, key, steps

    def start(self) -> None:
        self.out = open(self.data_dir / "server.out", "wb")  # noqa: SIM115
        self.err = open(self.data_dir / "server.err", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", *([] if self.worker else ["--no-worker"]),
             "--workers", str(self.processes), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO_ROOT, env=self.env, stdout=self.out, stderr=self.err,
            stdin=subprocess.DEVNULL)

    def stderr(self) -> str:
        return (self.data_dir / "server.err").read_text(errors="replace")

    def memory(self) -> dict[str, float]:
        """VmRSS, VmHWM (peak) and Pss of the uvicorn process, in MiB (status_mib)."""
        return status_mib(self.process.pid)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by the server process ("server") and, on
        PostgreSQL, by each backend connected to its database ("backend <pid>"). CPU per
        request moves much less than latency with other processes' load on the machine."""
        found = {"server": sum(_process_cpu(pid) for pid in self.server_pids())}
        if self.database is not None:
            found.update({f"backend {pid}": _process_cpu(pid)
                          for pid in self.database.backends()})
        return found

    def server_pids(self) -> list[int]:
        """The process that answers requests, or with several (uvicorn --workers) its
        children that do (the worker, `run_worker`, is not one)."""
        if self.processes == 1:
            return [self.process.pid]
        return [pid for pid in child_pids(self.process.pid) if not is_worker(pid)]

    def worker_pids(self) -> list[int]:
        """The `run_worker` children of `serve`: none when the server runs the jobs itself
        (one process, docs/deploy.md)."""
        return [pid for pid in child_pids(self.process.pid) if is_worker(pid)]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        for handle in (getattr(self, "out", None), getattr(self, "err", None)):
            if handle is not None:
                handle.close()
        if self.database is not None:
            try:
                self.database.drop()
            except Exception as exc:  # noqa: BLE001 - report, never mask the run's own error
                print(f"warning: could not drop {self.database.name}: {exc}", file=sys.stderr)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started (any of its threads), as Linux lists them."""
    return [int(child) for tasks in Path(f"/proc/{pid}/task").glob("*/children")
            for child in tasks.read_text().split()]


def is_worker(pid: int) -> bool:
    return "run_worker" in Path(f"/proc/{pid}/cmdline").read_text()


def status_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, and its Pss (its pages, a shared page counted
    as its share: the sum over processes is the memory they take together), in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "Pss":
            found["Pss"] = int(value.split()[0]) / 1024
    return found
