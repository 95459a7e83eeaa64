"""A JSON column that keeps the order of an object's keys.

PostgreSQL's `jsonb` sorts keys (shortest first), so a task's `annotation_attributes` would come
back in another order than the customer sent them, and the workbench shows attributes in that
order. On PostgreSQL this field is a `json` column, which keeps the text as written; SQLite keeps
it anyway. `json` has no equality operator, so key lookups (`params__attachment`, ...) read
from a `jsonb` copy of the column and work as on any JSONField.
"""

from __future__ import annotations

from django.db import models
from django.db.models.fields.json import KeyTransform, KeyTransformFactory

from annotator.backends import dumps


class AsJsonb(models.Func):
    """The column as `jsonb` on PostgreSQL; itself elsewhere."""

    template = "%(expressions)s"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::jsonb", **extra)


class JsonbKeyTransformFactory(KeyTransformFactory):
    def __call__(self, *args, **kwargs):
        lhs, *rest = args
        return KeyTransform(self.key_name, AsJsonb(lhs), *rest, **kwargs)


class OrderedJSONField(models.JSONField):
    def get_transform(self, name):
        transform = super().get_transform(name)
        if isinstance(transform, KeyTransformFactory):
            return JsonbKeyTransformFactory(name)
        return transform

    def db_type(self, connection) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        adapted = super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "postgresql" and _is_jsonb(adapted):
            from psycopg.types.json import Json

            return Json(adapted.obj, dumps=dumps)
        return adapted


def _is_jsonb(value: object) -> bool:
    try:
        from psycopg.types.json import Jsonb
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(value, Jsonb)
