"""The built-in assists through the real endpoint (docs/assist.md): a 2,000 x 1,500 generated
image stored as the worker stores it, a tasker holding the task, and each assist's latency
(POST /tasks/<id>/assist, the image already decoded by a first call, as after a tasker's
first click)."""

from __future__ import annotations

import time

import orjson
import requests

from bench.api import ApiBench, expect
from bench.payloads import task_body
from bench.server import BenchServer
from bench.stats import Figure, distribution
from tests.assist import scenes

WIDTH, HEIGHT = 2000, 1500
TARGET_MS = 300


def scene_png() -> tuple[bytes, tuple, tuple, float]:
    png, _, centre, axes, angle = scenes.ellipse_png(WIDTH, HEIGHT)
    return png, centre, axes, angle


def prompts(centre, axes, angle) -> dict[str, dict]:
    def xy(points):
        return [{"x": round(x, 2), "y": round(y, 2)} for x, y in points]

    cx, cy = centre
    reach = max(axes) + 20
    return {
        "box": {"tool": "box", "box": [cx - reach, cy - reach, cx + reach, cy + reach]},
        "click": {"tool": "click", "points": [{"x": cx, "y": cy}]},
        "scissors": {"tool": "scissors",
                     "points": xy(scenes.ellipse_outline_points(centre, axes, angle, 6))},
        "snap": {"tool": "snap", "vertices": xy(scenes.ellipse_outline_points(
            centre, axes, angle, 24, grow=(7, -6)))},
    }


def assist_figures(server: BenchServer, bench: ApiBench) -> list[Figure]:
    png, centre, axes, angle = scene_png()
    project = "bench-assist"
    bench.project(project)
    upload = requests.post(f"{server.root}/v1/files/upload", auth=(bench.key, ""),
                           files={"file": ("assist.png", png, "image/png")}, timeout=600)
    expect(upload.status_code, upload.content, "upload the assist image")
    task_id = bench.create(task_body(project=project,
                                     attachment=upload.json()["attachment_url"]))
    server.python("bench.bulk", "fetch", "--task", task_id)
    web, held = bench.tasker_login(project)
    headers = {"Content-Type": "application/json", "X-CSRFToken": web.cookies["csrftoken"],
               "Referer": server.root}
    count, warm = bench.n(40), 2
    figures = []
    for tool, prompt in prompts(centre, axes, angle).items():
        payload = orjson.dumps(prompt)
        samples, server_ms = [], []
        for i in range(count + warm):
            if i == warm:
                cpu = server.cpu_seconds()
            t0 = time.perf_counter()
            status, _, body = web.request("POST", f"/tasks/{held}/assist", payload, headers)
            ms = (time.perf_counter() - t0) * 1000
            expect(status, body, f"assist {tool}")
            if i >= warm:
                samples.append(ms)
                server_ms.append(orjson.loads(body)["ms"])
        cpu = bench.cpu_per_request(cpu, len(samples))
        vertices = len(orjson.loads(body)["shape"]["vertices"])
        figure = distribution(f"assist_{tool}", f"assist {tool} on a {WIDTH:,} × {HEIGHT:,} "
                              "image (POST /tasks/<id>/assist)", f"p95 ≤ {TARGET_MS} ms",
                              samples, limit=TARGET_MS, on="p95",
                              server_p50_ms=sorted(server_ms)[len(server_ms) // 2],
                              vertices=vertices, cpu_ms_per_request=cpu)
        figure.note = f"server CPU {cpu['server']:.0f} ms a request"
        figures.append(figure)
    bench.info["assist"] = {"task": held, "image": [WIDTH, HEIGHT]}
    return figures
