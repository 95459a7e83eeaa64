"""Pascal VOC export, read back with xml.etree."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import orjson
import pytest

from tasks.exports import export_tasks
from tasks.exports.selection import Selection
from tests.exports.export_data import HEIGHT, WIDTH, completed_test_task, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(account):
    project = make_project(account)
    task = completed_test_task(account, display_name="street.png")
    out = io.BytesIO()
    report = export_tasks(Selection(project=project).tasks(), "voc", out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), report, task


def test_layout(exported):
    archive, _, _ = exported
    assert set(archive.namelist()) == {"Annotations/street.xml", "ImageSets/Main/default.txt",
                                       "labels.txt", "images.csv", "export_report.json"}
    assert archive.read("ImageSets/Main/default.txt") == b"street\n"
    labels = archive.read("labels.txt").decode().split()
    assert labels == ["bus", "car", "head", "lane", "road", "sign", "truck"]


def test_objects_and_boxes(exported):
    archive, _, task = exported
    root = ET.fromstring(archive.read("Annotations/street.xml"))
    assert root.findtext("filename") == "street.png"
    assert root.findtext("source/task_id") == task.task_id
    assert (int(root.findtext("size/width")), int(root.findtext("size/height"))) == (WIDTH,
                                                                                     HEIGHT)
    objects = root.findall("object")
    assert [o.findtext("name") for o in objects] == ["car", "bus", "road", "sign", "truck"]
    car = objects[0]
    box = [int(car.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
    assert box == [11, 21, 40, 60]
    assert car.findtext("truncated") == "0" and car.findtext("difficult") == "0"
    attribute = car.find("attributes/attribute")
    assert (attribute.findtext("name"), attribute.findtext("value")) == ("occluded", "yes")
    road = [int(objects[2].findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
    assert road == [1, 61, 120, 99]
    weather = root.find("attributes/attribute")
    assert (weather.findtext("name"), weather.findtext("value")) == ("weather", "sunny")


def test_report(exported):
    archive, report, task = exported
    noted = {(i.what, i.annotation, i.action.split(":")[0]) for i in report.issues}
    assert noted == {
        ("line annotation", "line-1", "dropped"), ("point annotation", "point-1", "dropped"),
        ("links", None, "dropped"), ("rotated box", "box-2", "written as its bounding box"),
        ("polygon", "poly-1", "written as its bounding box"),
        ("ellipse", "ellipse-1", "written as its bounding box"),
        ("cuboid", "cuboid-1", "written as its bounding box"),
    }
    inside = orjson.loads(archive.read("export_report.json"))
    assert inside["tasks"] == 1 and inside["annotations"] == 5
    assert {i["task_id"] for i in inside["issues"]} == {task.task_id}
