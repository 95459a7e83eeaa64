"""load_demo: drawn images, tasks covering every feature, loaded only once."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from tasks import demo
from tasks.models import (
    Annotation,
    ApiKey,
    Batch,
    Project,
    Task,
    TaskTag,
    UploadedFile,
)

pytestmark = pytest.mark.django_db
GEOMETRIES = {"box", "polygon", "line", "point", "cuboid", "ellipse"}


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def all_params() -> list[dict]:
    return list(Task.objects.filter(project__name=demo.PROJECT).values_list("params", flat=True))


def label_trees(params: dict) -> list:
    trees = [g.get("objects_to_annotate", []) for g in params["geometries"].values()]
    return trees + [a.get("choices", []) for a in params.get("annotation_attributes", {}).values()]


def test_accounts_keys_and_summary(loaded, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("admin")
    tasker = django_user_model.objects.get(username="tasker")
    assert tasker.check_password("tasker") and tasker.groups.filter(name="taskers").exists()
    project = Project.objects.get(name=demo.PROJECT, owner__username=demo.ACCOUNT)
    assert tasker in project.taskers.all()
    live = re.search(r"live_[0-9a-f]{32}", loaded).group()
    test = re.search(r"test_[0-9a-f]{32}", loaded).group()
    assert ApiKey.lookup(live).user.username == demo.ACCOUNT
    assert ApiKey.lookup(test).is_test
    for text in ("/admin/", "/v1/docs/", "tasker / tasker", "admin / admin"):
        assert text in loaded


def test_images_are_drawn_pngs_of_several_sizes(loaded):
    files = UploadedFile.objects.filter(owner__username=demo.ACCOUNT, project_names=[demo.PROJECT])
    assert files.count() == demo.SCENE_COUNT
    sizes = set()
    for upload in files:
        data = upload.file.read()
        assert upload.mime_type == "image/png" and upload.size == len(data) and upload.sha256
        sizes.add(Image.open(io.BytesIO(data)).size)
    assert (960, 640) in sizes and len(sizes) >= 3
    attachments = {p["attachment"] for p in all_params()}
    assert attachments == {f.attachment_url for f in files}


def test_tasks_cover_every_feature(loaded):
    tasks = Task.objects.filter(project__name=demo.PROJECT)
    assert 18 <= tasks.count() <= 22
    params = all_params()
    assert set().union(*(p["geometries"] for p in params)) == GEOMETRIES
    box_options = [p["geometries"]["box"] for p in params if "box" in p["geometries"]]
    assert any(b.get("can_rotate") for b in box_options)
    assert any(p["geometries"].get("point", {}).get("connections") for p in params)
    assert any(isinstance(node, dict) and "subchoices" in node
               and any(isinstance(c, dict) and "display" in c for c in node["subchoices"])
               for p in params for tree in label_trees(p) for node in tree)
    attributes = [a for p in params for a in p.get("annotation_attributes", {}).values()]
    types = {a.get("type", "category") for a in attributes}
    assert {"category", "number", "text", "angle", "linked"} <= types
    assert any(a.get("conditions", {}).get("is_global") for a in attributes)
    assert any(a.get("conditions", {}).get("attribute_conditions") for a in attributes)
    assert any(p.get("links") for p in params)
    assert any(p.get("layer") or p.get("layers") for p in params)
    assert any(p.get("image_metadata") for p in params)
    assert any(p.get("padding") or p.get("paddingX") for p in params)


def test_prelabels_priorities_tags_and_batch(loaded):
    tasks = Task.objects.filter(project__name=demo.PROJECT)
    sources = set(Annotation.objects.filter(task__in=tasks).values_list("source", flat=True))
    assert sources == {"hypothesis", "base"}
    assert Annotation.objects.filter(task__in=tasks, source="base", locked=True).exists()
    prelabel_types = set(Annotation.objects.filter(task__in=tasks).values_list("type", flat=True))
    assert prelabel_types == GEOMETRIES
    assert len(set(tasks.values_list("priority", flat=True))) >= 3
    assert TaskTag.objects.filter(task__in=tasks, tag="dusk").exists()
    batch = Batch.objects.get(name=demo.BATCH)
    assert 0 < batch.tasks.count() < tasks.count()
    assert set(tasks.values_list("status", flat=True)) == {"pending"}


def test_second_run_changes_nothing(loaded, django_user_model):
    counts = [m.objects.count() for m in (Task, UploadedFile, ApiKey, Annotation, Project)]
    users = django_user_model.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "demo data already loaded" in text
    assert "create_api_key demo" in text
    assert not re.search(r"(live|test)_[0-9a-f]{32}", text)
    assert [m.objects.count() for m in (Task, UploadedFile, ApiKey, Annotation, Project)] == counts
    assert django_user_model.objects.count() == users


def test_existing_admin_password_is_left_alone(settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_superuser("admin", "a@example.com", "s3cret-pass")
    call_command("load_demo", stdout=StringIO())
    assert django_user_model.objects.get(username="admin").check_password("s3cret-pass")
