"""scripts/screenshots.py (make screenshots) imports, and what it assumes of the demo holds:
the projects' names, the video's length, where the car is on the frame it clicks, where it
fills and paints the demo landscape, the box it draws round the assist scene's car, and that
the demo tasker and reviewer log in with the script's passwords."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.contrib.auth import authenticate
from PIL import Image

from scripts import screenshots
from tasks import demo
from tasks.demo import assist, segmentation
from tasks.demo.scenes import make_scene
from tasks.demo.video import CAR_TRACK, car_box, video_body

HILL, GRASS = (70, 110, 70), (90, 160, 80)  # tasks/demo/segmentation.py draw_scene


def test_the_script_names_the_demo_projects_and_video_length():
    assert screenshots.IMAGE_PROJECT == demo.PROJECT
    assert screenshots.VIDEO_PROJECT == demo.VIDEO_PROJECT
    assert screenshots.VIDEO_FRAMES == demo.FRAME_COUNT
    assert screenshots.REVIEW_SHOT_PROJECT == demo.GOLD_PROJECT
    assert screenshots.SEGMENT_PROJECT == demo.SEGMENT_PROJECT
    assert screenshots.ASSIST_PROJECT == assist.PROJECT
    assert set(screenshots.SHOTS) == {"queue.png", "workbench-image.png",
                                      "workbench-video.png", "workbench-review.png",
                                      "workbench-segmentation.png", "workbench-assist.png"}


def test_the_script_fills_the_grass_and_paints_along_the_first_landscapes_hill():
    pixels = np.asarray(Image.open(io.BytesIO(segmentation.draw_scene(0))).convert("RGB"))
    for x, y in screenshots.GRASS_CLICKS:
        assert tuple(pixels[int(y), int(x)]) == GRASS, (x, y)
    prelabel = segmentation.expected_hypothesis(0)
    for x, y in screenshots.HILL_STROKE:
        assert tuple(pixels[int(y), int(x)]) == HILL, (x, y)
        assert prelabel[int(y), int(x)] == 0, (x, y)  # the hill is the tasker's to paint
    # the palette's keys: sky 1, road 2, then terrain's subchoices 3 and 4 (docs/workbench.md)
    terrain = segmentation.LABELS[2]
    assert isinstance(terrain, dict) and segmentation.LABELS[:2] == ["sky", "road"]
    names = {key: f"{terrain['choice']} › {sub}"
             for key, sub in zip(("3", "4"), terrain["subchoices"], strict=True)}
    assert names[screenshots.HILL_LABEL_KEY] == screenshots.HILL_LABEL
    assert names[screenshots.GRASS_LABEL_KEY] == screenshots.GRASS_LABEL


def test_the_assist_box_holds_one_whole_vehicle_of_the_first_assist_scene():
    assert screenshots.ASSIST_SCENE == assist.FIRST_SCENE
    left, top, right, bottom = screenshots.ASSIST_BOX

    def inside(vehicle) -> bool:
        face_left, face_top, face_right, face_bottom = vehicle.face
        return (left < min(face_left, vehicle.side_x) and max(face_right, vehicle.side_x) < right
                and top < min(face_top, vehicle.side_top) and face_bottom < bottom)

    assert [v.color_name for v in make_scene(assist.FIRST_SCENE).vehicles if inside(v)] == ["blue"]


def test_the_script_clicks_the_car_where_the_frame_draws_it():
    track = video_body([])["hypothesis"]["annotations"][0]
    assert track["uuid"] == CAR_TRACK
    frame = screenshots.VIDEO_FRAME
    assert screenshots.track_box_at(track, frame) == pytest.approx(car_box(frame))


@pytest.mark.django_db
def test_the_demo_tasker_logs_in_with_the_scripts_password(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    user = authenticate(username=screenshots.TASKER, password=screenshots.TASKER_PASSWORD)
    assert user is not None and user.username == "tasker"
    reviewer = authenticate(username=screenshots.REVIEWER,
                            password=screenshots.REVIEWER_PASSWORD)
    assert reviewer is not None and reviewer.groups.filter(name="reviewers").exists()
