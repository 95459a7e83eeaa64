"""A task's annotation rows (`Annotation`): built from annotations in the response shape, and
written in bulk by one statement, their JSON encoded by orjson (annotator/backends/).

Every write of a task's rows goes through here: the prelabels at creation and when a draft is
reset (`insert_prelabels`), a response loaded as the starting point (`response_rows`), a
submit (`replace_annotations`), and a draft operation's row (`annotation_row`, `store`).

`bulk_create` compiles and converts every value of every row through the ORM and encodes the
JSON columns with the standard library: for a submit of 2,000 annotations that was a third of
the request (profile in bench/README.md). The rows here are `Annotation` instances as
`bulk_create` would take them; like `bulk_create`, no signals are sent and the instances do
not get their primary keys.

SQLite takes them through `executemany` (its C loop binds each row). On PostgreSQL,
psycopg's `executemany` sends one statement per row through its pipeline and quotes every value
in Python (a quarter of a 60-annotation submit's time in the profile); there the whole batch
goes as ONE parameter, a JSON array encoded by orjson, that `json_to_recordset` expands on the
server. The `json` columns (tasks.models.fields.OrderedJSONField) receive each object's text
as written, so their key order is kept.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from annotator.backends import dumps
from tasks.models import Annotation, Task
from tasks.models.tasks import AnnotationSource
from tasks.rules.prelabel_files import prelabel_list

# The keys of an annotation that are columns of their own; the rest is its geometry.
GEOMETRY_SKIP = {"uuid", "type", "label", "attributes", "locked"}


# --- rows from annotations ------------------------------------------------------------------

def annotation_row(task: Task, ann: dict, source: str, position: int) -> Annotation:
    return Annotation(
        task=task, uuid=ann["uuid"], type=ann["type"], label=ann.get("label"),
        geometry={k: v for k, v in ann.items() if k not in GEOMETRY_SKIP},
        attributes=ann.get("attributes", {}), source=source,
        locked=bool(ann.get("locked", False)), position=position,
    )


def annotation_values(task: Task, ann: dict, source: str, position: int) -> dict:
    """annotation_row's column values, for insert_annotations: building 2,000 model
    instances took a submit 16 ms of CPU, these dicts 2 ms."""
    return {"task_id": task.pk, "uuid": ann["uuid"], "type": ann["type"],
            "label": ann.get("label"),
            "geometry": {k: v for k, v in ann.items() if k not in GEOMETRY_SKIP},
            "attributes": ann.get("attributes", {}), "source": source,
            "locked": bool(ann.get("locked", False)), "position": position}


def store(row: Annotation, clean: dict) -> None:
    """Set a row's columns from a checked annotation (a draft's update)."""
    row.type = clean["type"]
    row.label = clean.get("label")
    row.geometry = {k: v for k, v in clean.items() if k not in GEOMETRY_SKIP}
    row.attributes = clean.get("attributes", {})


def insert_prelabels(task: Task, params: dict) -> None:
    """The rows of a task's prelabels: its base annotations, then its hypothesis."""
    rows: list[dict] = []
    sources = (
        (AnnotationSource.BASE, prelabel_list(params, "base_annotations")),
        (AnnotationSource.HYPOTHESIS, prelabel_list(params, "hypothesis")),
    )
    seen: set[str] = set()
    for source, given in sources:
        for ann in given:
            if ann["uuid"] in seen:
                continue  # a base annotation wins over a hypothesis with the same uuid
            seen.add(ann["uuid"])
            rows.append(annotation_values(task, ann, source, len(rows)))
    insert_annotations(rows)


def response_rows(task: Task, annotations: object) -> list[Annotation]:
    """The rows of a response's annotations, as a draft starts from them: the tasker's, except
    those that are the task's base annotations (which keep their source and lock). Malformed
    items and repeated uuids are left out."""
    base = {a["uuid"]: a for a in prelabel_list(task.params, "base_annotations")
            if isinstance(a, dict) and "uuid" in a}
    rows: list[Annotation] = []
    seen: set[str] = set()
    for ann in annotations if isinstance(annotations, list) else []:
        if not isinstance(ann, dict) or not ann.get("uuid") or not ann.get("type"):
            continue
        uuid = str(ann["uuid"])
        if uuid in seen:
            continue
        seen.add(uuid)
        source = AnnotationSource.BASE if uuid in base else AnnotationSource.TASKER
        row = annotation_row(task, {**ann, "uuid": uuid}, source, len(rows))
        row.locked = bool(base.get(uuid, {}).get("locked", False))
        rows.append(row)
    return rows


def replace_annotations(task: Task, annotations: list[dict]) -> None:
    """The task's annotation rows become exactly `annotations`, keeping where each came from
    and whether it was locked."""
    prior = delete_annotations(task.pk)
    rows = []
    for i, ann in enumerate(annotations):
        source, locked = prior.get(ann["uuid"], (AnnotationSource.TASKER, False))
        rows.append(annotation_values(task, {**ann, "locked": locked}, source, i))
    insert_annotations(rows)


# --- writing them ---------------------------------------------------------------------------


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


def _fields() -> list[models.Field]:
    return [f for f in Annotation._meta.concrete_fields if not f.primary_key]


def insert_annotations(rows: Sequence[Annotation | dict]) -> None:
    """Write `rows`: Annotation instances, or dicts of their column values by attribute name
    (annotation_values; a field left out takes its default)."""
    if not rows:
        return
    fields = _fields()
    defaults = {f.attname: f.get_default() for f in fields if f.attname != "task_id"}
    values = [_values(row, fields, defaults) for row in rows]
    if connection.vendor == "postgresql":
        _insert_recordset(values)
    else:
        _insert_many(values)


def _values(row: Annotation | dict, fields: list[models.Field], defaults: dict) -> dict:
    if not isinstance(row, dict):
        return {f.attname: getattr(row, f.attname) for f in fields}
    return row if len(row) == len(fields) else {**defaults, **row}


def _insert_many(rows: list[dict]) -> None:
    fields = _fields()
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Annotation._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    names = [f.attname for f in fields]
    params: list[list[Any]] = [[json_param(row[name]) if name in json_fields else plain(row[name])
               for name in names]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert_recordset(rows: list[dict]) -> None:
    fields = _fields()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    types = ", ".join(f"{quote(f.column)} {_column_type(f)}" for f in fields)
    sql = (f"INSERT INTO {quote(Annotation._meta.db_table)} ({columns}) "
           f"SELECT {columns} FROM json_to_recordset(%s::json) AS r({types})")
    renamed = [(f.column, f.attname) for f in fields if f.column != f.attname]
    # orjson writes an enum member as its value; the rows go as they are when every
    # attribute is named like its column (json_to_recordset matches keys to columns)
    records = [{**row, **{column: row[attname] for column, attname in renamed}}
               for row in rows] if renamed else rows
    with connection.cursor() as cursor:
        cursor.execute(sql, [dumps(records)])


def _column_type(field: models.Field) -> str:
    # json_to_recordset hands a json column the value's text; jsonb would sort its keys
    return "json" if isinstance(field, models.JSONField) else str(field.db_type(connection))


def delete_annotations(task_id: str) -> dict[str, tuple[str, bool]]:
    """Delete a task's annotation rows; returns each one's (source, locked) by uuid. One
    statement (`DELETE … RETURNING`) where the database can, instead of a read and a delete.
    Like a queryset's delete() here (no row points at an annotation): no signals."""
    table = connection.ops.quote_name(Annotation._meta.db_table)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:  # PostgreSQL, SQLite ≥ 3.35
            cursor.execute(f'DELETE FROM {table} WHERE "task_id" = %s '
                           'RETURNING "uuid", "source", "locked"', [task_id])
            found = cursor.fetchall()
        else:
            cursor.execute(f'SELECT "uuid", "source", "locked" FROM {table} '
                           'WHERE "task_id" = %s', [task_id])
            found = cursor.fetchall()
            cursor.execute(f'DELETE FROM {table} WHERE "task_id" = %s', [task_id])
    return {uuid: (source, bool(locked)) for uuid, source, locked in found}
