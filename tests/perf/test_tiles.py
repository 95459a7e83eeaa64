"""Tile pyramids of large images: built once by the attachment worker, announced to the page,
served with the image's access rule (tasks/tiles.py)."""

from __future__ import annotations

import io
import math

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tasks import files, jobs, lifecycle, queue, tile_build, tiles
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pyramids(monkeypatch, settings):
    """Tiles of 64 px for images over 100 px: the same code on pictures tests can afford."""
    monkeypatch.setattr(tile_build, "TILE_SIZE", 64)
    monkeypatch.setattr(tiles, "THRESHOLD", 100)


def png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (10, 20, 30))
    image.paste((250, 0, 0), (width - 8, height - 8, width, height))  # a red corner
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def tasker(db, account):
    return make_tasker("tia")


def task_with_image(account, tasker, width: int, height: int, name: str = "big"):
    record = files.store_file(owner=account, is_test=False, data=png(width, height), fields={})
    project = make_project(account, name)
    project.taskers.add(tasker)
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project=name, attachment=record.attachment_url))
    assert jobs.fetch_for_task(task.task_id) == "stored"
    return queue.claim_next(tasker, project)


def test_levels_go_down_to_one_tile():
    assert tile_build.level_count(300, 200, 64) == 4  # 300, 150, 75, 38
    assert tile_build.level_count(64, 64, 64) == 1
    assert tile_build.level_count(20000, 20000, 512) == 7
    assert tile_build.level_count(4097, 10, 512) == 5
    assert tiles.needs_tiles(101, 5) and not tiles.needs_tiles(100, 100)
    assert not tiles.needs_tiles(None, None)


def test_the_worker_cuts_a_large_image_once(account, tasker):
    task = task_with_image(account, tasker, 300, 200)
    pyramid = tiles.pyramid_for(task.task_id)
    assert (pyramid.width, pyramid.height, pyramid.tile_size, pyramid.levels) == (300, 200, 64, 4)
    for level in range(pyramid.levels):
        width, height = math.ceil(300 / 2**level), math.ceil(200 / 2**level)
        for y in range(math.ceil(height / 64)):
            for x in range(math.ceil(width / 64)):
                name = tile_build.tile_name(task.task_id, pyramid.build, level, x, y)
                with default_storage.open(name) as handle, Image.open(handle) as tile:
                    assert tile.size == (min(64, width - 64 * x), min(64, height - 64 * y))
                    assert tile.format == "JPEG"
    # the red corner is in the last tile of level 0
    last = tile_build.tile_name(task.task_id, pyramid.build, 0, 4, 3)
    with default_storage.open(last) as handle, Image.open(handle) as tile:
        red, green, _ = tile.convert("RGB").getpixel((300 - 256 - 3, 200 - 192 - 3))
        assert red > 150 and green < 100


def test_a_small_image_has_no_pyramid(account, tasker, client):
    task = task_with_image(account, tasker, 90, 60, name="small")
    assert tiles.pyramid_for(task.task_id) is None
    client.force_login(tasker)
    assert client.get(f"/tasks/{task.task_id}/data").json()["tiles"] is None
    page = client.get(f"/tasks/{task.task_id}/work/").content.decode()
    assert 'rel="preload" as="fetch"' in page  # the whole image loads beside the data


def test_the_page_is_told_and_served_the_tiles(account, tasker, client, django_user_model):
    task = task_with_image(account, tasker, 300, 200)
    client.force_login(tasker)
    announced = client.get(f"/tasks/{task.task_id}/data").json()["tiles"]
    assert {k: announced[k] for k in ("levels", "tile_size", "width", "height")} == {
        "levels": 4, "tile_size": 64, "width": 300, "height": 200}
    assert announced["url_template"].startswith(f"/tasks/{task.task_id}/tiles/{{level}}/")
    page = client.get(f"/tasks/{task.task_id}/work/").content.decode()
    assert 'rel="preload"' not in page  # never the 400-megapixel original
    url = announced["url_template"].format(level=3, x=0, y=0)
    res = client.get(url)
    assert res.status_code == 200 and res["Content-Type"] == "image/jpeg"
    assert "max-age" in res["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(res.streaming_content))) as tile:
        assert tile.size == (38, 25)
    for level, x, y in ((4, 0, 0), (0, 5, 0), (0, 0, 4), (3, 1, 0)):
        assert client.get(f"/tasks/{task.task_id}/tiles/{level}/{x}_{y}.jpg").status_code == 404
    # a tasker of the account whom the project does not name finds no such task
    other = make_tasker("otto")
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_rebuild_replaces_the_pyramid(account, tasker):
    task = task_with_image(account, tasker, 300, 200)
    first = tiles.pyramid_for(task.task_id)
    second = tiles.build(task.task_id, task.attachment_file.name or
                         files_name(task))
    assert tiles.pyramid_for(task.task_id) == second and second.build != first.build


def test_a_build_removes_earlier_and_half_written_builds(account, tasker):
    task = task_with_image(account, tasker, 300, 200)
    first = tiles.pyramid_for(task.task_id)
    # what a worker killed mid-build leaves: tiles of a build no manifest names
    orphan = default_storage.save(tile_build.tile_name(task.task_id, "deadbeef", 0, 0, 0),
                                  ContentFile(b"half"))
    second = tiles.build(task.task_id, files_name(task))
    folders, _ = default_storage.listdir(f"tiles/{task.task_id}")
    assert folders == [second.build]
    assert not default_storage.exists(orphan)
    assert not default_storage.exists(tile_build.tile_name(task.task_id, first.build, 0, 0, 0))


def test_a_missing_pyramid_is_built_again_when_the_page_asks(account, tasker):
    from tests.worker.conftest import run_jobs

    task = task_with_image(account, tasker, 300, 200)
    default_storage.delete(tiles.manifest_name(task.task_id))  # killed before the manifest
    assert tiles.announce(task) is None
    assert tiles.announce(task) is None  # asked twice, queued once
    answers = run_jobs()  # (the fetch job of the create is still queued: "skipped")
    assert answers.count("built") == 1
    announced = tiles.announce(task)
    assert announced is not None and announced["levels"] == 4


def files_name(task) -> str:
    from tasks.models import UploadedFile

    file_id = task.params["attachment"].rsplit("/", 1)[-1]
    return UploadedFile.objects.get(id=file_id).file.name


def test_a_cut_its_process_refuses_or_fails_raises_the_cuts_own_reason():
    """The cut runs in a process of its own (tasks/tile_cut.py): what it says reaches the
    build's caller, which logs it (tasks/attachments.py) and goes on."""
    name = default_storage.save("attachments/notes.bin", ContentFile(b"not an image at all"))
    with pytest.raises(ValueError, match="no tile loader for this file"):
        tile_build.cut("t-refused", name, "")
    name = default_storage.save("attachments/broken.png",
                                ContentFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    with pytest.raises(RuntimeError, match="the tile cut exited 1: .+"):
        tile_build.cut("t-broken", name, "image/png")
    assert not default_storage.exists("tiles/t-broken")
