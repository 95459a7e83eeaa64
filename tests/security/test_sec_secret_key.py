"""Without SECRET_KEY a server never runs on a public constant: the first start generates a
key into the data folder (mode 600) and later starts, or other processes, read that one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.live.conftest import REPO_ROOT

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def settings_key(data_dir: Path, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(ANNOTATOR_DATA_DIR=str(data_dir), **extra)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", PRINT_KEY],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                            check=True)
    return result.stdout.strip().splitlines()[-1]


def test_first_start_generates_a_private_key_that_later_starts_keep(tmp_path):
    data = tmp_path / "data"
    first = settings_key(data)
    path = data / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 50 and "insecure" not in first
    assert settings_key(data) == first
    assert settings_key(tmp_path / "elsewhere") != first  # generated, not a constant
    assert [p.name for p in data.iterdir() if p.name.startswith(".secret_key")] == []


def test_processes_starting_together_agree_on_one_key(tmp_path):
    data = tmp_path / "data"
    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(lambda _: settings_key(data), range(4)))
    assert keys == {(data / "secret_key").read_text().strip()}


def test_the_environment_wins_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    assert settings_key(data, SECRET_KEY="k" * 60) == "k" * 60
    assert not (data / "secret_key").exists()
