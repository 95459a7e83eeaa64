"""A video task in the browser: frames, stepping keys, a tracked box with two keyframes, an
event range, submit, and the per-frame response file read back through the API."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from PIL import Image, ImageDraw

from tests.browser.helpers import PASSWORD, TaskSetup, near
from tests.http_sessions import fresh_connections

pytestmark = pytest.mark.browser

FRAMES = 30
WIDTH, HEIGHT = 320, 200


def frame_png(index: int) -> bytes:
    """Frame `index`: a grey street with a red square moving right, the number in the corner."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (110, 120, 130))
    draw = ImageDraw.Draw(image)
    x = 20 + index * 6
    draw.rectangle((x, 80, x + 40, 120), fill=(200, 40, 40))
    draw.text((6, 6), f"{index:02d}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_video_task(server, params: dict) -> TaskSetup:
    """A project, 30 uploaded frames, a videoannotation task over them and its tasker."""
    return make_video_task_frames(server, FRAMES, params)


def make_video_task_frames(server, count: int, params: dict) -> TaskSetup:
    """A project, `count` uploaded frames, a videoannotation task over them and its tasker."""
    tag = uuid.uuid4().hex[:10]
    api = fresh_connections()
    api.auth = (server.new_key(f"owner-{tag}"), "")
    project = f"video-{tag}"
    response = api.post(f"{server.base_url}/projects",
                        json={"type": "videoannotation", "name": project}, timeout=30)
    assert response.status_code == 200, response.text
    urls = []
    for index in range(count):
        upload = api.post(f"{server.base_url}/files/upload",
                          files={"file": (f"frame{index}.png", frame_png(index), "image/png")},
                          timeout=30)
        assert upload.status_code == 200, upload.text
        urls.append(upload.json()["attachment_url"])
    created = api.post(f"{server.base_url}/task/videoannotation", json={
        "project": project, "attachment_type": "image", "attachments": urls,
        "instruction": "Track every car.", **params}, timeout=120)
    assert created.status_code == 200, created.text
    task_id = created.json()["task_id"]
    tasker = f"tasker-{tag}"
    server.manage("create_tasker", tasker, "--password", PASSWORD, "--project", project)
    return TaskSetup(server, api, project, tasker, task_id, WIDTH, HEIGHT)


def wait_frame_loaded(page, frame: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while page.locator(".wb-video-counter").inner_text() != f"Frame {frame + 1} / {FRAMES}":
        assert time.monotonic() < deadline, page.locator(".wb-video-counter").inner_text()
        page.wait_for_timeout(50)


def current_frame(page) -> int:
    return int(page.evaluate("document.getElementById('workbench').dataset.frame"))


def test_box_tracked_over_30_frames_gives_interpolated_boxes(make_task, bench_for):
    setup = make_video_task(make_task.server, {
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "events_to_annotate": ["Turning", "Braking"],
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    assert page.evaluate("document.getElementById('workbench').dataset.frames") == str(FRAMES)
    wait_frame_loaded(page, 0)
    assert bench.scale() >= 1

    # Stepping: → one frame, Shift+→ ten, ← back one, End / Home the ends.
    bench.focus_canvas()
    page.keyboard.press("ArrowRight")
    assert current_frame(page) == 1
    page.keyboard.press("Shift+ArrowRight")
    assert current_frame(page) == 11
    page.keyboard.press("ArrowLeft")
    assert current_frame(page) == 10
    page.keyboard.press("End")
    assert current_frame(page) == FRAMES - 1
    page.keyboard.press("Home")
    assert current_frame(page) == 0
    wait_frame_loaded(page, 0)

    # Frame 0: draw the box (a track with one keyframe).
    bench.tool("b")
    bench.drag((20, 80), (60, 120))
    bench.pick_label("car")
    tracks = bench.annotations()
    assert len(tracks) == 1
    track = tracks[0]
    assert [k["frame"] for k in track["keyframes"]] == [0]
    assert page.locator(".wb-tl-key").count() == 1

    # Frame 29: move it (the select tool): a second keyframe there, one undo step.
    page.keyboard.press("End")
    wait_frame_loaded(page, FRAMES - 1)
    bench.tool("v")
    bench.drag((40, 100), (214, 100), steps=10)  # +174 px: left 20 → 194
    track = bench.annotations()[0]
    assert [k["frame"] for k in track["keyframes"]] == [0, FRAMES - 1]
    last = track["keyframes"][1]
    assert near(last["left"], 194) and near(last["top"], 80), last
    assert page.locator(".wb-tl-key").count() == 2
    assert page.locator(".wb-video-keystate").inner_text() == "◆ Keyframe"

    # In between the shape is interpolated, and the canvas shows it there.
    page.keyboard.press("Home")
    page.keyboard.press("Shift+ArrowRight")
    assert current_frame(page) == 10
    assert page.locator(".wb-video-keystate").inner_text() == "Interpolated"
    shown = page.evaluate("window.__workbench.app.store.get(window.__workbench.selection()[0])")
    first_left = bench.annotations()[0]["keyframes"][0]["left"]
    expected = first_left + (last["left"] - first_left) * 10 / (FRAMES - 1)
    assert near(shown["left"], expected, 0.02), (shown, expected)

    # An event range: Turning from frame 10 to 14 (the playhead marks both ends).
    events = page.locator(".wb-panel-events")
    events.locator("select.wb-events-label").select_option("Turning")
    events.locator("[data-action=event-range-start]").click()
    bench.focus_canvas()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert current_frame(page) == 14
    events.locator("[data-action=event-range-end]").click()
    assert page.locator(".wb-tl-event.range").count() == 1
    assert page.locator(".wb-tl-event.range").inner_text() == "Turning"
    row = events.locator(".wb-event-row")
    assert row.count() == 1
    assert row.locator("input[data-key=start]").input_value() == "11"
    assert row.locator("input[data-key=end]").input_value() == "15"
    # one undo step, like any edit
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert page.locator(".wb-tl-event").count() == 0
    assert events.locator(".wb-event-row").count() == 0
    page.keyboard.press("Control+Shift+z")
    assert page.locator(".wb-tl-event.range").count() == 1

    # The help overlay lists the video keys.
    bench.focus_canvas()
    page.keyboard.press("?")
    help_text = page.locator(".wb-help").inner_text()
    assert "Previous / next frame" in help_text and "Play / pause" in help_text
    page.keyboard.press("Escape")

    # Playing moves the playhead on; K pauses.
    page.keyboard.press("Home")
    page.keyboard.press("k")
    deadline = time.monotonic() + 10
    while current_frame(page) < 3:
        assert time.monotonic() < deadline, "playback did not advance"
        page.wait_for_timeout(50)
    page.keyboard.press("k")
    assert page.evaluate("document.getElementById('workbench').dataset.playing") is None

    drawn = bench.annotations()[0]
    bench.submit()
    page.wait_for_url(f"{setup.root}/")

    task = setup.task()
    assert task["status"] == "completed", task
    response = task["response"]
    files = setup.api.get(response["annotations"]["url"], timeout=30)
    assert files.status_code == 200, files.text
    per_frame = files.json()
    assert len(per_frame) == FRAMES
    a, b = drawn["keyframes"][0], drawn["keyframes"][1]
    for f, entry in enumerate(per_frame):
        boxes = entry["annotations"]
        assert len(boxes) == 1, (f, entry)
        box = boxes[0]
        assert box["uuid"] == drawn["uuid"] and box["type"] == "box" and box["label"] == "car"
        t = f / (FRAMES - 1)
        for key in ("left", "top", "width", "height"):
            want = a[key] + (b[key] - a[key]) * t
            assert abs(box[key] - want) <= 0.006, (f, key, box[key], want)

    events_file = setup.api.get(response["events"]["url"], timeout=30)
    assert events_file.status_code == 200, events_file.text
    got = events_file.json()
    assert len(got) == 1 and got[0]["label"] == "Turning", got
    assert (got[0]["type"], got[0]["start"], got[0]["end"]) == ("range", 10, 14), got
    assert got[0]["startTime"] < got[0]["endTime"], got


LONG = 300
TRACKS = 60


def hypothesis_tracks() -> list[dict]:
    """TRACKS boxes crossing the frame from frame 0 to the last; h-0 starts "moving: no"."""
    tracks = []
    for i in range(TRACKS):
        top = 4 + (i % 12) * 15
        left = 4 + (i // 12) * 20
        first = {"frame": 0, "left": left, "top": top, "width": 12, "height": 10}
        if i == 0:
            first["attributes"] = {"moving": "no"}
        tracks.append({"uuid": f"h-{i}", "type": "box", "label": "car", "keyframes": [
            first, {"frame": LONG - 1, "left": left + 150, "top": top, "width": 12, "height": 10}]})
    return tracks


def seek_keys(page, frame: int) -> None:
    """Home, then Shift+→ and → to `frame`."""
    page.keyboard.press("Home")
    for _ in range(frame // 10):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(frame % 10):
        page.keyboard.press("ArrowRight")
    assert current_frame(page) == frame


def test_300_frames_preload_outside_reentry_and_keyframe_attributes(make_task, bench_for):
    setup = make_video_task_frames(make_task.server, LONG, {
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "annotation_attributes": {"moving": {"type": "category", "description": "Moving?",
                                             "choices": ["yes", "no"]}},
        "hypothesis": {"annotations": hypothesis_tracks()},
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    app = "window.__workbench.app"
    assert page.evaluate(f"{app}.store.size") == TRACKS
    assert page.evaluate("window.__workbench.stats().drawn") == TRACKS

    # Frames are preloaded ahead of the playhead.
    deadline = time.monotonic() + 20
    while not page.evaluate(f"[5, 10, 20].every((f) => {app}.video.loader.images.has(f))"):
        assert time.monotonic() < deadline, "the frames ahead were not preloaded"
        page.wait_for_timeout(100)

    # Every frame change re-derives only that frame's shapes: cheap with 60 tracks.
    cost = page.evaluate(f"""() => {{
        const app = {app};
        const t0 = performance.now();
        for (let f = 1; f < {LONG}; f++) {{ app.video.seek(f); app.renderer.frame(); }}
        const ms = (performance.now() - t0) / ({LONG} - 1);
        app.video.seek(0);
        return ms;
    }}""")
    assert cost < 16, f"a frame change costs {cost:.1f} ms"

    # Select h-0 (the list's first row); at frame 100 (interpolated) set moving = yes: a
    # keyframe there, holding its attributes from then on.
    page.locator(".wb-row").first.click()
    assert bench.selection() == ["h-0"]
    bench.focus_canvas()
    seek_keys(page, 100)
    assert page.locator(".wb-video-keystate").inner_text() == "Interpolated"
    page.locator(".wb-panel-attributes [data-attribute=moving] [data-choice=yes]").click()
    track = page.evaluate(f"{app}.store.track('h-0')")
    assert [k["frame"] for k in track["keyframes"]] == [0, 100, LONG - 1]
    assert track["keyframes"][1]["attributes"] == {"moving": "yes"}

    # At frame 150 the object leaves the view; at 160 it comes back.
    bench.focus_canvas()
    seek_keys(page, 150)
    page.locator("[data-action=outside]").click()
    assert page.locator(".wb-video-keystate").inner_text() == "◇ Outside from here"
    assert page.evaluate(f"{app}.store.hidden('h-0')") is True
    page.keyboard.press("Shift+ArrowRight")
    assert page.locator(".wb-video-keystate").inner_text() == "Not in view"
    assert page.locator("[data-action=outside]").inner_text() == "In view from here"
    page.locator("[data-action=outside]").click()
    assert page.evaluate(f"{app}.store.hidden('h-0')") is False
    frames = [k["frame"] for k in page.evaluate(f"{app}.store.track('h-0')")["keyframes"]]
    assert frames == [0, 100, 149, 150, 160, LONG - 1]

    # Remove keyframe: the re-entry goes, undo brings it back.
    page.locator("[data-action=remove-keyframe]").click()
    assert page.evaluate(f"{app}.store.hidden('h-0')") is True
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert page.evaluate(f"{app}.store.hidden('h-0')") is False

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    task = setup.task()
    assert task["status"] == "completed", task
    per_frame = setup.api.get(task["response"]["annotations"]["url"], timeout=30).json()
    assert len(per_frame) == LONG
    counts = [len(entry["annotations"]) for entry in per_frame]
    assert counts[149] == TRACKS and counts[160] == TRACKS
    assert all(counts[f] == TRACKS - 1 for f in range(150, 160)), counts[145:165]

    def h0(frame: int) -> dict:
        return next(a for a in per_frame[frame]["annotations"] if a["uuid"] == "h-0")

    assert h0(50)["attributes"] == {"moving": "no"}
    assert h0(120)["attributes"] == {"moving": "yes"}
    assert h0(200)["attributes"] == {"moving": "yes"}
