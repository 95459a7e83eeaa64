"""Scaling across server processes (bench/README.md "scaling"): the same mixed load against
`serve --workers 1` and `serve --workers 2` (uvicorn's processes sharing one listening
socket), eight readers and eight writers; the factor between their request rates and each
one's p95s. Meant for PostgreSQL (SQLite takes one writer at a time, whatever the processes).
Both servers run throughout and take turns under the load, a few seconds each, so that a
change of the machine's speed during the run (a virtual machine's neighbours) falls on both.

The clients run in two processes of their own (`python -m bench.scaling client ...`), four
readers and four writers each, so that one Python process's GIL does not cap the load. They
share the machine's cores with the servers, so each is as cheap as a client can be: every
request's bytes are built once before the clock starts (a writer sends the same realistic
create each time), sent on a keep-alive socket, and the answer is read by its Content-Length
without parsing its headers (`RawConnection`); their CPU per request is in the note.
"""

from __future__ import annotations

import base64
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import orjson

from bench.payloads import jpeg, realistic_body
from bench.server import BenchServer
from bench.stats import Figure, percentile

TARGET = 1.7
SECONDS = 24.0  # of load for each setting, in ROUNDS windows
ROUNDS = 6
CLIENT_PROCESSES = 2


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends prebuilt requests and reads each answer
    by its Content-Length: a fraction of http.client's CPU (which parses every header)."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def call(self, request: bytes) -> int:
        """Send `request`, read the whole answer, return its status."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        at = head.lower().find(b"content-length:")
        if at < 0:
            raise OSError("an answer without Content-Length")
        end = head.find(b"\r\n", at)
        length = int(head[at + 15:end if end >= 0 else len(head)])
        while len(self.buffer) < length:
            self._more()
        self.buffer = self.buffer[length:]
        return int(head[9:12])

    def _more(self) -> None:
        assert self.sock is not None
        data = self.sock.recv(262144)
        if not data:
            raise OSError("connection closed")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def prebuilt(method: str, path: str, host: str, key: str, body: bytes = b"") -> bytes:
    token = base64.b64encode(f"{key}:".encode()).decode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: Basic {token}"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def client(root: str, key: str, ids: list[str], attachment: str, readers: int, writers: int,
           seconds: float) -> dict:
    """Run in a client process: `readers` GET loops and `writers` create loops for
    `seconds`; their latencies (ms) and errors."""
    host, port = root.split("://", 1)[1].rstrip("/").rsplit(":", 1)
    gets = [prebuilt("GET", f"/v1/task/{task_id}", host, key) for task_id in ids]
    stop = threading.Event()
    found: dict[str, list] = {"read": [], "write": [], "errors": []}

    def loop(kind: str, n: int) -> None:
        connection = RawConnection(host, int(port))
        rng = random.Random(n)
        create = prebuilt("POST", "/v1/task/imageannotation", host, key, orjson.dumps(
            realistic_body(project="bench-scaling", attachment=attachment, index=n)))
        while not stop.is_set():
            request = gets[rng.randrange(len(gets))] if kind == "read" else create
            t0 = time.perf_counter()
            try:
                status = connection.call(request)
            except OSError:
                status = 0
                connection.close()
            if not stop.is_set():
                found[kind].append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    found["errors"].append(status)
        connection.close()

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
    """One window of the load: every client process is given its part before any is waited
    for (so that all sixteen connections run at once). Its requests' latencies, the server's
    and the clients' CPU."""
    args = orjson.dumps({"root": server.root, "key": key, "ids": ids,
                         "attachment": attachment, "readers": 8 // CLIENT_PROCESSES,
                         "writers": 8 // CLIENT_PROCESSES, "seconds": seconds})
    procs = [subprocess.Popen([sys.executable, "-m", "bench.scaling", "client"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for _ in range(CLIENT_PROCESSES)]
    cpu = server.cpu_seconds()
    clients0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(args)
        proc.stdin.close()
    outs = []
    for proc in procs:
        assert proc.stdout is not None
        outs.append(proc.stdout.read())
        proc.wait(timeout=seconds + 120)
    end = server.cpu_seconds()
    clients1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    merged: dict[str, list] = {"read": [], "write": [], "errors": []}
    for out in outs:
        for name, values in orjson.loads(out).items():
            merged[name] += values
    return {**merged, "seconds": seconds, "server_cpu": end["server"] - cpu["server"],
            # the client processes' own CPU, start-up included (they share the cores)
            "client_cpu": (clients1.ru_utime + clients1.ru_stime
                           - clients0.ru_utime - clients0.ru_stime)}


def summary(windows: list[dict]) -> dict:
    """The windows of one setting together: request rate, p95s, errors, CPU per request."""
    reads = [ms for window in windows for ms in window["read"]]
    writes = [ms for window in windows for ms in window["write"]]
    done = max(len(reads) + len(writes), 1)
    return {"rate": done / sum(window["seconds"] for window in windows),
            "reads": len(reads), "writes": len(writes),
            "errors": sum(len(window["errors"]) for window in windows),
            "read_p95": percentile(reads, 95), "write_p95": percentile(writes, 95),
            "server_cpu_ms": sum(w["server_cpu"] for w in windows) * 1000 / done,
            "client_cpu_ms": sum(w["client_cpu"] for w in windows) * 1000 / done,
            "window_rates": [(len(w["read"]) + len(w["write"])) / w["seconds"]
                             for w in windows]}


@dataclass
class Setting:
    """A `serve --workers N` on a database of its own, with 200 realistic tasks to read."""

    server: BenchServer
    key: str
    ids: list[str]
    attachment: str

    @classmethod
    def start(cls, processes: int) -> Setting:
        from bench.api import ApiBench

        server = BenchServer(f"scale{processes}", processes=processes)
        try:
            _, key, _ = server.cold_start()
            bench = ApiBench(server, key)
            bench.project("bench-scaling")
            attachment = bench.upload(jpeg(64, 48), "frame.jpg")
            ids = [bench.create(realistic_body(project="bench-scaling", attachment=attachment,
                                               index=i)) for i in range(200)]
        except BaseException:
            server.stop()
            raise
        setting = cls(server, key, ids, attachment)
        setting.window(3.0)  # warm-up: every process's code loaded
        return setting

    def window(self, seconds: float) -> dict:
        return mixed_load(self.server, self.key, self.ids, self.attachment, seconds)


def scaling_figures(scale: float = 1.0) -> Figure:
    """1 and 2 processes take turns, ROUNDS windows each, in the order 1 2 2 1 1 2 …: a
    machine whose speed drifts (other virtual machines on the host) slows both alike. The
    factor is the median of the rounds' own factors."""
    seconds = max(SECONDS * scale / ROUNDS, 3.0)
    one = Setting.start(1)
    try:
        two = Setting.start(2)
        try:
            windows: dict[int, list[dict]] = {1: [], 2: []}
            for turn in range(ROUNDS):
                for setting in (one, two) if turn % 2 == 0 else (two, one):
                    windows[setting.server.processes].append(setting.window(seconds))
        finally:
            two.server.stop()
    finally:
        one.server.stop()
    rounds = [(len(b["read"]) + len(b["write"])) / max(len(a["read"]) + len(a["write"]), 1)
              for a, b in zip(windows[1], windows[2], strict=True)]
    factor = statistics.median(rounds)
    first, second = summary(windows[1]), summary(windows[2])

    def said(r: dict) -> str:
        return (f"{r['rate']:,.0f} req/s, read p95 {r['read_p95']:.1f} ms, write p95 "
                f"{r['write_p95']:.1f} ms, {r['errors']} errors, server CPU "
                f"{r['server_cpu_ms']:.2f} ms/req, clients' CPU {r['client_cpu_ms']:.2f} ms/req")

    return Figure("scaling_2_processes", "8 readers + 8 writers: 2 server processes against 1",
                  f"≥ {TARGET}×", unit="×", value=factor,
                  ok=factor >= TARGET and not first["errors"] and not second["errors"],
                  note=f"median of {ROUNDS} rounds' factors "
                       f"({', '.join(f'{r:.2f}' for r in rounds)}); 1 process: {said(first)}; "
                       f"2 processes: {said(second)}",
                  extra={"one": first, "two": second, "rounds": rounds})


if __name__ == "__main__":
    if sys.argv[1:] == ["client"]:
        spec = orjson.loads(sys.stdin.buffer.read())
        sys.stdout.buffer.write(orjson.dumps(client(**spec)))
    else:
        print(scaling_figures().note)
