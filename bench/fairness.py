"""The fairness figures: one key cannot stall the others (docs/deploy.md, "What protects what").

A server of its own with the production limits (`BenchServer(key_limits=True)`), a worker
beside it (`manage.py run_worker`), and a slow HTTP server on loopback started here:

- **another account's latency while one key floods**: the flooding key sends, from 12 threads
  at once, 12 MB JSON bodies (8 threads) and file imports of a URL that answers after 20 s
  (4 threads); meanwhile another account's `GET /v1/tasks`, one at a time, is timed for
  20 s (at least 200 samples).
- **another account's fetch start while one task's 50 slow attachments are pending**: one
  account creates a task whose image and 49 context images each answer after 20 s; once the
  worker is fetching them, another account creates tasks one after another, and the time from
  each create's answer to the worker's request for its image is measured.
"""

from __future__ import annotations

import http.client
import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from PIL import Image

from bench.server import REPO_ROOT, BenchServer, Http
from bench.stats import Figure, distribution

SLOW_SECONDS = 20.0
BIG_BODY_BYTES = 12 * 1024 * 1024


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


class _Images(BaseHTTPRequestHandler):
    """/slow/... answers after SLOW_SECONDS (or when released), anything else at once; the
    arrival time of every GET is kept."""

    protocol_version = "HTTP/1.1"
    body = _png()

    def do_GET(self):  # noqa: N802
        self.server.arrivals.append((self.path, time.monotonic()))
        if self.path.startswith("/slow/"):
            self.server.released.wait(SLOW_SECONDS)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@contextmanager
def images() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    httpd.daemon_threads = True
    httpd.arrivals = []
    httpd.released = threading.Event()
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield httpd
    finally:
        httpd.released.set()
        httpd.shutdown()
        httpd.server_close()


def _url(httpd: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}{path}"


def _wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {seconds:g} s")
        time.sleep(0.02)


def flood_latency(server: BenchServer, httpd, samples: int, seconds: float) -> Figure:
    flooder, bystander = server.new_key("flooder"), server.new_key("bystander")
    stop = threading.Event()
    sent = {"big": 0, "import": 0, "429": 0}
    big = orjson.dumps({"attachment": "https://example.com/a.png",
                        "geometries": {"box": {"objects_to_annotate": ["car"]}},
                        "metadata": {"pad": "x" * (BIG_BODY_BYTES - 200)}})

    def flood(kind: str) -> None:
        client = Http(server.root, key=flooder, timeout=120)
        while not stop.is_set():
            try:
                if kind == "big":
                    status, _, _ = client.request("POST", "/v1/task/imageannotation", big,
                                                  {"Content-Type": "application/json"})
                else:
                    status, _ = client.post_json("/v1/files/import",
                                                 {"file_url": _url(httpd, "/slow/import.png")})
            except (OSError, http.client.HTTPException):  # refused while still sending
                client.close()
                status = 429
            sent["429" if status == 429 else kind] += 1
        client.close()

    threads = [threading.Thread(target=flood, args=("big" if i < 8 else "import",),
                                daemon=True) for i in range(12)]
    for thread in threads:
        thread.start()
    _wait_for(lambda: sent["big"] + sent["429"] >= 4
              and any(p.startswith("/slow/import") for p, _ in httpd.arrivals), 120,
              "flood under way")
    client = Http(server.root, key=bystander, timeout=60)
    latencies = []
    until = time.monotonic() + seconds
    while len(latencies) < samples or time.monotonic() < until:
        t0 = time.perf_counter()
        status, _ = client.get("/v1/tasks?limit=10")
        latencies.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise RuntimeError(f"the other account's GET answered {status}")
    client.close()
    stop.set()
    httpd.released.set()
    for thread in threads:
        thread.join(timeout=120)
    httpd.released.clear()
    return distribution("fair_flood", "another account's GET /v1/tasks while one key floods "
                        "(8 × 12 MB bodies, 4 slow imports at once)", "p95 ≤ 200 ms",
                        latencies, limit=200, on="p95", flood=dict(sent))


def fetch_start(server: BenchServer, httpd, samples: int) -> Figure:
    hog, other = server.new_key("hog"), server.new_key("patient")
    geometries = {"box": {"objects_to_annotate": ["car"]}}
    body = {"attachment": _url(httpd, "/slow/0.png"), "geometries": geometries,
            "context_attachments": [{"attachment": _url(httpd, f"/slow/{i}.png")}
                                    for i in range(1, 50)]}
    status, data = Http(server.root, key=hog).post_json("/v1/task/imageannotation", body)
    if status != 200:
        raise RuntimeError(f"creating the slow task answered {status}: {data[:300]!r}")
    _wait_for(lambda: any(p.startswith("/slow/") for p, _ in httpd.arrivals), 60,
              "fetch of the slow task")
    client = Http(server.root, key=other)
    delays = []
    for i in range(samples):
        path = f"/fast/{i}.png"
        status, data = client.post_json("/v1/task/imageannotation", {
            "attachment": _url(httpd, path), "geometries": geometries})
        created = time.monotonic()
        if status != 200:
            raise RuntimeError(f"creating a task answered {status}: {data[:300]!r}")
        _wait_for(lambda p=path: any(q == p for q, _ in httpd.arrivals), 60,
                  "fetch of the other account's image")
        arrived = next(t for q, t in httpd.arrivals if q == path)
        delays.append(arrived - created)
    client.close()
    pending = sum(1 for p, _ in httpd.arrivals if p.startswith("/slow/"))
    return distribution("fair_fetch", "another account's fetch start while one task's 50 slow "
                        "attachments are pending", "p95 ≤ 5 s", delays, limit=5, on="p95",
                        unit="s", slow_fetches_started=pending)


def fairness_figures(scale: float = 1.0) -> list[Figure]:
    server = BenchServer("fair", key_limits=True)
    worker = None
    try:
        server.cold_start()
        with open(server.data_dir / "worker.err", "wb") as err:
            worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"],
                                      cwd=REPO_ROOT, env=server.env, stdout=subprocess.DEVNULL,
                                      stderr=err, stdin=subprocess.DEVNULL)
        with images() as httpd:
            figures = [flood_latency(server, httpd, max(20, int(200 * scale)),
                                     max(5.0, 20 * scale)),
                       fetch_start(server, httpd, max(3, int(10 * scale)))]
        return figures
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        server.stop()
