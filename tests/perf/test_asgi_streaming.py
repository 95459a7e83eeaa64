"""The ASGI handler sends a file response part by part as it reads it, instead of letting
Django read the whole body into memory first (which it warns about)."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

from asgiref.testing import ApplicationCommunicator

from annotator.handler import PooledASGIHandler

STATIC = Path(__file__).resolve().parents[2] / "static"


def scope(path: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}


async def fetch(handler: PooledASGIHandler, path: str) -> tuple[dict, list[dict]]:
    talk = ApplicationCommunicator(handler, scope(path))
    await talk.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await talk.receive_output(10)
    bodies = []
    while True:
        message = await talk.receive_output(10)
        bodies.append(message)
        if not message.get("more_body"):
            break
    await talk.wait(10)
    return start, bodies


def test_a_static_file_streams_without_being_read_whole_first():
    handler = PooledASGIHandler(threads=1)
    handler.chunk_size = 4096  # several parts even for a small file
    expected = (STATIC / "js" / "workbench" / "app.js").read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, bodies = asyncio.run(fetch(handler, "/static/js/workbench/app.js"))
    assert start["status"] == 200
    assert b"".join(m.get("body", b"") for m in bodies) == expected
    assert len(bodies) > len(expected) // 4096  # sent in parts, then the closing message
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
