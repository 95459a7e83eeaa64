"""The site's icon: linked from the pages, and at /favicon.ico for the admin and other clients."""

from __future__ import annotations


def test_favicon_ico_leads_to_the_icon(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 301 and res["Location"] == "/static/favicon.svg"
    icon = client.get(res["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_pages_link_the_icon(client, db):
    page = client.get("/accounts/login/")
    assert b'<link rel="icon" href="/static/favicon.svg"' in page.content
