"""The submit's queries compiled once (tasks/query_templates.py, docs/performance.md "The
submit"): each answers what the ORM's queryset answers, for every value it is run again with,
and a template refuses a query whose values it could not put back."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from tasks import lifecycle, queue, submission, workforce
from tasks.api import base as api_base
from tasks.models import Prelabel, PrelabelStatus, Task, TaskAttempt, TaskRole, TaskStage
from tasks.models.quality import ProjectQuality
from tasks.presenters import task_json
from tasks.query_templates import QueryTemplate
from tests.factories import box_task, make_project, make_reviewer, make_tasker

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _task(account, project: str, **extra) -> Task:
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project=project, **extra))


def _two_accounts(account, other_account) -> tuple[Task, Task, User, User]:
    """A task and a tasker in each account: ours and tara, theirs and otto."""
    make_project(account, "ours")
    make_project(other_account, "theirs")
    ours, theirs = _task(account, "ours"), _task(other_account, "theirs")
    return (ours, theirs, make_tasker("tara", account=account),
            make_tasker("otto", account=other_account))


def test_the_openable_task_is_the_orms_for_each_person_and_task(account, other_account):
    ours, theirs, tara, otto = _two_accounts(account, other_account)
    rita = make_reviewer("rita", account=account)
    for user in (tara, otto, rita):
        for task_id in (ours.task_id, theirs.task_id, "no-such-task"):
            slow = workforce.openable_tasks(user).filter(task_id=task_id).first()
            fast = workforce.openable_task(user, task_id)
            assert (fast is None) == (slow is None), (user, task_id)
            if fast is not None:
                assert _fields(fast) == _fields(slow) and not fast._state.adding
    assert workforce.openable_task(tara, theirs.task_id) is None  # another account's work
    assert workforce.openable_task(otto, theirs.task_id).task_id == theirs.task_id


def test_the_locked_read_brings_the_project_batch_and_quality_as_select_related(account):
    project = make_project(account, "p")
    ProjectQuality.objects.create(project=project, review_mode="all", review_percent=40)
    task = _task(account, "p")
    with transaction.atomic():
        fast = submission._HELD.first((), {"task_id": task.task_id})
    slow = Task.objects.select_related("project", "batch", "project__quality").get(pk=task.pk)
    assert _fields(fast) == _fields(slow)
    assert _fields(fast.project) == _fields(slow.project)
    assert _fields(fast.project.quality) == _fields(slow.project.quality)
    with transaction.atomic():
        assert submission._HELD.first((), {"task_id": "no-such-task"}) is None


def test_the_next_claim_is_the_orms_first_candidate_with_skips_assignments_and_holds(
        account):
    project = make_project(account, "p")
    tara = make_tasker("tara", account=account)
    ben = make_tasker("ben", account=account)
    tasks = [_task(account, "p") for _ in range(5)]
    now = timezone.now()
    # the oldest is held back for a prelabel just asked, the next skipped by tara, the third
    # given to ben
    Prelabel.objects.create(task=tasks[0], status=PrelabelStatus.QUEUED)
    TaskAttempt.objects.create(task=tasks[1], root=tasks[1], user=tara, kind="work",
                               claimed_at=now, outcome="released")
    Task.objects.filter(pk=tasks[2].pk).update(assigned_to=ben)
    for user in (tara, ben):
        for assigned_only in (False, True):
            for skipped_too in (False, True):
                key = (False, assigned_only, tuple(queue.waiting_kinds()), skipped_too)
                values = {"user": user, "project": project, "now": now,
                          "since": queue.hold_start(now)}
                with transaction.atomic():
                    fast = queue._FIRST_WORK.first(key, values)
                    slow = queue._first_work(*key, **values).first()
                assert (fast and fast.pk) == (slow and slow.pk), (user, key)
    assert queue.claim_next(tara, project).pk == tasks[3].pk  # not skipped, held, nor ben's
    assert queue.claim_next(ben, project).pk == tasks[2].pk  # given to ben: first


def test_a_template_runs_its_compiled_query_again_with_other_values(account, other_account):
    ours, theirs, tara, otto = _two_accounts(account, other_account)
    assert workforce.openable_task(tara, ours.task_id).pk == ours.pk
    assert workforce.openable_task(otto, theirs.task_id).pk == theirs.pk
    assert workforce.openable_task(otto, ours.task_id) is None
    assert workforce.openable_task(tara, theirs.task_id) is None


def test_the_task_get_shows_is_the_orms_for_each_account_environment_and_role(
        account, other_account):
    """GET one task's compiled read (tasks/api/base.py): the same row, the same JSON columns
    as stored text (an annotation the template sets as the ORM does), the same 404s."""
    make_project(account, "ours")
    make_project(other_account, "theirs")
    live = _task(account, "ours", metadata={"frame": 7}, tags=["a"])
    test = lifecycle.create_task(owner=account, is_test=True, task_type="imageannotation",
                                 body=box_task())
    theirs = _task(other_account, "theirs")
    replica = _task(account, "ours")
    Task.objects.filter(pk=replica.pk).update(role=TaskRole.REPLICA)
    for owner in (account, other_account):
        for is_test in (False, True):
            for task in (live, test, theirs, replica):
                slow = next(iter(api_base._shown_task(is_test, owner=owner,
                                                      task_id=task.task_id)), None)
                fast = api_base._SHOWN_TASK.first((is_test,), {"owner": owner,
                                                               "task_id": task.task_id})
                assert (fast is None) == (slow is None), (owner, is_test, task)
                if fast is not None:
                    assert orjson.dumps(task_json(fast)) == orjson.dumps(task_json(slow))
                    assert fast.get_deferred_fields() == slow.get_deferred_fields()
    shown = api_base._SHOWN_TASK.first((False,), {"owner": account, "task_id": live.task_id})
    assert orjson.loads(shown.raw_json_metadata) == {"frame": 7}  # passed through as text
    assert orjson.loads(orjson.dumps(task_json(shown)))["metadata"] == {"frame": 7}


def test_a_value_written_into_the_sql_or_transformed_is_refused(account):
    make_project(account, "p")
    task = _task(account, "p")
    inlined = QueryTemplate(Task, lambda *, task_id: Task.objects.extra(
        where=[f"task_id <> '{task_id}'"]))
    with pytest.raises(ValueError, match="written into the SQL"):
        inlined.first((), {"task_id": task.task_id})
    by_day = QueryTemplate(Task, lambda *, now: Task.objects.annotate(
        day=TruncDate("created_at")).filter(day=now.date()).values_list("pk")[:1])
    with pytest.raises(ValueError, match="cannot put back"):
        by_day.first((), {"now": timezone.now()})



def test_a_none_value_runs_the_orms_own_query(account):
    """A task without a project: `project=None` is `IS NULL` in the SQL, so the template
    hands that call to the ORM instead of its compiled text."""
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task())
    assert task.project_id is None
    tasker = make_tasker(account=account)
    with transaction.atomic():
        row = queue._CLAIMER.first((TaskStage.REWORK, queue.WORK_STAGES),
                                   {"user": tasker, "project": None, "now": timezone.now()})
    assert row is not None and row[2] is None  # their standing read, nothing held


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_locking_template_refuses_to_run_outside_a_transaction_as_django_does(account):
    """Where the database takes row locks (PostgreSQL) a locking query outside a transaction is
    refused, as Django's own is; SQLite takes none, and there it runs, as Django's does."""
    make_project(account, "p")
    task = _task(account, "p")
    with transaction.atomic():  # compiled inside one
        assert submission._HELD.first((), {"task_id": task.task_id}).pk == task.pk
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            submission._HELD.first((), {"task_id": task.task_id})
    else:
        assert submission._HELD.first((), {"task_id": task.task_id}).pk == task.pk


def test_each_value_of_a_claim_is_the_calls_own(account):
    """The lease a claim checks is the call's `now`, not the first call's."""
    project = make_project(account, "p")
    tara = make_tasker("tara", account=account)
    task = _task(account, "p")
    later = timezone.now() + timedelta(days=2)
    Task.objects.filter(pk=task.pk).update(claimed_by=make_tasker("ben", account=account),
                                           lease_expires_at=timezone.now() + timedelta(days=1))
    key = (False, False, tuple(queue.waiting_kinds()), True)
    with transaction.atomic():
        now = timezone.now()
        assert queue._FIRST_WORK.first(key, {"user": tara, "project": project, "now": now,
                                             "since": queue.hold_start(now)}) is None
        lapsed = queue._FIRST_WORK.first(key, {"user": tara, "project": project, "now": later,
                                               "since": queue.hold_start(later)})
    assert lapsed is not None and lapsed.pk == task.pk
