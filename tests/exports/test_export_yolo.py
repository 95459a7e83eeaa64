"""YOLO export: the zip's layout, data.yaml read by PyYAML, normalised label lines, and the
report of everything YOLO cannot carry."""

from __future__ import annotations

import io
import zipfile

import orjson
import pytest
import yaml

from tasks.exports import export_tasks
from tasks.exports.selection import Selection
from tests.exports.export_data import HEIGHT, POLYGON, WIDTH, completed_test_task, make_project

pytestmark = pytest.mark.django_db

CLASSES = ["bus", "car", "head", "lane", "road", "sign", "truck"]


@pytest.fixture
def exported(account):
    project = make_project(account)
    full = completed_test_task(account, display_name="frames/a.png")
    outside = {"annotations": [{"uuid": "edge", "type": "box", "label": "car", "left": 180,
                                "top": 90, "width": 40, "height": 20}]}
    edge = completed_test_task(account, display_name="b.png", hypothesis=outside)
    out = io.BytesIO()
    report = export_tasks(Selection(project=project).tasks(), "yolo", out)
    return {"zip": zipfile.ZipFile(io.BytesIO(out.getvalue())), "report": report,
            "tasks": (full, edge)}


def numbers(line: str) -> tuple[int, list[float]]:
    first, *rest = line.split()
    return int(first), [float(n) for n in rest]


def test_layout_and_data_yaml(exported):
    archive = exported["zip"]
    assert set(archive.namelist()) == {
        "detect/data.yaml", "segment/data.yaml", "detect/labels/frames/a.txt",
        "segment/labels/frames/a.txt", "detect/labels/b.txt", "segment/labels/b.txt",
        "images.csv", "export_report.json"}
    for task in ("detect", "segment"):
        data = yaml.safe_load(archive.read(f"{task}/data.yaml"))
        assert data["nc"] == len(CLASSES)
        assert data["names"] == dict(enumerate(CLASSES))
        assert data["train"] == "images" and data["val"] == "images"
    rows = archive.read("images.csv").decode().splitlines()
    assert rows[1].startswith(f"frames/a.png,{WIDTH},{HEIGHT},{exported['tasks'][0].task_id}")


def test_detection_lines(exported):
    lines = exported["zip"].read("detect/labels/frames/a.txt").decode().splitlines()
    assert len(lines) == 2
    car, box = numbers(lines[0])
    assert car == CLASSES.index("car")
    assert box == pytest.approx([25 / WIDTH, 40 / HEIGHT, 30 / WIDTH, 40 / HEIGHT], abs=1e-6)
    bus, rotated = numbers(lines[1])
    assert bus == CLASSES.index("bus")
    assert rotated[0] * WIDTH == pytest.approx(120, abs=1e-3)
    assert rotated[2] * WIDTH > 40  # the bounds of the rotated box are wider than the box


def test_segmentation_lines(exported):
    lines = exported["zip"].read("segment/labels/frames/a.txt").decode().splitlines()
    road, polygon = numbers(lines[0])
    assert road == CLASSES.index("road")
    expected = [c for x, y in POLYGON for c in (x / WIDTH, y / HEIGHT)]
    assert polygon == pytest.approx(expected, abs=1e-6)
    sign, ellipse = numbers(lines[1])
    assert sign == CLASSES.index("sign") and len(ellipse) == 64
    assert all(0 <= n <= 1 for n in ellipse)


def test_clipped_box(exported):
    line = exported["zip"].read("detect/labels/b.txt").decode().strip()
    _, box = numbers(line)
    assert box == pytest.approx([190 / WIDTH, 95 / HEIGHT, 20 / WIDTH, 10 / HEIGHT], abs=1e-6)


def test_report_names_every_loss(exported):
    full, edge = exported["tasks"]
    noted = {(i.task_id, i.what, i.annotation) for i in exported["report"].issues}
    assert noted == {
        (full.task_id, "cuboid annotation", "cuboid-1"),
        (full.task_id, "line annotation", "line-1"),
        (full.task_id, "point annotation", "point-1"),
        (full.task_id, "rotated box", "box-2"),
        (full.task_id, "ellipse", "ellipse-1"),
        (full.task_id, "attributes", "box-1"),
        (full.task_id, "global_attributes", None),
        (full.task_id, "links", None),
        (edge.task_id, "box outside the image", "edge"),
    }
    inside = orjson.loads(exported["zip"].read("export_report.json"))
    assert len(inside["issues"]) == len(noted)
    assert inside["annotations"] == 5 == sum(exported["report"].annotations.values())
