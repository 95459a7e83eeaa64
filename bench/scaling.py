"""Scaling across server processes (bench/README.md "scaling"): the same mixed load against
`serve --workers 1` and `serve --workers 2` (uvicorn's processes sharing one listening
socket), eight readers and eight writers; the factor between their request rates and each
one's p95s. Meant for PostgreSQL (SQLite takes one writer at a time, whatever the processes).

The clients run in two processes of their own (`python -m bench.scaling client ...`), four
readers and four writers each, so that one Python process's GIL does not cap the load.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time

import orjson

from bench.payloads import jpeg, realistic_body
from bench.server import BenchServer, Http
from bench.stats import Figure, percentile

TARGET = 1.7
SECONDS = 15.0
CLIENT_PROCESSES = 2


def client(root: str, key: str, ids: list[str], attachment: str, readers: int, writers: int,
           seconds: float) -> dict:
    """Run in a client process: `readers` GET loops and `writers` create loops for
    `seconds`; their latencies (ms) and errors."""
    stop = threading.Event()
    found: dict[str, list] = {"read": [], "write": [], "errors": []}

    def loop(kind: str, n: int) -> None:
        http = Http(root, key=key, timeout=30)
        rng = random.Random(n)
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                if kind == "read":
                    status, _ = http.get(f"/v1/task/{rng.choice(ids)}")
                else:
                    status, _ = http.post_json("/v1/task/imageannotation", realistic_body(
                        project="bench-scaling", attachment=attachment, index=n))
            except OSError:
                status = 0
                http.close()
            if not stop.is_set():
                found[kind].append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    found["errors"].append(status)
        http.close()

    threads = [threading.Thread(target=loop, args=("read", n)) for n in range(readers)]
    threads += [threading.Thread(target=loop, args=("write", n)) for n in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return found


def mixed_load(server: BenchServer, key: str, ids: list[str], attachment: str,
               seconds: float) -> dict:
    args = orjson.dumps({"root": server.root, "key": key, "ids": ids,
                         "attachment": attachment, "readers": 8 // CLIENT_PROCESSES,
                         "writers": 8 // CLIENT_PROCESSES, "seconds": seconds})
    procs = [subprocess.Popen([sys.executable, "-m", "bench.scaling", "client"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for _ in range(CLIENT_PROCESSES)]
    cpu = server.cpu_seconds()
    t0 = time.perf_counter()
    outs = [proc.communicate(args, timeout=seconds + 120)[0] for proc in procs]
    wall = time.perf_counter() - t0
    end = server.cpu_seconds()
    merged: dict[str, list] = {"read": [], "write": [], "errors": []}
    for out in outs:
        for name, values in orjson.loads(out).items():
            merged[name] += values
    done = len(merged["read"]) + len(merged["write"])
    return {"rate": done / seconds, "wall": wall, "reads": len(merged["read"]),
            "writes": len(merged["write"]), "errors": len(merged["errors"]),
            "read_p95": percentile(merged["read"], 95),
            "write_p95": percentile(merged["write"], 95),
            "server_cpu_ms": (end["server"] - cpu["server"]) * 1000 / max(done, 1)}


def one_setting(processes: int, seconds: float) -> dict:
    from bench.api import ApiBench

    server = BenchServer(f"scale{processes}", processes=processes)
    try:
        _, key, _ = server.cold_start()
        bench = ApiBench(server, key)
        bench.project("bench-scaling")
        attachment = bench.upload(jpeg(64, 48), "frame.jpg")
        ids = [bench.create(realistic_body(project="bench-scaling", attachment=attachment,
                                           index=i)) for i in range(200)]
        mixed_load(server, key, ids, attachment, 3.0)  # warm-up: every process's code loaded
        return mixed_load(server, key, ids, attachment, seconds)
    finally:
        server.stop()


def scaling_figures(scale: float = 1.0) -> Figure:
    seconds = max(SECONDS * scale, 5.0)
    one, two = one_setting(1, seconds), one_setting(2, seconds)
    factor = two["rate"] / one["rate"]

    def said(r: dict) -> str:
        return (f"{r['rate']:,.0f} req/s, read p95 {r['read_p95']:.1f} ms, write p95 "
                f"{r['write_p95']:.1f} ms, {r['errors']} errors, server CPU "
                f"{r['server_cpu_ms']:.2f} ms/req")

    return Figure("scaling_2_processes", "8 readers + 8 writers: 2 server processes against 1",
                  f"≥ {TARGET}×", unit="×", value=factor,
                  ok=factor >= TARGET and not one["errors"] and not two["errors"],
                  note=f"1 process: {said(one)}; 2 processes: {said(two)}",
                  extra={"one": one, "two": two})


if __name__ == "__main__":
    if sys.argv[1:] == ["client"]:
        spec = orjson.loads(sys.stdin.buffer.read())
        sys.stdout.buffer.write(orjson.dumps(client(**spec)))
    else:
        print(scaling_figures().note)
