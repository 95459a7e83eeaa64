"""CSRF on every session endpoint: a request without the token changes nothing (403); the same
request with it (form field or the X-CSRFToken header the workbench sends) goes through. The
session socket refuses pages of other origins."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import Client
from django.urls import reverse

from tasks.models import Task
from tasks.workbench.urls import urlpatterns
from tests.security.conftest import BOX

pytestmark = pytest.mark.django_db

# Every route of the workbench, and whether it changes anything (POST only) or only reads.
CHANGING = {"start-next", "submit-task", "skip-task", "start-next-review", "review-decide",
            "assist"}
# A page with a form: GET shows it, POST (with the token: tests/workforce/test_invite_page.py)
# changes.
FORMS = {"invite"}
READING = {"queue", "work", "task-data", "task-image", "task-tile", "task-context",
           "task-frame", "task-mask", "review-queue", "review", "training-result",
           "training-result-json"}


@pytest.fixture
def browser(tasker) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tasker)
    return client


def token(client: Client) -> str:
    client.get("/")  # the queue page sets the cookie, as a browser would get it
    return client.cookies["csrftoken"].value


def test_every_workbench_route_is_covered_here():
    assert {p.name for p in urlpatterns} == CHANGING | READING | FORMS


def test_reading_routes_take_no_post(browser, leased):
    for name in READING:
        args = {"queue": [], "review-queue": [], "task-context": [leased.task_id, 0],
                "task-frame": [leased.task_id, 0],
                "task-tile": [leased.task_id, 0, 0, 0]}.get(name, [leased.task_id])
        res = browser.post(reverse(name, args=args), {"csrfmiddlewaretoken": token(browser)})
        assert res.status_code == 405, name


def test_start_next_needs_the_token(browser, project, account):
    from tasks import lifecycle
    from tests.factories import box_task

    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets"))
    assert browser.post(f"/projects/{project.pk}/start").status_code == 403
    assert Task.objects.get(pk=task.pk).claimed_by is None
    res = browser.post(f"/projects/{project.pk}/start", {"csrfmiddlewaretoken": token(browser)})
    assert res.status_code == 302 and Task.objects.get(pk=task.pk).claimed_by is not None


def test_submit_needs_the_token_the_workbench_sends_as_a_header(browser, leased):
    body = json.dumps({"annotations": [BOX]})
    url = f"/tasks/{leased.task_id}/submit"
    res = browser.post(url, body, content_type="application/json")
    assert res.status_code == 403
    assert Task.objects.get(pk=leased.pk).status == "pending"
    res = browser.post(url, body, content_type="application/json",
                       headers={"X-CSRFToken": token(browser)})
    assert res.status_code == 200, res.content
    assert Task.objects.get(pk=leased.pk).status == "completed"


def test_skip_needs_the_token(browser, leased, tasker):
    url = f"/tasks/{leased.task_id}/skip"
    assert browser.post(url).status_code == 403
    assert Task.objects.get(pk=leased.pk).claimed_by == tasker
    assert browser.post(url, {"csrfmiddlewaretoken": token(browser)}).status_code == 302
    assert Task.objects.get(pk=leased.pk).claimed_by is None


def test_a_token_from_another_session_is_refused(browser, leased, other_tasker):
    stranger = Client(enforce_csrf_checks=True)
    stranger.force_login(other_tasker)
    foreign = token(stranger)
    assert token(browser) != foreign  # the browser has a cookie of its own
    res = browser.post(f"/tasks/{leased.task_id}/skip", {"csrfmiddlewaretoken": foreign})
    assert res.status_code == 403


def test_login_and_logout_need_the_token(tasker):
    anonymous = Client(enforce_csrf_checks=True)
    res = anonymous.post("/accounts/login/", {"username": "tina", "password": "pw-tina-1"})
    assert res.status_code == 403
    anonymous.get("/accounts/login/")
    res = anonymous.post("/accounts/login/", {"username": "tina", "password": "pw-tina-1",
                                              "csrfmiddlewaretoken":
                                                  anonymous.cookies["csrftoken"].value})
    assert res.status_code == 302
    assert anonymous.post("/accounts/logout/").status_code == 403
    assert anonymous.get("/").status_code == 200  # still logged in
    assert anonymous.post("/accounts/logout/", {"csrfmiddlewaretoken": token(anonymous)}) \
        .status_code == 302
    assert anonymous.get("/").status_code == 302


def test_admin_changes_need_the_token(staff, leased):
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(staff)
    url = reverse("admin:tasks_task_change", args=[leased.task_id])
    res = admin.post(url, {"priority": 10, "instruction": "changed", "callback_url": ""})
    assert res.status_code == 403
    assert Task.objects.get(pk=leased.pk).instruction == ""


def test_the_session_socket_refuses_other_origins(client, tasker, leased):
    from channels.testing import WebsocketCommunicator

    from annotator.asgi import application

    client.force_login(tasker)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def connect() -> bool:
        communicator = WebsocketCommunicator(
            application, f"/ws/tasks/{leased.task_id}/",
            headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1"),
                     (b"cookie", cookie)])
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert asyncio.run(connect()) is False
