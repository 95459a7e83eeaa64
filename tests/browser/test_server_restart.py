"""Issue 6: the server process is killed mid-session (SIGKILL) and started again. Every
operation the page showed as saved (boxes, a global attribute, a link) is still there, the
edits made while it was down arrive once it is back, another browser reopens with them, and the
submit holds them all."""

from __future__ import annotations

import pytest

from tests.browser.conftest import VIEWPORT, watched_page
from tests.browser.helpers import Bench, TaskFactory
from tests.browser.own_server import own_server  # noqa: F401
from tests.browser.test_autosave import boxes, draw_box, indicator, wait_indicator, wait_until

pytestmark = pytest.mark.browser

PARAMS = {
    "geometries": {"box": {"objects_to_annotate": ["car", "truck"]}},
    "annotation_attributes": {
        "weather": {"choices": ["sun", "rain"], "required": True,
                    "conditions": {"is_global": True}},
        "light": {"choices": ["day", "night"], "conditions": {"is_global": True}},
    },
    "links": {"tows": [{"from_allowed_labels": ["truck"], "to_allowed_labels": ["car"]}]},
}
# What a dead server makes the browser say; anything else logged as an error fails the test.
EXPECTED_ERRORS = ("WebSocket connection", "Failed to load resource", "ERR_CONNECTION_REFUSED")


def global_choice(page, name: str, choice: str) -> None:
    page.locator(f".wb-panel-globals [data-attribute='{name}'] [data-choice={choice}]").click()


def server_data(page, root: str, task_id: str) -> dict:
    """GET /tasks/<id>/data with the page's session cookie: the draft the server holds."""
    response = page.request.get(f"{root}/tasks/{task_id}/data")
    assert response.ok, response.text()
    return response.json()


@pytest.fixture
def server_down_page(browser):
    yield from watched_page(browser, EXPECTED_ERRORS)


def test_killing_and_restarting_the_server_loses_no_saved_edit(own_server, server_down_page):  # noqa: F811
    page = server_down_page
    setup = TaskFactory(own_server.live)(PARAMS)
    bench = Bench(page, setup)
    bench.start()
    wait_indicator(page, "Saved")

    draw_box(bench, (60, 60), (160, 140), "car")
    draw_box(bench, (200, 60), (320, 160), "truck")
    car, truck = bench.annotations()
    # the truck is selected: link it to the car, picked on the canvas
    page.locator(".wb-panel-links [data-role=link-pick]").click()
    bench.click(110, 100)
    link = {"label": "tows", "from": truck["uuid"], "to": car["uuid"]}
    assert page.evaluate("window.__workbench.links()") == [link]
    global_choice(page, "weather", "rain")
    wait_indicator(page, "Saved")
    saved = server_data(page, setup.root, setup.task_id)
    assert boxes(saved["annotations"]) == boxes(bench.annotations())
    assert saved["global_attributes"] == {"weather": "rain"} and saved["links"] == [link]

    own_server.kill()
    wait_until(lambda: indicator(page).startswith("Offline"), "the page to notice the crash")
    draw_box(bench, (350, 60), (450, 160), "car")
    draw_box(bench, (350, 200), (450, 300), "car")
    global_choice(page, "light", "night")
    wait_indicator(page, "Offline — 3 unsent")
    everything = boxes(bench.annotations())
    assert len(everything) == 4

    own_server.start()
    wait_indicator(page, "Saved", seconds=45)  # the page retries with a growing delay
    page.reload()
    bench.wait_ready()
    wait_indicator(page, "Saved")
    assert boxes(bench.annotations()) == everything
    assert page.evaluate("window.__workbench.globals()") == {"weather": "rain", "light": "night"}
    assert page.evaluate("window.__workbench.links()") == [link]
    held = server_data(page, setup.root, setup.task_id)
    assert boxes(held["annotations"]) == everything
    assert held["global_attributes"] == {"weather": "rain", "light": "night"}
    assert held["links"] == [link]

    # another browser (its own IndexedDB) gets them from the server, and sees changes live
    other_context = page.context.browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    try:
        other = Bench(other_context.new_page(), setup)
        other.login(setup.tasker)
        other.page.goto(f"{setup.root}/tasks/{setup.task_id}/work/")
        other.wait_ready()
        assert other.page.locator("#workbench").get_attribute("data-live") == "readonly"
        assert other.page.evaluate("window.__workbench.globals()") == {"weather": "rain",
                                                                        "light": "night"}
        assert other.page.evaluate("window.__workbench.links()") == [link]
        global_choice(page, "weather", "sun")
        wait_until(lambda: other.page.evaluate("window.__workbench.globals()")["weather"]
                   == "sun", "the global attribute changed in the other browser")
    finally:
        other_context.close()

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    response = setup.task()["response"]
    assert boxes(response["annotations"]) == everything
    assert response["global_attributes"] == {"weather": "sun", "light": "night"}
    assert response["links"] == [link]
