"""A working day at the workbench: a lapsed lease keeps the draft (for the same and for
another tasker), Skip with a reason and behind the rest of the queue, labels that start with
a digit, group names in the label search (docs/live-sessions.md "Leases", docs/workbench.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from tests import polling
from tests.browser.conftest import watched_page
from tests.browser.helpers import PASSWORD, Bench, TaskFactory, make_admin, page_wait_until
from tests.browser.own_server import OwnServer

pytestmark = pytest.mark.browser

BOX = {"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}}
LEASE = 4  # seconds: the short lease of the lapse tests


def wait_until(check, what: str, seconds: float = 15.0):
    return polling.wait_until(check, seconds, interval=0.1, message=f"timed out waiting for {what}")


def saved(page) -> bool:
    return page.locator(".wb-save-state").inner_text().strip() == "Saved"


def draw_box(bench: Bench, start, end, label: str = "car") -> None:
    bench.tool("b")
    bench.drag(start, end)
    bench.pick_label(label)


def start_in(bench: Bench, project: str) -> None:
    """Open the queue page and press Start next task in the project's row."""
    bench.page.goto(f"{bench.setup.root}/")
    row = bench.page.locator(f"tr[data-project='{project}']")
    row.get_by_role("button", name="Start next task").click()
    bench.page.wait_for_url("**/tasks/*/work/")
    bench.wait_ready()


def task_id_of(page) -> str:
    return page.url.rstrip("/").split("/")[-2]


@contextmanager
def another_page(browser, expected: tuple[str, ...] = ("Failed to load resource",)):
    """A page in a context of its own (another person), checked for errors at the end (a
    resource that failed to load is the `page` fixture's one expected error too)."""
    pages = watched_page(browser, expected)
    page = next(pages)
    try:
        yield page
    finally:
        with suppress(StopIteration):
            next(pages)


@pytest.fixture
def short_lease() -> Iterator[OwnServer]:
    """A server of its own whose leases last LEASE seconds."""
    server = OwnServer()
    server.env["ANNOTATOR_LEASE_SECONDS"] = str(LEASE)
    try:
        server.start()
        yield server
    finally:
        server.close()


def test_a_lapsed_lease_keeps_the_draft_for_the_same_and_for_another_tasker(short_lease, page,
                                                                           browser):
    setup = TaskFactory(short_lease.live)(BOX)
    other = f"otto-{uuid.uuid4().hex[:6]}"
    short_lease.live.manage("create_tasker", other, "--password", PASSWORD, "--project",
                            setup.project)
    bench = Bench(page, setup)
    bench.start()
    draw_box(bench, (40, 40), (140, 120))
    draw_box(bench, (200, 60), (300, 160), "truck")
    draw_box(bench, (360, 80), (460, 200))
    wait_until(lambda: saved(page), "Saved")
    task_id = task_id_of(page)

    # the tab goes away; the lease runs out
    page.goto(f"{setup.root}/")
    page.wait_for_timeout((LEASE + 2) * 1000)
    start_in(bench, setup.project)
    assert task_id_of(page) == task_id
    assert sorted(a["label"] for a in bench.annotations()) == ["car", "car", "truck"]
    assert "discarded" not in bench.status() and "lapsed" not in bench.status()
    assert page.locator(".wb-draft-by").is_hidden()  # their own draft

    page.goto(f"{setup.root}/")
    page.wait_for_timeout((LEASE + 2) * 1000)
    with another_page(browser) as second:
        other_bench = Bench(second, setup)
        other_bench.login(other)
        start_in(other_bench, setup.project)
        assert task_id_of(second) == task_id
        assert sorted(a["label"] for a in other_bench.annotations()) == ["car", "car", "truck"]
        assert (second.locator(".wb-draft-by").inner_text()
                == f"Continuing {setup.tasker}'s draft")
        # and they go on from it
        draw_box(other_bench, (100, 250), (200, 330))
        wait_until(lambda: saved(second), "Saved")
        assert len(other_bench.annotations()) == 4


def test_the_lease_warning_shows_while_offline_before_the_lease_ends(short_lease, page):
    setup = TaskFactory(short_lease.live)(BOX)
    bench = Bench(page, setup)
    bench.start()
    warning = page.locator(".wb-lease-warning")
    assert warning.is_hidden()
    page.context.set_offline(True)
    wait_until(lambda: warning.is_visible(), "the lease warning", seconds=LEASE + 5)
    assert "lease" in warning.inner_text()
    page.context.set_offline(False)
    # the live session retries with a backoff of up to 15 s (static/js/lib/sync.js maxDelay):
    # back online within one longest retry and its handshake
    wait_until(lambda: saved(page), "the page back online", seconds=30)
    bench.click(300, 300)  # and working again: the lease is renewed, no idle warning either
    wait_until(lambda: warning.is_hidden(), "the warning to go once back online and active")


def test_an_idle_open_page_warns_before_its_lease_runs_out(short_lease, page):
    setup = TaskFactory(short_lease.live)(BOX)
    bench = Bench(page, setup)
    bench.start()
    warning = page.locator(".wb-lease-warning")
    bench.click(300, 300)
    assert warning.is_hidden()
    # connected but idle: the server stops renewing a lease time after the last activity
    wait_until(lambda: warning.is_visible(), "the idle warning", seconds=3 * LEASE)
    assert warning.inner_text().startswith(("Idle: your lease ends", "Your lease has ended"))


def test_skip_asks_a_reason_keeps_the_draft_and_comes_back_last(make_task, page, browser):
    setup = make_task(BOX, tasks=2)
    bench = Bench(page, setup)
    bench.start()
    first = task_id_of(page)
    draw_box(bench, (40, 40), (140, 120))
    wait_until(lambda: saved(page), "Saved")

    page.locator(".wb-skip > button").click()
    ask = page.locator(".wb-skip-ask")
    assert ask.is_visible()
    page.locator(".wb-skip-reason").fill("image too dark to tell")
    page.locator(".wb-skip-confirm").click()
    page.wait_for_url(f"{setup.root}/")
    assert "lapsed" not in page.content()
    assert "only once the rest of your queue is done" in page.content()

    start_in(bench, setup.project)
    second = task_id_of(page)
    assert second != first  # not the skipped task again
    assert "lapsed" not in bench.status()
    draw_box(bench, (60, 60), (160, 160))
    wait_until(lambda: saved(page), "Saved")
    bench.submit()
    # the rest of the queue is done: the skipped task comes back, its box with it
    page.wait_for_url(f"**/tasks/{first}/work/")
    bench.wait_ready()
    assert [a["label"] for a in bench.annotations()] == ["car"]
    assert "lapsed" not in bench.status()

    # managers see the skip and its reason in the task's admin page
    name, password = make_admin(setup.server)
    with another_page(browser) as admin:
        admin.goto(f"{setup.root}/admin/login/")
        admin.fill("input[name=username]", name)
        admin.fill("input[name=password]", password)
        admin.click("form [type=submit]")
        admin.wait_for_url(f"{setup.root}/admin/")
        admin.goto(f"{setup.root}/admin/tasks/task/{first}/change/")
        text = admin.content()
    assert "image too dark to tell" in text and "released" in text.lower()


def test_labels_that_start_with_a_digit_are_typed_and_recent_labels_need_alt(make_task, bench_for):
    labels = ["30", "50", "70", "100", "120"]
    setup = make_task({"geometries": {"box": {"objects_to_annotate": labels}}})
    bench = bench_for(setup)
    bench.start()
    draw_box(bench, (40, 40), (140, 120), "30")
    draw_box(bench, (200, 40), (300, 120), "120")  # "1" must not pick recent label #1
    assert [a["label"] for a in bench.annotations()] == ["30", "120"]
    bench.tool("b")
    bench.drag((360, 40), (460, 120))
    picker = bench.picker()
    picker.wait_for(state="visible")
    assert picker.locator(".wb-picker-option kbd").first.inner_text() == "Alt+1"
    picker.locator("input.wb-picker-search").press("Alt+2")  # recent: 120, 30
    picker.wait_for(state="hidden")
    assert [a["label"] for a in bench.annotations()] == ["30", "120", "30"]
    bench.page.keyboard.press("?")
    assert "Alt+1–9" in bench.page.locator(".wb-help").inner_text()


def test_label_search_finds_the_leaves_of_a_group(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": [
        {"choice": "car", "display": "Car", "subchoices": ["sedan", "suv", "van", "pickup"]},
        {"choice": "bus", "display": "Bus", "subchoices": ["coach", "minibus"]},
    ]}}})
    bench = bench_for(setup)
    bench.start()
    bench.tool("b")
    bench.drag((40, 40), (140, 120))
    picker = bench.picker()
    picker.wait_for(state="visible")
    search = picker.locator("input.wb-picker-search")
    search.type("car")
    names = picker.locator(".wb-picker-option .wb-picker-name")
    texts = "els => els.map(e => e.textContent)"
    assert names.evaluate_all(texts) == ["sedan", "suv", "van", "pickup"]
    search.fill("")
    search.type("bus")
    assert "coach" in names.evaluate_all(texts)
    search.fill("coach")
    search.press("Enter")
    picker.wait_for(state="hidden")
    assert bench.annotations()[0]["label"] == "coach"


LONG_GROUP = ("Road vehicle, a group name far longer than any row of the annotation list "
              "is wide, whatever the window")
DEEP = {"geometries": {"box": {"objects_to_annotate": [
    {"choice": "vehicle", "display": "Vehicle", "subchoices": [
        {"choice": "road_vehicle", "display": LONG_GROUP,
         "subchoices": [{"choice": "car", "display": "Car"}]}]},
    "tree"]}},
    "annotation_attributes": {
        "parked": {"choices": ["yes", "no"], "required": True},
        "speed": {"type": "number", "min": 0, "max": 130, "step": 10},
    }}


def attribute(page, name: str):
    return page.locator(f".wb-panel-attributes [data-attribute='{name}']")


def test_the_list_shows_the_leaf_of_a_deep_label(make_task, bench_for):
    setup = make_task(DEEP)
    bench = bench_for(setup)
    bench.start()
    draw_box(bench, (40, 40), (140, 120), "car")
    row = bench.page.locator(".wb-row").first
    leaf = row.locator(".wb-row-leaf")
    assert leaf.inner_text().strip() == "Car"
    # the path is longer than the row: the leaf is whole and inside it, the groups are cut
    # (waited for: the side column settles its width a moment after the row appears)
    page_wait_until(bench.page, lambda: row.locator(".wb-row-label").evaluate(
        "e => e.scrollWidth > e.clientWidth"), message="the label path is not cut")
    inside = row.evaluate(
        "r => { const l = r.querySelector('.wb-row-leaf').getBoundingClientRect();"
        " const b = r.querySelector('.wb-row-label').getBoundingClientRect();"
        " return l.right <= b.right + 0.5 && l.left >= b.left - 0.5; }")
    assert inside
    assert row.locator(".wb-row-label").get_attribute("title") == (
        f"Vehicle › {LONG_GROUP} › Car")
    # its text reads as the path (what assistive technology and copy read)
    assert row.locator(".wb-row-label").inner_text() == (
        f"Vehicle › {LONG_GROUP} › Car")


def test_a_refused_submit_shows_the_annotation_below_the_banner(make_task, bench_for):
    setup = make_task(DEEP)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    draw_box(bench, (40, 10), (140, 60), "car")
    bench.focus_canvas()
    page.keyboard.press("Escape")
    # the box sits at the very top of the canvas, where the banner comes
    page.evaluate("""() => { const app = window.__workbench.app;
        const y = app.view.toScreen({x: 40, y: 10}).y;
        app.view.panBy(0, 2 - y); app.invalidate('view'); }""")
    assert page.evaluate("window.__workbench.toScreen({x: 40, y: 10}).y") < 5
    bench.submit()
    assert "parked is required" in bench.status()
    banner = page.locator(".wb-banner").bounding_box()
    top = page.evaluate("window.__workbench.toPage({x: 40, y: 10}).y")
    assert top > banner["y"] + banner["height"], (top, banner)
    assert bench.selection() == [bench.annotations()[0]["uuid"]]


def test_an_invalid_number_is_explained_at_its_field(make_task, bench_for):
    setup = make_task(DEEP)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    draw_box(bench, (40, 40), (140, 120), "car")
    field = attribute(page, "speed").locator("input")
    field.fill("35")
    field.press("Enter")
    assert field.input_value() == "35"  # not cleared
    assert field.get_attribute("aria-invalid") == "true"
    error = attribute(page, "speed").locator(".wb-attr-error")
    assert error.is_visible() and "10" in error.inner_text()
    assert "speed" not in (bench.annotations()[0].get("attributes") or {})
    field.fill("40")
    field.press("Enter")
    assert error.is_hidden() and field.get_attribute("aria-invalid") is None
    assert bench.annotations()[0]["attributes"]["speed"] == 40


def test_undo_names_the_step_and_old_refusals_go(make_task, bench_for):
    setup = make_task(BOX)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    draw_box(bench, (40, 40), (140.333, 120.777))
    (box,) = bench.annotations()
    assert all(round(box[k], 2) == box[k] for k in ("left", "top", "width", "height"))
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert bench.status() == "Undone: new box"
    page.keyboard.press("Control+Shift+z")
    assert bench.status() == "Redone: new box"
    # a refusal, then an unrelated action a moment later: the refusal goes
    page.keyboard.press("p")  # the task has no polygons: refused
    assert bench.status() == "This task does not ask for polygons"
    page.wait_for_timeout(1700)
    page.keyboard.press("v")  # the select tool
    assert "polygons" not in bench.status()


def test_staff_see_a_completed_task_read_only_without_live_nor_hints(make_task, bench_for,
                                                                    browser):
    setup = make_task(BOX)
    bench = bench_for(setup)
    bench.start()
    draw_box(bench, (40, 40), (140, 120))
    wait_until(lambda: saved(bench.page), "Saved")
    bench.submit()
    bench.page.wait_for_url(f"{setup.root}/")
    with another_page(browser) as page:
        admin = Bench(page, setup)
        admin.login(*make_admin(setup.server))
        page.goto(f"{setup.root}/tasks/{setup.task_id}/work/")
        admin.wait_ready()
        wait_until(lambda: page.locator(".wb-save-state").inner_text().strip()
                   == "Read-only: completed", "the read-only indicator")
        assert page.locator(".wb-status-hint").inner_text().strip() == ""


def test_skip_cancel_stays_and_skip_gives_back_without_a_dialog(make_task, bench_for):
    """The steps of test_submit_rules' Skip test, updated to the in-page reason form."""
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
    assert page.url.endswith(f"/tasks/{setup.task_id}/work/")
    assert page.locator(".wb-skip-ask").is_hidden()
    page.get_by_role("button", name="Skip").click()
    page.locator(".wb-skip-confirm").click()
    page.wait_for_url(f"{setup.root}/")
    assert seen == []
    assert "went back to the queue" in page.locator(".messages").inner_text()
    task = setup.task()
    assert task["status"] == "pending" and not task.get("response")
