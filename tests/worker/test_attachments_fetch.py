"""Attachments are fetched once and kept; a failure ends the task in error."""

from __future__ import annotations

import time

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from tasks import attachments, jobs
from tasks.models import CallbackDelivery, ContextAttachment, Task
from tests.worker.conftest import box_body, png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


def create(api, body: dict) -> Task:
    res = api.post("task/imageannotation", body)
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def test_image_and_context_images_are_fetched_and_kept(api, receiver):
    context = receiver.serve_file("/context.png", png_bytes(8, 6))
    task = create(api, box_body(receiver, context_attachments=[{"attachment": context}]))
    assert task.attachment_mime == ""
    assert run_jobs() == ["stored"]
    task.refresh_from_db()
    assert (task.attachment_width, task.attachment_height, task.attachment_mime) == (
        40, 30, "image/png")
    with default_storage.open(task.attachment_file.name, "rb") as handle:
        assert handle.read() == png_bytes()
    (copy,) = ContextAttachment.objects.filter(task=task)
    assert (copy.url, copy.width, copy.height, copy.mime_type) == (context, 8, 6, "image/png")
    assert default_storage.exists(copy.file.name)
    # each once (at the same time: in either order)
    assert sorted(r.path for r in receiver.received) == ["/context.png", "/image.png"]
    # Fetched once: running the job again changes nothing.
    assert jobs.fetch_for_task(task.task_id) == "skipped"
    assert len(receiver.received) == 2


def test_a_404_ends_the_task_in_error_with_the_contract_shape(api, receiver):
    missing = receiver.url("/missing.png")
    task = create(api, box_body(receiver, attachment=missing, unique_id="img-1",
                                clear_unique_id_on_error=True))
    assert run_jobs() == ["error", "delivered"]
    task.refresh_from_db()
    expected = {"error": "One or more attachments could not be downloaded.",
                "attachments": [{"statusCode": 404, "url": missing}]}
    assert task.status == "error" and task.response == expected
    assert task.unique_id is None
    body = receiver.posts()[0].json()
    assert (body["status"], body["response"]) == ("error", expected)
    assert "unique_id" not in body["task"]
    assert CallbackDelivery.objects.get(task=task).event == "error"
    assert api.get(f"task/{task.task_id}").json()["response"] == expected
    assert api.post("task/imageannotation", box_body(receiver, unique_id="img-1")) \
        .status_code == 200


def test_unique_id_is_kept_unless_asked(api, receiver):
    task = create(api, box_body(receiver, attachment=receiver.url("/gone.png"),
                                unique_id="img-2"))
    run_jobs()
    task.refresh_from_db()
    assert (task.status, task.unique_id) == ("error", "img-2")


def test_every_failing_attachment_is_listed(api, receiver, settings):
    not_image = receiver.serve_file("/text.png", b"hello", content_type="text/plain")
    refused = "http://10.1.2.3/private.png"
    allowed = list(settings.ANNOTATOR_FETCH_ALLOW)
    settings.ANNOTATOR_FETCH_ALLOW = [*allowed, "10.0.0.0/8"]  # at create only
    task = create(api, box_body(receiver, attachment=not_image,
                                context_attachments=[{"attachment": refused}]))
    settings.ANNOTATOR_FETCH_ALLOW = allowed
    run_jobs()
    task.refresh_from_db()
    assert task.response["attachments"] == [{"statusCode": 200, "url": not_image},
                                            {"statusCode": None, "url": refused}]


def test_a_failing_context_image_discards_the_copies_made(api, receiver):
    task = create(api, box_body(receiver, context_attachments=[
        {"attachment": receiver.url("/nope.png")}]))
    run_jobs()
    task.refresh_from_db()
    assert task.status == "error" and not task.attachment_file
    assert not default_storage.exists(f"attachments/{task.task_id}/0.png")


def test_uploaded_files_need_no_network(api, receiver):
    upload = api.client.post("/v1/files/upload", {"file": _named(png_bytes(12, 7))})
    assert upload.status_code == 200, upload.content
    url = upload.json()["attachment_url"]
    task = create(api, box_body(receiver, attachment=url))
    assert run_jobs() == ["stored"]
    task.refresh_from_db()
    assert (task.attachment_width, task.attachment_height, task.attachment_mime) == (
        12, 7, "image/png")
    assert default_storage.exists(task.attachment_file.name)
    assert receiver.received == []


def test_test_key_tasks_fetch_nothing(test_api, receiver):
    test_api.post("task/imageannotation", box_body(receiver, callback_url=None))
    assert not DBTaskResult.objects.filter(task_path__endswith="fetch_attachment").exists()


def test_sweeper_requeues_a_fetch_that_never_finished(api, receiver):
    task = create(api, box_body(receiver))
    Task.objects.filter(pk=task.pk).update(created_at=task.created_at.replace(year=2020))
    assert attachments.requeue_unfinished() == 0  # its job is still queued
    DBTaskResult.objects.filter(task_path__endswith="fetch_attachment").update(
        status="RUNNING", started_at=task.created_at.replace(year=2020))  # its worker died
    assert attachments.requeue_unfinished() == 1
    assert attachments.requeue_unfinished() == 0
    assert run_jobs() == ["stored"]
    assert attachments.requeue_unfinished() == 0


def test_attachments_are_fetched_a_few_at_a_time(api, receiver):
    contexts = [{"attachment": receiver.serve_file(f"/c{i}.png", png_bytes(), delay=1.0)}
                for i in range(8)]
    task = create(api, box_body(receiver, context_attachments=contexts))
    started = time.monotonic()
    assert run_jobs() == ["stored"]
    # one after another: 8 s; four at a time: 2 s
    assert time.monotonic() - started < 6
    assert ContextAttachment.objects.filter(task=task).count() == 8


def test_a_task_gets_its_deadline_for_all_its_fetches(api, receiver, monkeypatch):
    monkeypatch.setattr("tasks.fetch_pool.TASK_DEADLINE_SECONDS", 1.5)
    contexts = [{"attachment": receiver.serve_file(f"/slow{i}.png", png_bytes(), delay=5.0)}
                for i in range(6)]
    task = create(api, box_body(receiver, context_attachments=contexts))
    started = time.monotonic()
    assert run_jobs()[0] == "error"  # then its error callback
    assert time.monotonic() - started < 4.5
    task.refresh_from_db()
    failed = task.response["attachments"]
    assert len(failed) == 6 and {f["statusCode"] for f in failed} == {None}


def _named(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("small.png", data, content_type="image/png")
