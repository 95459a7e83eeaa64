"""The cross-account case (docs/workforce.md): account B's project names no taskers; A's
tasker, a member of A only, sees nothing of it in the queue, and every workbench endpoint of
its task (work page, data, image, tiles, frames, context, submit, skip, the socket) answers
404. B's own tasker works it; a person in both accounts sees both, labelled with the account.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from tasks import files, jobs, lifecycle, queue, tile_build, tiles
from tasks.models import Membership, Task, VideoFrame
from tests.factories import box_task, make_project, make_tasker
from tests.realtime.conftest import Socket, run, task_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def small_pyramids(monkeypatch):
    """Tiles of 64 px for images over 100 px, as tests/perf/test_tiles.py does."""
    monkeypatch.setattr(tile_build, "TILE_SIZE", 64)
    monkeypatch.setattr(tiles, "THRESHOLD", 100)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(account, other_account):
    """A's project "streets" and B's project "secret", neither naming a tasker; a task in
    B's project with a stored image (tiled), a context image and a stored frame."""
    make_project(account, "streets")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="streets"))
    secret = make_project(other_account, "secret")
    image = files.store_file(owner=other_account, is_test=False, data=png(300, 200), fields={})
    side = files.store_file(owner=other_account, is_test=False, data=png(20, 10), fields={})
    task = lifecycle.create_task(
        owner=other_account, is_test=False, task_type="imageannotation",
        body=box_task(project="secret", attachment=image.attachment_url,
                      context_attachments=[{"attachment": side.attachment_url}]))
    assert jobs.fetch_for_task(task.task_id) == "stored"
    frame = VideoFrame(task=task, index=0, width=20, height=10, mime_type="image/png",
                       timestamp=0.0)
    frame.file.save("secret-0.png", ContentFile(png(20, 10)), save=True)
    alice = make_tasker("alice", account=account)  # A's tasker, a member of A only
    bob = make_tasker("bob", account=other_account)  # B's tasker
    return {"secret": secret, "task": task, "alice": alice, "bob": bob}


def urls(task: Task) -> list[str]:
    base = f"/tasks/{task.task_id}"
    return [f"{base}/work/", f"{base}/data", f"{base}/image", f"{base}/tiles/3/0_0.jpg",
            f"{base}/context/0", f"{base}/frames/0", f"{base}/review/", f"{base}/result/"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_other_accounts_tasker_sees_nothing_of_it(world):
    alice, secret, task = world["alice"], world["secret"], world["task"]
    client = signed_in(alice)
    html = client.get("/").content.decode()
    assert "streets" in html and "secret" not in html
    assert [p.name for p in queue.visible_projects(alice)] == ["streets"]
    assert client.post(f"/projects/{secret.pk}/start").status_code == 404
    assert Task.objects.get(pk=task.pk).claimed_by is None


def test_every_endpoint_of_its_task_is_not_found_for_the_other_account(world):
    task, bob = world["task"], world["bob"]
    assert queue.claim_next(bob, world["secret"]).pk == task.pk  # even while B works it
    holder = signed_in(bob)
    # B's tasker, holding it, is served everything but the review and training pages
    for url in urls(task)[:6]:
        assert holder.get(url).status_code == 200, url
    client = signed_in(world["alice"])
    for url in urls(task):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/tasks/{task.task_id}/submit", {"annotations": []},
                       content_type="application/json").status_code == 404
    assert client.post(f"/tasks/{task.task_id}/skip").status_code == 404
    assert client.post(f"/tasks/{task.task_id}/review/decide").status_code in (403, 404)
    assert Task.objects.get(pk=task.pk).claimed_by == bob


def test_its_socket_is_not_found_for_the_other_account(world):
    task, alice, bob = world["task"], world["alice"], world["bob"]
    queue.claim_next(bob, world["secret"])
    Socket.cookies = {}

    async def scenario():
        refused = await Socket(alice, task_path(task)).open()
        assert await refused.close_code() == 4404
        holder = await Socket(bob, task_path(task)).open()
        assert (await holder.hello())["role"] == "editor"
        await holder.close()
        progress = await Socket(alice, "/ws/progress/").open()
        seen = {(await progress.expect("progress"))["project"]}
        assert await progress.silent()  # one project's counts: A's
        assert world["secret"].pk not in seen
        await progress.close()

    run(scenario)


def test_a_person_in_both_accounts_sees_both_labelled(world, account, other_account):
    both = make_tasker("carol", account=account)
    single = signed_in(both).get("/").content.decode()
    assert "streets" in single and "secret" not in single and "data-account" not in single
    Membership.objects.create(account=other_account, user=both)
    html = signed_in(both).get("/").content.decode()
    assert "streets" in html and "secret" in html
    assert f"data-account>{account.username}<" in html
    assert f"data-account>{other_account.username}<" in html


def test_a_project_naming_its_taskers_is_closed_to_the_accounts_other_labelers(world):
    secret, bob = world["secret"], world["bob"]
    named = make_tasker("dora", account=secret.owner)
    secret.taskers.add(named)
    assert secret not in queue.visible_projects(bob)
    assert secret in queue.visible_projects(named)
    # a member in another role works it only when named
    Membership.objects.filter(user=bob).update(role="member")
    secret.taskers.clear()
    assert secret not in queue.visible_projects(bob)
    secret.taskers.add(bob)
    assert secret in queue.visible_projects(bob)
