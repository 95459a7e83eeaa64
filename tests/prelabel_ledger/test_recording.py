"""The ledger at a tasker's submit: the scripted session through the draft operations and the
workbench's submit, compared by the worker's job, against hand-computed counts."""

from __future__ import annotations

import pytest

from tasks.models import PrelabelLedger, Task
from tests.factories import make_project
from tests.prelabel_ledger.session import (
    MOVED_IOU,
    PRELABELS,
    box,
    claim,
    create,
    scripted_session,
    submit_draft,
)
from tests.worker.conftest import run_jobs

pytestmark = pytest.mark.django_db


def test_the_scripted_session_is_ledgered_with_hand_computed_counts(account, project, tina):
    create(account)
    task = claim(tina, project)
    scripted_session(task, tina)
    ledger = PrelabelLedger.objects.get(task=task)
    assert ledger.status == "pending" and len(ledger.answer) == 7
    assert "compared" in run_jobs()
    ledger.refresh_from_db()
    assert (ledger.status, ledger.answer, ledger.tasker, ledger.model_version) == (
        "done", [], tina, "hypothesis")
    assert (ledger.prelabels, ledger.kept, ledger.moved, ledger.relabelled,
            ledger.attributes_changed, ledger.deleted, ledger.added) == (6, 3, 1, 1, 0, 1, 2)
    assert ledger.iou_count == 4
    assert ledger.iou_sum == pytest.approx(3 + MOVED_IOU, abs=1e-6)
    labels = {t.label: (t.prelabels, t.kept, t.moved, t.relabelled, t.deleted, t.added)
              for t in ledger.labels.all()}
    assert labels == {"car": (4, 3, 1, 0, 0, 0), "bus": (2, 0, 0, 1, 1, 0),
                      "person": (0, 0, 0, 0, 0, 2)}


def test_a_task_without_prelabels_is_not_ledgered(account, project, tina):
    create(account, hypothesis=None)
    task = claim(tina, project)
    submit_draft(task, tina)
    assert not PrelabelLedger.objects.exists()


def test_a_base_annotation_is_no_prelabel_of_the_model(account, project, tina):
    create(account, base_annotations={"annotations": [box("k1", 0)]})
    task = claim(tina, project)
    submit_draft(task, tina)
    run_jobs()
    ledger = PrelabelLedger.objects.get(task=task)
    assert (ledger.prelabels, ledger.kept) == (len(PRELABELS) - 1, len(PRELABELS) - 1)


def test_a_second_run_of_the_job_changes_nothing(account, project, tina):
    create(account)
    task = claim(tina, project)
    submit_draft(task, tina)
    assert "compared" in run_jobs()
    from tasks import jobs

    jobs.compare_prelabels.enqueue(task.pk)
    assert run_jobs() == ["skipped"]
    assert Task.objects.get(pk=task.pk).prelabel_ledger.kept == 6


def test_the_sweeper_queues_a_lost_comparison_again(account, project, tina):
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    from tasks.prelabel_ledger.recording import requeue_uncompared

    create(account)
    task = claim(tina, project)
    submit_draft(task, tina)
    DBTaskResult.objects.all().delete()  # the worker died with the job
    assert requeue_uncompared() == 0  # within the horizon: its job may still be starting
    PrelabelLedger.objects.update(submitted_at=PrelabelLedger.objects.get().submitted_at
                                  - timedelta(minutes=1))
    assert requeue_uncompared() == 1
    assert requeue_uncompared() == 0  # queued once
    assert run_jobs() == ["compared"]
    assert PrelabelLedger.objects.get(task=task).kept == 6


def test_a_submit_that_goes_to_review_is_ledgered_at_the_submit(account, tina):
    from tasks.models import ProjectQuality

    project = make_project(account, "reviewed")
    ProjectQuality.objects.create(project=project, review_mode="all")
    create(account, project="reviewed")
    task = claim(tina, project)
    submit_draft(task, tina)
    task.refresh_from_db()
    assert (task.status, task.stage) == ("pending", "review")
    run_jobs()
    assert PrelabelLedger.objects.get(task=task).kept == len(PRELABELS)


def test_a_test_key_task_is_not_ledgered(account, project):
    from tasks import lifecycle
    from tests.factories import box_task

    lifecycle.create_task(owner=account, is_test=True, task_type="imageannotation",
                          body=box_task(hypothesis={"annotations": PRELABELS}))
    assert not PrelabelLedger.objects.exists()


def test_the_model_version_of_a_backend_prelabel_and_of_a_replica(account, project):
    from tasks.models import Prelabel
    from tasks.prelabel_ledger.recording import model_version_of

    parent = create(account, unique_id="parent")
    replica = Task.objects.create(owner=account, project=project, role="replica", parent=parent,
                                  params=parent.params)
    api = create(account, unique_id="api")
    assert model_version_of(parent) == "hypothesis"
    Prelabel.objects.create(task=parent, status="done", backend_name="det", model_version="")
    assert (model_version_of(parent), model_version_of(replica)) == ("det", "det")
    Prelabel.objects.filter(task=parent).update(model_version="det-7")
    assert model_version_of(replica) == "det-7"
    Prelabel.objects.create(task=api, status="failed", backend_name="det")
    assert model_version_of(api) == "hypothesis"
