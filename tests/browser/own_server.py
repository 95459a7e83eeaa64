"""A `manage.py serve` process a test owns: it may kill it (SIGKILL, as a crash would) and
start it again on the same port, data folder and database.

The shared `live_server_process` must never die, so a test that crashes the server uses this
instead. Like it, the server gets a temp data folder and, when DATABASE_URL names a
PostgreSQL server, a fresh database of its own (dropped at the end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.conftest import (
    REPO_ROOT,
    LiveServer,
    PostgresDatabase,
    _stop,
    _wait_until_serving,
    _with_database,
    free_port,
    run_manage,
    server_env,
)


class OwnServer:
    """One server on a fixed port; `kill()` and `start()` as often as needed."""

    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="annotator-own-"))
        self.env = server_env(self.data_dir)
        self.database: PostgresDatabase | None = None
        if os.environ.get("DATABASE_URL"):
            self.database = PostgresDatabase(os.environ["DATABASE_URL"])
            # not the shared live server's database (same pid, same default name)
            self.database.name = f"{self.database.name[:58]}_own"
            self.database.url = _with_database(os.environ["DATABASE_URL"], self.database.name)
            self.database.create()
            self.env["DATABASE_URL"] = self.database.url
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        run_manage(self.env, "migrate", "--noinput")

    @property
    def live(self) -> LiveServer:
        return LiveServer(base_url=f"{self.root}/v1", root_url=self.root, env=self.env)

    def start(self) -> None:
        self.starts += 1
        stderr_path = self.data_dir / f"server-{self.starts}.err"
        with open(self.data_dir / f"server-{self.starts}.out", "wb") as out, \
                open(stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port",
                 str(self.port)],
                cwd=REPO_ROOT, env=self.env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _wait_until_serving(self.process, f"{self.root}/v1/tasks", stderr_path)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, open sockets just drop, the jobs in progress
        stop with it (the next start's sweeper queues their work again)."""
        assert self.process is not None and self.process.poll() is None
        self.process.kill()
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process is not None:
            _stop(self.process)
        if self.database is not None:
            self.database.drop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture
def own_server() -> Iterator[OwnServer]:
    server = OwnServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
