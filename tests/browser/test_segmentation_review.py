"""A segmentation task's review in Chromium (docs/segmentation.md, "Quality"; docs/workbench.md,
"Segmentation tasks"): the tasker fills the three regions and submits; the reviewer opens the
task on /tasks/<id>/review/, repaints a part and accepts with Shift+Enter. The decision reads
the draft's base mask, so the page sends a snapshot before it decides (the server refuses a
decision over unsnapshotted operations, 409): the response's indexed mask holds the repaint."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.browser.helpers import Bench
from tests.browser.test_review_loop import reviewing, with_review
from tests.browser.test_segmentation import (
    BLUE,
    GRASS,
    GREEN,
    GREY,
    ROAD,
    SKY,
    last_points,
    make_segmentation_task,
    mask_state,
    open_task,
    paint_line,
    scene,
    stroke,
    wait_for,
    wait_saved,
)

pytestmark = pytest.mark.browser


def test_a_reviewers_repaint_is_in_the_accepted_mask(make_task, page, browser):
    setup = make_segmentation_task(make_task.server)
    server = setup.server
    reviewer = with_review(server, setup.project)

    # the tasker: road on the grey half, sky on the blue, grass on the green; submit
    tasker = Bench(page, setup)
    tasker.start()
    open_task(tasker)
    colours = scene()
    expected = np.zeros(colours.shape[:2], dtype=np.uint8)
    page.keyboard.press("g")
    for key, value, colour, at in (("1", ROAD, GREY, (20, 100)), ("2", SKY, BLUE, (250, 50)),
                                   ("3", GRASS, GREEN, (250, 150))):
        page.keyboard.press(key)
        tasker.click(*at)
        expected[np.all(colours == colour, axis=-1)] = value
    wait_for(page, "() => window.__workbench.mask().unlabeled === 0")
    assert np.array_equal(mask_state(page)["array"], expected)
    wait_saved(page)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: "/work/" not in url, timeout=30000)
    assert setup.task()["status"] == "pending", "in review, not completed"

    # the reviewer: the submitted mask, a road stroke over the grass, Shift+Enter
    with reviewing(browser, setup, reviewer) as other:
        review = Bench(other, setup)
        open_task(review)
        assert np.array_equal(mask_state(other)["array"], expected), "not the submitted mask"
        # the review is of the whole mask: no verdicts per annotation
        root = other.locator("#workbench")
        assert root.get_attribute("data-review-scope") == "task"
        panel = other.locator(".wb-panel-review")
        wait_for(other, "() => document.querySelector('.wb-panel-review .wb-panel-hint') !== null")
        assert "The whole mask is judged" in panel.inner_text()
        assert "verdict" not in panel.inner_text().lower()
        assert other.locator(".wb-panel-annotations").is_hidden()
        other.keyboard.press("a")
        assert "judged as a whole" in review.status()
        # a send back needs an issue or a comment, said without annotations
        other.keyboard.press("Shift+X")
        ask = other.locator(".wb-ask")
        ask.get_by_role("button", name="Send back").click()
        assert "pin an issue (I) or write a comment" in ask.inner_text()
        ask.get_by_role("button", name="Cancel").click()
        assert ask.count() == 0
        other.keyboard.press("?")
        help_text = other.locator(".wb-help").inner_text()
        assert "No verdicts on a mask" in help_text and "Accept the selected" not in help_text
        other.keyboard.press("Escape")
        # Ctrl+Enter is the tasker's submit: refused in review, nothing posted
        other.keyboard.press("Control+Enter")
        assert "Shift+Enter" in review.status()
        other.keyboard.press("1")
        other.keyboard.press("b")
        radius = mask_state(other)["radius"]
        paint_line(review, (200, 150), (300, 150))
        points, op = last_points(other)
        assert op["index"] == ROAD
        stroke(expected, points, radius, ROAD)
        assert np.count_nonzero(expected == ROAD) > np.count_nonzero(colours[..., 0] == GREY[0])
        assert np.array_equal(mask_state(other)["array"], expected)
        other.keyboard.press("Shift+Enter")
        other.wait_for_url(lambda url: f"/tasks/{setup.task_id}/" not in url, timeout=30000)

    task = setup.task()
    assert task["status"] == "completed", task["status"]
    res = setup.api.get(task["response"]["annotations"]["combined"]["indexedImage"], timeout=30)
    assert res.status_code == 200, res.text
    got = np.asarray(Image.open(io.BytesIO(res.content)))
    assert np.array_equal(got, expected), f"{np.count_nonzero(got != expected)} pixels differ"
