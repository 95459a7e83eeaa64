"""The queue page's counts follow the server live, over ws/progress/."""

from __future__ import annotations

import pytest

from tests.polling import wait_until

pytestmark = pytest.mark.browser

BOX = {"geometries": {"box": {"objects_to_annotate": ["car"]}}}


def pending_cell(page, project: str):
    return page.locator(f"tr[data-project='{project}'] [data-stat='pending']")


def wait_for_text(locator, expected: str, seconds: float = 10) -> None:
    wait_until(lambda: locator.text_content().strip() == expected, seconds, interval=0.1,
               message=lambda: f"{locator.text_content().strip()!r} is not {expected!r}")


def test_queue_counts_update_as_tasks_are_created_and_canceled(make_task, bench_for, page):
    setup = make_task(BOX, tasks=2)
    bench = bench_for(setup)
    bench.login(setup.tasker)
    cell = pending_cell(page, setup.project)
    assert cell.text_content().strip() == "2"
    wait_until(lambda: page.evaluate("document.documentElement.dataset.liveProgress") == "open",
               10, interval=0.1, message="the progress socket never opened")
    task = setup.task()
    body = {"project": setup.project, "attachment": task["params"]["attachment"], **BOX}
    created = setup.api.post(f"{setup.server.base_url}/task/imageannotation", json=body,
                             timeout=60)
    assert created.status_code == 200, created.text
    wait_for_text(cell, "3")
    canceled = setup.api.post(f"{setup.server.base_url}/task/{setup.task_id}/cancel",
                              timeout=60)
    assert canceled.status_code == 200, canceled.text
    wait_for_text(cell, "2")


def test_admin_daily_view_updates_live(make_task, page):
    from tests.browser.helpers import make_admin

    setup = make_task(BOX, tasks=1)
    username, password = make_admin(setup.server)
    page.goto(f"{setup.root}/admin/login/?next=/admin/stats/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.get_by_role("link", name=setup.project, exact=True).first.click()
    page.wait_for_selector("#content-main[data-project-id]")
    cell = page.locator('[data-scope="project"] [data-stat="pending"]')
    assert cell.text_content().strip() == "1"
    wait_until(lambda: page.evaluate("document.documentElement.dataset.liveProgress") == "open",
               10, interval=0.1, message="the progress socket never opened")
    task = setup.task()
    body = {"project": setup.project, "attachment": task["params"]["attachment"], **BOX}
    for _ in range(2):
        created = setup.api.post(f"{setup.server.base_url}/task/imageannotation", json=body,
                                 timeout=60)
        assert created.status_code == 200, created.text
    wait_for_text(cell, "3")
