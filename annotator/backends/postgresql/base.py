"""PostgreSQL, with JSON written by orjson (annotator/backends/__init__.py)."""

from django.db.backends.postgresql import base, operations
from psycopg.types.json import Jsonb

from annotator.backends import dumps


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_json_value(self, value, encoder):
        if encoder is None:
            return Jsonb(value, dumps=dumps)
        return super().adapt_json_value(value, encoder)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
