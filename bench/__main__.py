"""python -m bench: every performance figure (bench/README.md), one table, and the raw figures
as JSON."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.api import ApiBench, exports_available
from bench.quality import quality_figures
from bench.segmentation import segmentation_figures
from bench.server import BenchServer
from bench.stats import Figure, distribution, table

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["load_before"] = os.getloadavg()
    info["speed_before_ms"] = speed_ms()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["chromium"] = subprocess.run(["/usr/bin/chromium", "--version"],
                                          capture_output=True, text=True,
                                          timeout=30).stdout.strip()
    return info


def speed_ms() -> float:
    """The CPU time of a fixed pure-Python loop, the best of five (lower is faster). Printed
    at the start and the end of a run: it compares runs on different machines, and a virtual
    machine with itself when its neighbours slow it down during the run."""
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        sum(i * i for i in range(300_000))
        best = min(best, time.process_time() - t0)
    return best * 1000


def cold_starts(runs: int) -> tuple[Figure, BenchServer, str, list[dict]]:
    """`runs` cold starts, each on a fresh data folder; the last server stays up."""
    samples, steps = [], []
    server = key = None
    for run in range(runs):
        if server is not None:
            server.stop()
        server = BenchServer(f"cold{run}")
        seconds, key, detail = server.cold_start()
        samples.append(seconds)
        steps.append(detail)
    figure = distribution("cold_start", "cold start: empty data folder → first 200 from "
                          "/v1/tasks (migrate, API key, serve)", "≤ 5 s", samples, limit=5,
                          unit="s", steps=steps)
    figure.ok = figure.p95 <= 5
    figure.value = figure.p95
    return figure, server, key, steps


def start_profile(server: BenchServer, name: str) -> list[subprocess.Popen] | None:
    """py-spy on the server process while a step runs (pip install py-spy)."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("  (no py-spy in the venv: .venv/bin/pip install py-spy)", flush=True)
        return None
    RESULTS.mkdir(exist_ok=True)
    return [subprocess.Popen([str(spy), "record", "-p", str(server.process.pid), "-r", "200",
                              "--nonblocking", "-f", fmt, "-o", str(RESULTS / f"{name}.{ext}")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for fmt, ext in (("raw", "txt"), ("flamegraph", "svg"))]


def stop_profile(spies: list[subprocess.Popen] | None) -> None:
    import signal

    for spy in spies or []:
        spy.send_signal(signal.SIGINT)
    for spy in spies or []:
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="scale the sample counts (0.1 for a quick check)")
    parser.add_argument("--list-tasks", type=int, default=200_000)
    parser.add_argument("--export-tasks", type=int, default=10_000)
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="record each server step with py-spy (collapsed stacks and an "
                             "SVG flame graph in bench/results/) and a Chrome trace of the "
                             "10,000-annotation page")
    parser.add_argument("--only", nargs="*", default=None,
                        help="figures to run (create realistic get list submit concurrent "
                             "export quality segmentation browser fairness assist memory "
                             "huge_image scaling; review_open, seg_paint: that browser "
                             "figure alone)")
    args = parser.parse_args(argv)
    wanted = set(args.only) if args.only is not None else {
        "create", "realistic", "get", "list", "submit", "concurrent", "export", "quality",
        "segmentation", "browser", "fairness", "assist", "memory", "huge_image", "scaling"}
    if args.no_browser:
        wanted.discard("browser")

    started = datetime.now(UTC)
    info = machine()
    print(f"annotator bench — {started:%Y-%m-%d %H:%M} UTC — {info.get('cpu', '?')}, "
          f"{info.get('cpus')} CPUs, load {info['load_before'][0]:.2f}, speed "
          f"{info['speed_before_ms']:.1f} ms (a fixed Python loop)", flush=True)
    figures: list[Figure] = []
    figure, server, key, _ = cold_starts(args.cold_starts)
    figures.append(figure)
    print(f"  cold start: {figure.measured()}  ({server.backend})", flush=True)
    bench = ApiBench(server, key, scale=args.scale)
    failures = []

    def step(name: str, fn) -> None:
        if name not in wanted:
            return
        t0 = time.perf_counter()
        spy = start_profile(server, f"{started:%Y%m%dT%H%M%SZ}-{name}") if args.profile \
            else None
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - one broken figure must not hide the rest
            traceback.print_exc()
            failures.append(f"{name}: {exc}")
            return
        finally:
            stop_profile(spy)
        for item in result if isinstance(result, list) else [result]:
            figures.append(item)
            print(f"  {item.name}: {item.measured()} {item.note}", flush=True)
        rss = server.memory()
        bench.info.setdefault("server_rss_after", {})[name] = rss
        print(f"    ({name} took {time.perf_counter() - t0:.0f} s; server RSS "
              f"{rss['VmRSS']:.0f} MiB, peak {rss['VmHWM']:.0f})", flush=True)

    try:
        # creates first: they make the tasks the reads and concurrent clients use
        step("create", bench.creates)
        step("realistic", bench.realistic_creates)
        if not bench.task_ids:
            bench.task_ids = [bench.create({"attachment": "https://x.example/1.jpg",
                                            "geometries": {"box": {}}})]
        step("get", bench.get_one)
        step("concurrent", bench.concurrent_reads)
        step("list", lambda: bench.lists(args.list_tasks))
        step("submit", bench.submits)
        if "export" in wanted and not exports_available(server):
            figures.append(Figure("export_coco", "export 10,000 completed tasks to COCO",
                                  "≤ 3 s", note="`manage.py export` not available yet"))
        else:
            step("export", lambda: bench.export(args.export_tasks))
        step("quality", quality_figures)  # in this process: no server involved
        step("segmentation", segmentation_figures)  # in this process too
        if "assist" in wanted:
            from bench.assist import assist_figures

            step("assist", lambda: assist_figures(server, bench))
        if "browser" in wanted:
            from bench.browser import browser_figures

            trace = RESULTS / f"{started:%Y%m%dT%H%M%SZ}-chrome-trace.json" if args.profile \
                else None
            step("browser", lambda: browser_figures(server, bench, trace))
        if "review_open" in wanted and "browser" not in wanted:
            from bench.browser import review_open_figures

            step("review_open", lambda: review_open_figures(server, bench))
        if "seg_paint" in wanted and "browser" not in wanted:
            from bench.browser import segment_paint_figures

            step("seg_paint", lambda: segment_paint_figures(server, bench))
        if "fairness" in wanted:
            from bench.fairness import fairness_figures

            # a server and worker of their own, with the production per-key limits
            step("fairness", lambda: fairness_figures(args.scale))
        if "memory" in wanted or "huge_image" in wanted or "scaling" in wanted:
            from bench.install import huge_image, install_memory
            from bench.scaling import scaling_figures

            # each a `serve` of its own (with its worker, or its processes)
            step("memory", lambda: install_memory(args.scale))
            step("huge_image", huge_image)
            step("scaling", lambda: scaling_figures(args.scale))
        memory = server.memory()
        figures.append(Figure("server_rss", "server memory after the run (VmRSS of uvicorn)",
                              "≤ 150 MiB", unit="MiB", value=memory["VmRSS"],
                              ok=memory["VmRSS"] <= 150,
                              note=f"peak {memory['VmHWM']:.0f} MiB",
                              extra=memory))
        if not server.alive():
            failures.append("the server died during the run:\n" + server.stderr()[-3000:])
    finally:
        server.stop()

    finished = datetime.now(UTC)
    info["load_after"] = os.getloadavg()
    info["speed_after_ms"] = speed_ms()
    print()
    print(f"annotator bench, {finished:%Y-%m-%d %H:%M} UTC, {info.get('cpu', '?')} "
          f"({info.get('cpus')} CPUs, {info.get('memory_gib', '?')} GiB), {server.backend}, "
          f"load {info['load_before'][0]:.2f} → {info['load_after'][0]:.2f}, speed "
          f"{info['speed_before_ms']:.1f} → {info['speed_after_ms']:.1f} ms")
    print(table(figures))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.write_bytes(orjson.dumps({
        "started": started.isoformat(), "finished": finished.isoformat(),
        "backend": server.backend, "machine": info, "args": vars(args),
        "figures": [f.as_json() for f in figures], "setup": bench.info,
        "failures": failures,
    }, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    print(f"\nraw figures: {out}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
