"""Submit refused by the server's rules, the unsaved-work guard, and integer pixels."""

from __future__ import annotations

import time

import pytest

from tests.browser.helpers import near, page_wait_until

pytestmark = pytest.mark.browser


def assert_int_box(box: dict, expected: tuple[int, int, int, int]) -> None:
    values = [box[key] for key in ("left", "top", "width", "height")]
    assert all(isinstance(v, int) for v in values), values
    assert all(near(v, e) for v, e in zip(values, expected, strict=True)), (values, expected)


def test_rejected_submit_keeps_everything_selects_the_offender_and_says_why(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"], "min_width": 20,
                                              "min_height": 10, "integer_pixels": True}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page

    bench.tool("b")
    bench.drag((100.3, 100.2), (200.4, 150.1))
    bench.pick_label("car")
    good = bench.annotations()[0]
    # integer_pixels: the box is rounded as it is drawn
    assert_int_box(good, (100, 100, 100, 50))

    bench.drag((300, 100), (310, 140))  # 10 px wide: below min_width
    bench.pick_label("car")
    small = bench.annotations()[1]
    assert_int_box(small, (300, 100, 10, 40))
    assert "minimum" in bench.status()
    # the list's row is drawn a moment after the store changed: waited for, then counted
    page_wait_until(page, lambda: page.locator(".wb-row").nth(1).locator(
        ".wb-badge-danger").count() > 0, message="no problem badge on the small box's row")
    assert page.locator(".wb-row").nth(1).locator(".wb-badge-danger").count() == 1

    bench.focus_canvas()
    page.keyboard.press("Escape")  # nothing selected when submitting
    assert bench.selection() == []
    bench.submit()
    page.wait_for_selector(".wb-status-message[data-kind=error]")
    assert page.url.endswith(f"/tasks/{setup.task_id}/work/")
    message = bench.status()
    assert "width" in message and "min_width" in message, message
    assert "#2" in message  # names the annotation by its place in the list
    assert page.locator(".wb-banner").is_visible()
    assert bench.selection() == [small["uuid"]]
    assert [a["uuid"] for a in bench.annotations()] == [good["uuid"], small["uuid"]]
    assert page.locator(".wb-row.selected").count() == 1
    assert setup.task()["status"] == "pending"

    # narrowed by its east handle: told at once, as when it was drawn
    bench.tool("v")
    bench.drag((310, 120), (304, 120))
    assert_int_box(bench.annotations()[1], (300, 100, 4, 40))
    assert "smaller than the task's minimum 20 × 10 px" in bench.status(), bench.status()
    # widen it by its east handle and submit again
    bench.drag((304, 120), (330, 120))
    assert_int_box(bench.annotations()[1], (300, 100, 30, 40))
    assert not page.locator(".wb-banner").is_visible()
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    got = setup.task()["response"]["annotations"]
    assert_int_box(got[0], (100, 100, 100, 50))
    assert_int_box(got[1], (300, 100, 30, 40))


def test_leaving_with_unsubmitted_edits_asks_first(make_task, bench_for):
    setup = make_task({"geometries": {"point": {"objects_to_annotate": []}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    bench.tool("o")
    bench.click(50, 60)
    (point,) = bench.annotations()
    assert near(point["x"], 50) and near(point["y"], 60) and "label" not in point
    assert page.locator("#workbench").get_attribute("data-dirty") == "true"
    # With the live session the page asks only while edits have not reached the server:
    # once the first point is saved, go offline; the next point waits in the outbox.
    deadline = time.monotonic() + 10
    while page.locator(".wb-save-state").inner_text() != "Saved":
        assert time.monotonic() < deadline, page.locator(".wb-save-state").inner_text()
        page.wait_for_timeout(50)
    page.context.set_offline(True)
    bench.tool("o")
    bench.click(80, 90)
    deadline = time.monotonic() + 10
    while page.locator(".wb-save-state").inner_text() != "Offline — 1 unsent":
        assert time.monotonic() < deadline, page.locator(".wb-save-state").inner_text()
        page.wait_for_timeout(50)

    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert dialogs == ["beforeunload"]


def test_skip_asks_when_there_are_edits_and_gives_the_task_back(make_task, bench_for):
    # Skip asks for an optional reason in the page (no browser dialog) and keeps the draft
    # (docs/live-sessions.md "Leases"); tests/browser/test_working_day.py runs the same steps.
    setup = make_task({"geometries": {"point": {"objects_to_annotate": []}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    bench.tool("o")
    bench.click(100, 100)
    seen = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.accept()))
    page.get_by_role("button", name="Skip").click()
    page.locator(".wb-skip-ask").get_by_role("button", name="Cancel").click()
    assert page.url.endswith(f"/tasks/{setup.task_id}/work/")  # canceled: still here
    assert len(bench.annotations()) == 1
    page.get_by_role("button", name="Skip").click()
    page.locator(".wb-skip-confirm").click()
    page.wait_for_url(f"{setup.root}/")
    assert seen == [], "Skip asks in the page; no confirm, no beforeunload prompt"
    assert "went back to the queue" in page.locator(".messages").inner_text()
    task = setup.task()
    assert task["status"] == "pending"
    assert not task.get("response")
