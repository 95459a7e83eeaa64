"""COCO export, loaded back with pycocotools: counts, categories, areas, extensions."""

from __future__ import annotations

import io
import math

import orjson
import pytest
from pycocotools.coco import COCO

from tasks import jobs, lifecycle, projects
from tasks.exports import export_tasks
from tasks.exports.selection import Selection
from tasks.files import store_file
from tasks.models import Task
from tests.exports.export_data import (
    CUBOID,
    HEIGHT,
    HYPOTHESIS,
    POLYGON,
    WIDTH,
    completed_test_task,
    make_project,
    png,
    shoelace,
)

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")]

CUBOID_HULL = [CUBOID[k] for k in ("face-topleft", "face-bottomleft", "face-bottomright",
                                   "side-bottomcorner", "side-topcorner")]
EXPECTED_AREAS = {"box-1": 1200.0, "box-2": 800.0, "poly-1": shoelace(POLYGON),
                  "cuboid-1": shoelace(CUBOID_HULL), "line-1": 0.0, "point-1": 0.0}


def export_coco(project, tmp_path) -> tuple[COCO, dict, object]:
    path = tmp_path / "export.json"
    with path.open("wb") as out:
        report = export_tasks(Selection(project=project).tasks(), "coco", out)
    return COCO(str(path)), orjson.loads(path.read_bytes()), report


@pytest.fixture
def exported(account, tmp_path):
    project = make_project(account)
    first = completed_test_task(account, display_name="frames/a.png")
    box_only = {"annotations": [HYPOTHESIS["annotations"][0]]}
    second = completed_test_task(account, display_name="b.png", hypothesis=box_only)
    coco, doc, report = export_coco(project, tmp_path)
    return {"coco": coco, "doc": doc, "report": report, "tasks": [first, second]}


def test_counts_images_and_categories(exported):
    coco, doc = exported["coco"], exported["doc"]
    assert len(coco.getImgIds()) == 2
    assert len(coco.getAnnIds()) == 8
    names = [c["name"] for c in coco.loadCats(coco.getCatIds())]
    assert names == ["bus", "car", "head", "lane", "road", "sign", "truck"]
    assert coco.loadCats(coco.getCatIds(catNms=["car"]))[0]["supercategory"] == "vehicle"
    first, second = coco.loadImgs(coco.getImgIds())
    assert (first["file_name"], first["width"], first["height"]) == ("frames/a.png", WIDTH,
                                                                      HEIGHT)
    assert second["file_name"] == "b.png"
    assert first["scale_task_id"] == exported["tasks"][0].task_id
    assert first["global_attributes"] == {"weather": "sunny"}
    assert first["links"] == [{"label": "follows", "from": "box-1", "to": "box-2"}]
    assert len(coco.getAnnIds(imgIds=[second["id"]])) == 1
    assert doc["info"]["export_report"]["tasks"] == 2


def by_uuid(coco: COCO) -> dict[str, dict]:
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[1]))
    return {ann["scale_uuid"]: ann for ann in anns}


def test_areas_match_the_shapes_and_their_masks(exported):
    coco = exported["coco"]
    anns = by_uuid(coco)
    for uuid, area in EXPECTED_AREAS.items():
        assert anns[uuid]["area"] == pytest.approx(area), uuid
    ellipse = anns["ellipse-1"]["area"]
    assert ellipse == pytest.approx(math.pi * 20 * 10, rel=0.01)
    for uuid in ("box-1", "box-2", "poly-1", "ellipse-1", "cuboid-1"):
        mask_area = coco.annToMask(anns[uuid]).sum()
        assert mask_area == pytest.approx(anns[uuid]["area"], rel=0.06), uuid


def test_boxes_and_rotated_boxes(exported):
    anns = by_uuid(exported["coco"])
    box = anns["box-1"]
    assert box["bbox"] == [10, 20, 30, 40]
    assert box["attributes"] == {"occluded": "yes"}
    assert box["category_id"] == exported["coco"].getCatIds(catNms=["car"])[0]
    rotated = anns["box-2"]
    assert rotated["rotation"] == 0.5
    corners = rotated["segmentation"][0]
    xs, ys = corners[0::2], corners[1::2]
    assert len(xs) == 4
    assert rotated["bbox"] == pytest.approx([min(xs), min(ys), max(xs) - min(xs),
                                             max(ys) - min(ys)])
    centre = (sum(xs) / 4, sum(ys) / 4)
    assert centre == pytest.approx((120, 40))


def test_lines_ellipses_cuboids_and_points(exported):
    coco = exported["coco"]
    anns = by_uuid(coco)
    line = anns["line-1"]
    assert line["segmentation"] == [[5, 5, 50, 10, 90, 5, 50, 10, 5, 5]]
    assert line["bbox"] == [5, 5, 85, 5] and line["scale_vertices"][1] == {"x": 50, "y": 10}
    ellipse = anns["ellipse-1"]
    assert len(ellipse["segmentation"][0]) == 64 and len(ellipse["scale_vertices"]) == 4
    cuboid = anns["cuboid-1"]
    assert len(cuboid["cuboid"]["vertices"]) == 6 and len(cuboid["cuboid"]["edges"]) == 6
    assert cuboid["bbox"] == [20, 30, 60, 50]
    point = anns["point-1"]
    assert point["keypoints"] == [150, 50, 2] and point["num_keypoints"] == 1
    head = coco.loadCats(point["category_id"])[0]
    assert head["name"] == "head" and head["keypoints"] == ["head"]


def test_report_lists_every_conversion(exported):
    report = exported["report"]
    noted = {(issue.what, issue.annotation) for issue in report.issues}
    assert noted == {("rotated box", "box-2"), ("line", "line-1"), ("ellipse", "ellipse-1"),
                     ("cuboid", "cuboid-1"), ("point", "point-1")}
    assert report.tasks == 2 and sum(report.annotations.values()) == 8


def test_live_tasks_use_the_fetched_image_size(account, tmp_path):
    project = make_project(account, "live-streets", is_test=False)
    upload = store_file(owner=account, is_test=False, data=png(64, 48), fields={})
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body={"project": project.name,
                                       "attachment": upload.attachment_url})
    jobs.fetch_for_task(task.task_id)
    pending = Task.objects.get(pk=task.pk)
    assert (pending.attachment_width, pending.attachment_height) == (64, 48)
    box = {"type": "box", "label": "car", "left": 1, "top": 2, "width": 3, "height": 4}
    lifecycle.complete_task(pending, {"annotations": [{"uuid": "b", **box}]})
    coco, _, _ = export_coco(project, tmp_path)
    image = coco.loadImgs(coco.getImgIds())[0]
    assert (image["width"], image["height"]) == (64, 48)
    assert image["file_name"] == f"{task.task_id}.png"
    assert coco.loadAnns(coco.getAnnIds())[0]["bbox"] == [1, 2, 3, 4]


def test_unknown_image_size_is_reported(account, tmp_path):
    project = make_project(account, "remote")
    lifecycle.create_task(owner=account, is_test=True, task_type="imageannotation", body={
        "project": "remote", "attachment": "https://example.com/pics/cat.jpg"})
    _, doc, report = export_coco(project, tmp_path)
    assert doc["images"][0]["file_name"] == "cat.jpg" and doc["images"][0]["width"] == 0
    assert [issue.what for issue in report.issues] == ["image size"]


def test_only_completed_tasks_leave(account, tmp_path):
    project = make_project(account, "mixed", is_test=False)
    pending = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                    body={"project": "mixed",
                                          "attachment": "https://example.com/x.png"})
    _, doc, _ = export_coco(project, tmp_path)
    assert doc["images"] == [] and doc["annotations"] == []
    assert export_tasks(Task.objects.filter(pk=pending.pk), "scale", io.BytesIO()).tasks == 0


def test_annotations_without_a_label_get_their_own_category(account, tmp_path):
    project = projects.create_project(owner=account, is_test=True, body={
        "name": "free", "type": "imageannotation",
        "params": {"geometries": {"polygon": {}, "box": {"objects_to_annotate": ["car"]}}}})
    upload = store_file(owner=account, is_test=True, data=png(), fields={})
    shape = {"type": "polygon", "vertices": [{"x": 0, "y": 0}, {"x": 9, "y": 0},
                                             {"x": 9, "y": 9}]}
    lifecycle.create_task(owner=account, is_test=True, task_type="imageannotation", body={
        "project": "free", "attachment": upload.attachment_url,
        "hypothesis": {"annotations": [shape]}})
    coco, _, _ = export_coco(project, tmp_path)
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["car", "(unlabeled)"]
    assert coco.loadAnns(coco.getAnnIds())[0]["category_id"] == 2
