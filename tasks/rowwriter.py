"""Annotation rows written in bulk with one `executemany`, their JSON encoded by orjson
(annotator/backends/).

`bulk_create` compiles and converts every value of every row through the ORM and encodes the
JSON columns with the standard library: for a submit of 2,000 annotations that was a third of
the request (profile in bench/README.md). The rows here are `Annotation` instances as
`bulk_create` would take them; like `bulk_create`, no signals are sent and the instances do
not get their primary keys.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.db import connection, models

from annotator.backends import dumps
from tasks.models import Annotation


def json_param(value: object) -> object:
    """A JSON column's query parameter on this connection."""
    if value is None:
        return None
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value, dumps=dumps)
    return dumps(value)


def plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def insert_annotations(rows: Sequence[Annotation]) -> None:
    if not rows:
        return
    fields = [f for f in Annotation._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Annotation._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    names = [f.attname for f in fields]
    params = [[json_param(value) if name in json_fields else plain(value)
               for name, value in ((name, getattr(row, name)) for name in names)]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
