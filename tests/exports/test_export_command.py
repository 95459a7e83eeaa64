"""python manage.py export: project look-up across accounts, filters, output and summary."""

from __future__ import annotations

import zipfile
from io import BytesIO, StringIO

import orjson
import pytest
from django.core.management import CommandError, call_command

from tasks import projects
from tasks.exports import FORMATS
from tasks.models import Project
from tests.exports.export_data import completed_test_task, make_project

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def tasks(account):
    make_project(account)
    projects.create_batch(owner=account, is_test=True, body={"name": "b1",
                                                              "project": "streets"})
    return [completed_test_task(account, batch="b1", tags=["night"]),
            completed_test_task(account)]


def test_scale_export_with_summary_and_progress(tasks, tmp_path):
    path = tmp_path / "out.jsonl"
    out, err = run("--project", "streets", "--test", "--format", "scale", "-o", str(path))
    exported = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [t["task_id"] for t in exported] == [t.task_id for t in tasks]
    assert "Exported 2 task(s) as scale: 14 annotation(s)" in out
    assert "Nothing was dropped or converted." in out
    assert "[##############################] 2/2 tasks" in err


def test_yolo_summary_lists_what_was_dropped(tasks, tmp_path):
    path = tmp_path / "out.zip"
    out, _ = run("--project", "streets", "--test", "--format", "yolo", "-o", str(path),
                 "--batch", "b1", "--tags", "night")
    assert "Exported 1 task(s) as yolo" in out
    assert "cuboid annotation: 1 in 1 task(s) - dropped: YOLO has no cuboids" in out
    assert "links: 1 in 1 task(s) - dropped" in out
    assert "detect/data.yaml" in zipfile.ZipFile(path).namelist()


def test_date_filters(tasks, tmp_path):
    path = tmp_path / "out.jsonl"
    out, _ = run("--project", "streets", "--test", "--format", "scale", "-o", str(path),
                 "--completed-after", "2999-01-01")
    assert "Exported 0 task(s)" in out and path.read_bytes() == b""
    with pytest.raises(CommandError, match="ISO 8601"):
        run("--project", "streets", "--test", "--format", "scale", "-o", str(path),
            "--completed-before", "yesterday")


def test_live_by_default_and_ambiguous_names_need_an_account(account, other_account,
                                                             tmp_path):
    path = str(tmp_path / "out.json")
    make_project(account)
    with pytest.raises(CommandError, match='No live project named "streets"'):
        run("--project", "streets", "--format", "coco", "-o", path)
    make_project(other_account)
    with pytest.raises(CommandError, match="acme, globex.*--account"):
        run("--project", "streets", "--test", "--format", "coco", "-o", path)
    out, _ = run("--project", "streets", "--test", "--account", "globex", "--format", "coco",
                 "-o", path)
    assert "Exported 0 task(s) as coco" in out
    with pytest.raises(CommandError, match='No account named "nobody"'):
        run("--project", "streets", "--test", "--account", "nobody", "--format", "coco",
            "-o", path)


def test_unknown_batch(tasks, tmp_path):
    with pytest.raises(CommandError, match='No batch named "zz"'):
        run("--project", "streets", "--test", "--batch", "zz", "--format", "voc", "-o",
            str(tmp_path / "x.zip"))


def test_only_the_export_command_pauses_the_garbage_collector(tasks, tmp_path, monkeypatch):
    """The threaded server's exports (API, admin) leave the collector alone: other requests'
    cycles are collected meanwhile (tasks/collector.py)."""
    import gc

    from tasks.exports import export_tasks
    from tasks.exports.selection import Selection

    seen: list[bool] = []
    real_write = FORMATS["scale"].write

    def write(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_write(*args, **kwargs)

    monkeypatch.setattr(FORMATS["scale"], "write", write)
    project = Project.objects.get(name="streets")
    export_tasks(Selection(project=project).tasks(), "scale", BytesIO())
    run("--project", "streets", "--test", "--format", "scale", "-o", str(tmp_path / "o.jsonl"))
    assert seen == [True, False]
    assert gc.isenabled()
