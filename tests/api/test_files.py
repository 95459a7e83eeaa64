"""POST /v1/files/upload and /v1/files/import, and using a stored file as an attachment."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.factories import box_task

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def upload(api, data: bytes, **fields):
    return api.client.post("/v1/files/upload", {"file": io.BytesIO(data), **fields})


def test_upload_returns_file_and_attachment_url_usable_by_a_task(api):
    res = upload(api, png_bytes(), display_name="red.png", project_name="p",
                 reference_id="ref-1", metadata='{"a": 1}')
    assert res.status_code == 200, res.content
    record = res.json()
    assert record["mime_type"] == "image/png" and record["size"] > 0
    assert record["attachment_url"].startswith("scaledata://")
    assert record["project_names"] == ["p"] and record["metadata"] == {"a": 1}
    task = api.post("task/imageannotation", box_task(attachment=record["attachment_url"]))
    assert task.status_code == 200, task.content
    content = api.client.get(f"/v1/files/{record['id']}/content")
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == png_bytes()


def test_upload_errors(api):
    assert api.client.post("/v1/files/upload", {}).status_code == 400
    not_image = upload(api, b"%PDF-1.4 definitely not an image")  # any file, as Scale's
    assert not_image.status_code == 200 and not_image.json()["mime_type"] == \
        "application/octet-stream"
    upload(api, png_bytes(), reference_id="r")
    dup = upload(api, png_bytes(), reference_id="r")
    assert dup.status_code == 409
    bad_meta = upload(api, png_bytes(), metadata="{not json")
    assert bad_meta.status_code == 400


def test_another_accounts_file_is_not_an_attachment(api, other_api):
    record = upload(other_api, png_bytes()).json()
    res = api.post("task/imageannotation", box_task(attachment=record["attachment_url"]))
    assert res.status_code == 400
    assert api.client.get(f"/v1/files/{record['id']}/content").status_code == 404
    assert "is not a file of this account" in res.json()["error"]


def test_a_live_file_with_a_test_key_says_which_environment_it_is_in(api, test_api):
    record = upload(api, png_bytes()).json()
    res = test_api.post("task/imageannotation", box_task(attachment=record["attachment_url"]))
    assert res.status_code == 400
    assert res.json()["error"] == (f"attachment {record['attachment_url']} was uploaded with a "
                                   "live key: a test key uses the files uploaded with test keys.")
    kept = upload(test_api, png_bytes()).json()
    res = api.post("task/imageannotation", box_task(attachment=kept["attachment_url"]))
    assert "was uploaded with a test key: a live key uses" in res.json()["error"]


class ImageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = png_bytes((10, 10))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ImageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_import_from_url(api, settings, image_server):
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    res = api.post("files/import", {"file_url": f"{image_server}/cat.png",
                                    "project_name": "p"})
    assert res.status_code == 200, res.content
    assert res.json()["mime_type"] == "image/png"


def test_import_refuses_loopback_unless_allowed(api, settings, image_server):
    settings.ANNOTATOR_FETCH_ALLOW = []
    res = api.post("files/import", {"file_url": f"{image_server}/cat.png"})
    assert res.status_code == 400
    assert "127.0.0.1" in res.json()["error"]
    assert api.post("files/import", {}).status_code == 400
