"""The background jobs' backend: django-tasks-db's, with the job's row written by an INSERT
compiled once (tasks/row_writes.py).

Every create enqueues its media fetch in its transaction, and the ORM compiling that
15-column INSERT anew was a tenth of a create's CPU (docs/performance.md "The write path").
The row is the one the library writes: the same model, the same values, read the same way
by its worker; `tests/perf/test_row_writes.py` compares the two."""

from __future__ import annotations

from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult

from tasks.row_writes import RowInsert

_JOB_ROW: RowInsert[DBTaskResult] = RowInsert("django_tasks_database.DBTaskResult")


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task, args, kwargs) -> DBTaskResult:
        # the library's own field list (django_tasks_db/backend.py), its create() replaced
        return _JOB_ROW.insert(DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        ))
