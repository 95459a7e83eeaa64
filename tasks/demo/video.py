"""The demo's video: a drawn street where a car drives across and a cyclist crosses it.

Forty frames drawn with Pillow, uploaded as files and sent as a video task's frame
sequence, with the car given as a two-keyframe hypothesis track for the tasker to refine.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from tasks import kinds, lifecycle, projects
from tasks.files import store_file

VIDEO_PROJECT = "demo-video"
FRAME_COUNT = 40
SIZE = (800, 450)
CAR = (150, 70)  # width, height
CAR_TRACK = "2c6f3f1e-6d0b-4b9a-9f5e-8d1c2f3a4b5c"


def car_box(frame: int) -> dict:
    """Where frame `frame` draws the car: it drives left to right at a steady pace."""
    return {"left": 40 + frame * 14, "top": 300, "width": CAR[0], "height": CAR[1]}


def cyclist_centre(frame: int) -> tuple[int, int]:
    return 620 - frame * 4, 250 + frame * 3


def draw_frame(frame: int) -> bytes:
    image = Image.new("RGB", SIZE, (150, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 230, SIZE[0], SIZE[1]), fill=(110, 110, 108))
    for x in range(0, SIZE[0], 80):
        draw.rectangle((x - frame * 6 % 80, 335, x - frame * 6 % 80 + 40, 340),
                       fill=(235, 235, 220))
    box = car_box(frame)
    left, top = box["left"], box["top"]
    draw.rectangle((left, top + 20, left + CAR[0], top + CAR[1]), fill=(200, 40, 40))
    draw.rectangle((left + 30, top, left + 110, top + 24), fill=(170, 30, 30))
    cx, cy = cyclist_centre(frame)
    draw.ellipse((cx - 10, cy - 40, cx + 10, cy - 20), fill=(240, 200, 160))
    draw.line((cx, cy - 20, cx, cy + 10), fill=(30, 60, 160), width=6)
    draw.ellipse((cx - 22, cy + 4, cx - 2, cy + 24), outline=(20, 20, 20), width=3)
    draw.ellipse((cx + 2, cy + 4, cx + 22, cy + 24), outline=(20, 20, 20), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def video_body(frames: list[str]) -> dict:
    last = FRAME_COUNT - 1
    return {
        "project": VIDEO_PROJECT,
        "instruction": "Track every **car** and **cyclist** across the frames: draw it once, "
                       "then move it on the frames where it drifts (each edit is a keyframe). "
                       "Mark the cyclist's crossing as an event.",
        "attachment_type": "image",
        "attachments": frames,
        "geometries": {"box": {"objects_to_annotate": ["car", "cyclist"]},
                       "point": {"objects_to_annotate": ["cyclist head"]}},
        "annotation_attributes": {"moving": {"type": "category", "description": "Moving?",
                                             "choices": ["yes", "no"], "default": "yes"}},
        "events_to_annotate": ["crossing", "braking"],
        "hypothesis": {"annotations": [{
            "uuid": CAR_TRACK, "type": "box", "label": "car",
            "keyframes": [{"frame": 0, **car_box(0), "attributes": {"moving": "yes"}},
                          {"frame": last, **car_box(last)}]}]},
        "metadata": {"demo": "video"},
    }


def create_video_task(owner, tasker) -> None:
    project = projects.create_project(owner=owner, is_test=False, body={
        "type": kinds.VIDEO, "name": VIDEO_PROJECT})
    project.taskers.add(tasker)
    frames = []
    for frame in range(FRAME_COUNT):
        upload = store_file(owner=owner, is_test=False, data=draw_frame(frame), fields={
            "display_name": f"street-video-{frame:02d}.png", "project_name": VIDEO_PROJECT,
            "reference_id": f"demo-video-{frame:02d}"})
        frames.append(upload.attachment_url)
    lifecycle.create_task(owner=owner, is_test=False, task_type=kinds.VIDEO,
                          body=video_body(frames))
