"""Consensus replicas (tasks/quality_flow/replicas.py): what a replica row copies of its task,
its prelabels, its cancel; and its media, which are its parent's: the image columns copied by
the attachment worker, the tiles and context images read through quality_flow.media."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult
from PIL import Image

from tasks import attachments, files, jobs, lifecycle, queue, tile_build, tiles
from tasks.models import Annotation, ContextAttachment, Task, TaskRole, TaskStage
from tasks.quality_flow import media, replicas
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

HYPOTHESIS = {"annotations": [{"uuid": "h1", "type": "box", "label": "car", "left": 1,
                               "top": 2, "width": 5, "height": 6}]}


@pytest.fixture(autouse=True)
def small_pyramids(monkeypatch):
    """Tiles of 64 px for images over 100 px, as tests/perf/test_tiles.py."""
    monkeypatch.setattr(tile_build, "TILE_SIZE", 64)
    monkeypatch.setattr(tiles, "THRESHOLD", 100)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def stored(account, width: int, height: int) -> str:
    return files.store_file(owner=account, is_test=False, data=png(width, height),
                            fields={}).attachment_url


def test_replicas_copy_the_task_and_its_prelabels_but_nothing_of_the_customers(account):
    make_project(account, "streets")
    task = lifecycle.create_task(
        owner=account, is_test=False, task_type="imageannotation",
        body=box_task(project="streets", priority=30, unique_id="u-1", instruction="Boxes",
                      callback_url="https://example.com/cb", hypothesis=HYPOTHESIS))
    made = replicas.create(task, 3)
    rows = list(replicas.of(task).order_by("task_id"))
    assert sorted(r.pk for r in made) == [r.pk for r in rows] and len(rows) == 3
    for row in rows:
        assert (row.role, row.stage, row.parent_id, row.status) == (
            TaskRole.REPLICA, TaskStage.WORK, task.pk, "pending")
        assert (row.project_id, row.owner_id, row.priority, row.instruction, row.type) == (
            task.project_id, task.owner_id, 30, "Boxes", "imageannotation")
        assert row.params == task.params and row.created_at == task.created_at
        assert (row.batch_id, row.unique_id, row.callback_url) == (None, None, "")
        assert list(Annotation.objects.filter(task=row).values_list("uuid", "source")) == [
            ("h1", "hypothesis")]
    assert Task.objects.for_customer().count() == 1


def test_canceling_ends_the_pending_replicas(account):
    make_project(account, "streets")
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets"))
    first, *_ = replicas.create(task, 3)
    Task.objects.filter(pk=first.pk).update(status="completed")
    assert replicas.cancel(task) == 2
    assert sorted(replicas.of(task).values_list("status", flat=True)) == [
        "canceled", "canceled", "completed"]


def test_a_replica_shows_its_parents_image_tiles_and_context_images(account, client):
    project = make_project(account, "streets")
    context = stored(account, 8, 6)
    task = lifecycle.create_task(
        owner=account, is_test=False, task_type="imageannotation",
        body=box_task(project="streets", attachment=stored(account, 300, 200),
                      context_attachments=[{"attachment": context}]))
    replicas.create(task, 2)
    Task.objects.filter(pk=task.pk).update(stage=TaskStage.CONSENSUS)
    assert jobs.fetch_for_task(task.task_id) == "stored"
    task.refresh_from_db()
    tasker = make_tasker("tina")
    replica = queue.claim_next(tasker, project)
    assert replica.parent_id == task.pk
    # the worker copied the image columns onto the replicas; tiles and copies stay the parent's
    assert (replica.attachment_file.name, replica.attachment_width, replica.attachment_mime) == (
        task.attachment_file.name, 300, "image/png")
    assert media.source(replica).pk == task.pk and media.source(task) is task
    assert tiles.pyramid_for(replica.task_id) is None
    assert not ContextAttachment.objects.filter(task=replica).exists()
    client.force_login(tasker)
    data = client.get(f"/tasks/{replica.task_id}/data").json()
    assert data["task_id"] == replica.task_id
    assert data["tiles"]["url_template"].startswith(f"/tasks/{replica.task_id}/tiles/")
    tile = client.get(data["tiles"]["url_template"].format(level=3, x=0, y=0))
    assert tile.status_code == 200 and tile["Content-Type"] == "image/jpeg"
    assert [(c["width"], c["height"]) for c in data["context"]] == [(8, 6)]
    image = client.get(f"/tasks/{replica.task_id}/context/0")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert client.get(f"/tasks/{replica.task_id}/image").status_code == 200
    # the parent's own URLs are not the replica holder's
    assert client.get(f"/tasks/{task.task_id}/data").status_code == 403


def test_the_fetch_sweeper_leaves_replicas_to_their_parent(account):
    make_project(account, "streets")
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets"))
    replicas.create(task, 2)
    Task.objects.update(created_at=task.created_at - timedelta(minutes=1))
    DBTaskResult.objects.all().delete()  # the fetch queued by the create: lost
    assert attachments.requeue_unfinished() == 1
    assert jobs.queued_args(jobs.fetch_attachment) == {task.task_id}
