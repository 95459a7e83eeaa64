"""The task row's INSERT written once (tasks/row_writes.py, docs/performance.md "The write
path"): the row it writes is the one `save()` writes, its errors are the ORM's, and it hands a
row to `save()` whenever that would do more than one INSERT."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.models import Batch, Task, TaskRole, TaskStage
from tasks.row_writes import RowInsert
from tests.factories import make_project, make_tasker

pytestmark = pytest.mark.django_db


def _stored(task_id: str, *differing: str) -> dict:
    """The stored row, without its primary key and the columns that differ on purpose."""
    row = Task.objects.filter(pk=task_id).values().get()
    for column in ("task_id", *differing):
        row.pop(column)
    return row


def _task(owner: User, **extra) -> Task:
    project = make_project(owner, f"p-{Task.objects.count()}")
    now = timezone.now()
    values = dict(
        owner=owner, is_test=False, type="imageannotation", project=project,
        batch=Batch.objects.create(owner=owner, project=project, name=f"b-{now.timestamp()}"),
        project_param_version=3, instruction="Draw the cars", callback_url="https://e.x/cb",
        params={"attachment": "https://e.x/a.jpg", "geometries": {"box": {"min_width": 2}}},
        metadata={"z": 1, "a": [1, {"b": None}]}, tags=["x", "y"], unique_id="u-1",
        clear_unique_id_on_error=True, priority=30, created_at=now, updated_at=now,
        lease_expires_at=now + timedelta(hours=1), draft_extras={"k": 1},
        role=TaskRole.CUSTOMER, stage=TaskStage.WORK,
        claimed_by=make_tasker(f"t-{now.timestamp()}", account=owner),
    )
    values.update(extra)
    return Task(**values)


def test_the_row_is_the_one_save_writes(account):
    by_orm = _task(account)
    by_orm.save(force_insert=True)
    fast = _task(account, unique_id="u-2")
    inserted = RowInsert(Task).insert(fast)
    assert inserted is fast and not fast._state.adding and fast._state.db == "default"
    differing = ("unique_id", "project_id", "batch_id", "created_at", "updated_at",
                 "lease_expires_at", "claimed_by_id")
    assert _stored(fast.pk, *differing) == _stored(by_orm.pk, *differing)
    assert Task.objects.get(pk=fast.pk).metadata == {"z": 1, "a": [1, {"b": None}]}
    assert list(Task.objects.get(pk=fast.pk).metadata) == ["z", "a"]  # key order kept
    assert Task.objects.get(pk=fast.pk).created_at == fast.created_at


def test_nulls_and_defaults_are_the_models(account):
    fast = RowInsert(Task).insert(Task(owner=account, type="imageannotation"))
    slow = Task(owner=account, type="imageannotation")
    slow.save(force_insert=True)
    fast_row = _stored(fast.pk, "created_at", "updated_at")
    slow_row = _stored(slow.pk, "created_at", "updated_at")
    assert fast_row == slow_row and fast_row["project_id"] is None
    assert fast_row["response"] is None and fast_row["params"] == {}


def test_a_broken_constraint_is_the_orms_integrity_error_and_dooms_the_block(account):
    first = RowInsert(Task).insert(Task(owner=account, type="imageannotation"))
    with pytest.raises(IntegrityError), transaction.atomic():
        RowInsert(Task).insert(Task(task_id=first.task_id, owner=account,
                                    type="imageannotation"))
    with transaction.atomic():
        with contextlib.suppress(IntegrityError):
            RowInsert(Task).insert(Task(task_id=first.task_id, owner=account,
                                        type="imageannotation"))
        # as after save(): the block is marked for rollback, nothing more may run in it
        assert transaction.get_rollback()
    assert Task.objects.filter(owner=account).count() == 1


def test_one_insert_and_nothing_else(account):
    task = Task(owner=account, type="imageannotation")
    with CaptureQueriesContext(connection) as queries:
        RowInsert(Task).insert(task)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]


def test_the_save_signals_are_sent_as_save_sends_them(account):
    heard: list[tuple] = []

    def before(sender, instance, raw, using, update_fields, **kwargs) -> None:
        heard.append(("pre", sender, instance.pk, instance._state.adding, raw, using,
                      update_fields))
        instance.instruction = "set by a listener"  # as django-tasks-db's sets run_after

    def after(sender, instance, created, raw, using, update_fields, **kwargs) -> None:
        heard.append(("post", sender, instance.pk, instance._state.adding, created, raw,
                      using, update_fields))

    pre_save.connect(before, sender=Task, dispatch_uid="row-writes-pre")
    post_save.connect(after, sender=Task, dispatch_uid="row-writes-post")
    try:
        with CaptureQueriesContext(connection) as queries:
            task = RowInsert(Task).insert(Task(owner=account, type="imageannotation"))
    finally:
        pre_save.disconnect(dispatch_uid="row-writes-pre", sender=Task)
        post_save.disconnect(dispatch_uid="row-writes-post", sender=Task)
    assert heard == [("pre", Task, task.pk, True, False, "default", None),
                     ("post", Task, task.pk, False, True, False, "default", None)]
    assert len(queries.captured_queries) == 1
    assert Task.objects.get(pk=task.pk).instruction == "set by a listener"


def test_an_expression_goes_to_the_orms_compiler_and_a_saved_row_to_save(account):
    task = RowInsert(Task).insert(Task(owner=account, type="imageannotation",
                                       priority=Value(7)))
    assert Task.objects.get(pk=task.pk).priority == 7
    with pytest.raises(ValueError, match=r"F\(\) expressions can only be used to update"), \
            transaction.atomic():
        RowInsert(Task).insert(Task(owner=account, type="imageannotation",
                                    priority=F("priority")))
    again = Task.objects.get(pk=task.pk)
    again.instruction = "saved once already"
    # a stored row: save(force_insert=True) tries to insert it again
    with pytest.raises(IntegrityError), transaction.atomic():
        RowInsert(Task).insert(again)


def test_an_unsaved_related_row_is_refused_as_save_refuses_it(account):
    project = make_project(account, "kept")
    project.pk = None
    with pytest.raises(ValueError, match="unsaved related object"):
        RowInsert(Task).insert(Task(owner=account, type="imageannotation", project=project))


def test_a_model_with_a_primary_key_from_the_database_is_refused(account):
    from tasks.models import Batch as AutoKeyed  # an AutoField primary key

    with pytest.raises(ValueError, match="primary key set before"):
        RowInsert(AutoKeyed).insert(AutoKeyed(owner=account, name="n"))


def test_the_job_row_is_the_one_the_library_writes():
    """tasks/job_backend.py writes the job with a RowInsert; the library's own method, run
    beside it, writes the same row."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend as LibraryBackend
    from django_tasks_db.models import DBTaskResult

    from tasks.job_backend import DatabaseBackend
    from tasks.jobs import fetch_attachment

    backend = task_backends["default"]
    assert type(backend) is DatabaseBackend
    later = timezone.now() + timedelta(minutes=5)
    for job in (fetch_attachment, fetch_attachment.using(priority=7, run_after=later)):
        ours = backend._task_to_db_task(job, ("t-1",), {"k": [1, "x"]})
        theirs = LibraryBackend._task_to_db_task(backend, job, ("t-1",), {"k": [1, "x"]})
        rows = [DBTaskResult.objects.filter(pk=row.pk).values().get() for row in (ours, theirs)]
        for row in rows:
            row.pop("id")
            row.pop("enqueued_at")
        assert rows[0] == rows[1]
        assert rows[0]["args_kwargs"] == {"args": ["t-1"], "kwargs": {"k": [1, "x"]}}
        assert ours.task_result.task.func is fetch_attachment.func  # its worker reads it back
    result = fetch_attachment.enqueue("t-2")  # through the library's enqueue
    assert DBTaskResult.objects.get(pk=result.id).args_kwargs["args"] == ["t-2"]
