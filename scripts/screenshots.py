"""The README's screenshots, remade with `make screenshots` (python -m scripts.screenshots).

A server of its own on a free loopback port and a fresh temporary data folder (`manage.py
migrate`, `load_demo`, `serve`), Debian's Chromium driven by Playwright, the demo tasker
logged in (and the demo reviewer, in a context of its own, for the review page); each picture
is taken once the page says it is ready (the workbench's
`data-ready`, the video's frame counter, the mask's `data-mask`, the Assist tool's
`data-assist`, the live session's saved op), never after a fixed sleep. The PNGs go to
docs/images/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "docs" / "images"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
# The queue is a narrow page: no empty acres; its picture ends below the projects' table,
# however many projects the demo has (my recent work follows it).
QUEUE_VIEWPORT: ViewportSize = {"width": 1000, "height": 450}
QUEUE_MARGIN = 24
# The demo's accounts and projects (tasks/demo/load.py, tasks/demo/video.py,
# tasks/demo/quality.py: its one task waiting in review has a rejected box and a pin;
# tasks/demo/segmentation.py, tasks/demo/assist.py).
TASKER, TASKER_PASSWORD = "tasker", "tasker"
REVIEWER, REVIEWER_PASSWORD = "reviewer", "reviewer"
IMAGE_PROJECT, VIDEO_PROJECT, REVIEW_SHOT_PROJECT = "demo", "demo-video", "demo-gold"
VIDEO_FRAMES = 40
VIDEO_FRAME = 18  # mid-way: the car between its two keyframes, the cyclist crossing
SEGMENT_PROJECT, ASSIST_PROJECT = "demo-segmentation", "demo-assist"
# The first landscape (tasks/demo/segmentation.py draw_scene(0)) is prelabelled with its sky
# and road; the grass either side of the road is filled (the road's edges show against it),
# and a brush stroke of "hill" goes along the left hill: the tools in use.
GRASS_LABEL_KEY, GRASS_LABEL = "4", "terrain › grass"
GRASS_CLICKS = [(40.0, 300.0), (600.0, 300.0)]
HILL_LABEL_KEY, HILL_LABEL = "3", "terrain › hill"
HILL_STROKE = [(70, 150), (120, 125), (165, 100), (210, 125), (255, 150)]
BRUSH_LARGER = 3  # `]` presses: the 8 px brush at 15.6 px, a stroke one can see
# The first assist task is scene 20 (tasks/demo/assist.py FIRST_SCENE; tasks are claimed in
# creation order): a box prompt (image pixels, left top right bottom) round its blue car.
ASSIST_SCENE = 20
ASSIST_BOX = (288.0, 346.0, 446.0, 502.0)
TIMEOUT = 60.0


class ScreenshotError(RuntimeError):
    pass


def wait_until(predicate: Callable[[], object], what: str, timeout: float = TIMEOUT,
               sleep: Callable[[float], None] = time.sleep) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"timed out waiting for {what}")
        sleep(0.05)


# ------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False
    return True


@contextmanager
def demo_server() -> Iterator[str]:
    """migrate + load_demo + serve on a fresh SQLite data folder; yields the root URL."""
    data_dir = Path(tempfile.mkdtemp(prefix="annotator-screenshots-"))
    port = free_port()
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "ANNOTATOR_TEST_DB_NAME"):
        env.pop(name, None)  # SQLite in the temp folder, in-memory channels: nothing shared
    env.update({"ANNOTATOR_DATA_DIR": str(data_dir), "PORT": str(port),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"})
    process: subprocess.Popen | None = None
    try:
        for args in (["migrate", "--noinput"], ["load_demo"]):
            done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT,
                                  env=env, capture_output=True, text=True, timeout=600,
                                  check=False)
            if done.returncode != 0:
                raise ScreenshotError(f"manage.py {' '.join(args)} exited {done.returncode}:"
                                      f"\n{done.stdout}\n{done.stderr}")
        log = open(data_dir / "server.log", "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        root = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if process.poll() is not None:
                raise ScreenshotError("the server exited:\n"
                                      + (data_dir / "server.log").read_text(errors="replace"))
            return answers(f"{root}/accounts/login/")

        wait_until(up, "the server to answer", timeout=120)
        yield root
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
            log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


# ------------------------------------------------------------------------------ the page


def wait_page(page, script: str, what: str) -> None:
    """Poll a page expression with evaluate() (the page's Content-Security-Policy forbids the
    string evaluation wait_for_function() relies on), waiting with the page's own timer."""
    wait_until(lambda: page.evaluate(script), what,
               sleep=lambda seconds: page.wait_for_timeout(seconds * 1000))


def log_in(page, root: str) -> None:
    page.goto(f"{root}/accounts/login/")
    page.fill("input[name=username]", TASKER)
    page.fill("input[name=password]", TASKER_PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(f"{root}/")
    page.locator("table.queue").first.wait_for()  # the queue, then my recent work


def open_workbench(page, root: str, project: str) -> None:
    """From the queue: the project's Start next task, then wait for the workbench's ready
    signal, its live session's welcome and a first complete frame."""
    def claimed() -> bool:
        # A task whose media the worker has not stored yet cannot be claimed: the server
        # sends the page back to the queue (tasks/queue.py), so press the button again.
        page.goto(f"{root}/")
        with page.expect_navigation():
            page.locator(f"tr[data-project='{project}']").get_by_role(
                "button", name="Start next task").click()
        return "/work/" in page.url

    wait_until(claimed, f"a task of {project!r} to claim", timeout=120,
               sleep=lambda seconds: page.wait_for_timeout(max(seconds, 0.5) * 1000))
    wait_workbench(page)


def wait_workbench(page) -> None:
    """The workbench's ready signal, its live session's welcome and a first complete frame."""
    wait_page(page, "() => { const r = document.getElementById('workbench');"
                    " if (r?.dataset.error) throw new Error('workbench: ' + r.dataset.error);"
                    " return Boolean(window.__workbench?.ready); }", "the workbench")
    wait_page(page, "() => !window.__workbench.live() ||"
                    " Boolean(document.getElementById('workbench').dataset.live)",
              "the live session")
    wait_page(page, "() => window.__workbench.stats().firstFrameAt > 0", "a complete frame")


def centre_of(annotation: dict) -> tuple[float, float]:
    if "vertices" in annotation:
        xs = [v["x"] for v in annotation["vertices"]]
        ys = [v["y"] for v in annotation["vertices"]]
        return sum(xs) / len(xs), sum(ys) / len(ys)
    if "width" in annotation:
        return (annotation["left"] + annotation["width"] / 2,
                annotation["top"] + annotation["height"] / 2)
    return annotation["x"], annotation["y"]


def click_image_point(page, x: float, y: float) -> None:
    point = page.evaluate("p => window.__workbench.toPage(p)", {"x": x, "y": y})
    page.mouse.click(round(point["x"]), round(point["y"]))


def select_prelabel(page) -> None:
    """Select the largest prelabelled box with the select tool, as a tasker checking it would."""
    annotations = page.evaluate("window.__workbench.annotations()")
    boxes = [a for a in annotations if a.get("type") == "box"] or annotations
    if not boxes:
        raise ScreenshotError("the demo task shows no prelabels")
    target = max(boxes, key=lambda a: a.get("width", 0) * a.get("height", 0))
    page.focus("canvas.wb-canvas")
    page.keyboard.press("v")
    click_image_point(page, *centre_of(target))
    wait_page(page, "() => window.__workbench.selection().length > 0", "a selection")
    settle(page)


def settle(page) -> None:
    """Two animation frames: whatever the last input changed has been painted."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() =>"
                  " requestAnimationFrame(r)))")


def shoot_queue(page, root: str, out: Path) -> None:
    page.set_viewport_size(QUEUE_VIEWPORT)
    page.goto(f"{root}/")
    table = page.locator("table.queue").first
    table.locator("tr[data-project]").first.wait_for()
    # below the table, up to QUEUE_MARGIN px, never into what follows it (my recent work)
    bottom = table.evaluate("(t, margin) => { const end = t.getBoundingClientRect().bottom;"
                            " const next = t.nextElementSibling?.getBoundingClientRect().top;"
                            " return Math.min(end + margin, next ?? Infinity) + scrollY; }",
                            QUEUE_MARGIN)
    page.screenshot(path=out, full_page=True,
                    clip={"x": 0, "y": 0, "width": QUEUE_VIEWPORT["width"], "height": bottom})


def shoot_image(page, root: str, out: Path) -> None:
    page.set_viewport_size(VIEWPORT)
    open_workbench(page, root, IMAGE_PROJECT)
    select_prelabel(page)
    page.screenshot(path=out)


def shoot_video(page, root: str, out: Path) -> None:
    page.set_viewport_size(VIEWPORT)
    open_workbench(page, root, VIDEO_PROJECT)
    page.focus("canvas.wb-canvas")
    for _ in range(VIDEO_FRAME):
        page.keyboard.press("ArrowRight")
    counter = f"Frame {VIDEO_FRAME + 1} / {VIDEO_FRAMES}"
    wait_until(lambda: page.locator(".wb-video-counter").inner_text() == counter,
               f"the video counter to read {counter!r}",
               sleep=lambda seconds: page.wait_for_timeout(seconds * 1000))
    select_track(page, VIDEO_FRAME)
    page.locator(".wb-tl-key").first.wait_for()  # the selected track's keyframes
    settle(page)
    page.screenshot(path=out)


def shoot_segmentation(page, root: str, out: Path) -> None:
    """A landscape with its prelabelled sky and road, the grass filled and one brush stroke
    of "hill" painted, all saved; the Labels panel on the right."""
    page.set_viewport_size(VIEWPORT)
    open_workbench(page, root, SEGMENT_PROJECT)
    wait_page(page, "() => document.getElementById('workbench').dataset.mask === 'ready'",
              "the mask")
    page.focus("canvas.wb-canvas")
    pick_label(page, GRASS_LABEL_KEY, GRASS_LABEL)
    page.keyboard.press("g")
    for n, (x, y) in enumerate(GRASS_CLICKS, start=1):
        click_image_point(page, x, y)
        wait_ops(page, n)
    pick_label(page, HILL_LABEL_KEY, HILL_LABEL)
    page.keyboard.press("b")
    for _ in range(BRUSH_LARGER):
        page.keyboard.press("]")
    paint_stroke(page, HILL_STROKE)
    wait_ops(page, len(GRASS_CLICKS) + 1)
    settle(page)
    page.screenshot(path=out)


def pick_label(page, key: str, name: str) -> None:
    """The Labels panel's label `key` (1-9), checked by its name."""
    page.keyboard.press(key)
    active = page.locator(".wb-seg-label.active .wb-seg-name").inner_text()
    if active != name:
        raise ScreenshotError(f"key {key} picked {active!r}, not {name!r}")


def wait_ops(page, count: int) -> None:
    """`count` mask ops painted and saved through the live session."""
    wait_page(page, "() => { const l = window.__workbench.live(); return l && l.status ==="
                    f" 'saved' && l.unsent === 0 && window.__workbench.mask().undoable.length"
                    f" === {count}; }}", f"{count} mask ops saved")


def paint_stroke(page, points: Sequence[tuple[float, float]]) -> None:
    """Press at the first image point, move through the others, release at the last (the
    brush cursor stays there)."""
    page_points = [page.evaluate("p => window.__workbench.toPage(p)", {"x": x, "y": y})
                   for x, y in points]
    page.mouse.move(page_points[0]["x"], page_points[0]["y"])
    page.mouse.down()
    for point in page_points[1:]:
        page.mouse.move(point["x"], point["y"], steps=6)
    page.mouse.up()


# Whether the worker has stored the open task's image (its size in the task's /data).
IMAGE_STORED = """async () => {
  const id = location.pathname.split("/")[2];
  const data = await (await fetch(`/tasks/${id}/data`)).json();
  return Boolean(data.image && data.image.width);
}"""


def restart_timer(page, root: str) -> None:
    """Open the task again with its timer at 0:00 (the time on a task is kept in the
    browser's localStorage, static/js/workbench/aids.js): the wait for the worker is not the
    tasker's time."""
    url = page.url
    page.goto(f"{root}/")  # off the task: its timer stops writing
    page.evaluate("() => Object.keys(localStorage).filter((k) =>"
                  " k.startsWith('annotator.aids.timer.')).forEach((k) =>"
                  " localStorage.removeItem(k))")
    page.goto(url)
    wait_workbench(page)


def shoot_assist(page, root: str, out: Path) -> None:
    """The Assist tool's box prompt round the demo-assist task's blue car and the polygon it
    returns, previewed: "Enter accepts · Esc discards"."""
    page.set_viewport_size(VIEWPORT)
    open_workbench(page, root, ASSIST_PROJECT)
    # An image task may be claimed before the worker stored its copy, and the assists read
    # only that copy (docs/assist.md): GET /data gives the image's size once it is stored.
    wait_until(lambda: page.evaluate(IMAGE_STORED), "the worker to store the task's image",
               timeout=120, sleep=lambda seconds: page.wait_for_timeout(max(seconds, 0.5) * 1000))
    restart_timer(page, root)
    page.focus("canvas.wb-canvas")
    page.keyboard.press("w")
    wait_page(page, "() => document.getElementById('workbench').dataset.tool === 'assist'",
              "the Assist tool")
    left, top, right, bottom = ASSIST_BOX
    paint_stroke(page, [(left, top), (right, bottom)])  # a drag: the box prompt
    state = "() => document.getElementById('workbench').dataset.assist"
    wait_page(page, f"() => ['ready', 'empty', 'unavailable', 'failed'].includes(({state})())",
              "the assist's answer")
    if page.evaluate(state) != "ready":
        raise ScreenshotError(f"the assist answered {page.evaluate(state)!r}, not a shape: "
                              + page.locator(".wb-status-message").inner_text())
    settle(page)
    page.screenshot(path=out)


def track_box_at(track: dict, frame: int) -> dict:
    """The track's box on `frame`, linear between its keyframes around it (the hypothesis's
    track is a plain box, so this is where the page draws it too)."""
    keys = sorted(track["keyframes"], key=lambda k: k["frame"])
    before = [k for k in keys if k["frame"] <= frame][-1]
    after = next((k for k in keys if k["frame"] >= frame), before)
    span = after["frame"] - before["frame"]
    t = (frame - before["frame"]) / span if span else 0.0
    return {name: before[name] + (after[name] - before[name]) * t
            for name in ("left", "top", "width", "height")}


def select_track(page, frame: int) -> None:
    """Select the hypothesis's car track on `frame` with the select tool."""
    tracks = page.evaluate("window.__workbench.annotations()")
    boxes = [t for t in tracks if t.get("type") == "box" and t.get("keyframes")]
    if not boxes:
        raise ScreenshotError("the demo video shows no prelabelled track")
    page.focus("canvas.wb-canvas")
    page.keyboard.press("v")
    click_image_point(page, *centre_of(track_box_at(boxes[0], frame)))
    wait_page(page, "() => window.__workbench.selection().length > 0", "a selection")


# The rejected annotation's uuid, from the task's /data (its review block, docs/quality.md).
REJECTED_UUID = """async () => {
  const id = location.pathname.split("/")[2];
  const data = await (await fetch(`/tasks/${id}/data`)).json();
  const verdicts = (data.quality && data.quality.verdicts) || {};
  return Object.keys(verdicts).find((uuid) => verdicts[uuid].verdict === "rejected") || null;
}"""


def open_review(page, root: str, project: str) -> None:
    """Log in as the demo reviewer, press the project's Start next review on /review/, and
    wait for the review page to be ready."""
    page.goto(f"{root}/accounts/login/?next=/review/")
    page.fill("input[name=username]", REVIEWER)
    page.fill("input[name=password]", REVIEWER_PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(f"{root}/review/")
    with page.expect_navigation():
        page.locator(f"tr[data-project='{project}']").get_by_role(
            "button", name="Start next review").click()
    if "/review/" not in page.url or "/tasks/" not in page.url:
        raise ScreenshotError(f"Start next review in {project!r} led to {page.url}")
    wait_workbench(page)


def select_rejected(page) -> None:
    """Select the annotation the demo's reviewer rejected, beside its pinned issue."""
    rejected = page.evaluate(REJECTED_UUID)
    target = next((a for a in page.evaluate("window.__workbench.annotations()")
                   if a.get("uuid") == rejected), None)
    if target is None:
        raise ScreenshotError("the demo task in review shows no rejected annotation")
    page.focus("canvas.wb-canvas")
    page.keyboard.press("v")
    click_image_point(page, *centre_of(target))
    wait_page(page, "() => window.__workbench.selection().length > 0", "a selection")
    settle(page)


def shoot_review(page, root: str, out: Path) -> None:
    """The reviewer's page, in a context of its own (the tasker stays logged in)."""
    context = page.context.browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    try:
        review = context.new_page()
        open_review(review, root, REVIEW_SHOT_PROJECT)
        select_rejected(review)
        review.screenshot(path=out)
    finally:
        context.close()


SHOTS = {
    "queue.png": shoot_queue,
    "workbench-image.png": shoot_image,
    "workbench-video.png": shoot_video,
    "workbench-review.png": shoot_review,
    "workbench-segmentation.png": shoot_segmentation,
    "workbench-assist.png": shoot_assist,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the PNGs")
    args = parser.parse_args(argv)
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        print(f"Chromium is missing at {CHROMIUM}: apt-get install chromium, or set "
              "CHROMIUM_PATH.", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with demo_server() as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            page = context.new_page()
            log_in(page, root)
            for name, shoot in SHOTS.items():
                path = args.out / name
                shoot(page, root, path)
                print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}"
                      f"  {path.stat().st_size // 1024} KB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
