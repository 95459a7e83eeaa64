"""scripts/screenshots.py (make screenshots) imports, and what it assumes of the demo holds:
the projects' names, the video's length, where the car is on the frame it clicks, and that
the demo tasker and reviewer log in with the script's passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from scripts import screenshots
from tasks import demo
from tasks.demo.video import CAR_TRACK, car_box, video_body


def test_the_script_names_the_demo_projects_and_video_length():
    assert screenshots.IMAGE_PROJECT == demo.PROJECT
    assert screenshots.VIDEO_PROJECT == demo.VIDEO_PROJECT
    assert screenshots.VIDEO_FRAMES == demo.FRAME_COUNT
    assert screenshots.REVIEW_SHOT_PROJECT == demo.GOLD_PROJECT
    assert set(screenshots.SHOTS) == {"queue.png", "workbench-image.png",
                                      "workbench-video.png", "workbench-review.png"}


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
