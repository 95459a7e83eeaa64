"""The body limit on a real server process: what a body declares, and what actually arrives
(a chunked body has no Content-Length; the ASGI layer counts it)."""

from __future__ import annotations

import json
import socket

import pytest

from tests.scale.conftest import MAX_BODY_BYTES, Cluster
from tests.scale.scale_helpers import GEOMETRIES

pytestmark = pytest.mark.live


def raw_request(cluster: Cluster, head: str, body: bytes = b"") -> tuple[int, dict, bytes]:
    """Send bytes as they are; (status, headers, body) of the answer."""
    port = cluster.ports[0]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                top, _, rest = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in top.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                if length is not None and len(rest) >= length:
                    break
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, rest


def head(cluster: Cluster, path: str, extra: str) -> str:
    auth = cluster.auth_header()["Authorization"]
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/json\r\n{extra}\r\n")


def chunked(payload: bytes, size: int = 65536) -> bytes:
    out = b""
    for i in range(0, len(payload), size):
        piece = payload[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def test_declared_length_over_the_limit_is_refused_before_the_body_is_sent(cluster):
    status, headers, body = raw_request(
        cluster, head(cluster, "/v1/task/imageannotation",
                      f"Content-Length: {MAX_BODY_BYTES + 1}\r\n"))
    assert status == 413
    error = json.loads(body)
    assert error["status_code"] == 413 and "ANNOTATOR_MAX_BODY_BYTES" in error["error"]


def test_chunked_body_is_counted_as_it_arrives(cluster):
    too_big = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    status, _, body = raw_request(
        cluster, head(cluster, "/v1/task/imageannotation",
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n"), chunked(too_big))
    assert status == 413 and json.loads(body)["status_code"] == 413


def test_chunked_body_within_the_limit_is_handed_on_whole(cluster):
    payload = json.dumps({"attachment": "https://example.com/a.png", "geometries": GEOMETRIES,
                          "metadata": {"pad": "y" * 5000}}).encode()
    status, _, body = raw_request(
        cluster, head(cluster, "/v1/task/imageannotation",
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n"),
        chunked(payload, size=1000))
    assert status == 200, body
    assert json.loads(body)["metadata"]["pad"] == "y" * 5000
