"""The machine's PostgreSQL, for the tests that need one whichever database the suite runs on:
the server DATABASE_URL names, else the local one."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

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


@contextmanager
def scratch_database(server_url: str, purpose: str) -> Iterator[str]:
    """A new, empty database on the server `server_url` names, for a process of the test's
    own; its URL while the block runs, dropped after it."""
    name = f"annotator_{purpose}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
