"""The tasker's aids (docs/workbench.md, "Aids"): hide and lock for oneself, the image
adjustments and fill opacity, label colours, fullscreen, vertex snapping and border tracing,
the next problem and "show only problems", the task timer and "My recent work"."""

from __future__ import annotations

import pytest

from tests.browser.helpers import page_wait_until

pytestmark = pytest.mark.browser

BOXES = [
    {"type": "box", "label": "car", "left": 60, "top": 60, "width": 80, "height": 60},
    {"type": "box", "label": "car", "left": 300, "top": 200, "width": 100, "height": 80},
    {"type": "box", "label": "bus", "left": 460, "top": 60, "width": 90, "height": 70},
]


def root_data(page, key: str) -> str | None:
    return page.evaluate("k => document.getElementById('workbench').dataset[k] ?? null", key)


def boxes_task(make_task, **extra):
    return make_task({"geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
                      "hypothesis": {"annotations": BOXES}, **extra})


def test_hide_and_lock_are_the_taskers_own_and_survive_a_reload(make_task, bench_for):
    setup = boxes_task(make_task)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    first, second, third = (a["uuid"] for a in bench.annotations())

    bench.click(100, 90)
    assert bench.selection() == [first]
    page.keyboard.press("Shift+H")
    assert root_data(page, "aidsHidden") == "1"
    assert bench.selection() == []
    bench.click(100, 90)  # a hidden annotation is not hit
    assert bench.selection() == []
    assert page.locator(f".wb-row[data-uuid='{first}'] .wb-badge").inner_text().lower() == "hidden"

    bench.click(350, 240)
    page.keyboard.press("Shift+L")
    assert root_data(page, "aidsLocked") == "1"
    before = next(a for a in bench.annotations() if a["uuid"] == second)
    bench.drag((350, 240), (420, 300))
    after = next(a for a in bench.annotations() if a["uuid"] == second)
    assert (after["left"], after["top"]) == (before["left"], before["top"])
    assert "Locked by you" in bench.status()
    page.keyboard.press("Delete")
    assert len(bench.annotations()) == 3
    # never the API's lock: the annotation carries no `locked`
    assert "locked" not in after or after["locked"] is False

    # the page keeps both per task across a reload
    page.reload()
    bench.wait_ready()
    assert (root_data(page, "aidsHidden"), root_data(page, "aidsLocked")) == ("1", "1")
    bench.click(100, 90)
    assert bench.selection() == []
    bench.click(350, 240)
    assert bench.selection() == [second]
    bench.drag((350, 240), (420, 300))
    moved = next(a for a in bench.annotations() if a["uuid"] == second)
    assert moved["left"] == before["left"]

    # Shift+L unlocks; U shows all; Shift+U hides all
    page.keyboard.press("Shift+L")
    bench.drag((350, 240), (420, 300))
    moved = next(a for a in bench.annotations() if a["uuid"] == second)
    assert moved["left"] != before["left"]
    bench.focus_canvas()
    page.keyboard.press("u")
    assert root_data(page, "aidsHidden") == "0"
    bench.click(100, 90)
    assert bench.selection() == [first]
    page.keyboard.press("Shift+U")
    assert root_data(page, "aidsHidden") == "3"
    bench.click(500, 90)
    assert bench.selection() == []

    # a submit sends neither: the response has every annotation, none `locked`
    page.keyboard.press("u")
    bench.click(500, 90)
    assert bench.selection() == [third]
    page.keyboard.press("Shift+L")
    page.keyboard.press("Shift+H")
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    got = setup.task()["response"]["annotations"]
    assert sorted(a["uuid"] for a in got) == sorted([first, second, third])
    assert not any(a.get("locked") for a in got)


def canvas_pixel(page, x: float, y: float) -> list[int]:
    """The canvas' RGB at an image point."""
    return page.evaluate("""p => {
      const app = window.__workbench.app;
      const s = app.view.toScreen(p);
      const dpr = window.devicePixelRatio || 1;
      const ctx = app.canvas.getContext('2d');
      const d = ctx.getImageData(Math.round(s.x * dpr), Math.round(s.y * dpr), 1, 1).data;
      return Array.from(d).slice(0, 3);
    }""", {"x": x, "y": y})


def test_display_adjusts_the_image_only_and_the_fill_opacity(make_task, bench_for):
    setup = boxes_task(make_task)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    plain = canvas_pixel(page, 20, 20)  # sky, no annotation there
    bench.focus_canvas()
    page.keyboard.press("d")
    panel = page.locator(".wb-aids-display")
    assert panel.is_visible()
    panel.locator("input[name=brightness]").fill("200")
    panel.locator("input[name=saturation]").fill("0")
    assert root_data(page, "imageFilter") == "brightness(200%) contrast(100%) saturate(0%)"

    def bright_grey() -> list[int] | None:
        # each input's change redraws: the brighter but still coloured image of the first
        # may be on the canvas a moment before the second's
        pixel = canvas_pixel(page, 20, 20)
        return pixel if sum(pixel) > sum(plain) + 60 and max(pixel) - min(pixel) <= 3 else None

    page_wait_until(page, bright_grey, message=lambda: (
        f"the sky is not bright grey (saturation 0): {plain} → {canvas_pixel(page, 20, 20)}"))
    panel.locator("input[name=fill]").fill("60")
    assert page.evaluate("window.__workbench.app.aids.fillOpacity") == pytest.approx(0.6)
    panel.locator("input[name=fill]").press("Escape")
    assert panel.is_hidden()
    # the settings are the project's: kept on a reload
    page.reload()
    bench.wait_ready()
    assert root_data(page, "imageFilter") == "brightness(200%) contrast(100%) saturate(0%)"
    page.keyboard.press("d")
    page.locator(".wb-aids-display").get_by_role("button", name="Reset").click()
    assert root_data(page, "imageFilter") == "none"
    page_wait_until(page, lambda: canvas_pixel(page, 20, 20) == plain,
                    message="the reset did not restore the image")


def test_label_colours_are_distinct_per_leaf_and_from_the_label_tree(make_task, bench_for):
    tree = [{"choice": "Vehicle", "subchoices": ["car", "bus", "truck", "van", "bike"]},
            *[f"thing{i}" for i in range(15)]]
    setup = make_task({"geometries": {"box": {"objects_to_annotate": tree},
                                      "polygon": {"objects_to_annotate": list(reversed(tree))}}})
    bench = bench_for(setup)
    bench.start()
    colors = bench.page.evaluate("Object.fromEntries(window.__workbench.app.colors)")
    assert len(colors) == 20
    assert len(set(colors.values())) == 20  # no 14-colour palette repeating
    # the same module (lib/labelcolors.js) in another order of the tree: the same colours
    again = bench.page.evaluate("""async (tree) => {
      const m = await import('/static/js/lib/labelcolors.js');
      const l = await import('/static/js/lib/labeltree.js');
      return Object.fromEntries(m.labelColorMap({x: l.parseLabels(tree)}));
    }""", list(reversed(tree)))
    assert again == colors


def test_fullscreen_toggles(make_task, bench_for):
    setup = boxes_task(make_task)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    bench.focus_canvas()
    page.keyboard.press("Shift+F")
    page_wait_until(page, lambda: page.evaluate("Boolean(document.fullscreenElement)"),
                    message="fullscreen did not start")
    # document.fullscreenElement is set before the fullscreenchange event that updates the
    # page is dispatched (Chromium fires it at the next animation frame): wait for the page.
    page_wait_until(page, lambda: root_data(page, "fullscreen") == "true",
                    message="the page did not mark fullscreen")
    assert page.locator(".wb-aids-fullscreen-button").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Shift+F")
    page_wait_until(page, lambda: not page.evaluate("Boolean(document.fullscreenElement)"),
                    message="fullscreen did not end")
    page_wait_until(page, lambda: root_data(page, "fullscreen") == "false",
                    message="the page did not mark the end of fullscreen")
    assert page.locator(".wb-aids-fullscreen-button").get_attribute("aria-pressed") == "false"


SQUARE6 = [{"x": 100, "y": 100}, {"x": 200, "y": 100}, {"x": 300, "y": 100},
           {"x": 300, "y": 300}, {"x": 200, "y": 300}, {"x": 100, "y": 300}]


def test_snapping_joins_vertices_and_tracing_follows_a_border(make_task, bench_for):
    setup = make_task({"geometries": {"polygon": {"objects_to_annotate": ["field"]},
                                      "box": {"objects_to_annotate": ["hut"]}},
                       "hypothesis": {"annotations": [
                           {"type": "polygon", "label": "field", "vertices": SQUARE6}]}},
                      width=640, height=400)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    near = 3 / bench.scale()  # 3 CSS px off the vertex: within the snap radius

    # without snapping the click lands where it is
    bench.tool("p")
    bench.click(300 + near, 300 + near)
    bench.click(400, 300)
    bench.click(400, 360)
    page.keyboard.press("Enter")
    bench.pick_label("field")
    loose = bench.annotations()[-1]["vertices"][0]
    assert (loose["x"], loose["y"]) != (300, 300)

    bench.focus_canvas()
    page.keyboard.press("s")
    assert root_data(page, "aidsSnap") == "true"
    bench.tool("p")
    bench.click(300 + near, 300 - near)
    bench.click(420, 250)
    bench.click(420, 320)
    page.keyboard.press("Enter")
    bench.pick_label("field")
    snapped = bench.annotations()[-1]["vertices"][0]
    assert (snapped["x"], snapped["y"]) == (300, 300)

    # a box corner joins a vertex too
    bench.tool("b")
    bench.drag((100 - near, 300 + near), (40, 380))
    bench.pick_label("hut")
    box = bench.annotations()[-1]
    assert (box["left"] + box["width"], box["top"]) == (100, 300)

    # tracing: two clicks on vertices 0 and 2 of the field add vertex 1 between them
    page.keyboard.press("t")
    assert root_data(page, "aidsTrace") == "true"
    bench.tool("p")
    bench.click(100 + near, 100 - near)
    bench.click(300 - near, 100 + near)
    bench.click(200, 30)
    page.keyboard.press("Enter")
    bench.pick_label("field")
    traced = [(v["x"], v["y"]) for v in bench.annotations()[-1]["vertices"]]
    assert traced[:3] == [(100, 100), (200, 100), (300, 100)]
    assert len(traced) == 4

    # dragging a vertex of a polygon onto another's vertex joins it
    bench.tool("v")
    bench.click(200, 40)  # the traced polygon, near its top vertex
    bench.drag((200, 30), (100 + near, 300 - near), steps=6)
    joined = [(v["x"], v["y"]) for v in bench.annotations()[-1]["vertices"]]
    assert (100, 300) in joined, joined


def test_next_problem_and_show_only_problems(make_task, bench_for):
    setup = boxes_task(make_task, annotation_attributes={
        "parked": {"choices": ["yes", "no"], "required": True}})
    # the first box has its attribute, the two others miss it
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    uuids = [a["uuid"] for a in bench.annotations()]
    bench.click(100, 90)
    page.locator(".wb-panel-attributes").get_by_role("button", name="yes").first.click()
    bench.focus_canvas()
    page.keyboard.press("Escape")
    page.keyboard.press("q")
    assert bench.selection() == [uuids[1]]
    assert "Problem 1 of 2" in bench.status()
    page.keyboard.press("q")
    assert bench.selection() == [uuids[2]]
    page.keyboard.press("q")
    assert bench.selection() == [uuids[1]]
    page.keyboard.press("Shift+Q")
    assert bench.selection() == [uuids[2]]

    page.keyboard.press("Escape")
    page.keyboard.press("Shift+P")
    assert root_data(page, "aidsOnlyProblems") == "true"
    bench.click(100, 90)  # the complete one is hidden
    assert bench.selection() == []
    bench.click(350, 240)
    assert bench.selection() == [uuids[1]]
    page.keyboard.press("Shift+P")
    bench.click(100, 90)
    assert bench.selection() == [uuids[0]]


def test_the_task_timer_counts(make_task, bench_for):
    setup = boxes_task(make_task)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    start = int(root_data(page, "taskSeconds") or 0)
    page.wait_for_timeout(2300)
    now = int(root_data(page, "taskSeconds") or 0)
    assert now >= start + 2
    assert page.locator(".wb-status-timer").inner_text().startswith("Time 0:0")


def test_help_lists_every_aid_and_recent_work_shows_on_the_queue(make_task, bench_for):
    setup = boxes_task(make_task)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    bench.focus_canvas()
    page.keyboard.press("?")
    keys = page.locator(".wb-help kbd").evaluate_all("els => els.map(e => e.textContent)")
    for key in ["Shift+H", "Shift+U / U", "Shift+L", "Q / Shift+Q", "Shift+P", "S", "T", "D",
                "Shift+F"]:
        assert key in keys, f"{key} is not in the help: {keys}"
    page.keyboard.press("Escape")

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    rows = page.locator("[data-recent-work] tbody tr")
    assert rows.count() >= 1
    row = page.locator(f"[data-recent-work] tr[data-task='{setup.task_id}']")
    assert row.count() == 1
    assert row.get_attribute("data-outcome") == "submitted"
    assert row.locator("td").nth(1).inner_text() == setup.project
    assert ":" in row.locator("[data-seconds]").inner_text()
