"""The Assist tool on a segmentation page in Chromium (docs/workbench.md, "Segmentation
tasks"; docs/assist.md): a box dragged round a disc, Enter: the returned polygon becomes ONE
seg.polygon op in the active label (and the "paint only unlabeled pixels" flag), painted on
the mask, saved by the server (a reload replays it)."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.rules.segmentation_ops import decode_points
from tests.browser.helpers import Bench
from tests.browser.test_segmentation import (
    GRASS,
    SKY,
    H,
    W,
    make_segmentation_task,
    mask_state,
    open_task,
    wait_for,
    wait_saved,
)

pytestmark = pytest.mark.browser

CX, CY, R = 150, 100, 45


def disc_scene() -> tuple[np.ndarray, np.ndarray]:
    """A dark disc on a light ground (RGB), and the disc's pixels."""
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    disc = (xx - CX) ** 2 + (yy - CY) ** 2 <= R * R
    rgb = np.full((H, W, 3), 225, dtype=np.uint8)
    rgb[disc] = (40, 40, 60)
    return rgb, disc


def test_an_accepted_assist_polygon_fills_the_mask(make_task, page):
    rgb, disc = disc_scene()
    setup = make_segmentation_task(make_task.server, rgb=rgb)
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    # a mask page opens on the Brush, without the (empty) Annotations list
    assert page.evaluate("() => document.getElementById('workbench').dataset.tool") == "brush"
    assert page.locator(".wb-panel-annotations").is_hidden()
    assert page.locator(".wb-panel-segmentation").is_visible()
    assert "annotations loaded" not in bench.status()
    assert "drag to move" not in page.locator("#workbench").inner_text()
    page.keyboard.press("2")  # sky
    page.keyboard.press("n")  # paint only unlabeled pixels: the op carries protect
    page.keyboard.press("w")
    assert page.evaluate("() => document.getElementById('workbench').dataset.tool") == "assist"
    # with the Assist active the number keys still pick labels, never the assist's modes
    page.keyboard.press("3")
    assert mask_state(page)["activeIndex"] == GRASS
    assert "Scissors" not in bench.status()
    page.keyboard.press("9")  # no ninth label: refused, the mode unchanged
    assert "No label 9" in bench.status()
    page.keyboard.press("2")
    assert mask_state(page)["activeIndex"] == SKY
    page.keyboard.press("?")
    overlay = page.locator(".wb-help")
    assert overlay.is_visible()
    text = overlay.inner_text()
    assert "1–9 pick labels here, not modes" in text and "with the Assist active too" in text
    assert "1 / 2 / 3" not in text, "the image page's mode keys are not offered on a mask"
    page.keyboard.press("Escape")
    bench.drag((CX - R - 12, CY - R - 12), (CX + R + 12, CY + R + 12))
    wait_for(page, "() => document.getElementById('workbench').dataset.assist === 'ready'",
             timeout=30, message="the assist gave no preview")
    page.keyboard.press("Enter")
    wait_for(page, "() => window.__workbench.mask().undoable.length === 1")
    state = mask_state(page)
    op = state["undoable"][-1]
    assert op["op"] == "seg.polygon" and op["index"] == SKY and op["protect"] is True, op
    assert len(decode_points(op["points"])) >= 3
    painted = state["array"] == SKY
    iou = np.count_nonzero(painted & disc) / np.count_nonzero(painted | disc)
    assert iou >= 0.9, iou
    assert np.count_nonzero(state["array"][~painted]) == 0, "only the polygon is painted"

    wait_saved(page)
    page.reload()
    open_task(bench)
    assert np.array_equal(mask_state(page)["array"], state["array"]), "the server lost the op"
