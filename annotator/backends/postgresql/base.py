"""PostgreSQL, with JSON written by orjson (annotator/backends/__init__.py).

`json` columns (tasks.models.fields.OrderedJSONField) are read as text, as Django already reads
`jsonb`, so the field parses them itself.

Django's health check of a kept connection (CONN_HEALTH_CHECKS, on in annotator/settings.py)
sends `SELECT 1` at the start of every request that uses the database: a round trip, and a
query for the server to run, per API read. A connection the server ended (a restart,
`pg_terminate_backend`, a crash) has something to read on its socket — the server's last
message, or the end of the stream — while a healthy idle one has nothing: so the check first
looks at the socket, with no round trip, and asks the server only when it finds something
there (docs/performance.md "Serving requests").
"""

import contextlib
import select

from django.db.backends.postgresql import base, operations
from psycopg import errors
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from psycopg.types.string import TextLoader

from annotator.backends import dumps


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_json_value(self, value, encoder):
        if encoder is None:
            return Jsonb(value, dumps=dumps)
        return super().adapt_json_value(value, encoder)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def init_connection_state(self):
        super().init_connection_state()
        # Large values (a response, a callback's payload, params) are compressed when stored:
        # lz4 takes a fraction of the CPU of PostgreSQL's default pglz (a 500 KB response:
        # ~20 instead of ~40-100 ms, bench/README.md). A server built without lz4 keeps pglz.
        with self.connection.cursor() as cursor, \
                contextlib.suppress(errors.InvalidParameterValue):
            cursor.execute("SET default_toast_compression = 'lz4'")
        if not self.get_autocommit():
            self.connection.commit()

    def close_if_health_check_failed(self):
        if (self.connection is not None and self.health_check_enabled
                and not self.health_check_done and self._idle_and_quiet()):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """True when the connection is open, outside a transaction, and its socket has
        nothing to read (nor a hang-up or an error, which poll() always reports)."""
        connection = self.connection
        if connection.closed or connection.broken or \
                connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, errors.Error):
            return False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("json", TextLoader)
        return connection
