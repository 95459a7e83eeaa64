"""Limits on what a request may carry, each refused with a clear error in the contract's shape:
body size (413), content type (415), JSON that is not plain (NaN, Infinity, non-UTF-8, too
deep, NUL), string lengths, vertices and annotations, and uploads (size, real images only,
decompression bombs)."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from PIL import Image

from tasks.limits import BodyLimitASGI
from tests.conftest import box_task
from tests.security.conftest import BOX, bilevel_png, png_bytes

pytestmark = pytest.mark.django_db


def assert_error(res, status: int, *words: str) -> str:
    assert res.status_code == status, (res.status_code, res.content[:300])
    assert res["Content-Type"].startswith("application/json")
    body = res.json()
    assert set(body) >= {"status_code", "error"} and body["status_code"] == status
    for word in words:
        assert word in body["error"], body["error"]
    return body["error"]


def raw_post(api, path: str, data: bytes, content_type: str = "application/json", **extra):
    return api.client.generic("POST", path, data, content_type=content_type, **extra)


# --- body size -------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_413_naming_the_setting(api, settings):
    settings.ANNOTATOR_MAX_BODY_BYTES = 4096
    body = json.dumps(box_task(metadata={"pad": "x" * 5000})).encode()
    assert_error(raw_post(api, "/v1/task/imageannotation", body), 413,
                 "ANNOTATOR_MAX_BODY_BYTES", "4,096")
    small = json.dumps(box_task()).encode()
    assert raw_post(api, "/v1/task/imageannotation", small).status_code == 200


def test_the_default_limits(settings):
    assert settings.ANNOTATOR_MAX_BODY_BYTES == 20 * 1024 * 1024
    assert settings.ANNOTATOR_MAX_UPLOAD_BYTES == 80 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.ANNOTATOR_MAX_BODY_BYTES


def test_uploads_have_their_own_limit(api, settings):
    settings.ANNOTATOR_MAX_BODY_BYTES = 4096
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 100_000
    # A file under the upload limit passes although the body is over the JSON limit.
    ok = api.client.post("/v1/files/upload", {"file": io.BytesIO(png_bytes((200, 100)))})
    assert ok.status_code == 200, ok.content
    # A file over it: refused by the file's size...
    noisy = Image.frombytes("L", (400, 400), bytes(range(256)) * 625)
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG", compress_level=0)
    assert len(buffer.getvalue()) > 100_000
    big = api.client.post("/v1/files/upload", {"file": io.BytesIO(buffer.getvalue())})
    assert_error(big, 413, "larger than 100000 bytes")
    # ...and a body far over it before anything is read.
    huge = api.client.post("/v1/files/upload", {"file": io.BytesIO(b"\0" * 1_200_000)})
    assert_error(huge, 413, "ANNOTATOR_MAX_UPLOAD_BYTES")


def test_a_workbench_submit_over_the_limit_is_413(client, settings, tasker, leased):
    settings.ANNOTATOR_MAX_BODY_BYTES = 4096
    client.force_login(tasker)
    body = json.dumps({"annotations": [BOX] * 100}).encode()
    res = client.post(f"/tasks/{leased.task_id}/submit", body, content_type="application/json")
    assert_error(res, 413)


class _App:
    """An ASGI app that records what it was given."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.scope = None

    async def __call__(self, scope, receive, send):
        self.called, self.scope = True, scope
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run_asgi(headers: list[tuple[bytes, bytes]], chunks: list[bytes], path="/v1/tasks"):
    app = _App()
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)] + [{"type": "http.disconnect"}]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    asyncio.run(BodyLimitASGI(app)(scope, receive, send))
    return app, sent


def test_asgi_layer_refuses_a_declared_length_without_reading(settings):
    settings.ANNOTATOR_MAX_BODY_BYTES = 2048
    app, sent = run_asgi([(b"content-length", b"5000")], [b"x" * 5000])
    assert not app.called and sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status_code"] == 413


def test_asgi_layer_counts_a_chunked_body_and_hands_on_a_small_one(settings):
    settings.ANNOTATOR_MAX_BODY_BYTES = 2048
    app, sent = run_asgi([(b"transfer-encoding", b"chunked")], [b"x" * 1000] * 3)
    assert not app.called and sent[0]["status"] == 413
    app, sent = run_asgi([(b"transfer-encoding", b"chunked")], [b"y" * 700] * 2)
    assert app.called and app.body == b"y" * 1400 and sent[0]["status"] == 200
    assert (b"content-length", b"1400") in app.scope["headers"]
    assert all(k != b"transfer-encoding" for k, _ in app.scope["headers"])


def test_asgi_layer_passes_a_request_without_a_body_straight_on(settings):
    app, sent = run_asgi([(b"host", b"x")], [b""])
    assert app.called and app.scope["headers"] == [(b"host", b"x")]
    assert sent[0]["status"] == 200


def test_asgi_layer_gives_the_upload_endpoint_its_own_limit(settings):
    settings.ANNOTATOR_MAX_BODY_BYTES = 2048
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 4096
    app, _ = run_asgi([(b"content-length", b"5000")], [b"z" * 5000], path="/v1/files/upload")
    assert app.called


def test_asgi_layer_leaves_websockets_alone():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(BodyLimitASGI(app)({"type": "websocket", "path": "/ws/"}, None, None))
    assert seen == ["websocket"]


# --- content types ---------------------------------------------------------------------------

def test_wrong_content_types_are_415_naming_what_to_send(api):
    body = json.dumps(box_task()).encode()
    error = assert_error(raw_post(api, "/v1/task/imageannotation", body, "text/plain"), 415)
    assert '"text/plain"' in error and "application/json" in error
    assert_error(raw_post(api, "/v1/projects", b"<x/>", "application/xml"), 415,
                 "application/json")
    upload_json = raw_post(api, "/v1/files/upload", b'{"file": 1}')
    assert_error(upload_json, 415, "multipart/form-data")
    missing = api.client.generic("POST", "/v1/task/imageannotation", body, content_type="")
    assert_error(missing, 415, "Content-Type")


def test_a_form_with_too_many_fields_is_400_not_a_server_error(api):
    body = "&".join(f"f{i}=1" for i in range(1200)).encode()
    for path in ("/v1/projects", "/v1/task/imageannotation"):  # no forms at all (CSRF)
        res = raw_post(api, path, body, "application/x-www-form-urlencoded")
        assert_error(res, 415, "application/json")
    boundary = "fieldsfieldsfields"
    multipart = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n1\r\n'
                        for i in range(1200)) + f"--{boundary}--\r\n"
    res = raw_post(api, "/v1/files/upload", multipart.encode(),
                   f"multipart/form-data; boundary={boundary}")
    assert_error(res, 400, "DATA_UPLOAD_MAX_NUMBER_FIELDS")
    query = "&".join(f"status={i}" for i in range(1200))
    assert_error(api.client.get(f"/v1/tasks?{query}"), 400, "DATA_UPLOAD_MAX_NUMBER_FIELDS")


# --- JSON that is not plain JSON -------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b'{"attachment": "https://e.com/a.png", "metadata": {"x": NaN}}',
    b'{"attachment": "https://e.com/a.png", "metadata": {"x": Infinity}}',
    b'{"attachment": "https://e.com/a.png", "metadata": {"x": -Infinity}}',
    b'{"attachment": "https://e.com/a.png", "instruction": "caf\xe9"}',
    b'{"attachment": "https://e.com/a.png", "instruction": "\\ud800"}',
    b'{"attachment": ',
    b'\xef\xbb\xbf{"a": 1}',
])
def test_json_that_is_not_plain_is_400(api, body):
    assert_error(raw_post(api, "/v1/task/imageannotation", body), 400, "JSON")


def test_json_nested_too_deep_is_400(api):
    deep = "[" * 65 + "]" * 65
    body = f'{{"attachment": "https://e.com/a.png", "metadata": {{"x": {deep}}}}}'.encode()
    assert_error(raw_post(api, "/v1/task/imageannotation", body), 400, "nested more than 64")


@pytest.mark.parametrize("body", [
    {"instruction": "a\u0000b"},
    {"metadata": {"k": ["ok", "bad\u0000"]}},
    {"metadata": {"bad\u0000key": 1}},
    {"unique_id": "\u0000"},
])
def test_nul_characters_in_json_are_400_naming_where(api, body):
    res = api.post("task/imageannotation", box_task(**body))
    assert_error(res, 400, "NUL")


def test_nul_characters_in_the_url_form_and_submit_are_400(api, client, tasker, leased):
    assert_error(api.client.get("/v1/tasks", {"project": "a\x00b"}), 400, "NUL")
    assert_error(api.client.get("/v1/task/abc%00def"), 400, "NUL")
    assert_error(api.client.get("/v1/projects/x%00"), 400, "NUL")
    form = api.client.post("/v1/files/upload", {"file": io.BytesIO(png_bytes()),
                                                "display_name": "a\x00b"})
    assert_error(form, 400, "display_name", "NUL")
    client.force_login(tasker)
    res = client.post(f"/tasks/{leased.task_id}/submit",
                      {"annotations": [{**BOX, "label": "car\u0000"}]},
                      content_type="application/json")
    assert_error(res, 400, "NUL")


# --- strings, vertices, annotations -----------------------------------------------------------

@pytest.mark.parametrize(("extra", "field"), [
    ({"instruction": "x" * 100_001}, "instruction"),
    ({"unique_id": "u" * 513}, "unique_id"),
    ({"tags": ["t" * 201]}, "tags[0]"),
    ({"metadata": {"pad": "m" * 11_000}}, "metadata"),
    ({"callback_url": "https://e.com/" + "c" * 2100}, "callback_url"),
    ({"attachment": "https://e.com/" + "a" * 2100}, "attachment"),
    ({"geometries": {"box": {"objects_to_annotate": ["l" * 1001]}}}, "objects_to_annotate"),
    ({"project": "p" * 201}, "project"),
])
def test_strings_over_their_length_are_400_naming_the_field(api, extra, field):
    assert_error(api.post("task/imageannotation", box_task(**extra)), 400, field)


def test_names_over_their_length_are_400(api):
    assert_error(api.post("projects", {"type": "imageannotation", "name": "n" * 201}), 400,
                 "name")
    api.post("projects", {"type": "imageannotation", "name": "p"})
    assert_error(api.post("batches", {"project": "p", "name": "b" * 201}), 400, "name")


def test_vertices_per_annotation_and_annotations_per_task_are_bounded(api):
    polygon = {"polygon": {"objects_to_annotate": ["car"]}}
    vertices = [{"x": i % 100, "y": i // 100} for i in range(10_001)]
    too_many_vertices = {"annotations": [{"uuid": "p", "type": "polygon", "label": "car",
                                          "vertices": vertices}]}
    assert_error(api.post("task/imageannotation",
                          box_task(geometries=polygon, hypothesis=too_many_vertices)),
                 400, "10000")
    boxes = [{**BOX, "uuid": f"b{i}"} for i in range(20_001)]
    assert_error(api.post("task/imageannotation",
                          box_task(geometries={"box": {"objects_to_annotate": ["car"]}},
                                   hypothesis={"annotations": boxes})), 400, "20000")


# --- uploads ---------------------------------------------------------------------------------

def upload(api, data: bytes, name: str = "image.png"):
    handle = io.BytesIO(data)
    handle.name = name
    return api.client.post("/v1/files/upload", {"file": handle})


def test_only_real_images_are_typed_as_images_whatever_their_name(api):
    """Any file is taken (as Scale's upload does), but only Pillow's reading of its bytes makes
    it an image; anything else is a neutral download, never image/svg+xml or text/html."""
    for data, name in ((b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.png"),
                       (b"GIF89a but not really", "a.gif"), (png_bytes()[:60], "truncated.png")):
        stored = upload(api, data, name)
        assert stored.status_code == 200, stored.content
        assert stored.json()["mime_type"] == "application/octet-stream"
    gif = io.BytesIO()
    Image.new("P", (8, 8)).save(gif, "GIF")
    stored = upload(api, gif.getvalue(), "actually-a-gif.png")
    assert stored.status_code == 200 and stored.json()["mime_type"] == "image/gif"


def test_decompression_bombs_are_refused_where_used_and_the_limit_itself_is_accepted(
        api, settings):
    from tasks.models import Task
    from tests.worker.conftest import run_jobs

    bomb = bilevel_png(25_000, 20_000)  # 500 million pixels in 60 KB
    assert len(bomb) < 100_000
    stored = upload(api, bomb)
    assert stored.json()["mime_type"] == "application/octet-stream"  # not taken as an image
    created = api.post("task/imageannotation",
                       box_task(attachment=stored.json()["attachment_url"]))
    assert created.status_code == 200, created.content
    assert run_jobs() == ["error"]
    task = Task.objects.get(pk=created.json()["task_id"])
    assert task.status == "error"
    at_limit = upload(api, bilevel_png(20_000, 20_000))  # 400 million: a use case
    assert at_limit.status_code == 200, at_limit.content
    assert at_limit.json()["mime_type"] == "image/png"
