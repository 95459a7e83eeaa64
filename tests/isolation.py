"""What keeps the test processes that run side by side (pytest-xdist, `make test-python`) apart.

The rules, in full in docs/performance.md ("The test suite's wall time"):

* The test database is pytest-django's, one per worker (test_<name>_gw0, … on PostgreSQL; in
  memory on SQLite). Servers a test starts get a database of their own, named with the pid.
* Redis: each worker keeps its channel groups and cache keys under its own prefix
  (annotator/settings.py reads PYTEST_XDIST_WORKER); servers with a database of their own get a
  fresh prefix besides, from `server_redis_env`, so that nothing they send reaches a test's
  in-process consumers (user and project keys repeat across databases).
* Ports: always a free port of the moment (port 0, or tests.live.conftest.free_port).
* Files: tmp_path, or a tempfile.mkdtemp folder removed at the end.
* Tests that share one costly session fixture run on one worker: tests/conftest.py groups them
  by the fixture they use (SHARED_SESSION_FIXTURES), the users of a module-scoped fixture by
  their module, and honours @pytest.mark.xdist_group("name").
"""

from __future__ import annotations

import os
import secrets


def worker_id() -> str:
    """gw0, gw1, … in a pytest-xdist worker; "main" in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def server_redis_env(label: str) -> dict[str, str]:
    """Environment entries for server processes that have a database of their own: a Redis key
    prefix that no other test process uses (harmless without REDIS_URL)."""
    return {"ANNOTATOR_TEST_REDIS_PREFIX": f"test-{worker_id()}-{label}-{secrets.token_hex(4)}"}
