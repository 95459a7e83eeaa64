"""The quality loop tried as its users would, in Chromium at 1366 × 768 (docs/quality.md,
docs/workbench.md "Review mode"): bugs found that way, each with the test that failed before
its fix."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PASSWORD, page_wait_until
from tests.browser.test_review_loop import (
    FIVE,
    centre,
    dataset,
    django,
    five_boxes_task,
    login,
    open_page,
    select_at,
    status_of,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def stage_in_review(setup) -> str:
    """The setup's task in review, held by a reviewer of its project: their name."""
    server, task_id = setup.server, setup.task_id
    reviewer = f"rev-{setup.project}"
    server.manage("create_tasker", reviewer, "--password", PASSWORD, "--project", setup.project,
                  "--reviewer")
    assert django(server, (
        "from datetime import timedelta; from django.contrib.auth import get_user_model; "
        "from django.utils import timezone; from tasks.models import Task; "
        "from tasks.models.reviews import ReviewRound; "
        f"rev = get_user_model().objects.get(username={reviewer!r}); "
        f"Task.objects.filter(pk={task_id!r}).update(stage='review', claimed_by=rev, "
        "lease_expires_at=timezone.now() + timedelta(minutes=30)); "
        f"ReviewRound.objects.create(task_id={task_id!r}, number=1, reviewer=rev); "
        "print('staged')")) == "staged"
    return reviewer


def layout(page) -> dict:
    return page.evaluate("""() => {
        const side = document.querySelector('.wb-side').getBoundingClientRect();
        const toolbar = document.querySelector('.wb-toolbar').getBoundingClientRect();
        return {page: document.documentElement.scrollWidth, side: side.right,
                sideWidth: side.width, toolbar: toolbar.right};
    }""")


def test_a_refused_accept_keeps_the_page_in_the_window(make_task, page):
    """A reviewer who rejects a box and presses Shift+Enter is told why the task cannot be
    accepted; before, the task was completed with the rejected box, and a status message this
    long pushed the side panels and the toolbar's right end out of a 1366 px window."""
    setup, uuids = five_boxes_task(make_task)
    reviewer = stage_in_review(setup)
    page.set_viewport_size(LAPTOP)
    login(page, setup.server, reviewer)
    review = open_page(page, setup.server, setup.task_id, "review")
    select_at(review, centre(FIVE[4]))
    page.keyboard.press("x")
    page.locator(".wb-ask textarea").fill("a van, not a car")
    page.keyboard.press("Enter")
    assert dataset(page, "verdicts") == "0/1/4"
    page.keyboard.press("Escape")  # nothing selected: the refusal selects the box itself
    page.keyboard.press("Shift+Enter")
    page_wait_until(page, lambda: dataset(page, "decideError") != "", 15,
                    "the acceptance was neither refused nor made")
    assert "rejected in this review" in dataset(page, "decideError")
    assert status_of(page).startswith("Not accepted: box")
    assert "(#5): rejected in this review" in status_of(page)  # named as the list names it
    assert "/review/" in page.url and page.url.endswith(f"/tasks/{setup.task_id}/review/")
    assert review.selection() == [uuids[4]]
    assert django(setup.server, (
        "from tasks.models import Task; "
        f"t = Task.objects.get(pk={setup.task_id!r}); print(t.status, t.stage)")) \
        == "pending review"
    box = layout(page)
    assert box["page"] <= LAPTOP["width"], box
    assert box["side"] <= LAPTOP["width"] and box["sideWidth"] == 320, box
    assert box["toolbar"] <= LAPTOP["width"], box
