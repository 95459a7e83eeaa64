"""Review and rework in Chromium (docs/workbench.md, "Review mode"; docs/quality.md).

The end-to-end scenario of the quality loop: a tasker's five boxes, a reviewer who accepts
four and rejects the fifth with a pinned issue and sends the task back, the tasker who finds
it first with the banner, the pin and the four boxes locked (in the page, in a hand-made
submit and in a hand-made draft operation), fixes the fifth and resubmits, and the reviewer's
acceptance, after which, and only then, the customer's callback arrives once.

And the pages on their own, on tasks put into review and rework directly in the database:
what the rework page and the review page show and refuse.
"""

from __future__ import annotations

import json
import time
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PASSWORD, Bench, page_wait_until
from tests.live.conftest import (
    LiveServer,
    callback_receiver,  # noqa: F401
)

pytestmark = pytest.mark.browser

BOX = {"geometries": {"box": {"objects_to_annotate": ["car", "van"]}},
       "annotation_attributes": {"plate": {"type": "text"}}}
RULE_MESSAGES = json.loads((Path(__file__).resolve().parents[2] / "static" / "js" / "lib"
                            / "rules-constants.json").read_text())["messages"]
# five boxes in a row on the 640 × 400 picture: (left, top, width, height)
FIVE = [(40 + 110 * i, 120, 70, 60) for i in range(5)]


def django(server: LiveServer, code: str) -> str:
    """Run Python in the live server's Django (manage.py shell -c): its last line printed."""
    result = server.manage("shell", "-c", code)
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def with_review(server: LiveServer, project: str) -> str:
    """Turn the project's review stage on for every task and make its reviewer; the
    reviewer's name (the password is PASSWORD)."""
    assert django(server, (
        "from tasks.models import Project; from tasks.models.quality import ProjectQuality; "
        f"p = Project.objects.get(name={project!r}); "
        "ProjectQuality.objects.update_or_create(project=p, defaults={'review_mode': 'all'}); "
        "print('review on')")) == "review on"
    reviewer = f"rev-{project}"
    server.manage("create_tasker", reviewer, "--password", PASSWORD, "--project", project,
                  "--reviewer")
    return reviewer


@contextmanager
def reviewing(browser, setup, reviewer: str, *,
              page_errors: bool = True) -> Iterator[Any]:
    """The reviewer's own browser context, logged in, on the task's review page (Start next
    review on /review/), closed afterwards; a page error fails the test unless
    `page_errors` is False."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    other = context.new_page()
    if page_errors:
        other.on("pageerror", lambda exc: pytest.fail(f"reviewer page error: {exc}"))
    try:
        login(other, setup.server, reviewer)
        other.goto(f"{setup.server.root_url}/review/")
        other.locator(f"tr[data-project='{setup.project}']").get_by_role(
            "button", name="Start next review").click()
        other.wait_for_url(f"**/tasks/{setup.task_id}/review/")
        yield other
    finally:
        context.close()


def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    left, top, width, height = box
    return left + width / 2, top + height / 2


def geometry(a: dict) -> tuple[float, float, float, float]:
    return a["left"], a["top"], a["width"], a["height"]


def status_of(page) -> str:
    return page.locator(".wb-status-message").inner_text()


def dataset(page, key: str) -> str:
    return page.evaluate("(k) => document.getElementById('workbench').dataset[k] || ''", key)


def wait_dataset(page, key: str, value: str) -> None:
    """Wait for the page to show `value` (a key's effect lands in a later task of the page)."""
    page_wait_until(page, lambda: dataset(page, key) == value, 10,
                    lambda: f"{key} is {dataset(page, key)!r}, not {value!r}")


def meta_locked(page) -> dict[str, bool]:
    return page.evaluate("() => { const s = window.__workbench.app.store; return "
                         "Object.fromEntries(s.uuids().map((u) => [u, s.metaOf(u).locked])); }")


def wait_saved(page, seconds: float = 15.0) -> None:
    page_wait_until(page, lambda: page.evaluate(
        "() => { const l = window.__workbench.live();"
        " return !l || (l.status === 'saved' && !l.unsent); }"),
        seconds, "the page never said Saved")


def login(page, server: LiveServer, username: str) -> Bench:
    bench = Bench(page)
    page.goto(f"{server.root_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_load_state()
    return bench


def open_page(page, server: LiveServer, task_id: str, mode: str) -> Bench:
    bench = Bench(page)
    page.goto(f"{server.root_url}/tasks/{task_id}/{mode}/")
    bench.wait_ready()
    return bench


def select_at(bench: Bench, point: tuple[float, float]) -> None:
    bench.tool("v")
    bench.click(*point)


# ------------------------------------------------------------------------------ the pages alone


STAGE = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from tasks.models import Annotation, Task
from tasks.models.reviews import AnnotationVerdict, Issue, IssueComment, ReviewRound
User = get_user_model()
task = Task.objects.get(pk={task_id!r})
holder, tasker, reviewer = (User.objects.get(username=name)
                             for name in ({holder!r}, {tasker!r}, {reviewer!r}))
Task.objects.filter(pk=task.pk).update(stage={stage!r}, claimed_by=holder,
                                       lease_expires_at=timezone.now() + timedelta(minutes=30))
round_ = ReviewRound.objects.create(task=task, number=1, worked_by=tasker, reviewer=reviewer,
    verdict={verdict!r}, comment={comment!r},
    decided_at=timezone.now() if {verdict!r} else None)
for uuid in {accepted!r}:
    AnnotationVerdict.objects.create(round=round_, uuid=uuid, verdict="accepted")
AnnotationVerdict.objects.create(round=round_, uuid={rejected!r}, verdict="rejected",
                                 reason="this one is a van")
Annotation.objects.filter(task=task, uuid__in={locked!r}).update(locked=True)
issue = Issue.objects.create(task=task, uuid={issue!r}, round=round_, x={x}, y={y},
                             annotation_uuid={rejected!r}, opened_by=reviewer)
IssueComment.objects.create(issue=issue, author=reviewer, text="the wheel is cut off")
print("staged")
"""


def five_boxes_task(make_task) -> tuple:
    uuids = [str(uuidlib.uuid4()) for _ in FIVE]
    hypothesis = {"annotations": [
        {"uuid": u, "type": "box", "label": "car", "left": left, "top": top, "width": w,
         "height": h} for u, (left, top, w, h) in zip(uuids, FIVE, strict=True)]}
    setup = make_task({**BOX, "hypothesis": hypothesis}, tasks=2)
    return setup, uuids


def test_rework_and_review_pages_show_the_review(make_task, page, browser):
    setup, uuids = five_boxes_task(make_task)
    server = setup.server
    reviewer = f"rev-{setup.project}"
    server.manage("create_tasker", reviewer, "--password", PASSWORD, "--project", setup.project,
                  "--reviewer")
    rework_id, review_id = setup.extra["task_ids"]
    pin = centre(FIVE[4])
    for task_id, stage, holder, verdict, locked in (
            (rework_id, "rework", setup.tasker, "sent_back", uuids[:4]),
            (review_id, "review", reviewer, "", [])):
        assert django(server, STAGE.format(
            task_id=task_id, holder=holder, tasker=setup.tasker, reviewer=reviewer, stage=stage,
            verdict=verdict, comment="the fifth box is a van", accepted=uuids[:4],
            rejected=uuids[4], locked=locked, issue=str(uuidlib.uuid4()), x=pin[0],
            y=pin[1])) == "staged"

    # the tasker's rework page: banner, pin, verdict marks, accepted boxes locked
    login(page, server, setup.tasker)
    bench = open_page(page, server, rework_id, "work")
    assert dataset(page, "mode") == "rework"
    banner = page.locator(".wb-persistent-banner")
    assert banner.inner_text() == f"Sent back by {reviewer}: the fifth box is a van"
    wait_dataset(page, "verdicts", "4/1/0")
    assert dataset(page, "openIssues") == "1"
    assert page.locator(".wb-issue").count() == 1
    assert "the wheel is cut off" in page.locator(".wb-issue").inner_text()
    rows = page.locator(".wb-row")
    assert rows.nth(4).locator(".wb-badge-tone-rejected").inner_text().lower() == "rejected"
    assert rows.nth(0).locator(".wb-badge-tone-accepted").count() == 1
    assert meta_locked(page) == {u: u in uuids[:4] for u in uuids}
    # an accepted box does not move, and the page says why
    before = bench.annotations()
    bench.tool("v")
    bench.drag(centre(FIVE[1]), (centre(FIVE[1])[0] + 30, centre(FIVE[1])[1] + 25))
    assert bench.annotations() == before
    assert RULE_MESSAGES["locked"] in status_of(page)
    # N walks the open issue, then the rejected box; the attributes panel says why it was rejected
    bench.focus_canvas()
    page.keyboard.press("n")
    assert page.locator(".wb-issue.focused").count() == 1
    assert bench.selection() == [uuids[4]]
    page.keyboard.press("n")
    assert "Rejected" in status_of(page) and "this one is a van" in status_of(page)
    assert "this one is a van" in page.locator(".wb-attrs-style-note").inner_text()
    # the review keys are the reviewer's: A does nothing here
    page.keyboard.press("a")
    wait_dataset(page, "verdicts", "4/1/0")

    # the reviewer's review page: the toolbar, Ctrl+Enter refused, the keys in ?, a pin's click
    reviewer_page = page.context.browser.new_context(viewport={"width": 1400, "height": 900})
    other = reviewer_page.new_page()
    try:
        login(other, server, reviewer)
        review = open_page(other, server, review_id, "review")
        assert dataset(other, "mode") == "review"
        assert other.locator(".wb-persistent-banner").count() == 0 or \
            not other.locator(".wb-persistent-banner").is_visible()
        for name in ("Accept the task (Shift+Enter)", "Send the task back for rework (Shift+X)"):
            assert other.get_by_role("button", name=name).is_visible()
        assert not other.locator(".wb-toolbar button.primary", has_text="Submit").is_visible()
        review.focus_canvas()
        other.keyboard.press("Control+Enter")
        assert status_of(other) == "In review, Shift+Enter accepts the task"
        other.keyboard.press("?")
        help_text = other.locator(".wb-help").inner_text()
        for keys in ("Shift+A", "Shift+Enter", "Shift+X", "N / Shift+N"):
            assert keys in help_text, keys
        other.keyboard.press("Escape")
        # X asks a reason; Esc leaves everything as it was
        review.focus_canvas()
        other.keyboard.press("Tab")
        other.keyboard.press("x")
        ask = other.locator(".wb-ask")
        ask.wait_for(state="visible")
        other.keyboard.press("Escape")
        ask.wait_for(state="detached")
        assert dataset(other, "verdicts") == "4/1/0", "nothing judged by the cancelled X"
        # a click on the pin shows its issue
        x, y = review.at(*pin)
        other.mouse.click(x, y - 17)
        assert other.locator(".wb-issue.focused").count() == 1
        assert review.selection() == [uuids[4]]
    finally:
        reviewer_page.close()


# ------------------------------------------------------------------------------ end to end


def posts_so_far(receiver) -> list:
    found = []
    while not receiver.posts.empty():
        found.append(receiver.posts.get_nowait())
    return found


def test_rejected_box_comes_back_and_the_callback_follows_the_acceptance(  # noqa: PLR0915
        make_task, page, browser, callback_receiver):  # noqa: F811
    hook = f"http://127.0.0.1:{callback_receiver.server_address[1]}/review-loop"
    setup = make_task({**BOX, "callback_url": hook})
    server = setup.server
    reviewer = with_review(server, setup.project)

    # the tasker draws five boxes and submits
    tasker = Bench(page, setup)
    tasker.start()
    for box in FIVE:
        left, top, width, height = box
        tasker.tool("b")
        tasker.drag((left, top), (left + width, top + height))
        tasker.pick_label("car")
    drawn = sorted(tasker.annotations(), key=lambda a: a["left"])
    assert len(drawn) == 5
    for a, box in zip(drawn, FIVE, strict=True):
        assert all(abs(got - want) <= 1.5 for got, want in zip(geometry(a), box, strict=True))
    uuids = [a["uuid"] for a in drawn]
    shapes = {a["uuid"]: geometry(a) for a in drawn}
    wait_saved(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: "/work/" not in url)
    assert setup.task()["status"] == "pending", "in review, not completed"

    # the reviewer: A on four, X with a reason on the fifth, I with a comment, Shift+X
    with reviewing(browser, setup, reviewer) as other:
        review = Bench(other, setup)
        review.wait_ready()
        for box in FIVE[:4]:
            select_at(review, centre(box))
            other.keyboard.press("a")
        select_at(review, centre(FIVE[4]))
        other.keyboard.press("x")
        other.locator(".wb-ask textarea").fill("this one is a van")
        other.keyboard.press("Enter")
        review.move(*centre(FIVE[4]))
        other.keyboard.press("i")
        other.locator(".wb-ask textarea").fill("the wheel is cut off")
        other.keyboard.press("Enter")
        assert dataset(other, "verdicts") == "4/1/0"
        assert dataset(other, "openIssues") == "1"
        wait_saved(other)
        other.keyboard.press("Shift+X")
        other.locator(".wb-ask textarea").fill("the fifth box is a van")
        other.keyboard.press("Enter")
        other.wait_for_url(lambda url: "/review/" in url and f"/tasks/{setup.task_id}/" not in url)
    time.sleep(1.0)  # a callback, were one wrongly sent, has had time to arrive
    assert posts_so_far(callback_receiver) == [], "no callback before the acceptance"

    # the tasker's Start opens it first: the banner, the pin, four boxes locked
    page.goto(f"{server.root_url}/")
    page.locator(f"tr[data-project='{setup.project}']").get_by_role(
        "button", name="Start next task").click()
    page.wait_for_url(f"**/tasks/{setup.task_id}/work/")
    tasker.wait_ready()
    assert page.locator(".wb-persistent-banner").inner_text() == \
        f"Sent back by {reviewer}: the fifth box is a van"
    assert page.locator(".wb-issue").count() == 1
    assert dataset(page, "openIssues") == "1"
    assert meta_locked(page) == {u: u != uuids[4] for u in uuids}
    # dragging an accepted box leaves it in place, with the lock message
    before = tasker.annotations()
    tasker.tool("v")
    tasker.drag(centre(FIVE[0]), (centre(FIVE[0])[0] + 40, centre(FIVE[0])[1] + 30))
    assert tasker.annotations() == before
    assert RULE_MESSAGES["locked"] in status_of(page)
    # a hand-made submit moving it: 400 naming it
    moved = [dict(a, left=a["left"] + 40) if a["uuid"] == uuids[0] else a for a in before]
    answer = page.evaluate("""async ([url, annotations]) => {
      const token = decodeURIComponent((document.cookie.split("; ")
        .find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1]);
      const r = await fetch(url, {method: "POST", credentials: "same-origin", body:
        JSON.stringify({annotations}), headers: {"Content-Type": "application/json",
        "X-CSRFToken": token}});
      return {status: r.status, body: await r.json()};
    }""", [f"/tasks/{setup.task_id}/submit", moved])
    assert answer["status"] == 400, answer
    assert answer["body"]["annotation_uuid"] == uuids[0]
    # a hand-made draft operation moving it: refused with kind "lock"
    refusal = page.evaluate("""(uuid) => new Promise((resolve) => {
      const sync = window.__workbench.app.autosave.sync;
      const shown = sync.on.reject;
      sync.on.reject = (info) => { shown(info); resolve({kind: info.kind, reason: info.reason}); };
      sync.push({op: "update", uuid, before: {left: 40}, after: {left: 80}});
    })""", uuids[0])
    assert refusal["kind"] == "lock", refusal
    assert tasker.annotations() == before, "the refused operation changed nothing"

    # answer and resolve the pin, fix the fifth box, submit
    issue = page.locator(".wb-issue")
    issue.locator(".wb-issue-reply").fill("made it a van")
    issue.get_by_role("button", name="Resolve").click()
    page_wait_until(page, lambda: dataset(page, "openIssues") == "0", 10, "the pin stays open")
    select_at(tasker, centre(FIVE[4]))
    page.keyboard.press("Enter")
    tasker.pick_label("van")
    tasker.drag(centre(FIVE[4]), (centre(FIVE[4])[0] + 20, centre(FIVE[4])[1] + 10))
    fixed = next(a for a in tasker.annotations() if a["uuid"] == uuids[4])
    assert fixed["label"] == "van" and abs(fixed["left"] - (shapes[uuids[4]][0] + 20)) <= 1.5
    wait_saved(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: "/work/" not in url)
    time.sleep(0.5)
    assert posts_so_far(callback_receiver) == [], "no callback before the acceptance"

    # the reviewer accepts with Shift+Enter
    with reviewing(browser, setup, reviewer, page_errors=False) as other:
        review = Bench(other, setup)
        review.wait_ready()
        review.focus_canvas()
        accepted_at = django(server, "from django.utils import timezone; "
                                     "print(timezone.now().isoformat())")
        other.keyboard.press("Shift+Enter")
        other.wait_for_url(lambda url: f"/tasks/{setup.task_id}/" not in url)

    # exactly one completed callback, after the acceptance, with the fixed box
    post = callback_receiver.posts.get(timeout=30)
    body = post.json()
    assert (body["task_id"], body["status"]) == (setup.task_id, "completed")
    sent = {a["uuid"]: a for a in body["response"]["annotations"]}
    assert sorted(sent) == sorted(uuids)
    assert sent[uuids[4]]["label"] == "van"
    assert abs(sent[uuids[4]]["left"] - (shapes[uuids[4]][0] + 20)) <= 1.5
    for u in uuids[:4]:
        assert geometry(sent[u]) == shapes[u], "the accepted boxes as the tasker drew them"
    review_summary = body["task"]["quality"]["review"]
    assert review_summary["status"] == "accepted"
    assert review_summary["rounds"] == 2
    deliveries = json.loads(django(server, (
        "import json; from tasks.models import CallbackDelivery; "
        f"rows = CallbackDelivery.objects.filter(task_id={setup.task_id!r}); "
        "print(json.dumps([[r.event, r.created_at.isoformat()] for r in rows]))")))
    completed = [at for event, at in deliveries if event == "completed"]
    assert len(completed) == 1, deliveries
    assert completed[0] >= accepted_at, (completed, accepted_at)
    time.sleep(1.0)
    assert posts_so_far(callback_receiver) == [], "one callback only"


def test_verdicts_and_pins_are_saved_per_operation_and_undone_by_ctrl_z(make_task, page):
    setup, uuids = five_boxes_task(make_task)
    server = setup.server
    reviewer = f"rev-{setup.project}"
    server.manage("create_tasker", reviewer, "--password", PASSWORD, "--project", setup.project,
                  "--reviewer")
    task_id = setup.task_id
    assert django(server, (
        "from datetime import timedelta; from django.contrib.auth import get_user_model; "
        "from django.utils import timezone; from tasks.models import Task; "
        "from tasks.models.reviews import ReviewRound; "
        f"rev = get_user_model().objects.get(username={reviewer!r}); "
        f"Task.objects.filter(pk={task_id!r}).update(stage='review', claimed_by=rev, "
        "lease_expires_at=timezone.now() + timedelta(minutes=30)); "
        f"ReviewRound.objects.create(task_id={task_id!r}, number=1, reviewer=rev); "
        "print('staged')")) == "staged"
    login(page, server, reviewer)
    review = open_page(page, server, task_id, "review")
    select_at(review, centre(FIVE[0]))
    page.keyboard.press("a")
    select_at(review, centre(FIVE[1]))
    page.keyboard.press("x")
    page.locator(".wb-ask textarea").fill("a van")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+A")
    wait_dataset(page, "verdicts", "4/1/0")
    page.keyboard.press("Control+z")  # the Shift+A: one step
    wait_dataset(page, "verdicts", "1/1/3")
    assert "Undone" in status_of(page)
    review.move(*centre(FIVE[2]))
    page.keyboard.press("i")
    page.locator(".wb-ask textarea").fill("is this a car?")
    page.keyboard.press("Enter")
    wait_saved(page)
    # the server holds what the page shows: a reload comes back to it
    review = open_page(page, server, task_id, "review")
    wait_dataset(page, "verdicts", "1/1/3")
    assert page.locator(".wb-row").nth(1).get_attribute("title") == "Rejected: a van"
    issue = page.locator(".wb-issue")
    assert issue.count() == 1
    assert issue.locator(".wb-issue-author").inner_text() == reviewer
    assert issue.locator(".wb-issue-text").inner_text() == "is this a car?"
    issue.get_by_role("button", name="Close").click()
    page_wait_until(page, lambda: page.locator(".wb-issue").get_attribute("data-status")
                    == "closed", 10, "the issue was not closed")
    wait_saved(page)
    review = open_page(page, server, task_id, "review")
    assert page.locator(".wb-issue").get_attribute("data-status") == "closed"
    # Send back needs something to fix: with the rejected box it asks a comment, and goes
    page.keyboard.press("Shift+X")
    page.locator(".wb-ask").wait_for(state="visible")
    page.keyboard.press("Escape")
