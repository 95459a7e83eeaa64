"""Statements PostgreSQL must plan for the values they are run with.

A statement run PG_PREPARE_AFTER times on a connection is prepared there
(annotator/settings.py), and PostgreSQL may then run it with one generic plan made for any
values. Such a plan cannot use a partial index whose condition the query only meets through a
parameter: `status = $2` does not prove `status = 'pending'`. A query can name the value itself
(TaskQuerySet.for_customer names 'customer' for the index `task_list_order`); where the plan
also depends on other values, as the claim of a tasker's next task does, the transaction asks
for plans made for the values instead (docs/performance.md "Serving requests").
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.db.models.expressions import RawSQL


def plan_for_values(using: str = "default") -> None:
    """For the rest of the current transaction, plan every statement for its values."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(settings, "PG_PREPARE_AFTER", 0) <= 0:
        return  # SQLite plans each statement for its values; unprepared statements are too
    if connection.get_autocommit():
        raise RuntimeError("plan_for_values() holds for a transaction: call it inside one")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def literal(text: str) -> RawSQL:
    """`text` written into the SQL as a string constant, not sent as a parameter. Only plain
    names (letters, digits, underscores), which need no quoting beyond the quotes."""
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise ValueError(f"not a plain name: {text!r}")
    return RawSQL(f"'{text}'", ())
