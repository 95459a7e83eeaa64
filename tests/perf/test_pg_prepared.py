"""On PostgreSQL a statement run again and again on a connection is prepared there, so the
server parses and plans it once (annotator/settings.py, docs/performance.md "Serving
requests"); `ANNOTATOR_PG_PREPARE_AFTER=0` turns it off.

A process of its own reads annotator/settings.py with DATABASE_URL naming the machine's
PostgreSQL (in both runs of the suite) and lists the connection's prepared statements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import machine_postgres

REPO_ROOT = Path(__file__).resolve().parents[2]

LIST_PREPARED = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    for value in range(6):
        cursor.execute("SELECT %s + 1", [value])
        assert cursor.fetchone() == (value + 1,)
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    print(json.dumps([row[0] for row in cursor.fetchall()]))
"""


def prepared(url: str, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", LIST_PREPARED], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=60, check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "annotator.settings",
             "DATABASE_URL": url, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_statement_run_again_is_prepared_once_and_the_setting_turns_it_off():
    server = machine_postgres.required()
    with machine_postgres.scratch_database(server, "prepare") as url:
        assert prepared(url) == ["SELECT $1 + 1"]  # bound by the server, prepared
        assert prepared(url, ANNOTATOR_PG_PREPARE_AFTER="0") == []
