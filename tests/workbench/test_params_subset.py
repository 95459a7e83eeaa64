"""The keys of `params` that the workbench's data and a draft operation read by SQL live in
`task.params_subset`: a save() after such a read keeps the whole params."""

from __future__ import annotations

import orjson
import pytest
from django.db import transaction

from tasks import drafts, lifecycle, projects
from tasks.models import Task
from tasks.workbench import views
from tests.factories import box_task

pytestmark = pytest.mark.django_db

HYPOTHESIS = {"annotations": [{"type": "box", "uuid": "b1", "label": "car", "left": 1,
                               "top": 2, "width": 30, "height": 40}]}


@pytest.fixture
def task(account):
    projects.create_project(owner=account, is_test=False,
                            body={"type": "imageannotation", "name": "streets"})
    created = lifecycle.create_task(
        owner=account, is_test=False, task_type="imageannotation",
        body=box_task(project="streets", hypothesis=HYPOTHESIS, padding=7,
                      geometries={"box": {"objects_to_annotate": ["car"]}}))
    return Task.objects.get(pk=created.pk)


def test_the_page_reads_a_subset_and_a_save_keeps_the_whole_params(task):
    whole = task.params
    read = views.task_queryset(raw_params=True).get(pk=task.pk)
    params = views.read_params(read, read.raw_params)
    assert params == {"padding": 7}  # the subset: the draft's extras are stored
    assert "params" in read.get_deferred_fields()  # untouched by the read
    read.instruction = "changed"
    read.save()
    stored = Task.objects.get(pk=task.pk)
    assert stored.params == whole and stored.params["hypothesis"]["annotations"]
    assert stored.instruction == "changed"


def test_a_draft_operation_reads_a_subset_and_a_save_keeps_the_whole_params(task):
    whole = task.params
    with transaction.atomic():
        locked = drafts.locked_task(task.task_id)
        subset = locked.params_subset
        assert subset["geometries"] == whole["geometries"] and "hypothesis" not in subset
        assert "params" in locked.get_deferred_fields()
        locked.save()
    assert Task.objects.get(pk=task.pk).params == whole


def test_a_subset_leaves_out_the_keys_a_task_does_not_have(task):
    read = Task.objects.with_params_subset(["padding", "no_such_key"]).get(pk=task.pk)
    assert read.params_subset == {"padding": 7}
    assert read.params == task.params


def test_raw_params_is_the_stored_text_and_only_with_raw_params(task):
    read = Task.objects.with_raw_params().get(pk=task.pk)
    assert orjson.loads(read.raw_params) == task.params
    assert "params" in read.get_deferred_fields()
    with pytest.raises(AttributeError, match="with_raw_params"):
        _ = Task.objects.get(pk=task.pk).raw_params
