"""Exports of segmentation tasks (docs/segmentation.md "Exports"): COCO with RLE masks read
back by pycocotools to the exact pixels, PNG mask folders, Scale JSON lines with the
segmentation response; an image format that cannot carry masks leaves them out, reported."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO

from tasks.exports import export_tasks
from tasks.exports.selection import Selection
from tests.segmentation import conftest as seg_fixtures
from tests.segmentation.conftest import HEIGHT, WIDTH, submitted_task

seg_project = seg_fixtures.seg_project
tasker = seg_fixtures.tasker
ROAD, SKY = 1, 2


def painted() -> np.ndarray:
    """Sky above, road below, two cars (instances 4 and 5), a ragged edge for the RLE."""
    mask = np.full((HEIGHT, WIDTH), ROAD, dtype=np.uint8)
    mask[:10] = SKY
    mask[10, ::3] = SKY
    mask[15:20, 5:12] = 4
    mask[22:29, 30:40] = 5
    mask[0, 0] = 5  # an instance touching the first pixel: the RLE starts with a run of 1s
    return mask


INSTANCES = [{"index": 4, "label": "car", "attributes": {"occluded": "no"}},
             {"index": 5, "label": "car", "attributes": {"occluded": "yes"}}]


@pytest.fixture
def completed(account, seg_project, tasker):
    return submitted_task(account, seg_project, tasker, painted(), INSTANCES)


def exported(project, fmt: str):
    out = io.BytesIO()
    report = export_tasks(Selection(project=project).tasks(), fmt, out)
    return out.getvalue(), report


@pytest.mark.django_db(transaction=True)
def test_coco_rle_decodes_to_the_exact_pixels(completed, seg_project, tmp_path):
    data, report = exported(seg_project, "coco")
    path = tmp_path / "coco.json"
    path.write_bytes(data)
    api = COCO(str(path))
    names = {c["id"]: c["name"] for c in api.loadCats(api.getCatIds())}
    assert set(names.values()) == {"road", "sky", "car"}
    (image_id,) = api.getImgIds()
    anns = api.loadAnns(api.getAnnIds(imgIds=[image_id]))
    mask = painted()
    by_index = {ann["scale_index"]: ann for ann in anns}
    assert set(by_index) == {ROAD, SKY, 4, 5}
    for index, ann in by_index.items():
        decoded = api.annToMask(ann)
        assert np.array_equal(decoded.astype(bool), mask == index), index
        rle = coco_mask.frPyObjects(ann["segmentation"], HEIGHT, WIDTH)
        assert int(coco_mask.area(rle)) == ann["area"] == int((mask == index).sum())
        assert list(coco_mask.toBbox(rle)) == ann["bbox"]
    assert by_index[ROAD]["iscrowd"] == 1 and names[by_index[ROAD]["category_id"]] == "road"
    assert by_index[4]["iscrowd"] == 0 and names[by_index[4]["category_id"]] == "car"
    assert by_index[5]["attributes"] == {"occluded": "yes"}
    assert report.annotations == {"segmentation": 2, "instance": 2}


@pytest.mark.django_db(transaction=True)
def test_png_mask_folders(completed, seg_project):
    data, report = exported(seg_project, "masks")
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    stem = next(n for n in names if n.startswith("masks/indexed/"))[len("masks/indexed/"):-4]
    indexed = np.asarray(Image.open(archive.open(f"masks/indexed/{stem}.png")))
    assert indexed.dtype == np.uint8 and np.array_equal(indexed, painted())
    color = np.asarray(Image.open(archive.open(f"masks/color/{stem}.png")).convert("RGB"))
    mapping = json.loads(archive.read(f"masks/labels/{stem}.json"))
    sky = tuple(int(mapping["sky"]["color"][i:i + 2], 16) for i in (1, 3, 5))
    assert (color[painted() == SKY] == sky).all()
    labels = json.loads(archive.read("labels.json"))
    assert labels["labels"]["road"]["index"] == ROAD and labels["unlabeled"] == 0
    assert {"images.csv", "export_report.json"} <= names
    assert report.tasks == 1 and report.issues == []


@pytest.mark.django_db(transaction=True)
def test_scale_lines_carry_the_segmentation_response(completed, seg_project):
    data, _ = exported(seg_project, "scale")
    (line,) = data.splitlines()
    task = json.loads(line)
    assert task["type"] == "segmentannotation"
    assert task["response"]["labelMapping"]["car"][1]["index"] == 5
    assert task["response"]["annotations"]["combined"]["indexedImage"].endswith(
        f"/v1/task/{completed.task_id}/files/indexedImage.png")


@pytest.mark.django_db(transaction=True)
def test_a_format_without_masks_leaves_the_task_out(completed, seg_project):
    data, report = exported(seg_project, "yolo")
    assert report.tasks == 0
    assert [issue.task_id for issue in report.issues] == [completed.task_id]
    assert "COCO (RLE masks)" in report.issues[0].action
