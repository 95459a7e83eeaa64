"""The two queries whose cost could grow with a project's or an account's tasks walk their
index in the order they return, on either database (annotator/backends/plans.py,
docs/performance.md "Serving requests"):

- a tasker's claim walks `task_stage_queue` and takes the first free task: no pending task of
  the project is sorted, and on PostgreSQL the claim is planned for its values even on a
  connection that would otherwise run its prepared statement with a generic plan;
- a page of the customer's tasks walks `task_list_order`, on PostgreSQL even with a generic
  plan, which can use that partial index only because the query names the role itself.

The tests read plans, not times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from annotator.backends.plans import literal, plan_for_values
from tasks import lifecycle, queue
from tasks.models import Project, Task
from tests.factories import box_task, key_client, make_project, make_tasker

pytestmark = pytest.mark.django_db

PENDING = 600  # enough that a sort of them would be the planner's choice


def _big_project(account) -> Project:
    """A project of PENDING free tasks, copies of one created the usual way."""
    make_project(account, "big")
    first = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                  body=box_task(project="big"))
    copies = []
    for n in range(PENDING - 1):
        copy = Task.objects.get(pk=first.pk)
        copy.task_id = f"{n:024x}"
        copy.created_at = first.created_at + timedelta(milliseconds=n + 1)
        copies.append(copy)
    Task.objects.bulk_create(copies)
    return Project.objects.get(pk=first.project_id)


@contextmanager
def _sent(match) -> Iterator[list[tuple[str, list]]]:
    """The statements sent meanwhile that `match(sql)` picks, with their values."""
    found: list[tuple[str, list]] = []

    def record(execute, sql, params, many, context):
        if match(sql):
            found.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield found


def _is_claim(sql: str) -> bool:
    return sql.startswith("SELECT") and '"tasks_task"."stage" IN' in sql and "LIMIT 1" in sql


def _is_page(sql: str) -> bool:
    return sql.startswith('SELECT "tasks_task"."task_id"') and "LIMIT" in sql


def _claims(account, project: Project, count: int) -> tuple[str, list]:
    """`count` taskers each start work in the project: the last claim's query and values."""
    with _sent(_is_claim) as sent:
        for n in range(count):
            tasker = make_tasker(f"claimer{n}", account=account)
            project.taskers.add(tasker)
            assert queue.claim_next(tasker, project) is not None
    assert sent, "no claim query was seen"
    return sent[-1]


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _prepared(sql: str, params: list) -> tuple[str, int, int]:
    """The name PostgreSQL gave `sql` prepared on this connection, its generic and its
    custom plans so far."""
    numbered = iter(range(1, len(params) + 1))
    statement = re.sub("%s", lambda _: f"${next(numbered)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement = %s", [statement])
        found = cursor.fetchone()
    assert found is not None, "the statement was not prepared"
    return found


def _postgres_plan(name: str, params: list) -> list[str]:
    """The plan of the prepared statement `name` for `params`: its nodes as "type index"."""
    from psycopg import sql as pg_sql

    values = pg_sql.SQL(", ").join(pg_sql.Literal(value) for value in params)
    with connection.cursor() as cursor:
        cursor.cursor.execute(pg_sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE {}({})").format(
            pg_sql.Identifier(name), values))
        plan = cursor.fetchone()[0]
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    return [f"{node['Node Type']} {node.get('Index Name', '')}" for node in _nodes(root)]


def _sqlite_plan(sql: str, params: list) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def _sorts(plan: list[str]) -> bool:
    return any(step.startswith(("Sort", "Incremental Sort")) or "TEMP B-TREE" in step
               for step in plan)


@contextmanager
def _generic_plans_preferred() -> Iterator[None]:
    """This connection runs a prepared statement with its generic plan, as PostgreSQL may
    choose to on its own once the statement has been prepared a while."""
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")


def test_a_claim_walks_the_index_in_order_and_sorts_no_pending_task(account):
    project = _big_project(account)
    if connection.vendor == "sqlite":
        plan = _sqlite_plan(*_claims(account, project, 2))
    else:
        with _generic_plans_preferred():
            # run often enough to be prepared on this connection (annotator/settings.py)
            sql, params = _claims(account, project, settings.PG_PREPARE_AFTER + 3)
            name, generic, custom = _prepared(sql, params)
            assert generic == 0 and custom >= 3, (generic, custom)
            with transaction.atomic():
                plan_for_values()  # as the claim does
                plan = _postgres_plan(name, params)
    assert not _sorts(plan), plan
    assert any("task_stage_queue" in step for step in plan), plan


def test_a_page_of_tasks_walks_the_list_index_even_with_a_generic_plan(account):
    _big_project(account)
    api = key_client(account)
    runs = getattr(settings, "PG_PREPARE_AFTER", 0) + 3
    with _sent(_is_page) as sent:
        for _ in range(runs):
            page = api.get("/v1/tasks?limit=10")
            assert page.status_code == 200 and len(page.json()["docs"]) == 10
    sql, params = sent[-1]
    assert "'customer'" in sql, sql  # the role is in the SQL, not among the values
    if connection.vendor == "sqlite":
        plan = _sqlite_plan(sql, params)
    else:
        with _generic_plans_preferred():
            plan = _postgres_plan(_prepared(sql, params)[0], params)
            assert plan[0].startswith("Limit"), plan
    assert not _sorts(plan), plan
    assert any("task_list_order" in step for step in plan), plan


def test_only_a_plain_name_is_written_into_the_sql():
    assert literal("customer").sql == "'customer'"
    for text in ("it's", "a b", "", "naïve", "x'); DROP TABLE tasks_task; --"):
        with pytest.raises(ValueError, match="not a plain name"):
            literal(text)


def _plan_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_plans_for_values_hold_for_one_transaction():
    if connection.vendor == "sqlite":  # it plans each statement for its values: nothing sent
        with CaptureQueriesContext(connection) as sent, transaction.atomic():
            plan_for_values()
        assert [q["sql"] for q in sent.captured_queries] == ["BEGIN IMMEDIATE", "COMMIT"]
        return
    with pytest.raises(RuntimeError, match="inside one"):
        plan_for_values()  # outside a transaction it would hold for nothing
    with transaction.atomic():
        plan_for_values()
        assert _plan_mode() == "force_custom_plan"
    assert _plan_mode() == "auto"  # the next transaction plans as PostgreSQL chooses
