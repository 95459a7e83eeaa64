"""The help overlay, the side panels (safe instruction, image information, layers) and the
read-only view of an admin."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import Bench, make_admin, near
from tests.browser.labels import all_geometries

pytestmark = pytest.mark.browser

# Every key of workbench-ux.md's "Tools and keys" table, and the picker's and canvas's keys.
EVERY_KEY = [
    "V", "B", "P", "L", "O", "E", "C", "M", "Esc", "Backspace", "Delete", "Ctrl+Z",
    "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+C", "Ctrl+V", "← ↑ → ↓", "Shift+← ↑ → ↓", "Tab",
    "Shift+Tab", "H", "Ctrl+Enter", "?", "+", "-", "F", "Enter", "Alt+1–9", "Mouse wheel",
    "Space + drag", "Alt+click a vertex",
]


def test_help_overlay_lists_every_key(make_task, bench_for):
    setup = make_task({"geometries": all_geometries()})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    overlay = page.locator(".wb-help")
    assert overlay.is_hidden()
    bench.focus_canvas()
    page.keyboard.press("?")
    assert overlay.is_visible()
    keys = overlay.locator("kbd").evaluate_all("els => els.map(e => e.textContent)")
    missing = [key for key in EVERY_KEY if key not in keys]
    assert not missing, f"the help overlay lacks {missing}; it lists {keys}"
    # while it is open, keys do nothing else
    page.keyboard.press("b")
    assert page.locator("#workbench").get_attribute("data-tool") == "select"
    page.keyboard.press("Escape")
    assert overlay.is_hidden()
    page.get_by_role("button", name="?").click()
    assert overlay.is_visible()
    overlay.get_by_role("button", name="Close").click()
    assert overlay.is_hidden()
    # every toolbar button says what it does and its key
    for title in page.locator(".wb-toolbar button").evaluate_all("els => els.map(e => e.title)"):
        assert title, "a toolbar button without a title"


def test_panels_show_the_instruction_safely_and_layers_toggle(make_task, bench_for):
    layer_box = {"left": 20, "top": 20, "width": 50, "height": 40, "label": "parked <i>car</i>"}
    setup = make_task({
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "instruction": "# Boxes\nDraw **every** car. <img src=x onerror=alert(1)>\n\n"
                       "- [guide](https://example.com/guide)\n- [bad](javascript:alert(1))",
        "layers": {"boxes": [layer_box]},
        "image_metadata": {"date_time": "2024-06-01T08:30:00Z",
                           "resolution": {"resolution_ratio": 0.5, "resolution_unit": "m"},
                           "location": {"lat": 48.85, "long": 2.35}},
        "base_annotations": {"annotations": [
            {"type": "box", "label": "car", "left": 300, "top": 200, "width": 60, "height": 40,
             "locked": True}]},
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    panel = page.locator(".wb-markdown")
    assert panel.locator("strong").inner_text() == "every"
    assert panel.locator("img").count() == 0
    assert "<img src=x onerror=alert(1)>" in panel.inner_text()
    links = panel.locator("a")
    assert links.count() == 1 and links.get_attribute("href") == "https://example.com/guide"
    assert links.get_attribute("rel") == "noopener noreferrer nofollow"
    info = page.locator(".wb-info").inner_text()
    assert "640 × 400 px" in info and "2024-06-01T08:30:00Z" in info and "1 px = 0.5 m" in info

    # the base annotation is listed with its marks, and a locked one cannot be moved
    row = page.locator(".wb-row").first
    assert row.locator(".wb-badge-base").count() == 1
    assert row.locator(".wb-badge-locked").count() == 1
    (base,) = bench.annotations()
    bench.drag((330, 220), (400, 260))
    assert bench.annotations()[0]["left"] == base["left"]
    assert "locked" in bench.status()
    page.keyboard.press("Delete")
    assert len(bench.annotations()) == 1

    # H hides and shows the read-only layers; layers are never selectable
    bench.click(45, 40)
    assert bench.selection() == []
    bench.focus_canvas()
    page.keyboard.press("h")
    assert "hidden" in bench.status().lower()
    page.keyboard.press("h")
    assert "shown" in bench.status().lower()

    # the ruler measures in resolution units
    bench.tool("m")
    bench.drag((100, 300), (200, 300))
    measured = re.search(r"([\d.]+) px · ([\d.]+) m", bench.status())
    assert measured, bench.status()
    assert near(float(measured[1]), 100) and near(float(measured[2]), 50, 0.5)


def test_admin_gets_a_read_only_view(make_task, bench_for, browser, live_server_process):
    setup = make_task({
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "hypothesis": {"annotations": [
            {"type": "box", "label": "car", "left": 100, "top": 100, "width": 80, "height": 60}]},
    })
    tasker = bench_for(setup)
    tasker.start()  # the tasker holds the task
    work_url = tasker.page.url

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        admin = Bench(context.new_page(), setup)
        username, password = make_admin(live_server_process)
        admin.page.goto(f"{setup.root}/accounts/login/")
        admin.page.fill("input[name=username]", username)
        admin.page.fill("input[name=password]", password)
        admin.page.click("form [type=submit]")
        admin.page.wait_for_load_state()
        admin.page.goto(work_url)
        admin.wait_ready()
        page = admin.page
        tools = page.locator(".wb-toolbar [data-tool]").evaluate_all(
            "els => els.map(e => e.dataset.tool)")
        assert tools == ["select", "ruler"]
        assert page.get_by_role("button", name="Submit").count() == 0
        assert page.locator(".wb-readonly-badge").is_visible()
        admin.focus_canvas()
        page.keyboard.press("b")
        assert "read-only" in admin.status()
        admin.click(140, 130)  # selecting to look is fine
        assert len(admin.selection()) == 1
        admin.drag((140, 130), (240, 230))
        (box,) = admin.annotations()
        assert near(box["left"], 100) and near(box["top"], 100)
        page.keyboard.press("Control+Enter")
        assert "read-only" in admin.status()
        assert setup.task()["status"] == "pending"
    finally:
        context.close()
