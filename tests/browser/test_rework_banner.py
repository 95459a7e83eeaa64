"""The rework page's banner takes its own row (docs/workbench.md "Review mode"): the canvas,
and so the image fitted into it, starts below the banner, which covers none of it."""

from __future__ import annotations

import uuid as uuidlib

import pytest

from tests.browser.helpers import PASSWORD
from tests.browser.test_review_loop import (
    FIVE,
    STAGE,
    centre,
    django,
    five_boxes_task,
    login,
    open_page,
)

pytestmark = pytest.mark.browser

LONG = "the fifth box is a van; " * 12  # wraps over several lines


def test_the_banner_takes_its_own_row_above_the_canvas(make_task, page):
    setup, uuids = five_boxes_task(make_task)
    server = setup.server
    reviewer = f"rev-{setup.project}"
    server.manage("create_tasker", reviewer, "--password", PASSWORD, "--project", setup.project,
                  "--reviewer")
    rework_id = setup.extra["task_ids"][0]
    pin = centre(FIVE[4])
    assert django(server, STAGE.format(
        task_id=rework_id, holder=setup.tasker, tasker=setup.tasker, reviewer=reviewer,
        stage="rework", verdict="sent_back", comment=LONG.strip(), accepted=uuids[:4],
        rejected=uuids[4], locked=uuids[:4], issue=str(uuidlib.uuid4()), x=pin[0],
        y=pin[1])) == "staged"
    login(page, server, setup.tasker)
    open_page(page, server, rework_id, "work")
    banner = page.locator(".wb-persistent-banner")
    assert banner.is_visible()
    box = banner.bounding_box()
    canvas = page.locator(".wb-canvas").bounding_box()
    stage = page.locator(".wb-stage").bounding_box()
    assert box is not None and canvas is not None and stage is not None
    assert box["height"] > 40  # the long comment wraps
    assert canvas["y"] >= box["y"] + box["height"]  # nothing of the canvas under it
    assert canvas["y"] + canvas["height"] == pytest.approx(stage["y"] + stage["height"], abs=1)
    # the image's top edge, fitted, is below the banner too
    top = page.evaluate("() => window.__workbench.toPage({x: 0, y: 0}).y")
    assert top >= box["y"] + box["height"]
    # the backing store follows the smaller canvas
    height = page.evaluate("() => window.__workbench.app.view.snapshot().height")
    assert height == pytest.approx(canvas["height"], abs=1)
