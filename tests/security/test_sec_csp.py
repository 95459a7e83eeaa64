"""The Content-Security-Policy of the taskers' pages, and the pages it leaves alone."""

from __future__ import annotations

import re

import pytest

from tasks.models import Task
from tasks.models.deliveries import ContextAttachment
from tasks.workbench.csp import HEADER, origin_of

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response[HEADER]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_the_workbench_page_has_a_strict_policy(client, tasker, leased):
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    # The image is not fetched yet: the browser is sent to the original's origin.
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://example.com"]


def test_once_the_image_is_kept_only_self_serves_images(client, tasker, leased):
    Task.objects.filter(pk=leased.pk).update(attachment_file="attachments/x.png")
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:"]


def test_context_images_not_kept_yet_add_their_origins(client, tasker, leased):
    params = {**leased.params, "context_attachments": [
        {"attachment": "https://cdn.example.org:8443/a.png"},
        {"attachment": "http://[2001:db8::1]/b.png"},
        {"attachment": "https://kept.example.net/c.png"}]}
    Task.objects.filter(pk=leased.pk).update(params=params,
                                             attachment_file="attachments/x.png")
    ContextAttachment.objects.create(task_id=leased.pk, position=2, url="x",
                                     file="attachments/context/c.png", width=1, height=1,
                                     mime_type="image/png")
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:", "http://[2001:db8::1]",
                                 "https://cdn.example.org:8443"]


def test_the_queue_page_has_the_policy_too(client, tasker):
    client.force_login(tasker)
    policy = directives(client.get("/"))
    assert policy["script-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:",
                                                                          "blob:"]


@pytest.mark.parametrize(("url", "origin"), [
    ("https://example.com/a.png?x=1#y", "https://example.com"),
    ("HTTP://Example.COM:8080/a", "http://example.com:8080"),
    ("https://e.com;script-src *", None),
    ("https://e.com/ 'unsafe-inline'", "https://e.com"),
    ("javascript:alert(1)", None),
    ("data:image/png;base64,AAAA", None),
    ("scaledata://1/abc", None),
    ("https://user:pw@e.com/a", "https://e.com"),
    ("https://e.com:99999/a", None),
    ("https://e\u00e9.com/a", None),
    (None, None),
    (12, None),
])
def test_only_clean_origins_reach_the_header(url, origin):
    assert origin_of(url) == origin


def test_the_pages_carry_no_inline_script_style_or_handlers(client, tasker, leased):
    client.force_login(tasker)
    for url in ("/", f"/tasks/{leased.task_id}/work/"):
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html, re.I)
        assert all("src=" in attrs for attrs in scripts), (url, scripts)
        assert not re.search(r"\sstyle\s*=", html, re.I), url
        assert not re.search(r"\son[a-z]+\s*=", html, re.I), url
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert src.startswith(("/", "data:")), (url, src)


def test_the_admin_and_the_api_docs_keep_their_own_pages(client, staff):
    client.force_login(staff)
    for url in ("/admin/", "/admin/tasks/task/", "/v1/docs/", "/accounts/login/"):
        res = client.get(url)
        assert res.status_code == 200 and HEADER not in res, url
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', res.content.decode()):
            assert client.get(asset).status_code == 200, (url, asset)
