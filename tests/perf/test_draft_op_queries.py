"""A draft operation reads only the keys of the task's params its rules need and only the
annotations it names: the same queries (none reading the whole `params` or the whole draft)
whether the hypothesis has 2 or 2,000 annotations."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import drafts, lifecycle, presence, queue
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

ATTRIBUTES = {"weather": {"choices": ["sun", "rain"], "conditions": {"is_global": True}},
              "follows": {"type": "linked"}}
LINKS = {"follows": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["car"]}]}


def boxes(n: int) -> list[dict]:
    return [{"uuid": f"h{i:05d}", "type": "box", "label": "car", "left": i % 500, "top": 10,
             "width": 20, "height": 20} for i in range(n)]


@pytest.fixture
def tasker(db, account):
    return make_tasker("tara")


def claimed(account, tasker, name: str, n: int):
    project = make_project(account, name)
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project=name, annotation_attributes=ATTRIBUTES,
                                        links=LINKS, hypothesis={"annotations": boxes(n)}))
    return queue.claim_next(tasker, project)


def ops() -> list[dict]:
    new = {"uuid": "new-1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 30,
           "height": 30}
    return [
        {"op": "add", "annotation": new},
        {"op": "update", "uuid": "new-1", "before": {}, "after": {"left": 5}, "base_version": 1},
        {"op": "update", "uuid": "new-1", "before": {}, "after": {"attributes": {
            "follows": "h00001"}}, "base_version": 2},
        {"op": "set_extras", "key": "global_attributes", "after": {"weather": "sun"}},
        {"op": "set_extras", "key": "links",
         "after": [{"label": "follows", "from": "new-1", "to": "h00001"}]},
        {"op": "batch", "ops": [
            {"op": "delete", "annotation": new, "base_version": 3},
            {"op": "set_extras", "key": "links", "after": []}]},
    ]


def run_ops(task, tasker) -> list[list[str]]:
    drafts.prelabels.cache_clear()
    presence.open_session(task.task_id, tasker, "s1", "t1", "chan")
    seen = []
    for seq, op in enumerate(ops(), start=1):
        with CaptureQueriesContext(connection) as captured:
            reply = drafts.apply_op(task.task_id, tasker, "s1", "chan", seq, op)
        assert reply["type"] == "ack", reply
        seen.append([q["sql"] for q in captured.captured_queries])
    return seen


def test_draft_ops_do_not_grow_with_the_hypothesis_nor_read_the_params(account, tasker):
    small = run_ops(claimed(account, tasker, "small", 2), tasker)
    big = run_ops(claimed(account, tasker, "big", 2000), tasker)
    assert [len(q) for q in small] == [len(q) for q in big]
    assert max(len(q) for q in big) <= 16
    for n, op_queries in enumerate(big):
        for sql in op_queries:
            assert not reads_whole_params(sql), sql
            # only the first add reads the prelabels; later ones find them in the cache
            assert n == 0 or "hypothesis" not in sql, sql
            assert not reads_whole_draft(sql), sql


PARAM_KEY = re.compile(r'JSON_(TYPE|EXTRACT)\("tasks_task"\."params"|"tasks_task"\."params" ->')


def reads_whole_draft(sql: str) -> bool:
    """A SELECT of annotation rows not narrowed to some uuids (an aggregate is fine)."""
    return (sql.startswith("SELECT") and 'FROM "tasks_annotation"' in sql and "MAX(" not in sql
            and '"tasks_annotation"."uuid" IN' not in sql
            and '"tasks_annotation"."uuid" =' not in sql)


def reads_whole_params(sql: str) -> bool:
    return '"tasks_task"."params"' in PARAM_KEY.sub("", sql)
