"""The v1 API against cross-site pages (the browser half is tests/browser/test_sec_cross_site.py):
bodies are JSON only (multipart only for the upload), a browser request from another site's page
is a 403 in the contract's shape whatever key it carries, and a 401 carries no Basic challenge."""

from __future__ import annotations

import pytest

from tasks.models import Project

pytestmark = pytest.mark.django_db

SITE = "http://testserver"  # the Django test client's own origin
PROJECT = {"type": "imageannotation", "name": "streets"}


def post_json(api, headers: dict, body: dict = PROJECT, path: str = "/v1/projects"):
    import json

    return api.client.post(path, json.dumps(body), content_type="application/json",
                           headers=headers)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver:9999"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://testserver"},
    {"Sec-Fetch-Site": "cross-site"},  # a navigation: no Origin at all
    {"Sec-Fetch-Site": "cross-site", "Origin": "null"},  # a sandboxed frame
    {"Origin": "https://evil.example"},  # a browser that does not send Sec-Fetch-Site
])
def test_a_cross_site_browser_request_changes_nothing(api, headers):
    res = post_json(api, headers)
    assert res.status_code == 403, res.content
    assert res.json()["status_code"] == 403 and "another site" in res.json()["error"]
    assert not Project.objects.exists()
    assert api.client.get("/v1/projects", headers=headers).status_code == 403


@pytest.mark.parametrize("headers", [
    {},  # the official client, curl, any program
    {"Sec-Fetch-Site": "same-origin", "Origin": SITE},  # the site's own /v1/docs/ page
    {"Sec-Fetch-Site": "none"},  # typed into the address bar
    {"Origin": SITE},
])
def test_programs_and_the_sites_own_pages_pass(api, headers):
    res = post_json(api, headers)
    assert res.status_code == 200, res.content


def test_an_allowed_origin_behind_a_proxy_passes(api, settings):
    settings.ALLOWED_ORIGINS = ["https://annotator.example.com"]
    headers = {"Sec-Fetch-Site": "same-site", "Origin": "https://annotator.example.com"}
    assert post_json(api, headers).status_code == 200


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          "multipart/form-data; boundary=b"])
def test_state_changing_endpoints_take_no_form_bodies(api, content_type):
    body = {"application/x-www-form-urlencoded": b"type=imageannotation&name=streets",
            "text/plain": b'{"type": "imageannotation", "name": "streets"}',
            }.get(content_type, b'--b\r\nContent-Disposition: form-data; name="type"\r\n\r\n'
                                b'imageannotation\r\n--b--\r\n')
    res = api.client.generic("POST", "/v1/projects", body, content_type=content_type)
    assert res.status_code == 415 and "application/json" in res.json()["error"], res.content
    assert not Project.objects.exists()


def test_the_upload_alone_takes_multipart(api):
    from tests.security.conftest import png_bytes

    res = api.client.post("/v1/files/upload", {"file": ("a.png", png_bytes())})
    assert res.status_code in (200, 400), res.content  # the endpoint parsed the multipart
    assert res.status_code != 415


def test_a_401_does_not_challenge_browsers_to_keep_a_key(client):
    res = client.get("/v1/tasks")
    assert res.status_code == 401 and res.json()["status_code"] == 401
    challenge = res.headers.get("WWW-Authenticate", "")
    assert not challenge.lower().startswith("basic"), challenge
    bad = client.get("/v1/tasks", headers={"Authorization": "Basic bm9wZTo="})
    assert bad.status_code == 401
    assert not bad.headers.get("WWW-Authenticate", "").lower().startswith("basic")
