"""What a database holds after its migrations, as plain data to compare (tests/test_migrations.py):
its tables with their columns, indexes and constraints as Django's introspection reads them,
the migrations recorded as applied, and the groups with their permissions."""

from __future__ import annotations

import re
from typing import Any


def _constraint_key(name: str, found: dict[str, Any]) -> str:
    # SQLite numbers a column's own CHECK and its foreign keys by their place in the table; the
    # same constraint on a column placed elsewhere gets another number, so its columns name it.
    columns = ",".join(found["columns"])
    if name.startswith("__unnamed_constraint_"):
        return f"unnamed check on {columns}"
    if re.fullmatch(r"fk_\d+", name):
        return f"foreign key on {columns}"
    return name


def _table(introspection, cursor, table: str) -> dict[str, Any]:
    columns = {info.name: [str(info.type_code), info.null_ok, info.default, info.internal_size,
                           info.precision, info.scale, info.collation,
                           getattr(info, "is_autofield", None)]  # PostgreSQL's identity
               for info in introspection.get_table_description(cursor, table)}
    constraints = {_constraint_key(name, found): {key: found.get(key) for key in (
        "columns", "primary_key", "unique", "foreign_key", "check", "index", "type", "orders")}
        for name, found in introspection.get_constraints(cursor, table).items()}
    return {"columns": columns, "constraints": constraints}


def describe(connection) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    introspection = connection.introspection
    with connection.cursor() as cursor:
        tables = sorted(info.name for info in introspection.get_table_list(cursor)
                        if info.type == "t")
        described = {table: _table(introspection, cursor, table) for table in tables}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied = [list(row) for row in cursor.fetchall()]
    groups = {group.name: sorted(group.permissions.values_list("codename", flat=True))
              for group in Group.objects.all()}
    return {"tables": described, "migrations": applied, "groups": groups}
