"""HTTP sessions for tests that talk to a live server over real sockets."""

from __future__ import annotations

import requests


def fresh_connections() -> requests.Session:
    """A session that opens a new connection for every request. A kept-alive connection left
    idle while a test works in the browser can reach the server's keep-alive timeout (5 s) just
    as it is reused; the server's close then meets the request and the client sees a
    "connection reset" that no retry covers for a POST."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session
