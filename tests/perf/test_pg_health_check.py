"""The health check of a kept PostgreSQL connection (annotator/backends/postgresql/base.py):
no round trip while the connection is healthy, and a connection the server ended is still
found and replaced before a request uses it.

On a connection of its own to the machine's PostgreSQL (the server DATABASE_URL names, else
the local one), in both runs of the suite.
"""

from __future__ import annotations

import select
from collections.abc import Iterator

import dj_database_url
import psycopg
import pytest
from django.db.utils import ConnectionHandler

from tests import machine_postgres
from tests.polling import wait_until


@pytest.fixture
def wrapper(django_db_blocker) -> Iterator:
    """Django's connection wrapper of annotator's backend, with health checks on as in
    annotator/settings.py (a connection of its own: not the tests' database)."""
    settings = dj_database_url.parse(machine_postgres.required(), conn_max_age=60,
                                     conn_health_checks=True)
    settings["ENGINE"] = "annotator.backends.postgresql"
    handler = ConnectionHandler({"default": settings})
    connection = handler.create_connection("default")
    with django_db_blocker.unblock():
        connection.ensure_connection()
        yield connection
        connection.close()


def new_request(connection) -> None:
    """What Django does when a request starts and ends (django.db.close_old_connections)."""
    connection.close_if_unusable_or_obsolete()


def backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_connection_is_checked_without_a_round_trip(wrapper, tmp_path):
    trace = tmp_path / "protocol.txt"
    with trace.open("w") as out:
        wrapper.connection.pgconn.trace(out.fileno())  # libpq writes what crosses the wire
        for _ in range(3):
            new_request(wrapper)
            assert not wrapper.health_check_done
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 41 + 1")
                assert cursor.fetchone() == (42,)
            assert wrapper.health_check_done
        wrapper.connection.pgconn.untrace()
    sent = [line for line in trace.read_text().splitlines() if "\tQuery\t" in line
            or "\tParse\t" in line]
    assert len(sent) == 3 and all("SELECT 41 + 1" in line for line in sent), sent


def test_a_connection_the_server_ended_is_replaced_before_it_is_used(wrapper):
    before = backend_pid(wrapper)
    with psycopg.connect(machine_postgres.url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [before])
    # the server's goodbye (or the end of the stream) reaches the socket
    poller = select.poll()
    poller.register(wrapper.connection.fileno(), select.POLLIN)
    wait_until(lambda: poller.poll(0), message="the ended connection's socket stayed quiet")
    new_request(wrapper)
    after = backend_pid(wrapper)  # raises if the ended connection were used
    assert after != before
    assert wrapper.health_check_done


def test_a_connection_left_in_a_transaction_is_asked(wrapper):
    """Not idle: the socket says nothing of it, so the server is asked (Django's own check)."""
    wrapper.connection.execute("BEGIN")
    assert not wrapper._idle_and_quiet()
    wrapper.connection.execute("ROLLBACK")
    assert wrapper._idle_and_quiet()
