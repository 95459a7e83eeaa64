"""The browser figures: Debian's Chromium through Playwright, frame times from
requestAnimationFrame.

Two tasks, made through the API with images uploaded to the server itself; the attachment
worker's code runs on each once (`python -m bench.bulk fetch`), which for the large image
builds its tile pyramid:

* 10,000 annotations (5,000 boxes, 5,000 polygons × 20 vertices) on a 4,000 × 3,000 JPEG;
* a 20,000 × 20,000 JPEG (400 megapixels) with 200 boxes.

A third pair, for `review_open`: two tasks of the same 2,000 annotations (1,600 boxes, 400
polygons × 20 vertices) in a project whose review stage takes every task; the tasker submits
one (it goes to review) and the next one is claimed for work; a reviewer takes the first with
Start next review. The work page and the review page are then opened in turns, 5 times each.

A tasker claims both and opens them. "First complete frame" is the renderer's
`stats().firstFrameAt` (performance.now() — milliseconds from the navigation — of the first
frame with the whole image or every visible tile and every annotation drawn, at rest; also a
`workbench:first-frame` performance mark). Frame times are the intervals between
requestAnimationFrame callbacks while the page pans, zooms or edits; the page's own work per
frame is `stats().lastFrameMs`.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import orjson
import requests

from bench import segment_paint
from bench.api import ApiBench, expect, task_from_url
from bench.payloads import annotations, jpeg, task_body
from bench.server import BenchError, BenchServer
from bench.stats import Figure, distribution, percentile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
CACHE = Path(__file__).resolve().parent / "results" / "cache"
PASSWORD = "bench-browser-password-1"
REVIEW_PROJECT = "bench-review"
# the review page may cost at most this much more than the work page of the same content
REVIEW_OPEN_RATIO = 1.1
SUBMIT_FROM_DRAFT = """async (url) => {
  const pair = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "";
  const token = pair.slice(10);
  const r = await fetch(url, {method: "POST", credentials: "same-origin", headers: {
    "Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(token)},
    body: JSON.stringify({from_draft: true})});
  return {status: r.status, body: await r.text()};
}"""
FRAME_BUDGET_MS = 16.7
# A frame keeps the display's 60 Hz beat when the next one starts one period later; one that
# misses it comes a whole period late (33.3 ms). Timestamps jitter by a fraction of a
# millisecond, so a frame is "on the beat" up to 1.5 periods.
BEAT_MS = 1000 / 60

# requestAnimationFrame intervals (between the frames' timestamps) while `step(i)` moves the
# view once per frame.
FRAMES_SCRIPT = """async ([kind, frames, arg]) => {
  const wb = window.__workbench, app = wb.app, view = app.view;
  const times = [], work = [];
  const centre = {x: view.width / 2, y: view.height / 2};
  const step = {
    pan: (i) => view.panBy(i % 60 < 30 ? arg : -arg, i % 90 < 45 ? arg / 2 : -arg / 2),
    zoom: (i) => view.zoomAt(centre, i % 40 < 20 ? 1.04 : 1 / 1.04),
  }[kind];
  let last = await new Promise((resolve) => requestAnimationFrame(resolve));
  let drawn = wb.stats().frames;
  for (let i = 0; i < frames; i++) {
    // the frame's own timestamp (its vsync), not when the callback happened to run
    const now = await new Promise((resolve) => requestAnimationFrame((t) => {
      step(i);
      app.viewChanged();
      resolve(t);
    }));
    times.push(now - last);
    const stats = wb.stats();
    if (stats.frames !== drawn) work.push(stats.lastFrameMs);
    drawn = stats.frames;
    last = now;
  }
  return {times, work, stats: wb.stats()};
}"""

# A recorder of requestAnimationFrame intervals that runs while Playwright drives the mouse.
RECORD_START = """() => {
  const rec = window.__benchFrames = {times: [], work: [], on: true};
  let last = performance.now(), drawn = window.__workbench.stats().frames;
  const tick = (now) => {
    if (!rec.on) return;
    rec.times.push(now - last);
    const stats = window.__workbench.stats();
    if (stats.frames !== drawn) rec.work.push(stats.lastFrameMs);
    drawn = stats.frames;
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
}"""
RECORD_STOP = """() => { const rec = window.__benchFrames; rec.on = false; return rec; }"""

# Where the time to the first frame went: the page, its data, its image (ms from navigation).
TIMELINE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const out = {html: Math.round(nav.responseEnd)};
  for (const r of performance.getEntriesByType("resource")) {
    const name = r.name.includes("/data") ? "data" : r.name.includes("/image") ? "image"
      : r.name.includes("/tiles/") ? "tiles" : r.name.endsWith(".js") ? "js" : null;
    if (!name) continue;
    const o = out[name] = out[name] || {n: 0, start: Infinity, end: 0, bytes: 0};
    o.n++; o.start = Math.min(o.start, Math.round(r.startTime));
    o.end = Math.max(o.end, Math.round(r.responseEnd)); o.bytes += r.encodedBodySize || 0;
  }
  out.first_frame = Math.round(window.__workbench.stats().firstFrameAt);
  return out;
}"""

# The image adjustments of the workbench's Display (static/js/workbench/aids.js) on and off:
# the frame figures `*_filtered` are measured with them on (docs/workbench.md, "Aids").
FILTERS = """async (on) => {
  const app = window.__workbench.app, aids = app.aids;
  Object.assign(aids.display, on ? {brightness: 130, contrast: 120, saturation: 60}
    : {brightness: 100, contrast: 100, saturation: 100});
  aids.applyDisplay();
  const t0 = performance.now();
  while (on && !app.tileLayer && !aids.filtered && performance.now() - t0 < 10000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return on ? aids.imageFilterCss : "";
}"""

SETTLE = """async () => {
  await new Promise((r) => setTimeout(r, 300));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


class BrowserBench:
    def __init__(self, server: BenchServer, api: ApiBench, *, scale: float = 1.0) -> None:
        self.server = server
        self.api = api
        self.scale = scale
        self.info: dict = {}
        self.trace: Path | None = None  # a Chrome trace of one opening and pan goes here

    # ------------------------------------------------------------------ set-up

    def upload(self, name: str, body: bytes) -> str:
        response = requests.post(f"{self.server.root}/v1/files/upload",
                                 auth=(self.api.key, ""),
                                 files={"file": (name, body, "image/jpeg")}, timeout=600)
        expect(response.status_code, response.content, f"upload {name}")
        return response.json()["attachment_url"]

    def image(self, width: int, height: int) -> bytes:
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"street-{width}x{height}.jpg"
        if not path.exists():
            t0 = time.perf_counter()
            path.write_bytes(jpeg(width, height))
            print(f"    made a {width}×{height} JPEG in {time.perf_counter() - t0:.0f} s "
                  f"({path.stat().st_size / 1e6:.1f} MB, kept in {path.parent})", flush=True)
        return path.read_bytes()

    def task(self, project: str, width: int, height: int, hypothesis: list[dict], *,
             new_project: bool = True) -> str:
        if new_project:
            self.api.project(project)
        attachment = self.upload(f"{project}.jpg", self.image(width, height))
        body = task_body(project=project, attachment=attachment,
                         hypothesis={"annotations": hypothesis})
        t0 = time.perf_counter()
        task_id = self.api.create(body)
        created = time.perf_counter() - t0
        t0 = time.perf_counter()
        outcome = self.server.python("bench.bulk", "fetch", "--task", task_id).strip()
        key = project if new_project else f"{project}:{task_id}"
        self.info[key] = {"task_id": task_id, "create_seconds": created,
                          "worker_seconds": time.perf_counter() - t0,
                          "worker": orjson.loads(outcome)}
        return task_id

    def setup(self) -> None:
        t0 = time.perf_counter()
        self.many = self.task("bench-10k", 4000, 3000, annotations(5000, 5000, seed=11))
        rng_boxes = annotations(200, 0, seed=12, width=20000, height=20000)
        self.huge = self.task("bench-20k", 20000, 20000, rng_boxes)
        if not self.info["bench-20k"]["worker"].get("tiles"):
            raise BenchError(f"the 20,000 px image got no tile pyramid: {self.info}")
        self.tasker = "tasker-bench-browser"
        self.server.manage("create_tasker", self.tasker, "--password", PASSWORD,
                           "--project", "bench-10k", "--project", "bench-20k")
        self.info["setup_seconds"] = time.perf_counter() - t0

    def setup_review(self) -> None:
        """The review_open pair: a project reviewing every task, two tasks of the same
        2,000 annotations, a tasker and a reviewer."""
        t0 = time.perf_counter()
        hypothesis = annotations(1600, 400, seed=13)
        self.review_tasks = [self.task(REVIEW_PROJECT, 4000, 3000, hypothesis, new_project=not i)
                             for i in range(2)]
        self.server.manage("shell", "-c", (
            "from tasks.models import Project; from tasks.models.quality import ProjectQuality; "
            f"p = Project.objects.get(name={REVIEW_PROJECT!r}); "
            "ProjectQuality.objects.update_or_create(project=p, defaults={'review_mode': 'all'})"))
        self.review_tasker, self.reviewer = "tasker-bench-review", "reviewer-bench-review"
        self.server.manage("create_tasker", self.review_tasker, "--password", PASSWORD,
                           "--project", REVIEW_PROJECT)
        self.server.manage("create_tasker", self.reviewer, "--password", PASSWORD,
                           "--project", REVIEW_PROJECT, "--reviewer")
        self.info["review_setup_seconds"] = time.perf_counter() - t0

    # ------------------------------------------------------------------ the page

    def login(self, context, username: str | None = None):
        page = context.new_page()
        page.goto(f"{self.server.root}/accounts/login/")
        page.fill("input[name=username]", username or self.tasker)
        page.fill("input[name=password]", PASSWORD)
        page.click("form [type=submit]")
        # taskers land on the queue, reviewers on theirs
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    def claim(self, page, project: str) -> str:
        page.goto(f"{self.server.root}/")
        row = page.locator(f"tr[data-project='{project}']")
        row.get_by_role("button", name="Start next task").click()
        page.wait_for_url("**/tasks/*/work/")
        return task_from_url(page.url)

    def open(self, page, task_id: str, timeout: float = 60, mode: str = "work") -> float:
        """Navigate to the task's page (`mode`: work or review); milliseconds from the
        navigation to the first complete frame."""
        page.goto(f"{self.server.root}/tasks/{task_id}/{mode}/")
        deadline = time.monotonic() + timeout
        while True:
            # polled with evaluate(): the page's CSP forbids wait_for_function's eval
            found = page.evaluate("() => window.__workbench?.stats().firstFrameAt || 0")
            if found:
                self.last_timeline = page.evaluate(TIMELINE)
                return found
            failed = page.evaluate(
                "() => document.getElementById('workbench')?.dataset.error || ''")
            if failed:
                raise BenchError(f"the workbench failed to start: {failed}")
            if time.monotonic() > deadline:
                raise BenchError(f"task {task_id}: no complete frame within {timeout} s")
            page.wait_for_timeout(20)

    def wait_live(self, page, timeout: float = 60) -> float:
        """Wait for the live session's welcome (editing starts then); ms from navigation."""
        deadline = time.monotonic() + timeout
        script = ("() => { const r = document.getElementById('workbench');"
                  " return !window.__workbench?.live?.() || Boolean(r?.dataset.live); }")
        while not page.evaluate(script):
            if time.monotonic() > deadline:
                raise BenchError("the live session never welcomed the page")
            page.wait_for_timeout(20)
        return page.evaluate("() => performance.now()")

    def become_editor(self, page, timeout: float = 30) -> None:
        """The tabs the bench opened before may still count as the task's editor: take over
        (the button the page offers) so that this one may edit."""
        role = "() => document.getElementById('workbench').dataset.live || ''"
        if page.evaluate(role) in ("editor", ""):
            return
        page.get_by_role("button", name="Take over").click()
        deadline = time.monotonic() + timeout
        while page.evaluate(role) != "editor":
            if time.monotonic() > deadline:
                raise BenchError("the page never became the task's editor")
            page.wait_for_timeout(50)

    def frames(self, page, kind: str, count: int, arg: float = 0) -> dict:
        return page.evaluate(FRAMES_SCRIPT, [kind, count, arg])

    def heap(self, page) -> float:
        cdp = page.context.new_cdp_session(page)
        cdp.send("HeapProfiler.collectGarbage")
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        cdp.detach()
        return metrics["JSHeapUsedSize"] / 2**20

    # ------------------------------------------------------------------ figures

    def run(self) -> list[Figure]:
        from playwright.sync_api import sync_playwright

        self.setup()
        figures = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                figures += self.ten_thousand(browser)
                figures += self.large_image(browser)
                figures += self.review_open(browser)
                figures += segment_paint.figures(self, browser)
            finally:
                browser.close()
        return figures

    def context(self, browser):
        return browser.new_context(viewport=VIEWPORT, device_scale_factor=1)

    def ten_thousand(self, browser) -> list[Figure]:
        context = self.context(browser)
        page = self.login(context)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if self.claim(page, "bench-10k") != self.many:
            raise BenchError("the tasker was given another task than the 10,000-shape one")
        runs = max(int(5 * self.scale), 3)
        loads = [self.open(page, self.many) for _ in range(runs + 1)][1:]  # one warm-up
        self.info["timeline_10k"] = self.last_timeline
        self.info["timeline_10k"]["editable"] = round(self.wait_live(page))
        ready = page.evaluate("() => window.__workbench.stats()")
        if ready["drawn"] < 9000:
            raise BenchError(f"only {ready['drawn']} annotations drawn at the fitted view")
        figures = [distribution(
            "first_frame_10k", "10,000 annotations on 4,000 × 3,000: navigation → first "
            "complete frame", "≤ 1.5 s", loads, limit=1500, on="p50")]
        page.evaluate(SETTLE)
        heap = self.heap(page)
        if self.trace:
            self.record_trace(browser, page)

        n = max(int(240 * self.scale), 120)
        fitted = self.frames(page, "pan", n // 2, 9)
        page.evaluate(SETTLE)
        fitted_zoom = self.frames(page, "zoom", n // 2)
        page.evaluate(SETTLE)
        page.evaluate("() => { const a = window.__workbench.app; a.fit(); "
                      "a.view.zoomCentre(4); a.viewChanged(); }")
        page.evaluate(SETTLE)
        zoomed = self.frames(page, "pan", n // 2, 9)
        page.evaluate(SETTLE)
        zoomed_zoom = self.frames(page, "zoom", n // 2)
        for key, name, parts in (
            ("pan_zoom_fitted", "10,000 annotations: pan and zoom, fitted (all in view)",
             (fitted, fitted_zoom)),
            ("pan_zoom_zoomed", "10,000 annotations: pan and zoom, zoomed in 4×",
             (zoomed, zoomed_zoom)),
        ):
            figures.append(self.frame_figure(key, name, parts))

        # the same with the image adjustments on (brightness, contrast, saturation)
        if not page.evaluate(FILTERS, True):
            raise BenchError("the image filters did not turn on")
        page.evaluate("() => { window.__workbench.app.fit(); }")
        page.evaluate(SETTLE)
        filtered = self.frames(page, "pan", n // 2, 9)
        page.evaluate(SETTLE)
        filtered_zoom = self.frames(page, "zoom", n // 2)
        figures.append(self.frame_figure(
            "pan_zoom_filtered", "10,000 annotations: pan and zoom, fitted, image filters on",
            (filtered, filtered_zoom)))
        page.evaluate(FILTERS, False)

        page.evaluate("() => { window.__workbench.app.fit(); }")
        self.become_editor(page)
        page.evaluate(SETTLE)
        figures.append(self.frame_figure("drag_vertex", "10,000 annotations: drag a "
                                         "polygon's vertex (fitted)", (self.drag_vertex(page),)))
        page.evaluate(SETTLE)
        figures.append(self.frame_figure("draw_box", "10,000 annotations: draw a new box "
                                         "(fitted)", (self.draw_box(page),)))
        figures.append(Figure("heap_10k", "JS heap with the 10,000-annotation task open",
                              "≤ 150 MB", unit="MiB", value=heap, ok=heap <= 150,
                              note="JSHeapUsedSize after a GC"))
        if errors:
            raise BenchError("the page logged errors: " + "; ".join(errors[:3]))
        context.close()
        return figures

    def record_trace(self, browser, page) -> None:
        """Chrome's performance trace (open it in chrome://tracing or Perfetto) of one more
        opening of the 10,000-annotation task and a pan: the page's profile for the README."""
        browser.start_tracing(page=page, screenshots=False, categories=[
            "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
            "blink.user_timing", "toplevel", "disabled-by-default-devtools.timeline.frame",
            "disabled-by-default-v8.cpu_profiler"])
        self.open(page, self.many)
        page.evaluate(SETTLE)
        self.frames(page, "pan", 60, 9)
        self.trace.write_bytes(browser.stop_tracing())
        page.evaluate(SETTLE)

    def frame_figure(self, key: str, name: str, parts) -> Figure:
        times = [t for part in parts for t in part["times"][3:]]
        work = [w for part in parts for w in part["work"][3:]]
        late = sum(1 for t in times if t > 1.5 * BEAT_MS)
        figure = distribution(key, name, "p95 frame ≤ 16.7 ms", times, limit=FRAME_BUDGET_MS,
                              on="p95", frames=len(times), late=late,
                              work_p50=percentile(work, 50), work_p95=percentile(work, 95))
        # p95 ≤ 16.7 ms at 60 Hz: at least 95 % of the frames keep the beat (see BEAT_MS).
        figure.ok = late <= 0.05 * len(times)
        figure.note = (f"{len(times)} frames, {late} late; page work p50 "
                       f"{figure.extra['work_p50']:.1f} / p95 {figure.extra['work_p95']:.1f} ms")
        return figure

    def drag_vertex(self, page) -> dict:
        """Select a polygon near the middle and drag one of its vertices in a circle."""
        target = page.evaluate("""() => {
          const app = window.__workbench.app;
          const polygons = app.store.list().filter((a) => a.type === "polygon");
          const mid = {x: 2000, y: 1500};
          polygons.sort((a, b) => Math.hypot(a.vertices[0].x - mid.x, a.vertices[0].y - mid.y)
            - Math.hypot(b.vertices[0].x - mid.x, b.vertices[0].y - mid.y));
          const p = polygons[0];
          app.select([p.uuid]);
          app.setTool("select");
          const at = window.__workbench.toPage(p.vertices[5]);
          return {uuid: p.uuid, vertex: p.vertices[5], page: at};
        }""")
        page.evaluate(SETTLE)
        mouse = page.mouse
        x, y = target["page"]["x"], target["page"]["y"]
        mouse.move(x, y)
        page.evaluate(RECORD_START)
        mouse.down()
        steps = max(int(120 * self.scale), 60)
        for i in range(1, steps + 1):
            angle = 2 * math.pi * i / steps
            mouse.move(x + 60 * math.sin(angle), y + 40 * (1 - math.cos(angle)) + i * 0.3)
            page.wait_for_timeout(8)
        mouse.up()
        page.evaluate(SETTLE)
        record = page.evaluate(RECORD_STOP)
        after = page.evaluate("(uuid) => window.__workbench.app.store.get(uuid).vertices[5]",
                              target["uuid"])
        if after == target["vertex"]:
            raise BenchError("the vertex drag moved nothing")
        return record

    def draw_box(self, page) -> dict:
        page.evaluate("() => window.__workbench.app.select([])")
        page.focus("canvas.wb-canvas")
        page.keyboard.press("b")
        page.evaluate(SETTLE)
        start = page.evaluate("() => window.__workbench.toPage({x: 1200, y: 900})")
        end = page.evaluate("() => window.__workbench.toPage({x: 2200, y: 1700})")
        mouse = page.mouse
        mouse.move(start["x"], start["y"])
        page.evaluate(RECORD_START)
        mouse.down()
        steps = max(int(120 * self.scale), 60)
        for i in range(1, steps + 1):
            f = i / steps
            mouse.move(start["x"] + (end["x"] - start["x"]) * f,
                       start["y"] + (end["y"] - start["y"]) * f)
            page.wait_for_timeout(8)
        mouse.up()
        page.evaluate(SETTLE)
        record = page.evaluate(RECORD_STOP)
        picker = page.locator(".wb-picker:not([hidden])")
        picker.wait_for(state="visible")
        search = picker.locator("input.wb-picker-search")
        search.type("car")
        search.press("Enter")
        picker.wait_for(state="hidden")
        return record

    def large_image(self, browser) -> list[Figure]:
        # every measured opening in a new context: no tile in the browser's cache
        runs = max(int(5 * self.scale), 3)
        loads = []
        pan = pan_filtered = None
        for run in range(runs + 1):
            context = self.context(browser)
            page = self.login(context)
            if run == 0 and self.claim(page, "bench-20k") != self.huge:
                raise BenchError("the tasker was given another task than the 20,000 px one")
            loaded = self.open(page, self.huge)
            if run:
                loads.append(loaded)
                self.info["timeline_20k"] = self.last_timeline
            if run == runs:
                tiles = page.evaluate("() => window.__workbench.app.tileLayer?.bitmaps.size")
                if not tiles:
                    raise BenchError("the 20,000 px task was not drawn from tiles")
                page.evaluate("() => { const a = window.__workbench.app; "
                              "a.view.set(4, a.view.width / 2 - 9000 * 4, "
                              "a.view.height / 2 - 11000 * 4); a.viewChanged(); }")
                self.wait_tiles(page)
                n = max(int(240 * self.scale), 120)
                pan = self.frames(page, "pan", n, 24)
                # the same with the image adjustments on: the tiles are filtered as drawn
                if not page.evaluate(FILTERS, True):
                    raise BenchError("the image filters did not turn on")
                page.evaluate(SETTLE)
                self.wait_tiles(page)
                pan_filtered = self.frames(page, "pan", n, 24)
            context.close()
        return [
            distribution("first_frame_20k", "20,000 × 20,000 image: navigation → first "
                         "complete frame (tiles, empty cache)", "≤ 2 s", loads, limit=2000),
            self.frame_figure("pan_20k", "20,000 × 20,000 image: pan at 4× zoom (400 %)",
                              (pan,)),
            self.frame_figure("pan_20k_filtered", "20,000 × 20,000 image: pan at 4× zoom, "
                              "image filters on", (pan_filtered,)),
        ]

    def review_open(self, browser) -> list[Figure]:
        """The review page of a 2,000-annotation task against its work page: the p50 of the
        first complete frame over 5 openings each (after one warm-up opening each), taken in
        turns so that the machine's load weighs on both alike."""
        self.setup_review()
        runs = max(int(5 * self.scale), 3)
        tasker_context = self.context(browser)
        tasker = self.login(tasker_context, self.review_tasker)
        submitted = self.claim(tasker, REVIEW_PROJECT)
        tasker.goto(f"{self.server.root}/")
        answer = tasker.evaluate(SUBMIT_FROM_DRAFT, f"/tasks/{submitted}/submit")
        if answer["status"] != 200:
            raise BenchError(f"the review task's submit answered {answer['status']}: "
                             f"{answer['body'][:300]}")
        # the submit's next_url claimed the other task of the project for this tasker
        work_task = next(t for t in self.review_tasks if t != submitted)

        reviewer_context = self.context(browser)
        reviewer = self.login(reviewer_context, self.reviewer)
        reviewer.goto(f"{self.server.root}/review/")
        reviewer.locator(f"tr[data-project='{REVIEW_PROJECT}']").get_by_role(
            "button", name="Start next review").click()
        reviewer.wait_for_url("**/tasks/*/review/")
        if f"/tasks/{submitted}/review/" not in reviewer.url:
            raise BenchError(f"the reviewer was given {reviewer.url}, not task {submitted}")
        work, review = [], []
        for _ in range(runs + 1):
            work.append(self.open(tasker, work_task))
            review.append(self.open(reviewer, submitted, mode="review"))
        work, review = work[1:], review[1:]
        drawn = reviewer.evaluate("() => window.__workbench.stats().drawn")
        mode = reviewer.evaluate("() => document.getElementById('workbench').dataset.mode")
        tasker_context.close()
        reviewer_context.close()
        if mode != "review" or drawn < 1900:
            raise BenchError(f"the review page drew {drawn} annotations in mode {mode!r}")
        work_p50, review_p50 = percentile(work, 50), percentile(review, 50)
        figure = distribution(
            "review_open", "2,000 annotations: navigation → first complete frame of the review "
            "page (the work page's in the note)", f"≤ {REVIEW_OPEN_RATIO} × work p50", review,
            limit=REVIEW_OPEN_RATIO * work_p50, work_p50=work_p50, work_samples=work)
        figure.note = (f"work page p50 {work_p50:.0f} ms; review / work = "
                       f"{review_p50 / work_p50:.2f}")
        print(f"    review_open: review p50 {review_p50:.0f} ms, work p50 {work_p50:.0f} ms "
              f"({len(review)} openings each, in turns)", flush=True)
        return [figure]

    def wait_tiles(self, page, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not page.evaluate("() => window.__workbench.app.renderer.imageComplete"):
            if time.monotonic() > deadline:
                raise BenchError("the tiles of the zoomed view did not arrive")
            page.evaluate("() => window.__workbench.app.invalidate('overlay')")
            page.wait_for_timeout(50)


def browser_figures(server: BenchServer, api: ApiBench,
                    trace: Path | None = None) -> list[Figure]:
    bench = BrowserBench(server, api, scale=api.scale)
    bench.trace = trace
    try:
        return bench.run()
    finally:
        api.info["browser"] = bench.info


def review_open_figures(server: BenchServer, api: ApiBench) -> list[Figure]:
    """The review_open figure alone (`python -m bench --only review_open`)."""
    from playwright.sync_api import sync_playwright

    bench = BrowserBench(server, api, scale=api.scale)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return bench.review_open(browser)
            finally:
                browser.close()
    finally:
        api.info["browser"] = bench.info


def segment_paint_figures(server: BenchServer, api: ApiBench) -> list[Figure]:
    """The segmentation page's figures alone (`python -m bench --only seg_paint`)."""
    from playwright.sync_api import sync_playwright

    bench = BrowserBench(server, api, scale=api.scale)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return segment_paint.figures(bench, browser)
            finally:
                browser.close()
    finally:
        api.info["browser"] = bench.info
