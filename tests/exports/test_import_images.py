"""python manage.py import_images: a folder becomes tasks, once; COCO predictions as
hypotheses."""

from __future__ import annotations

import hashlib
from io import StringIO

import orjson
import pytest
from django.core.management import CommandError, call_command

from tasks import projects
from tasks.models import Task, UploadedFile
from tests.exports.export_data import png

pytestmark = pytest.mark.django_db

PARAMS = {"geometries": {"box": {"objects_to_annotate": ["cat", "dog"]},
                         "polygon": {"objects_to_annotate": ["puddle"]}},
          "instruction": "Box the animals."}


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_images", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def project(account):
    return projects.create_project(owner=account, is_test=False, body={
        "name": "pets", "type": "imageannotation", "params": PARAMS})


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "pictures"
    (root / "indoor").mkdir(parents=True)
    (root / "a.png").write_bytes(png(40, 30, (255, 0, 0)))
    (root / "indoor" / "b.png").write_bytes(png(50, 20, (0, 255, 0)))
    (root / "indoor" / "c.png").write_bytes(png(60, 10, (0, 0, 255)))
    (root / "notes.txt").write_text("not a picture")
    return root


def test_folder_becomes_tasks_once(project, folder):
    out, err = run(str(folder), "--project", "pets")
    assert "Created 3 task(s); skipped 0 already imported; skipped 1 non-image file(s); " \
           "0 failed." in out
    assert "not an image: notes.txt" in out
    assert "[##############################] 4/4 files" in err
    tasks = Task.objects.filter(project=project).order_by("created_at")
    assert tasks.count() == 3
    data = (folder / "indoor" / "b.png").read_bytes()
    task = tasks.get(unique_id=f"sha256:{hashlib.sha256(data).hexdigest()}")
    assert task.params["geometries"]["box"]["objects_to_annotate"] == ["cat", "dog"]
    assert task.instruction == "Box the animals." and not task.is_test
    upload = UploadedFile.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert task.params["attachment"] == upload.attachment_url
    assert upload.display_name == "indoor/b.png"

    again, _ = run(str(folder), "--project", "pets")
    assert "Created 0 task(s); skipped 3 already imported" in again
    assert Task.objects.count() == 3 and UploadedFile.objects.count() == 3


def test_duplicate_content_in_one_folder_and_batch(account, project, folder):
    (folder / "copy-of-a.png").write_bytes((folder / "a.png").read_bytes())
    projects.create_batch(owner=account, is_test=False, body={"name": "first",
                                                              "project": "pets"})
    out, _ = run(str(folder), "--project", "pets", "--batch", "first")
    assert "Created 3 task(s); skipped 1 already imported" in out
    assert set(Task.objects.values_list("batch__name", flat=True)) == {"first"}


def coco_file(tmp_path, score: float | None = 0.9) -> str:
    extra = {} if score is None else {"score": score}
    doc = {
        "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30},
                   {"id": 2, "file_name": "pictures/indoor/b.png", "width": 50, "height": 20},
                   {"id": 3, "file_name": "elsewhere/zzz.png", "width": 1, "height": 1}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "puddle"},
                       {"id": 3, "name": "bird"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 12], **extra},
            {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 9, 9],
             "segmentation": [[0, 0, 9, 0, 9, 9]], **extra},
            {"id": 3, "image_id": 2, "category_id": 3, "bbox": [1, 1, 2, 2]},
        ],
    }
    path = tmp_path / "predictions.json"
    path.write_bytes(orjson.dumps(doc))
    return str(path)


def test_hypothesis_coco_attaches_boxes_and_polygons(project, folder, tmp_path):
    out, _ = run(str(folder), "--project", "pets", "--hypothesis-coco", coco_file(tmp_path))
    assert "Hypotheses attached to 2 task(s); 1 COCO image(s) matched no file." in out
    assert '1 x category "bird" is no label' in out
    assert "2 x score dropped" in out
    names = dict(UploadedFile.objects.values_list("display_name", "id"))
    a = Task.objects.get(params__attachment__endswith=str(names["a.png"]))
    box = a.params["hypothesis"]["annotations"][0]
    assert (box["type"], box["label"], box["left"], box["top"], box["width"],
            box["height"]) == ("box", "cat", 1, 2, 10, 12)
    assert box["attributes"] == {}
    b = Task.objects.get(params__attachment__endswith=str(names["indoor/b.png"]))
    polygon = b.params["hypothesis"]["annotations"][0]
    assert polygon["type"] == "polygon" and len(polygon["vertices"]) == 3
    assert b.annotations.count() == 1  # the prelabel rows


def test_score_kept_when_the_project_defines_it(account, folder, tmp_path):
    projects.create_project(owner=account, is_test=False, body={
        "name": "scored", "type": "imageannotation",
        "params": {**PARAMS, "annotation_attributes": {"score": {"type": "number", "min": 0,
                                                                 "max": 1}}}})
    out, _ = run(str(folder), "--project", "scored", "--hypothesis-coco", coco_file(tmp_path))
    assert "score dropped" not in out
    box = Task.objects.get(params__hypothesis__annotations__0__label="cat")
    assert box.params["hypothesis"]["annotations"][0]["attributes"] == {"score": 0.9}


def test_a_rejected_hypothesis_keeps_the_image(project, folder, tmp_path):
    out, _ = run(str(folder), "--project", "pets")
    assert "Created 3 task(s)" in out
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps({"images": [{"id": 1, "file_name": "new.png"}],
                                  "categories": [{"id": 1, "name": "cat"}],
                                  "annotations": [{"image_id": 1, "category_id": 1,
                                                   "bbox": [0, 0, -5, 3]}]}))
    (folder / "new.png").write_bytes(png(8, 8, (9, 9, 9)))
    out, _ = run(str(folder), "--project", "pets", "--hypothesis-coco", str(bad))
    assert "Created 1 task(s)" in out and "hypothesis rejected for new.png" in out


def test_errors(account, other_account, project, folder, tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        run(str(tmp_path / "nope"), "--project", "pets")
    with pytest.raises(CommandError, match='No live project named "cats"'):
        run(str(folder), "--project", "cats")
    projects.create_project(owner=other_account, is_test=False, body={
        "name": "pets", "type": "imageannotation", "params": PARAMS})
    with pytest.raises(CommandError, match="--account"):
        run(str(folder), "--project", "pets")
    out, _ = run(str(folder), "--project", "pets", "--account", "globex")
    assert "Created 3 task(s)" in out
    assert Task.objects.filter(owner=other_account).count() == 3
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="not a readable JSON"):
        run(str(folder), "--project", "pets", "--account", "acme", "--hypothesis-coco",
            str(broken))


def test_project_without_geometries_fails_each_file_with_the_reason(account, folder):
    projects.create_project(owner=account, is_test=False, body={
        "name": "empty", "type": "imageannotation"})
    out, _ = run(str(folder), "--project", "empty")
    assert "Created 0 task(s)" in out and "3 failed" in out
    assert "failed: a.png: " in out and "geometries" in out
    assert UploadedFile.objects.count() == 0
