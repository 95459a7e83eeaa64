"""Python run in a fresh process of its own, with the project's settings and a data folder:
what a process loads at start-up, or its memory, cannot be seen from inside the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_probe(code: str, data_dir: Path, timeout: float = 120, database_url: str = "") -> str:
    """Run `code` (python -c) in the repository, on SQLite or the PostgreSQL database
    `database_url` names (the test's database and Redis left out), with its data in
    `data_dir`; the last line it printed. Fails the test when the process fails."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(ANNOTATOR_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="annotator.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]
