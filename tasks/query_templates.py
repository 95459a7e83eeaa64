"""Hot ORM queries compiled once per shape, then run again with other values.

Building a queryset from the workforce and queue filters (`Q`, `Exists`, subqueries) and
compiling it cost the submit's next claim and its permission check far more than the
database's answer (docs/performance.md "The submit"). A `QueryTemplate` still has the ORM
build the queryset, from the same functions every other caller uses, so the rules live in one
place; but it builds and compiles it only once per shape (its `key`: whatever changes the SQL
besides the values) and database, and afterwards puts the call's values in the parameter
list and runs the SQL as it is.

The values' places are found by building the queryset twice, with two sets of stand-ins (a
user or project with an impossible primary key, a string and a datetime that nothing else
holds): the SQL must be the same text both times, and every parameter that differs must be
one stand-in (its primary key for a model instance, the backend's form for a datetime).
A stand-in instance holds only its primary key: `build` must not branch on a value's other
attributes (a user's `is_superuser`, say); such a branch is the caller's, and goes into the
key or around the template.
Otherwise a value was written into the SQL or transformed on the way (a `LIMIT` from a value,
a date's day), and the template refuses with ValueError rather than guess. A value that
chooses the shape (a flag) belongs in the key, never in the values; a call with a None value
runs the ORM's query as built, uncompiled.

Rows come back as the ORM's would: model instances by `Model.from_db` with the compiler's
converters, `select_related`'s neighbours (Django's own populators) and the queryset's
annotations set as attributes, or tuples of a `values_list`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

Adapt = Callable[[Any, Any], Any]  # (value, connection) -> the parameter


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, Adapt], ...]  # (position, value's name, its adapter)
    converters: tuple[tuple[int, tuple, Any], ...]  # (column, converters, expression)
    locks: bool  # SELECT … FOR UPDATE: only inside a transaction
    model: type[Model] | None  # None: the rows are values_list tuples
    init_list: tuple[str, ...] = ()
    model_slice: slice = field(default_factory=lambda: slice(0))
    populators: tuple = ()
    annotations: tuple[tuple[str, int], ...] = ()  # (attribute, column)


class QueryTemplate(Generic[M]):
    """`build(*key, **values)` returns the queryset of `model` (its rows or a `values_list`)
    that `first(key, values)` runs; `values` are model instances (compared by primary key),
    strings, integers or aware datetimes (a None runs the ORM's query). The database is the
    router's for reading `model` (this project has one); `model` may be named ("auth.User")
    where the template is made before the models load."""

    def __init__(self, model: type[Model] | str, build: Callable[..., QuerySet]) -> None:
        self._model = model
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self._model) if isinstance(self._model, str) else self._model

    def first(self, key: tuple, values: Mapping[str, Any]) -> Any:
        """The first row of the queryset for `values`, or None. A None among the values
        changes the SQL (`IS NULL`: a task without a project): that call is the ORM's own,
        not compiled here."""
        if None in values.values():
            return next(iter(self.build(*key, **values)), None)
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        compiled = self._compiled.get((alias, key)) or self._compile(alias, key, values)
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for position, name, adapt in compiled.slots:
            params[position] = adapt(values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        return None if row is None else _rowed(compiled, list(row), connection, alias)

    def _compile(self, alias: str, key: tuple, values: Mapping[str, Any]) -> _Compiled:
        connection = connections[alias]
        stand_ins = [_stand_ins(values, n) for n in (1, 2)]
        querysets = [self.build(*key, **s).using(alias) for s in stand_ins]
        if querysets[0].model is not self.model:
            raise ValueError(f"{self.build.__qualname__} builds a queryset of another model")
        compilers = [queryset.query.get_compiler(alias) for queryset in querysets]
        (sql, params_a), (sql_b, params_b) = (c.as_sql() for c in compilers)
        if sql != sql_b or len(params_a) != len(params_b):
            raise ValueError(f"{self.build.__qualname__}{key}: a value is written into the "
                             "SQL itself; put what shapes the query in the key")
        slots = []
        for position, (a, b) in enumerate(zip(params_a, params_b, strict=True)):
            if a != b:
                slots.append((position, *_slot(a, b, stand_ins, connection, self, key)))
        compiled = _described(compilers[0], querysets[0], sql,
                              tuple(params_a), tuple(slots))
        self._compiled[(alias, key)] = compiled
        return compiled


def _described(compiler, queryset: QuerySet, sql: str, params: tuple,
               slots: tuple) -> _Compiled:
    """What running the SQL needs of the compiler that wrote it."""
    query = compiler.query
    fields = [s[0] for s in compiler.select[:compiler.col_count]]
    converters = tuple((i, tuple(convs), expression)
                       for i, (convs, expression) in compiler.get_converters(fields).items())
    locks = bool(query.select_for_update and compiler.connection.features.has_select_for_update)
    if queryset._iterable_class is ValuesListIterable:
        return _Compiled(sql, params, slots, converters, locks, None)
    extras = (queryset._known_related_objects,  # type: ignore[attr-defined]
              queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
    if queryset._iterable_class is not ModelIterable or any(extras):
        raise ValueError("a template returns plain model rows or values_list tuples")
    klass_info = compiler.klass_info
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return _Compiled(
        sql, params, slots, converters, locks, klass_info["model"],
        tuple(f[0].target.attname for f in compiler.select[start:end]), slice(start, end),
        tuple(get_related_populators(klass_info, compiler.select, compiler.using)),
        tuple(compiler.annotation_col_map.items()))


def _rowed(compiled: _Compiled, row: list, connection, alias: str) -> Any:
    for index, converters, expression in compiled.converters:
        value = row[index]
        for convert in converters:
            value = convert(value, expression, connection)
        row[index] = value
    if compiled.model is None:
        return tuple(row)
    instance = compiled.model.from_db(alias, compiled.init_list, row[compiled.model_slice])
    for populator in compiled.populators:
        populator.populate(row, instance)
    for name, column in compiled.annotations:  # as ModelIterable sets them
        setattr(instance, name, row[column])
    return instance


# --- stand-ins ------------------------------------------------------------------------------

def _stand_ins(values: Mapping[str, Any], n: int) -> dict[str, Any]:
    return {name: _stand_in(value, n, i) for i, (name, value) in enumerate(values.items())}


def _stand_in(value: Any, n: int, i: int) -> Any:
    """A value of `value`'s kind that no real row or constant holds."""
    if value is None:
        raise ValueError("a template's values are never None: put that case in the key")
    if isinstance(value, Model):
        return value._meta.model(pk=_stand_in(value.pk, n, i))
    if isinstance(value, bool):
        raise ValueError("a flag shapes the query: put it in the key")
    if isinstance(value, int):
        return -(1_900_000_000 + n * 1000 + i)
    if isinstance(value, str):
        return f"\x1fstand-in {n}.{i}\x1f"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a template's datetimes are aware")
        return datetime(1901, 2, 3, 4, 5, 6, tzinfo=value.tzinfo) + timedelta(
            days=n * 400 + i, microseconds=n * 1000 + i)
    raise ValueError(f"no stand-in for a {type(value).__name__}")


def _adapters() -> dict[str, Adapt]:
    return {
        "raw": lambda value, connection: value.pk if isinstance(value, Model) else value,
        "datetime": lambda value, connection: connection.ops.adapt_datetimefield_value(value),
    }


ADAPTERS = _adapters()


def _slot(a: Any, b: Any, stand_ins: list[dict], connection, template: QueryTemplate,
          key: Hashable) -> tuple[str, Adapt]:
    """The value whose stand-ins gave parameters `a` and `b`, and how to adapt it."""
    for name in stand_ins[0]:
        for adapter in ADAPTERS.values():
            try:
                if (adapter(stand_ins[0][name], connection) == a
                        and adapter(stand_ins[1][name], connection) == b):
                    return name, adapter
            except (AttributeError, TypeError, ValueError):
                continue
    raise ValueError(f"{template.build.__qualname__}{key}: a parameter ({a!r}) comes from a "
                     "value the template cannot put back; put what shapes it in the key")
