"""A task, batch or project callback that names an address the server would never contact is
refused at create (400 naming the field) instead of accepted and failing later; a name is left
to the worker, and a refused name's error does not tell what it resolves to."""

from __future__ import annotations

import socket

import pytest

from tasks.models import Batch, Task
from tests.factories import box_task

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://127.0.0.1/a.png", "http://127.1/a.png", "http://2130706433/a.png",
    "http://0x7f000001/a.png", "http://[::1]/a.png", "http://[::ffff:127.0.0.1]/a.png",
    "http://10.0.0.5/a.png", "http://192.168.1.1:8080/a.png", "http://172.16.0.1/a.png",
    "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/x",
    "http://localhost:8000/a.png", "http://0.0.0.0/a.png", "http://[fd00:ec2::254]/x",
]


def assert_names(res, field: str) -> None:
    assert res.status_code == 400, res.content
    assert res.json()["status_code"] == 400 and field in res.json()["error"], res.json()


@pytest.mark.parametrize("url", REFUSED)
def test_a_refused_attachment_is_a_400_at_create(api, url):
    api.post("projects", {"type": "imageannotation", "name": "streets"})
    assert_names(api.post("task/imageannotation", box_task(attachment=url)), "attachment")
    assert not Task.objects.exists()


@pytest.mark.parametrize("url", REFUSED[:4] + REFUSED[-5:])
def test_refused_context_attachments_and_callbacks_at_create(api, url):
    res = api.post("task/imageannotation", box_task(
        context_attachments=[{"attachment": "https://example.com/b.png"}, {"attachment": url}]))
    assert_names(res, "context_attachments[1].attachment")
    assert_names(api.post("task/imageannotation", box_task(callback_url=url)), "callback_url")
    assert not Task.objects.exists()
    api.post("projects", {"type": "imageannotation", "name": "streets"})
    assert_names(api.post("batches", {"project": "streets", "name": "b", "callback": url}),
                 "callback")
    assert not Batch.objects.exists()


def test_the_fetch_allow_list_allows_at_create_too(api, settings):
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8", "localhost"]
    for url in ("http://127.0.0.1:9/a.png", "http://localhost:9/a.png"):
        res = api.post("task/imageannotation", box_task(attachment=url, callback_url=url))
        assert res.status_code == 200, res.content


def test_names_and_public_addresses_are_left_to_the_worker(api, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("a create must not wait for DNS")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for url in ("https://images.example.com/a.png", "http://93.184.216.34/a.png",
                "https://internal.example/x.png"):
        res = api.post("task/imageannotation", box_task(attachment=url, callback_url=url))
        assert res.status_code == 200, res.content


def test_a_file_import_does_not_tell_where_a_name_leads(api, monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "intranet.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    res = api.post("files/import", {"file_url": "http://intranet.test/a.png"})
    assert res.status_code == 400, res.content
    error = res.json()["error"]
    assert "intranet.test" in error and "10.1.2.3" not in error and "private" not in error
