"""Hot one-row reads whose SQL is written once instead of compiled on every call.

The ORM compiles a queryset's SQL anew each time it runs: for the realistic create's three
lookups (its project, the project's latest params, the uploaded image) the compiling cost
several times the query itself (docs/performance.md "The write path"). A `RowRead` selects
one row of a model — and, optionally, the row of a one-to-one neighbour that points at it,
as `select_related` would — by equal columns, with the model's own column list, parameter
preparation and converters, and builds the instances with `Model.from_db` as a queryset
does. The SQL is made from the models' metadata, so a new column needs no change here.

Use it only where a profile says the compiling matters; every other read stays the ORM's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    """One model's columns in the SELECT: their attnames and each one's converters."""

    model: type[Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (index, converters, col)


class RowRead(Generic[M]):
    """`SELECT <model's columns> FROM <table> WHERE a = %s AND b = %s … [ORDER BY …] LIMIT 1`.

    `where`: field names (a foreign key by its name: `owner`, compared by primary key).
    `order_by`: one field name, `-` for descending. `reverse_one`: (the neighbour's model, its
    one-to-one field's name, the accessor on `model`) — the neighbour is LEFT JOINed and
    cached on the instance, None when it has no row, as `select_related(accessor)` does.
    """

    def __init__(self, model: type[M], where: Sequence[str], *, order_by: str = "",
                 reverse_one: tuple[type[Model], str, str] | None = None) -> None:
        self.model = model
        self.where = [_field(model, name) for name in where]
        self.order_by = order_by
        self.reverse_one = reverse_one
        self._compiled: dict[str, tuple[str, list[_Part]]] = {}

    def get(self, *values: object) -> M | None:
        """The row whose `where` fields equal `values`, or None. A value the field cannot
        hold (a malformed uuid) raises the field's ValidationError, as a queryset would."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql, parts = self._compiled.get(connection.vendor) or self._compile(connection)
        params = [field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)
                  for field, value in zip(self.where, values, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        objects: list[Model | None] = []
        start = 0
        for part in parts:
            values_ = list(row[start:start + len(part.attnames)])
            start += len(part.attnames)
            for index, converters, col in part.converters:
                for convert in converters:
                    values_[index] = convert(values_[index], col, connection)
            objects.append(None if values_[0] is None else
                           part.model.from_db(alias, part.attnames, values_))
        main = objects[0]
        assert main is not None  # a primary key is never NULL
        if self.reverse_one is not None:
            neighbour, link, accessor = self.reverse_one
            other = objects[1]
            if other is not None:
                other._state.fields_cache[link] = main
            main._state.fields_cache[accessor] = other
        return main  # type: ignore[return-value]

    def _compile(self, connection) -> tuple[str, list[_Part]]:
        quote = connection.ops.quote_name
        table = self.model._meta.db_table
        parts = [_part(self.model, table, connection)]
        columns = _columns(self.model, table, quote)
        joins = ""
        if self.reverse_one is not None:
            neighbour, link, _accessor = self.reverse_one
            other = neighbour._meta.db_table
            parts.append(_part(neighbour, other, connection))
            columns += ", " + _columns(neighbour, other, quote)
            link_column = _field(neighbour, link).column
            joins = (f" LEFT OUTER JOIN {quote(other)} ON {quote(other)}.{quote(link_column)}"
                     f" = {quote(table)}.{quote(self.model._meta.pk.column)}")
        conditions = " AND ".join(f"{quote(table)}.{quote(field.column)} = %s"
                                  for field in self.where)
        order = ""
        if self.order_by:
            name = self.order_by.lstrip("-")
            direction = " DESC" if self.order_by.startswith("-") else " ASC"
            order = (f" ORDER BY {quote(table)}."
                     f"{quote(_field(self.model, name).column)}{direction}")
        sql = f"SELECT {columns} FROM {quote(table)}{joins} WHERE {conditions}{order} LIMIT 1"
        self._compiled[connection.vendor] = (sql, parts)
        return sql, parts


def _field(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, Field), (model, name)  # a concrete column, not a relation's far end
    return field


def _fields(model: type[Model]) -> list[Field]:
    return list(model._meta.concrete_fields)


def _columns(model: type[Model], table: str, quote: Callable[[str], str]) -> str:
    return ", ".join(f"{quote(table)}.{quote(field.column)}" for field in _fields(model))


def _part(model: type[Model], table: str, connection) -> _Part:
    """The model's attnames, primary key first (a NULL there is a missing joined row), and
    the converters the ORM's compiler would apply to each column."""
    fields = _fields(model)
    assert fields[0].primary_key, model
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), col))
    return _Part(model, tuple(field.attname for field in fields), tuple(converters))
