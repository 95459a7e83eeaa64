"""The memory of the whole install (`manage.py serve` as `make run` starts it: one process
that runs the background jobs too), and the peak on the largest accepted image
(bench/README.md "memory", "huge_image").

Both run a `serve` of their own, with its jobs, on a fresh data folder (or database): the
other figures' server runs without them, so that no fetch competes with what they time.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

from bench.api import ApiBench, expect
from bench.payloads import annotations, huge_png, jpeg, realistic_body
from bench.server import BenchError, BenchServer, status_mib
from bench.stats import Figure

INSTALL_TARGET_MIB = 135


def install_mib(server: BenchServer) -> dict[str, dict[str, float]]:
    """status_mib of each process of the install: "server", and "worker" if there is one."""
    found = {"server": status_mib(server.process.pid)}
    for pid in server.worker_pids():
        found["worker"] = status_mib(pid)
    return found


def job_pid(server: BenchServer) -> int:
    """The process that runs the jobs."""
    return (server.worker_pids() or [server.process.pid])[0]


def wait_for_file(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise BenchError(f"the worker did not write {path} within {seconds:.0f} s")
        time.sleep(0.2)


def started(label: str) -> tuple[BenchServer, ApiBench]:
    server = BenchServer(label, worker=True)
    _, key, _ = server.cold_start()
    return server, ApiBench(server, key)


def install_memory(scale: float = 1.0) -> Figure:
    """Server + worker RSS after a run of the write and read paths: realistic creates (each
    image fetched by the worker from the upload), 60-shape writes, GETs, then a 10 s rest."""
    server, bench = started("install")
    try:
        time.sleep(2)  # the jobs' threads (or process) loaded
        idle = {name: mib["VmRSS"] for name, mib in install_mib(server).items()}
        bench.project("bench-install")
        attachment = bench.upload(jpeg(640, 480), "frame.jpg")
        hypothesis = {"annotations": annotations(50, 10, seed=60, width=640, height=480)}
        for i in range(bench.n(300)):
            extra = {"hypothesis": hypothesis} if i % 3 == 0 else {}
            bench.task_ids.append(bench.create(realistic_body(
                project="bench-install", attachment=attachment, index=i, **extra)))
        rng = random.Random(5)
        for _ in range(bench.n(1000)):
            status, body = bench.api.get(f"/v1/task/{rng.choice(bench.task_ids)}")
            expect(status, body, "GET task")
        time.sleep(10)  # the fetches of the last creates, then rest
        after = install_mib(server)
    finally:
        server.stop()
    total = sum(mib["VmRSS"] for mib in after.values())

    def each(key: str, values: dict) -> str:
        return " + ".join(f"{name} {(v[key] if key else v):.0f}" for name, v in values.items())

    return Figure("install_rss", "server + worker memory after the run (`serve`: VmRSS of "
                  "its processes; one process runs the jobs itself)",
                  f"≤ {INSTALL_TARGET_MIB} MiB", unit="MiB", value=total,
                  ok=total <= INSTALL_TARGET_MIB,
                  note=f"{each('VmRSS', after)} MiB; idle {each('', idle)}; peaks "
                       f"{each('VmHWM', after)}; Pss "
                       f"{sum(mib['Pss'] for mib in after.values()):.0f}",
                  extra={**after, "idle": idle})


def huge_image() -> Figure:
    """The peak memory of a 20,000 × 20,000 PNG (a few hundred KB) uploaded through the API
    and used by a task: fetched and checked by the process that runs the jobs, cut into tiles
    by a process of its own (tasks/tile_cut.py, which logs its VmHWM). The figure is the
    larger of the two peaks."""
    server, bench = started("huge")
    try:
        bound = int(server.manage("shell", "-c", "from tasks.tiles import PEAK_BYTES; "
                                  "print(PEAK_BYTES)").split()[-1]) / 2**20
        worker = job_pid(server)
        with tempfile.TemporaryDirectory(prefix="annotator-bench-huge-") as folder:
            png = Path(folder) / "huge.png"
            huge_png(png)
            attachment = bench.upload(png.read_bytes(), "huge.png")
        before = status_mib(worker)["VmHWM"]
        t0 = time.perf_counter()
        task = bench.create(realistic_body(project=None, attachment=attachment))
        wait_for_file(server.data_dir / "media" / "tiles" / task / "manifest.json", 600)
        seconds = time.perf_counter() - t0
        jobs_peak = status_mib(worker)["VmHWM"]
        time.sleep(3)  # the job's end: the process collects and trims (tasks/worker_pool.py)
        after = status_mib(worker)["VmRSS"]
        cut = re.findall(r"tile cut of \S+ px: peak (\d+) MiB", server.stderr())
    finally:
        server.stop()
    if not cut:
        raise BenchError("the tile cut logged no peak")
    peak = max(jobs_peak, float(cut[-1]))
    return Figure("huge_image_worker_peak", "peak on a 20,000 × 20,000 upload (fetched and "
                  "checked by the jobs, cut into tiles by a process of its own)",
                  f"≤ {bound:.0f} MiB (tasks/tiles.PEAK_BYTES)",
                  unit="MiB", value=peak, ok=peak <= bound,
                  note=f"{seconds:.1f} s to the tiles; the cut {cut[-1]} MiB, the jobs' process "
                       f"{jobs_peak:.0f} MiB (before it {before:.0f}, RSS after it "
                       f"{after:.0f})",
                  extra={"seconds": seconds, "cut_peak": float(cut[-1]), "jobs_peak": jobs_peak,
                         "peak_before": before, "rss_after": after})
