"""PostgreSQL, with JSON written by orjson (annotator/backends/__init__.py).

`json` columns (tasks.models.fields.OrderedJSONField) are read as text, as Django already reads
`jsonb`, so the field parses them itself.
"""

from django.db.backends.postgresql import base, operations
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

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("json", TextLoader)
        return connection
