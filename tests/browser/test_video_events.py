"""Event attributes in the browser: a range event's attributes answered in the Events panel (with
defaults, conditions on the event's label and values, one undo step each), shown on the
timeline; a required one left empty on another event blocks the submit, naming that event; the
submitted values read back from events.json through the API."""

from __future__ import annotations

import pytest

from tests.browser.test_video import current_frame, make_video_task, wait_frame_loaded

pytestmark = pytest.mark.browser

ATTRIBUTES = {
    "weather": {"choices": ["sun", "rain"], "conditions": {"is_global": True}},
    "lane": {"choices": ["left", "right"], "required": True, "default": "right",
             "description": "Which way?",
             "conditions": {"is_global": True, "label_condition": {"label": "Turning"}}},
    "signal": {"choices": ["on", "off"], "default": "on",
               "conditions": {"is_global": True, "label_condition": {"label": "Turning"},
                              "attribute_conditions": [{"lane": "left"}]}},
    "hard": {"type": "number", "min": 0, "max": 5, "required": True,
             "conditions": {"is_global": True,
                            "label_condition": {"label": ["Turning", "Stop"]}}},
}


def test_event_attributes_are_set_in_the_panel_and_land_in_events_json(make_task, bench_for):
    setup = make_video_task(make_task.server, {
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "events_to_annotate": ["Turning", "Stop"],
        "annotation_attributes": ATTRIBUTES,
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    wait_frame_loaded(page, 0)
    panel = page.locator(".wb-panel-events")
    # the task-wide global attribute stays in the image panel; the event ones are not there
    globals_panel = page.locator(".wb-panel-globals")
    assert globals_panel.locator("[data-attribute=weather]").count() == 1
    assert globals_panel.locator("[data-attribute=lane]").count() == 0

    # A Turning range over frames 3–7: selected at once, lane shows its default, hard (required)
    # is flagged, signal (only when lane is left) is hidden.
    bench.focus_canvas()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    panel.locator("select.wb-events-label").select_option("Turning")
    panel.locator("[data-action=event-range-start]").click()
    bench.focus_canvas()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert current_frame(page) == 6
    panel.locator("[data-action=event-range-end]").click()
    attrs = panel.locator(".wb-event-attrs")
    assert "Attributes of “Turning” (frames 3–7)" in attrs.inner_text()
    lane = attrs.locator("[data-attribute=lane]")
    assert lane.locator("[data-choice=right]").get_attribute("aria-pressed") == "true"
    assert lane.locator(".wb-attr-required").count() == 1
    assert attrs.locator("[data-attribute=signal]").count() == 0
    assert "hard is required" in attrs.locator("[data-attribute=hard].problem").inner_text()
    assert page.locator(".wb-panel-events .wb-panel-extra").text_content() == "1 · 1 to fix"

    # lane = left brings signal with its default; then signal off, hard 3: one step each.
    lane.locator("[data-choice=left]").click()
    signal = attrs.locator("[data-attribute=signal]")
    assert signal.locator("[data-choice=on]").get_attribute("aria-pressed") == "true"
    signal.locator("[data-choice=off]").click()
    hard = attrs.locator("[data-attribute=hard] input[data-role=value]")
    hard.fill("3")
    hard.press("Enter")
    assert attrs.locator(".problem").count() == 0
    mark = page.locator(".wb-tl-event.range")
    assert mark.inner_text() == "Turning · left, off, 3"
    assert "lane: left" in mark.get_attribute("title")
    assert panel.locator(".wb-event-row .wb-event-values").inner_text() == \
        "lane: left · signal: off · hard: 3"
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert attrs.locator("[data-attribute=hard].problem").count() == 1
    assert page.locator(".wb-tl-event.range.incomplete").count() == 1
    page.keyboard.press("Control+Shift+z")
    assert attrs.locator("[data-attribute=hard] input").input_value() == "3"
    # relabelled to Stop: lane and signal no longer apply (dropped), hard stays
    panel.locator(".wb-event-row select.wb-event-label").select_option("Stop")
    assert [page.locator(".wb-event-attrs .wb-attr").nth(i).get_attribute("data-attribute")
            for i in range(attrs.locator(".wb-attr").count())] == ["hard"]
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert attrs.locator("[data-attribute=lane] [data-choice=left]").get_attribute(
        "aria-pressed") == "true"

    # A Stop point at frame 10 without its required hardness blocks the submit, naming it.
    page.keyboard.press("Shift+ArrowRight")
    wait_frame_loaded(page, 16)
    panel.locator("select.wb-events-label").select_option("Stop")
    panel.locator("[data-action=event-point]").click()
    assert "Attributes of “Stop” (frame 17)" in attrs.inner_text()
    assert panel.locator(".wb-event-row.incomplete .wb-event-problem").inner_text() == "missing"
    # a click on the range's mark on the timeline selects it (and goes there)
    page.locator(".wb-tl-event.range").click()
    assert "Attributes of “Turning”" in attrs.inner_text()
    assert 2 <= current_frame(page) <= 6
    bench.submit()
    page.wait_for_selector(".wb-status-message[data-kind=error]")
    message = bench.status()
    assert message == "Not submitted: event “Stop” (frame 17): hard is required", message
    assert page.locator(".wb-banner").is_visible()
    assert "“Stop” (frame 17)" in attrs.inner_text()  # the blocking event is selected
    assert setup.task()["status"] == "pending"
    stop_hard = attrs.locator("[data-attribute=hard] input[data-role=value]")
    stop_hard.fill("1")
    stop_hard.press("Enter")
    panel.locator(".wb-event-row").first.locator(".wb-event-values").click()  # a row selects
    assert "Attributes of “Turning”" in attrs.inner_text()

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    task = setup.task()
    assert task["status"] == "completed", task
    events = setup.api.get(task["response"]["events"]["url"], timeout=30)
    assert events.status_code == 200, events.text
    got = events.json()
    for event in got:
        event.pop("startTime")
        event.pop("endTime", None)
    assert got == [
        {"label": "Turning", "type": "range", "start": 2, "end": 6,
         "attributes": {"lane": "left", "signal": "off", "hard": 3}},
        {"label": "Stop", "type": "point", "start": 16, "attributes": {"hard": 1}}]
