"""Hot one-row inserts whose SQL is written once instead of compiled on every call.

`Model.objects.create()` has the ORM build an `InsertQuery` and compile it anew for each
row: for the realistic create's task row (42 columns) the compiling cost several times the
`INSERT` itself (docs/performance.md "The write path"). A `RowInsert` writes
`INSERT INTO <table> (<every concrete column>) VALUES (%s, …)` once per database from the
model's metadata, and for each row prepares the values as the ORM does (`pre_save`, then
`get_db_prep_save`, field by field), so a new column needs no change here.

It does what `Model.save()` does for a new row of a plain model (`Model.save_base`: the
related rows' check, `pre_save`, the INSERT marking an atomic block for rollback when it
fails, `post_save`); a row with an expression among its values goes to the ORM's compiler as
in `save()`, and an instance already saved to `save()` itself. It is only for models whose
primary key the caller or its default sets (nothing comes back from the INSERT) and that
inherit from no other concrete model; it refuses any other at first use.

Use it only where a profile says the compiling matters; every other write stays the ORM's.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)


class RowInsert(Generic[M]):
    """`model` may be named ("app_label.Model") where the insert is made before the models
    load."""

    def __init__(self, model: type[M] | str) -> None:
        self._model = model
        self._sql: dict[str, str] = {}  # by the connection's vendor
        self._fields: list[Field] = []

    @property
    def model(self) -> type[M]:
        if isinstance(self._model, str):
            self._model = apps.get_model(self._model)
        return self._model

    def insert(self, obj: M) -> M:
        """Insert `obj`, a new instance of the model, as `obj.save()` would (its signals
        included), and return it."""
        if not obj._state.adding:
            obj.save(force_insert=True)
            return obj
        model = self.model
        alias = router.db_for_write(model, instance=obj)
        connection = connections[alias]
        sql = self._sql.get(connection.vendor) or self._compile(connection)
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        values = [field.pre_save(obj, True) for field in self._fields]
        # as save() does: an error inside an atomic block marks it for rollback
        with transaction.mark_for_rollback_on_error(alias):
            if any(hasattr(value, "resolve_expression") for value in values):
                # an expression is compiled by the ORM, as save() would (_do_insert)
                model._base_manager.using(alias)._insert(  # type: ignore[attr-defined]
                    [obj], fields=self._fields, using=alias)
            else:
                params = [field.get_db_prep_save(value, connection)
                          for field, value in zip(self._fields, values, strict=True)]
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
        obj._state.db = alias
        obj._state.adding = False
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False,
                       using=alias)
        return obj

    def _compile(self, connection) -> str:
        meta = self.model._meta
        if meta.db_returning_fields or meta.auto_field is not None or meta.parents:
            raise ValueError(f"{meta.label}: a RowInsert needs a primary key set before the "
                             "INSERT and no parent model")
        fields = list(meta.local_concrete_fields)
        if any(hasattr(field, "get_placeholder") for field in fields):
            raise ValueError(f"{meta.label}: a column with a placeholder of its own")
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
        self._fields = fields
        self._sql[connection.vendor] = sql
        return sql
