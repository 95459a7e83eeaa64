"""COCO's `instances=polygons` option (docs/segmentation.md "Exports"): a segmentation task's
instances written as polygons that pycocotools rasterises back to the instance's pixels, the
regions still RLE; the option through export_tasks, the API, `manage.py export` and the
Project admin, RLE staying the default, and bad options refused."""

from __future__ import annotations

import io
from io import StringIO

import numpy as np
import orjson
import pytest
from django.core.management import CommandError, call_command
from pycocotools.coco import COCO

from tasks.exports import export_tasks, options
from tasks.exports.selection import Selection
from tests.segmentation import conftest as seg_fixtures
from tests.segmentation.conftest import HEIGHT, WIDTH, submitted_task

seg_project = seg_fixtures.seg_project
tasker = seg_fixtures.tasker
ROAD, SKY, BLOB, RING = 1, 2, 4, 5
CHANGELIST = "/admin/tasks/project/"


def blob() -> np.ndarray:
    """An irregular blob: three overlapping discs and a notch (instance 4)."""
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    where = np.zeros((HEIGHT, WIDTH), dtype=bool)
    for cx, cy, r in ((9.0, 12.0, 6.5), (15.5, 16.0, 5.2), (7.0, 20.0, 3.7)):
        where |= (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    where[12:14, 2:6] = False
    return where


def ring() -> np.ndarray:
    """A square ring touching the image's right edge: a hole polygons cannot carry."""
    where = np.zeros((HEIGHT, WIDTH), dtype=bool)
    where[18:28, 30:40] = True
    where[21:25, 33:37] = False
    return where


def painted() -> np.ndarray:
    mask = np.full((HEIGHT, WIDTH), ROAD, dtype=np.uint8)
    mask[:6] = SKY
    mask[blob()] = BLOB
    mask[ring()] = RING
    return mask


@pytest.fixture
def completed(account, seg_project, tasker):
    instances = [{"index": BLOB, "label": "car", "attributes": {"occluded": "no"}},
                 {"index": RING, "label": "car", "attributes": {"occluded": "yes"}}]
    return submitted_task(account, seg_project, tasker, painted(), instances)


def read_back(data: bytes, tmp_path) -> tuple[COCO, dict[int, dict]]:
    path = tmp_path / "coco.json"
    path.write_bytes(data)
    api = COCO(str(path))
    anns = api.loadAnns(api.getAnnIds())
    return api, {ann["scale_index"]: ann for ann in anns}


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def exported(project, **given: str) -> tuple[bytes, object]:
    out = io.BytesIO()
    report = export_tasks(Selection(project=project).tasks(), "coco", out, options=given)
    return out.getvalue(), report


@pytest.mark.django_db(transaction=True)
def test_polygons_rasterise_back_to_the_instance(completed, seg_project, tmp_path):
    data, report = exported(seg_project, instances="polygons")
    api, by_index = read_back(data, tmp_path)
    mask = painted()
    shape = api.annToMask(by_index[BLOB]).astype(bool)
    assert iou(shape, mask == BLOB) >= 0.95
    for index in (BLOB, RING):
        ann = by_index[index]
        assert isinstance(ann["segmentation"], list) and ann["iscrowd"] == 0
        assert all(len(polygon) >= 6 and len(polygon) % 2 == 0
                   for polygon in ann["segmentation"])
        where = mask == index
        assert ann["area"] == float(where.sum())
        ys, xs = np.nonzero(where)
        assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1,
                               ys.max() - ys.min() + 1]
    for index in (ROAD, SKY):  # regions stay RLE and exact
        ann = by_index[index]
        assert isinstance(ann["segmentation"], dict) and ann["iscrowd"] == 1
        assert np.array_equal(api.annToMask(ann).astype(bool), mask == index)
    filled = api.annToMask(by_index[RING]).astype(bool)
    square = np.zeros_like(filled)
    square[18:28, 30:40] = True
    assert np.array_equal(filled, square)
    (issue,) = report.issues
    assert issue.what == f"instance {RING}" and "holes filled" in issue.action
    assert report.summary()["options"] == {"instances": "polygons"}


@pytest.mark.django_db(transaction=True)
def test_rle_stays_the_default_and_exact(completed, seg_project, tmp_path):
    data, report = exported(seg_project)
    api, by_index = read_back(data, tmp_path)
    for index in (ROAD, SKY, BLOB, RING):
        ann = by_index[index]
        assert isinstance(ann["segmentation"], dict)
        assert np.array_equal(api.annToMask(ann).astype(bool), painted() == index)
    assert report.issues == [] and report.options == {"instances": "rle"}


def test_options_parse():
    assert options.parse("coco", {}) == {"instances": "rle"}
    assert options.parse("coco", {"instances": "polygons"}) == {"instances": "polygons"}
    assert options.parse("scale", {"instances": None}) == {}
    with pytest.raises(options.OptionError, match="rle, polygons"):
        options.parse("coco", {"instances": "outline"})
    with pytest.raises(options.OptionError, match='scale export takes no option "instances"'):
        options.parse("scale", {"instances": "rle"})


@pytest.mark.django_db(transaction=True)
def test_the_api_takes_the_option(completed, api, tmp_path):
    res = api.get("exports/coco", project="masks", instances="polygons")
    assert res.status_code == 200, res.content
    _, by_index = read_back(b"".join(res.streaming_content), tmp_path)
    assert isinstance(by_index[BLOB]["segmentation"], list)
    assert orjson.loads(res["X-Export-Report"])["options"] == {"instances": "polygons"}
    res = api.get("exports/coco", project="masks")
    _, by_index = read_back(b"".join(res.streaming_content), tmp_path)
    assert isinstance(by_index[BLOB]["segmentation"], dict)
    for fmt, value, message in (("coco", "outline", "must be one of rle, polygons"),
                                ("coco", "", "must be one of"),
                                ("scale", "rle", "takes no option")):
        res = api.get(f"exports/{fmt}", project="masks", instances=value)
        assert res.status_code == 400, (fmt, value)
        assert message in res.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_the_command_takes_the_flag(completed, tmp_path):
    path = tmp_path / "out.json"
    out = StringIO()
    call_command("export", "--project", "masks", "--format", "coco", "--instances",
                 "polygons", "-o", str(path), stdout=out, stderr=StringIO())
    assert "as coco (instances=polygons)" in out.getvalue()
    _, by_index = read_back(path.read_bytes(), tmp_path)
    assert isinstance(by_index[BLOB]["segmentation"], list)
    other = tmp_path / "other.jsonl"
    with pytest.raises(CommandError, match='takes no option "instances"'):
        call_command("export", "--project", "masks", "--format", "scale", "--instances",
                     "rle", "-o", str(other))
    assert not other.exists()


@pytest.mark.django_db(transaction=True)
def test_the_admin_form_takes_the_option(completed, seg_project, admin_client, tmp_path):
    listing = admin_client.get(CHANGELIST).content.decode()
    assert 'name="instances"' in listing and '<option value="polygons">' in listing
    post = {"action": "export_coco", "_selected_action": [seg_project.pk]}
    res = admin_client.post(CHANGELIST, {**post, "instances": "polygons"})
    assert res.status_code == 200
    _, by_index = read_back(b"".join(res.streaming_content), tmp_path)
    assert isinstance(by_index[BLOB]["segmentation"], list)
    res = admin_client.post(CHANGELIST, {**post, "instances": "outline"}, follow=True)
    assert "must be one of rle, polygons" in res.content.decode()
