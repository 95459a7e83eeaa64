"""Task callbacks: the body and headers, retries with backoff, giving up, email, the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tasks import callbacks, lifecycle
from tasks.models import AccountSettings, CallbackDelivery, Task
from tasks.presenters import task_json
from tests.worker.conftest import a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


def create(api, receiver, **extra) -> Task:
    res = api.post("task/imageannotation", box_body(receiver, **extra))
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def complete(task: Task, response: dict | None = None) -> Task:
    return lifecycle.complete_task(task, response or a_response())


def test_completion_posts_the_contract_body_with_auth_and_delivery_id(api, account, receiver):
    task = complete(create(api, receiver))
    delivery = CallbackDelivery.objects.get(task=task)
    expected = {"task_id": task.task_id, "status": "completed", "response": a_response(),
                "task": task_json(Task.objects.get(pk=task.pk))}
    assert delivery.payload == expected

    run_jobs()

    (post,) = receiver.posts()
    assert post.path == "/hook"
    assert post.json() == expected
    assert post.headers["content-type"] == "application/json"
    assert post.headers["scale-callback-auth"] == AccountSettings.for_user(account) \
        .callback_auth_key
    assert post.headers["x-annotator-delivery"] == str(delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1,
                                                                              200)
    assert api.get(f"task/{task.task_id}").json()["callback_succeeded"] is True


def test_account_default_url_applies_and_no_url_sends_nothing(api, account, receiver):
    settings_row = AccountSettings.for_user(account)
    settings_row.default_callback_url = receiver.url("/default")
    settings_row.save()
    complete(create(api, receiver, callback_url=None))
    settings_row.default_callback_url = ""
    settings_row.save()
    silent = complete(create(api, receiver, callback_url=None))
    run_jobs()
    assert [p.path for p in receiver.posts()] == ["/default"]
    assert not CallbackDelivery.objects.filter(task=silent).exists()


@pytest.mark.parametrize("failures", [1, 3])
def test_receiver_failing_n_times_then_200_ends_delivered(api, receiver, failures):
    receiver.answer(*[503] * failures)
    task = complete(create(api, receiver))
    run_jobs()
    posts = receiver.posts()
    assert len(posts) == failures + 1
    assert len({p.headers["x-annotator-delivery"] for p in posts}) == 1
    delivery = CallbackDelivery.objects.get(task=task)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "delivered", failures + 1, 200)
    assert Task.objects.get(pk=task.pk).callback_succeeded is True


def test_twenty_failures_give_up(api, receiver):
    receiver.default = 500
    task = complete(create(api, receiver))
    run_jobs()
    assert len(receiver.posts()) == callbacks.MAX_ATTEMPTS == 20
    delivery = CallbackDelivery.objects.get(task=task)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 20, 500)
    assert "HTTP 500" in delivery.last_error
    assert Task.objects.get(pk=task.pk).callback_succeeded is False


def test_unreachable_receiver_is_retried_later(api, receiver, worker_settings):
    worker_settings.ANNOTATOR_CALLBACK_BACKOFF_BASE = 30
    task = complete(create(api, receiver, callback_url="http://127.0.0.1:9/closed"))
    before = timezone.now()
    run_jobs()
    delivery = CallbackDelivery.objects.get(task=task)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error and delivery.locked_until is None
    assert before + timedelta(seconds=29) < delivery.next_attempt_at
    assert delivery.next_attempt_at < timezone.now() + timedelta(seconds=31)
    queued = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_callback")
    assert [row.run_after for row in queued] == [delivery.next_attempt_at]
    assert Task.objects.get(pk=task.pk).callback_succeeded is None


def test_backoff_schedule_spans_about_a_day():
    delays = [callbacks.retry_delay(n, base=30) for n in range(1, callbacks.MAX_ATTEMPTS)]
    assert delays[:9] == [30, 60, 120, 240, 480, 960, 1920, 3840, 7200]
    assert set(delays[8:]) == {7200} and len(delays) == 19
    assert callbacks.schedule_total(base=30) == 86_850  # 24 h 7 min 30 s
    assert callbacks.schedule_total(base=0) == 0


def test_email_callback_goes_through_the_mail_backend(api, account, receiver, mailoutbox):
    settings_row = AccountSettings.for_user(account)
    settings_row.callback_emails = "Ops@Example.com\n"  # staff allowed it
    settings_row.save()
    task = complete(create(api, receiver, callback_url="ops@example.com"))
    run_jobs()
    (mail,) = mailoutbox
    assert mail.to == ["ops@example.com"]
    assert task.task_id in mail.subject
    delivery = CallbackDelivery.objects.get(task=task)
    import json

    assert json.loads(mail.body) == delivery.payload
    assert delivery.status == "delivered"
    assert Task.objects.get(pk=task.pk).callback_succeeded is True


def test_outbox_row_and_job_roll_back_with_the_change(api, receiver):
    task = create(api, receiver)
    jobs_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        complete(task)
        assert CallbackDelivery.objects.filter(task=task).count() == 1
        assert DBTaskResult.objects.count() == jobs_before + 1
        raise RuntimeError("the change fails after the outbox write")
    assert not CallbackDelivery.objects.exists()
    assert DBTaskResult.objects.count() == jobs_before
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_claim_skips_what_is_not_ours_to_send(api, receiver):
    delivery = CallbackDelivery.objects.get(task=complete(create(api, receiver)))
    now = timezone.now()
    assert callbacks.attempt("not-a-uuid") == "skipped"
    assert callbacks.attempt("00000000-0000-0000-0000-000000000000") == "skipped"
    CallbackDelivery.objects.filter(pk=delivery.pk).update(locked_until=now + timedelta(
        minutes=1))
    assert callbacks.attempt(str(delivery.pk)) == "skipped"  # another worker holds it
    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=None, next_attempt_at=now + timedelta(minutes=5))
    assert callbacks.attempt(str(delivery.pk)) == "skipped"  # a stale job: not due yet
    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=now - timedelta(seconds=1), next_attempt_at=now)
    assert callbacks.attempt(str(delivery.pk)) == "delivered"  # an expired lease is free
    assert callbacks.attempt(str(delivery.pk)) == "skipped"
    assert len(receiver.posts()) == 1


def test_sweeper_requeues_a_delivery_whose_job_was_lost(api, receiver):
    delivery = CallbackDelivery.objects.get(task=complete(create(api, receiver)))
    assert callbacks.requeue_stalled() == 0  # its job is queued
    DBTaskResult.objects.filter(task_path__endswith="deliver_callback").update(
        status="RUNNING", started_at=timezone.now())  # a worker died holding it
    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, locked_until=timezone.now() + timedelta(minutes=1))
    assert callbacks.requeue_stalled() == 0  # the lease is still valid
    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1))
    assert callbacks.requeue_stalled() == 1
    assert callbacks.requeue_stalled() == 0
    run_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.posts()) == 1


def test_retry_now_gives_a_failed_delivery_fresh_tries(api, receiver):
    receiver.default = 500
    task = complete(create(api, receiver))
    run_jobs()
    delivery = CallbackDelivery.objects.get(task=task)
    assert delivery.status == "failed"
    receiver.default = 200
    assert callbacks.retry_now(delivery) is True
    run_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert Task.objects.get(pk=task.pk).callback_succeeded is True
    assert callbacks.retry_now(delivery) is False


def test_test_key_tasks_call_back_too(test_api, receiver):
    res = test_api.post("task/imageannotation", box_body(receiver))
    run_jobs()
    (post,) = receiver.posts()
    assert post.json()["task_id"] == res.json()["task_id"]
    assert post.json()["status"] == "completed"
    assert [r.method for r in receiver.received] == ["POST"]  # no attachment fetch


def test_cancel_sends_no_callback(api, receiver):
    task = create(api, receiver)
    assert api.post(f"task/{task.task_id}/cancel").status_code == 200
    run_jobs()
    assert receiver.posts() == []
    assert not CallbackDelivery.objects.exists()


def test_completing_twice_is_refused(api, receiver):
    task = complete(create(api, receiver))
    with pytest.raises(Exception, match="completed and cannot be completed"):
        complete(task)
    assert CallbackDelivery.objects.filter(task=task).count() == 1


def test_post_timeout_stays_within_the_lease(settings):
    settings.ANNOTATOR_CALLBACK_LEASE_SECONDS = 120
    assert callbacks.lease_seconds() == 120 and callbacks.post_timeout() == 10
    settings.ANNOTATOR_CALLBACK_LEASE_SECONDS = 4
    assert callbacks.lease_seconds() == 4 and callbacks.post_timeout() == 2
