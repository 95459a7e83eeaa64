"""The machine's PostgreSQL, for the tests that need one whichever database the suite runs on:
the server DATABASE_URL names, else the local one."""

from __future__ import annotations

import os

import psycopg
import pytest

LOCAL = "postgres://postgres@127.0.0.1:5432/postgres"


def url() -> str:
    named = os.environ.get("DATABASE_URL", "")
    return named if named.startswith(("postgres://", "postgresql://")) else LOCAL


def required() -> str:
    """The server's URL; the test is skipped, saying why, when none answers."""
    found = url()
    try:
        psycopg.connect(found, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {found}: {exc} (start one to run this test)")
    return found
