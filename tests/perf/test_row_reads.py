"""The create path's reads with SQL written once (tasks/row_reads.py, docs/performance.md "The
write path"): each gives what the ORM's queryset gives, and a create runs the planned queries."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import inheritance, projects
from tasks.models import Project, ProjectParamVersion, UploadedFile
from tasks.models.files import SCHEME
from tasks.models.quality import ProjectQuality
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_project_is_read_as_the_orm_reads_it_with_or_without_its_quality(account):
    make_project(account, "plain", params={"instruction": "x", "metadata": {"a": [1, 2]}})
    quality_project = make_project(account, "checked")
    ProjectQuality.objects.create(project=quality_project, review_mode="all", review_percent=40)
    for name in ("plain", "checked"):
        fast = projects.find_project(account, False, name)
        slow = Project.objects.select_related("quality").get(owner=account, name=name)
        assert _fields(fast) == _fields(slow)
        assert fast._state.db == "default" and not fast._state.adding
        with CaptureQueriesContext(connection) as queries:
            has = hasattr(fast, "quality")
        assert not queries.captured_queries  # cached, present or not, as select_related does
        assert has == (name == "checked")
        if has:
            assert _fields(fast.quality) == _fields(slow.quality)
            assert fast.quality.project is fast


def test_a_missing_project_and_another_accounts_are_refused(account, other_account):
    make_project(other_account, "theirs")
    for name in ("theirs", "none"):
        with pytest.raises(Exception, match="does not exist"):
            projects.find_project(account, False, name)
    with pytest.raises(Exception, match="does not exist"):
        projects.find_project(other_account, True, "theirs")


def test_the_latest_params_version_is_the_highest(account):
    project = make_project(account, "p", params={"instruction": "one"})
    projects.set_project_params(project, {"instruction": "two"})
    projects.set_project_params(project, {"instruction": "three"})
    version, _params, fields = inheritance.apply_project_params(project, {}, {})
    latest = ProjectParamVersion.objects.filter(project=project).order_by("-version").first()
    assert latest is not None and version == latest.version
    assert version == latest.version and fields["instruction"] == "three"


def test_an_uploaded_file_resolves_only_for_its_account_and_a_good_id(account, other_account):
    upload = UploadedFile(owner=account, display_name="a.jpg")
    upload.file.save("a.jpg", ContentFile(b"x"), save=True)
    url = f"{SCHEME}{account.pk}/{upload.id}"
    found = UploadedFile.objects.resolve(account, False, url)
    assert found is not None and _fields(found) == _fields(UploadedFile.objects.get(pk=upload.pk))
    assert UploadedFile.objects.resolve(account, True, url) is None
    assert UploadedFile.objects.resolve(other_account, False, url) is None
    assert UploadedFile.objects.resolve(account, False, f"{SCHEME}{account.pk}/{uuid.uuid4()}") \
        is None
    assert UploadedFile.objects.resolve(account, False, f"{SCHEME}{account.pk}/not-a-uuid") \
        is None


def test_a_create_into_a_project_with_an_upload_reads_three_rows_and_writes_two(account, api):
    make_project(account, "p")
    upload = api.client.post("/v1/files/upload", {"file": ContentFile(b"\xff\xd8", name="a.jpg")})
    assert upload.status_code == 200, upload.content
    body = {"project": "p", "attachment": upload.json()["attachment_url"],
            "geometries": {"box": {"objects_to_annotate": ["car"]}}, "metadata": {"k": 1}}
    assert api.post("/v1/task/imageannotation", body).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/v1/task/imageannotation", body).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # project + quality, latest params, the file, the task, the fetch job (and the transaction)
    assert len([s for s in sql if s.startswith(("SELECT", "INSERT"))]) == 5, sql
