"""`manage.py serve` closes a connection that sends its headers or its body too slowly (a
slowloris), and still serves ordinary requests. Short deadlines here so the test is quick."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests

from tests.browser.own_server import OwnServer

HEADER_SECONDS = 1.0
BODY_SECONDS = 2.0
# How long a closed connection may take to be noticed beyond its deadline.
SLACK_SECONDS = 3.0


@pytest.fixture(scope="module")
def server() -> Iterator[OwnServer]:
    own = OwnServer()
    own.env.update(ANNOTATOR_HEADER_READ_SECONDS=str(HEADER_SECONDS),
                   ANNOTATOR_BODY_READ_SECONDS=str(BODY_SECONDS))
    try:
        own.start()
        yield own
    finally:
        own.close()


def dribble_until_closed(sock: socket.socket, byte: bytes, limit: float) -> float:
    """Send one byte at a time, as a slow attacker does; the seconds until the server hung
    up, or fail after `limit` seconds."""
    sock.settimeout(0.25)
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            sock.sendall(byte)
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start
    pytest.fail(f"the server kept a dribbling connection open for {limit} s")


def test_slow_headers_are_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        took = dribble_until_closed(sock, b"a", HEADER_SECONDS + SLACK_SECONDS)
    assert took < HEADER_SECONDS + SLACK_SECONDS


def test_a_silent_connection_is_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(HEADER_SECONDS + SLACK_SECONDS)
        assert sock.recv(4096) == b""


def test_a_slow_body_is_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
        took = dribble_until_closed(sock, b" ", BODY_SECONDS + SLACK_SECONDS)
    assert took < BODY_SECONDS + SLACK_SECONDS


def test_ordinary_requests_still_pass(server):
    key = server.live.new_key("acme")
    res = requests.post(f"{server.root}/v1/projects", auth=(key, ""), timeout=30,
                        json={"type": "imageannotation", "name": "streets"})
    assert res.status_code == 200, res.text
