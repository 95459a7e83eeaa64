"""The workbench's live session: autosave per operation, offline edits kept in IndexedDB, a
second tab read-only until it takes over, an admin watching live, submit from the draft."""

from __future__ import annotations

import pytest

from tests import polling
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import Bench, make_admin, near

pytestmark = pytest.mark.browser

BOX = {"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}}


def wait_until(check, what: str, seconds: float = 15.0):
    return polling.wait_until(check, seconds, interval=0.1, message=f"timed out waiting for {what}")


def indicator(page) -> str:
    return page.locator(".wb-save-state").inner_text().strip()


def wait_indicator(page, text: str, seconds: float = 15.0) -> None:
    wait_until(lambda: indicator(page) == text, f"the save state {text!r} "
               f"(it says {indicator(page)!r})", seconds)


def draw_box(bench: Bench, start, end, label: str = "car") -> None:
    bench.tool("b")
    bench.drag(start, end)
    bench.pick_label(label)


def server_draft(page, setup) -> list[dict]:
    """The draft the server holds (GET /tasks/<id>/data, with the page's session cookie)."""
    response = page.request.get(f"{setup.root}/tasks/{setup.task_id}/data")
    assert response.ok, response.text()
    return response.json()["annotations"]


def boxes(annotations) -> list[tuple[float, float, float, float]]:
    return sorted((a["left"], a["top"], a["width"], a["height"]) for a in annotations)


def open_task(page, setup) -> Bench:
    bench = Bench(page, setup)
    page.goto(f"{setup.root}/tasks/{setup.task_id}/work/")
    bench.wait_ready()
    return bench


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def test_boxes_are_saved_as_drawn_and_offline_edits_arrive_after_reopening(make_task, bench_for,
                                                                            page):
    setup = make_task(BOX)
    bench = bench_for(setup)
    bench.start()
    wait_indicator(page, "Saved")
    draw_box(bench, (60, 60), (160, 140))
    draw_box(bench, (200, 60), (300, 160), "truck")
    wait_indicator(page, "Saved")
    # on the server without any submit
    drawn = bench.annotations()
    assert boxes(server_draft(page, setup)) == boxes(drawn)
    assert setup.task()["status"] == "pending"

    # offline: the edits wait in the browser, the indicator counts them
    context = page.context
    context.set_offline(True)
    wait_until(lambda: indicator(page).startswith("Offline"), "the page to notice it is offline")
    draw_box(bench, (350, 60), (450, 160))
    draw_box(bench, (350, 200), (450, 300), "truck")
    wait_indicator(page, "Offline — 2 unsent")
    all_four = bench.annotations()
    assert len(all_four) == 4
    # (the test's own requests are not cut off by the page's offline mode)
    assert len(server_draft(page, setup)) == 2
    page.close()

    # a new page of the same browser (same IndexedDB), back online: everything is there
    context.set_offline(False)
    again = context.new_page()
    errors = collect_errors(again)
    reopened = open_task(again, setup)
    wait_indicator(again, "Saved")
    assert boxes(reopened.annotations()) == boxes(all_four)
    assert boxes(server_draft(again, setup)) == boxes(all_four)
    assert not errors, errors


def test_a_second_tab_is_read_only_until_it_takes_over(make_task, bench_for, page):
    setup = make_task(BOX)
    first = bench_for(setup)
    first.start()
    wait_indicator(page, "Saved")
    draw_box(first, (60, 60), (160, 140))
    wait_indicator(page, "Saved")

    second_page = page.context.new_page()
    errors = collect_errors(second_page)
    second = open_task(second_page, setup)
    notice = second_page.locator(".wb-live-notice")
    notice.wait_for(state="visible")
    assert "read-only" in notice.inner_text().lower()
    assert second_page.locator("#workbench").get_attribute("data-live") == "readonly"
    assert len(second.annotations()) == 1
    # drawing is refused there
    second.tool("b")
    second.drag((300, 200), (400, 300))
    assert second_page.locator(".wb-picker:not([hidden])").count() == 0
    assert len(second.annotations()) == 1

    # the first tab's edits show up live in the second
    draw_box(first, (200, 60), (300, 160), "truck")
    wait_until(lambda: len(second.annotations()) == 2, "the remote box in the read-only tab")

    notice.get_by_role("button", name="Take over").click()
    wait_until(lambda: second_page.locator("#workbench").get_attribute("data-live") == "editor",
               "the second tab to become the editor")
    assert notice.is_hidden()
    wait_until(lambda: page.locator("#workbench").get_attribute("data-live") == "readonly",
               "the first tab to become read-only")
    page.locator(".wb-live-notice").wait_for(state="visible")

    draw_box(second, (350, 200), (450, 300))
    wait_indicator(second_page, "Saved")
    wait_until(lambda: len(first.annotations()) == 3, "the new editor's box in the first tab")
    assert boxes(server_draft(second_page, setup)) == boxes(second.annotations())
    assert not errors, errors


def test_an_admin_watches_the_taskers_edits_live(make_task, bench_for, page, browser):
    setup = make_task(BOX)
    bench = bench_for(setup)
    bench.start()
    wait_indicator(page, "Saved")
    draw_box(bench, (60, 60), (160, 140))
    wait_indicator(page, "Saved")

    admin_context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    try:
        admin_page = admin_context.new_page()
        errors = collect_errors(admin_page)
        admin = Bench(admin_page, setup)
        admin.login(*make_admin(setup.server))
        admin_page.goto(f"{setup.root}/tasks/{setup.task_id}/work/")
        admin.wait_ready()
        assert admin_page.locator("#workbench").get_attribute("data-live") == "watcher"
        assert len(admin.annotations()) == 1
        draw_box(bench, (200, 100), (320, 220), "truck")
        wait_until(lambda: len(admin.annotations()) == 2, "the tasker's new box at the watcher")
        assert boxes(admin.annotations()) == boxes(bench.annotations())
        assert not errors, errors
    finally:
        admin_context.close()


def test_submit_from_the_draft_completes_the_task(make_task, bench_for, page):
    setup = make_task(BOX)
    bench = bench_for(setup)
    bench.start()
    wait_indicator(page, "Saved")
    draw_box(bench, (60, 60), (160, 140))
    draw_box(bench, (200, 60), (300, 160), "truck")
    drawn = bench.annotations()
    bench.submit()  # waits for the acks itself
    page.wait_for_url(f"{setup.root}/**", timeout=20000)
    wait_until(lambda: setup.task()["status"] == "completed", "the task to be completed")
    response = setup.task()["response"]["annotations"]
    assert len(response) == 2
    by_uuid = {a["uuid"]: a for a in response}
    for a in drawn:
        got = by_uuid[a["uuid"]]
        assert got["label"] == a["label"]
        for key in ("left", "top", "width", "height"):
            assert near(got[key], a[key]), (got, a)
