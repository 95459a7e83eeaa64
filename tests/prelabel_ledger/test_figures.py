"""The ledger's figures (tasks/prelabel_ledger/figures.py) for the scripted session and for
working times set by hand, against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks.models import Prelabel, PrelabelLedger
from tasks.prelabel_ledger import figures
from tasks.prelabel_ledger.filters import last_days
from tests.prelabel_ledger.session import (
    MOVED_IOU,
    claim,
    create,
    scripted_session,
    set_work_time,
    submit_draft,
)
from tests.worker.conftest import run_jobs

pytestmark = pytest.mark.django_db


def by_key(rows: list[dict]) -> dict:
    return {row["key"]: row for row in rows}


def test_the_scripted_session_figures(account, project, tina):
    create(account)
    task = claim(tina, project)
    scripted_session(task, tina)
    run_jobs()
    data = figures.report(last_days(project=project.pk))
    totals = data["totals"]
    assert (totals["images"], totals["prelabels"], totals["kept"]) == (1, 6, 3)
    assert totals["acceptance_rate"] == 0.5
    assert totals["mean_iou"] == pytest.approx((3 + MOVED_IOU) / 4, abs=1e-6)
    assert totals["added_per_image"] == 2.0
    labels = by_key(data["by_label"])
    assert labels["car"]["acceptance_rate"] == 0.75
    assert labels["car"]["mean_iou"] == pytest.approx((3 + MOVED_IOU) / 4, abs=1e-6)
    assert (labels["bus"]["acceptance_rate"], labels["bus"]["relabelled"],
            labels["bus"]["deleted"], labels["bus"]["mean_iou"]) == (0.0, 1, 1, None)
    assert (labels["person"]["prelabels"], labels["person"]["acceptance_rate"],
            labels["person"]["added_per_image"]) == (0, None, 2.0)
    assert by_key(data["by_model_version"])["hypothesis"]["acceptance_rate"] == 0.5
    assert by_key(data["by_tasker"])["tina"]["kept"] == 3
    assert by_key(data["by_task"])[task.task_id]["tasker"] == "tina"


def test_time_saved_against_tasks_without_prelabels(account, project, tina):
    """Two tasks with prelabels worked in 60 and 80 s, two without in 100 and 140 s: 70 s
    against 120 s, 50 s saved, 41.67 %."""
    first = create(account, unique_id="p1")
    Prelabel.objects.create(task=first, status="done", model_version="det-v2",
                            backend_name="det")
    create(account, unique_id="p2")
    create(account, hypothesis=None, unique_id="n1")
    create(account, hypothesis=None, unique_id="n2")
    for seconds in (60, 80, 100, 140):
        task = claim(tina, project)
        submit_draft(task, tina)
        set_work_time(task, tina, seconds)
    run_jobs()
    assert PrelabelLedger.objects.get(task=first).model_version == "det-v2"
    data = figures.report(last_days(project=project.pk))
    totals = data["totals"]
    assert (totals["timed_tasks"], totals["work_seconds"], totals["baseline_tasks"],
            totals["baseline_seconds"]) == (2, 70.0, 2, 120.0)
    assert totals["time_saved_seconds"] == 50.0
    assert totals["time_saved_percent"] == pytest.approx(41.67, abs=0.01)
    versions = by_key(data["by_model_version"])
    assert versions["det-v2"]["work_seconds"] in (60.0, 80.0)
    assert versions["det-v2"]["time_saved_seconds"] == 120.0 - versions["det-v2"]["work_seconds"]
    assert by_key(data["by_tasker"])["tina"]["time_saved_seconds"] == 50.0
    assert all(row.get("time_saved_seconds") is None for row in data["by_label"])


def test_without_a_baseline_no_time_is_saved(account, project, tina):
    create(account)
    task = claim(tina, project)
    submit_draft(task, tina)
    set_work_time(task, tina, 30)
    run_jobs()
    totals = figures.report(last_days(project=project.pk))["totals"]
    assert (totals["work_seconds"], totals["baseline_seconds"],
            totals["time_saved_seconds"]) == (30.0, None, None)


def test_the_filters_select_rows(account, project, tina):
    create(account)
    task = claim(tina, project)
    submit_draft(task, tina)
    run_jobs()
    assert figures.report(last_days(model_version="other"))["totals"]["images"] == 0
    assert figures.report(last_days(model_version="hypothesis"))["totals"]["images"] == 1
    PrelabelLedger.objects.update(submitted_at=PrelabelLedger.objects.get().submitted_at
                                  - dt.timedelta(days=40))
    assert figures.report(last_days())["totals"]["images"] == 0
    assert figures.report(last_days(60))["totals"]["images"] == 1
