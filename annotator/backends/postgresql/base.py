"""PostgreSQL, with JSON written by orjson (annotator/backends/__init__.py).

`json` columns (tasks.models.fields.OrderedJSONField) are read as text, as Django already reads
`jsonb`, so the field parses them itself.
"""

import contextlib

from django.db.backends.postgresql import base, operations
from psycopg import errors
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

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("json", TextLoader)
        return connection
