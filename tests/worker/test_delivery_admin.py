"""The deliveries in the admin: the list, one delivery, and the "retry now" action."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tasks import lifecycle
from tasks.models import CallbackDelivery, Task
from tests.worker.conftest import a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


@pytest.fixture
def failed(api, receiver) -> CallbackDelivery:
    receiver.default = 502
    res = api.post("task/imageannotation", box_body(receiver))
    lifecycle.complete_task(Task.objects.get(pk=res.json()["task_id"]), a_response())
    run_jobs()
    delivery = CallbackDelivery.objects.get()
    assert delivery.status == "failed"
    return delivery


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "r@example.com", "pw-12345")
    client.force_login(user)
    return client


def test_list_and_detail_show_the_delivery(admin_client, failed):
    page = admin_client.get("/admin/tasks/callbackdelivery/").content.decode()
    for text in (failed.task_id, failed.url, "Failed", ">20<", ">502<", "Retry now"):
        assert text in page
    detail = admin_client.get(f"/admin/tasks/callbackdelivery/{failed.pk}/change/")
    assert detail.status_code == 200 and "HTTP 502" in detail.content.decode()
    assert admin_client.get("/admin/tasks/callbackdelivery/add/").status_code == 403


def test_retry_now_sends_again(admin_client, failed, receiver):
    receiver.default = 200
    res = admin_client.post("/admin/tasks/callbackdelivery/", {
        "action": "retry_now", "_selected_action": [str(failed.pk)]}, follow=True)
    assert "Queued 1 delivery(ies) to be sent now." in res.content.decode()
    run_jobs()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_status_code) == ("delivered", 1, 200)
    again = admin_client.post("/admin/tasks/callbackdelivery/", {
        "action": "retry_now", "_selected_action": [str(failed.pk)]}, follow=True)
    assert "1 already delivered were left alone" in again.content.decode()
