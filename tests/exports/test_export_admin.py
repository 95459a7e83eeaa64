"""The Project admin: export actions that download the file, and links to the daily view."""

from __future__ import annotations

import io
import zipfile

import orjson
import pytest
from django.urls import reverse

from tests.exports.export_data import completed_test_task, make_project

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tasks/project/"


@pytest.fixture
def project(account):
    project = make_project(account)
    completed_test_task(account, display_name="a.png")
    return project


@pytest.mark.parametrize("fmt,content_type", [
    ("scale", "application/x-ndjson"), ("coco", "application/json"),
    ("yolo", "application/zip"), ("voc", "application/zip")])
def test_action_downloads_the_export(admin_client, project, fmt, content_type):
    res = admin_client.post(CHANGELIST, {"action": f"export_{fmt}",
                                         "_selected_action": [project.pk]})
    assert res.status_code == 200
    assert res["Content-Type"] == content_type
    assert "attachment" in res["Content-Disposition"]
    data = b"".join(res.streaming_content)
    if content_type == "application/zip":
        report = orjson.loads(zipfile.ZipFile(io.BytesIO(data)).read("export_report.json"))
        assert report["tasks"] == 1
    messages = [m.message for m in res.wsgi_request._messages]
    assert messages[0].startswith(f"Exported 1 task(s) as {fmt}")


def test_actions_are_offered_and_the_daily_view_linked(admin_client, project):
    listing = admin_client.get(CHANGELIST).content.decode()
    for label in ("Scale JSON lines", "COCO JSON", "YOLO (zip)", "Pascal VOC XML (zip)"):
        assert f"Export completed tasks as {label}" in listing
    stats_url = reverse("admin-project-stats", args=[project.pk])
    assert stats_url in listing
    page = admin_client.get(reverse("admin:tasks_project_change", args=[project.pk]))
    assert page.status_code == 200 and stats_url in page.content.decode()
