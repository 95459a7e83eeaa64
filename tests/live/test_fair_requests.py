"""One key cannot stall everyone's requests: a file import's slow fetch does not hold a
request thread, and a key's requests beyond its cap in flight get a 429 (tasks/api/inflight.py,
tasks/api/deferred_fetch.py). Against a real server process with the default limits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live.conftest import ImageHandler, serve_locally

pytestmark = pytest.mark.live

SLOW_SECONDS = 4.0


class SlowImageHandler(ImageHandler):
    """Every GET of a .png is a small PNG, answered after SLOW_SECONDS (or when the test ends)."""

    done = threading.Event()
    arrived = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802
        with self.lock:
            SlowImageHandler.arrived += 1
        self.done.wait(SLOW_SECONDS)
        super().do_GET()


@pytest.fixture
def slow_images():
    SlowImageHandler.done.clear()
    SlowImageHandler.arrived = 0
    with serve_locally(SlowImageHandler) as httpd:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        SlowImageHandler.done.set()


def test_slow_imports_leave_the_request_threads_to_others(live_server_process, slow_images):
    server = live_server_process
    importers = [server.new_key(f"importer{i}") for i in range(4)]
    other = server.new_key("bystander")

    def import_slowly(n: int) -> requests.Response:
        return requests.post(f"{server.base_url}/files/import", auth=(importers[n % 4], ""),
                             json={"file_url": f"{slow_images}/{n}.png"}, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        imports = [pool.submit(import_slowly, n) for n in range(8)]  # 2 per key: its cap
        deadline = time.monotonic() + 20
        while SlowImageHandler.arrived < 8:  # every import is fetching
            assert time.monotonic() < deadline, SlowImageHandler.arrived
            time.sleep(0.02)
        started = time.monotonic()
        answer = requests.get(f"{server.base_url}/tasks", auth=(other, ""), timeout=30)
        waited = time.monotonic() - started
        results = [f.result() for f in imports]
    assert answer.status_code == 200
    # every request thread held by an import would have kept it ~SLOW_SECONDS
    assert waited < 1.0, f"another account waited {waited:.2f} s"
    assert [r.status_code for r in results] == [200] * 8, [r.text for r in results]
    made = results[0].json()
    assert made["attachment_url"].startswith("scaledata://") and made["mime_type"] == \
        "image/png" and made["size"] == len(SlowImageHandler.body)


def test_a_key_sending_more_than_its_cap_at_once_is_served_in_turn(live_server_process,
                                                                  slow_images):
    """The official client's thread pools send several requests at once: beyond the key's cap
    they wait for their turn instead of failing."""
    server = live_server_process
    key = server.new_key("eager")

    def import_slowly(n: int) -> tuple[int, float]:
        started = time.monotonic()
        res = requests.post(f"{server.base_url}/files/import", auth=(key, ""),
                            json={"file_url": f"{slow_images}/{n}.png"}, timeout=60)
        return res.status_code, time.monotonic() - started

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(import_slowly, range(3)))
    assert [status for status, _ in results] == [200] * 3
    # two at a time: the last one waited for one of the first two
    assert max(seconds for _, seconds in results) >= 2 * SLOW_SECONDS * 0.9
