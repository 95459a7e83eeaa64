"""The OpenAPI document and the page that renders it, with assets served locally."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_lists_every_endpoint(client):
    res = client.get("/v1/schema/", HTTP_ACCEPT="application/json")
    assert res.status_code == 200
    doc = res.json() if res["Content-Type"].startswith("application/json") else None
    if doc is None:
        import yaml  # noqa: PLC0415 - only when the schema came as YAML

        doc = yaml.safe_load(res.content)
    paths = set(doc["paths"])
    for expected in ("/v1/task/{key}", "/v1/tasks", "/v1/task/{task_id}/cancel",
                     "/v1/task/{task_id}/audit", "/v1/task/{task_id}/unique_id",
                     "/v1/task/{task_id}/setMetadata", "/v1/task/{task_id}/tags",
                     "/v1/batches", "/v1/batches/{name}", "/v1/batches/{name}/finalize",
                     "/v1/batches/{name}/status", "/v1/batches/{name}/setMetadata",
                     "/v1/projects", "/v1/projects/{name}", "/v1/projects/{name}/setParams",
                     "/v1/projects/{name}/setOntology", "/v1/files/upload", "/v1/files/import"):
        assert expected in paths, expected


def test_docs_page_uses_local_assets(client):
    res = client.get("/v1/docs/")
    assert res.status_code == 200
    html = res.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(not s.startswith("http") for s in sources), sources
    script = next(s for s in sources if s.endswith(".js"))
    assert client.get(script).status_code == 200
