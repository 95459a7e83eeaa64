"""Prelabel on create with a real Label Studio ML backend: label-studio-ml's own server and
base class (tests/model_backends/ls_backend.py) in the venv `make lsml` builds, because its
Flask pin cannot live in the project's venv. Without that venv this test fails (run
`make lsml`); it never skips."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import urllib3

from tasks.models import Prelabel, Task
from tests.model_backends.conftest import GEOMETRIES, attach_backend
from tests.worker.conftest import png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]

ROOT = Path(__file__).resolve().parents[2]
LSML_PYTHON = ROOT / ".venv-lsml" / "bin" / "python"
SCRIPT = Path(__file__).with_name("ls_backend.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ls_backend(tmp_path) -> Iterator[tuple[str, Path]]:
    if not LSML_PYTHON.exists():
        pytest.fail(f"{LSML_PYTHON} is missing: run `make lsml` (make test does it first)")
    port, record = free_port(), tmp_path / "requests.jsonl"
    log = (tmp_path / "ls_backend.log").open("w")
    process = subprocess.Popen([str(LSML_PYTHON), str(SCRIPT), "--port", str(port),
                                "--record", str(record)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib3.request("GET", url + "/health", timeout=1).status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Label Studio ML backend did not start: "
                            + (tmp_path / "ls_backend.log").read_text())
            time.sleep(0.2)
        yield url, record
    finally:
        process.terminate()
        process.wait(10)
        log.close()


EXPECTED = [
    {"type": "box", "label": "car", "left": 4, "top": 6, "width": 10, "height": 9,
     "attributes": {}},
    {"type": "polygon", "label": "road", "attributes": {},
     "vertices": [{"x": 0, "y": 0}, {"x": 20, "y": 0}, {"x": 20, "y": 15}]},
    {"type": "point", "label": "sign", "x": 30, "y": 3, "attributes": {}},
]


def test_a_label_studio_ml_backend_prelabels_a_new_task(api, account, receiver, ls_backend,
                                                         settings, client):
    url, record = ls_backend
    settings.ANNOTATOR_PUBLIC_URL = "http://testserver"
    attach_backend(account, url, protocol="label_studio")
    res = api.post("task/imageannotation", {
        "project": "streets", "attachment": receiver.serve_file("/image.png", png_bytes()),
        "geometries": GEOMETRIES})
    assert res.status_code == 200, res.content
    task = Task.objects.get(pk=res.json()["task_id"])

    assert run_jobs() == ["stored", "done"]

    task.refresh_from_db()
    stored = task.params["hypothesis"]["annotations"]
    assert all(len(a.pop("uuid")) >= 32 for a in stored)
    assert stored == EXPECTED
    prelabel = Prelabel.objects.get(task=task)
    assert (prelabel.status, prelabel.model_version) == ("done", "fixed-ls-1")
    assert prelabel.notes == ["region 1: a box rotated by 30° where the box geometry cannot "
                              "rotate: left out"]

    # what the backend got: our labelling config, and a signed image URL that works
    (sent,) = [json.loads(line) for line in record.read_text().splitlines()]
    config = sent["label_config"]
    for tag in ('<RectangleLabels name="box" toName="image" canRotate="false">',
                '<Label value="car"/>', '<PolygonLabels name="polygon"',
                '<KeyPointLabels name="point"', '<Label value="sign"/>'):
        assert tag in config
    image_url = sent["tasks"][0]["data"]["image"]
    assert image_url.startswith("http://testserver/assist-media/")
    image = client.get(urlparse(image_url).path)
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == png_bytes()
    assert client.get(urlparse(image_url).path + "x").status_code == 404
