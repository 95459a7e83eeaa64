"""SQLite, with JSON written by orjson (annotator/backends/__init__.py)."""

from django.db.backends.sqlite3 import base, operations

from annotator.backends import dumps


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_json_value(self, value, encoder):
        if encoder is None:
            return dumps(value)
        return super().adapt_json_value(value, encoder)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
