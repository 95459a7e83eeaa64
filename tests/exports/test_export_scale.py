"""Scale JSON lines (each line the API's task JSON) and the selection filters."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import orjson
import pytest
from django.utils import timezone

from tasks import projects
from tasks.exports import export_tasks
from tasks.exports.selection import Selection, SelectionError, find_batch
from tests.exports.export_data import completed_test_task, make_project

pytestmark = pytest.mark.django_db


def lines(selection: Selection) -> list[dict]:
    out = io.BytesIO()
    export_tasks(selection.tasks(), "scale", out)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_is_the_api_task_json(account, test_api):
    project = make_project(account)
    tasks = [completed_test_task(account, tags=["night"]), completed_test_task(account)]
    exported = lines(Selection(project=project))
    assert [t["task_id"] for t in exported] == [t.task_id for t in tasks]
    for line in exported:
        assert line == test_api.get(f"task/{line['task_id']}").json()
    assert exported[0]["response"]["annotations"][0]["uuid"] == "box-1"


def test_filters_batch_tags_and_dates(account):
    project = make_project(account)
    projects.create_batch(owner=account, is_test=True, body={"name": "b1",
                                                              "project": "streets"})
    in_batch = completed_test_task(account, batch="b1", tags=["night", "rain"])
    tagged = completed_test_task(account, tags=["night"])
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        future = completed_test_task(account)
    batch = find_batch(project, "b1")

    def ids(**filters) -> list[str]:
        return [t["task_id"] for t in lines(Selection(project=project, **filters))]

    assert ids(batch=batch) == [in_batch.task_id]
    assert ids(tags=("night",)) == [in_batch.task_id, tagged.task_id]
    assert ids(tags=("night", "rain")) == [in_batch.task_id]
    assert ids(completed_after=later - timedelta(hours=1)) == [future.task_id]
    assert ids(completed_before=later - timedelta(hours=1)) == [in_batch.task_id,
                                                               tagged.task_id]


def test_a_batch_of_another_project_is_refused(account):
    project = make_project(account)
    make_project(account, "other")
    projects.create_batch(owner=account, is_test=True, body={"name": "ob",
                                                              "project": "other"})
    with pytest.raises(SelectionError, match="belongs to project"):
        Selection(project=project, batch=find_batch(project, "ob"))
