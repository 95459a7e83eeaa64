"""The server figures: creates, reads, lists, submits, concurrent reads, export."""

from __future__ import annotations

import random
import re
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import orjson

from bench.payloads import annotations, jpeg, realistic_body, task_body
from bench.server import BenchError, BenchServer, Http
from bench.stats import Figure, distribution, summary

ATTACHMENT = "https://images.example.com/frames/{:06d}.jpg"
TASKER_PASSWORD = "bench-tasker-password-1"


def timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - t0) * 1000, result


def expect(status: int, body: bytes, what: str, wanted: int = 200) -> None:
    if status != wanted:
        raise BenchError(f"{what}: HTTP {status}: {body[:500]!r}")


class ApiBench:
    def __init__(self, server: BenchServer, key: str, *, scale: float = 1.0) -> None:
        self.server = server
        self.key = key
        self.scale = scale
        self.api = Http(server.root, key=key)
        self.task_ids: list[str] = []
        self.info: dict = {}

    def n(self, count: int, least: int = 5) -> int:
        return max(int(count * self.scale), least)

    def cpu_per_request(self, start: dict[str, float], requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request since `start` (server.cpu_seconds()): the server's,
        and the database backends' (those that ended meanwhile are missed)."""
        end = self.server.cpu_seconds()
        used = {name: end[name] - start.get(name, 0.0) for name in end}
        found = {"server": used.pop("server")}
        if self.server.database is not None:
            found["database"] = sum(used.values())
        return {name: seconds * 1000 / max(requests, 1) for name, seconds in found.items()}

    # ------------------------------------------------------------------ set-up

    def project(self, name: str, api: Http | None = None) -> None:
        status, body = (api or self.api).post_json(
            "/v1/projects", {"type": "imageannotation", "name": name})
        expect(status, body, f"create project {name}")

    def create(self, body: dict, api: Http | None = None) -> str:
        status, data = (api or self.api).post_json("/v1/task/imageannotation", body)
        expect(status, data, "create task")
        return orjson.loads(data)["task_id"]

    # ------------------------------------------------------------------ figures

    def creates(self) -> Figure:
        self.project("bench-create")
        for i in range(self.n(50)):  # warm-up
            self.task_ids.append(self.create(task_body(project="bench-create",
                                                       attachment=ATTACHMENT.format(i))))
        count = self.n(1000)
        samples = []
        cpu = self.server.cpu_seconds()
        t0 = time.perf_counter()
        for i in range(count):
            body = task_body(project="bench-create", attachment=ATTACHMENT.format(i), index=i)
            ms, task_id = timed(self.create, body)
            samples.append(ms)
            self.task_ids.append(task_id)
        wall = time.perf_counter() - t0
        cpu = self.cpu_per_request(cpu, count)
        rate = count / wall
        p50 = distribution("create", "", "", samples, limit=5).p50
        figure = distribution(
            "create", "create imageannotation (3 geometries, 20 nested labels, 3 attributes), "
            "one client", "≥ 200 tasks/s; p50 ≤ 5 ms", samples, limit=5, rate=rate,
            cpu_ms_per_request=cpu)
        figure.ok = rate >= 200 and p50 <= 5
        figure.extra["tasks_per_second"] = rate
        figure.note = f"{rate:,.0f} tasks/s; {cpu_note(cpu)}"
        return figure

    def upload(self, data: bytes, name: str, api: Http | None = None) -> str:
        """POST /v1/files/upload of `data`; the file's scaledata:// URL."""
        boundary = "bench-boundary-7d1f"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
            + data + f"\r\n--{boundary}--\r\n".encode()
        status, _, answer = (api or self.api).request(
            "POST", "/v1/files/upload", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        expect(status, answer, "upload a file")
        return orjson.loads(answer)["attachment_url"]

    def realistic_creates(self) -> list[Figure]:
        """The create measured side by side with Label Studio (bench/README.md): nested labels,
        box + polygon + point, attributes, seven metadata keys, an uploaded image; and the
        same with a 60-shape hypothesis (50 boxes, 10 polygons × 20 vertices, attributes)."""
        self.project("bench-realistic")
        attachment = self.upload(jpeg(640, 480), "frame.jpg")
        hypothesis = {"annotations": annotations(50, 10, seed=60, width=640, height=480)}
        figures = []
        for key, label, extra, count, rate_target in (
            ("create_realistic", "create, realistic (nested labels, box + polygon + point, "
             "attributes, 7 metadata keys, an uploaded image), one client", {}, 1000, 230),
            ("write_60", "write 60 shapes (the realistic create with a 50-box, 10-polygon "
             "hypothesis, attributes on each)", {"hypothesis": hypothesis}, 300, None),
        ):
            for i in range(self.n(50)):  # warm-up
                self.create(realistic_body(project="bench-realistic", attachment=attachment,
                                           index=i, **extra))
            count = self.n(count)
            samples = []
            cpu = self.server.cpu_seconds()
            t0 = time.perf_counter()
            for i in range(count):
                body = realistic_body(project="bench-realistic", attachment=attachment,
                                      index=i, **extra)
                ms, task_id = timed(self.create, body)
                samples.append(ms)
                self.task_ids.append(task_id)
            rate = count / (time.perf_counter() - t0)
            cpu = self.cpu_per_request(cpu, count)
            if rate_target:
                figure = distribution(key, label, f"≥ {rate_target} tasks/s; p50 ≤ 3.5 ms",
                                      samples, limit=3.5, rate=rate, cpu_ms_per_request=cpu)
                figure.ok = bool(figure.ok and rate >= rate_target)
                figure.note = f"{rate:,.0f} tasks/s; {cpu_note(cpu)}"
            else:
                figure = distribution(key, label, "server CPU ≤ 9 ms a request", samples,
                                      limit=1e9, rate=rate, cpu_ms_per_request=cpu)
                figure.ok = cpu["server"] <= 9
                figure.note = cpu_note(cpu)
            figure.extra["tasks_per_second"] = rate
            figures.append(figure)
        return figures

    def get_one(self) -> Figure:
        ids = self.task_ids
        rng = random.Random(3)
        for _ in range(self.n(200)):
            self.api.get(f"/v1/task/{rng.choice(ids)}")
        samples = []
        cpu = self.server.cpu_seconds()
        for _ in range(self.n(3000)):
            ms, (status, body) = timed(self.api.get, f"/v1/task/{rng.choice(ids)}")
            expect(status, body, "GET task")
            samples.append(ms)
        cpu = self.cpu_per_request(cpu, len(samples))
        figure = distribution("get_task", "GET one task", "p50 ≤ 3 ms; server CPU ≤ 2.5 ms",
                              samples, limit=3, cpu_ms_per_request=cpu)
        figure.ok = bool(figure.ok and cpu["server"] <= 2.5)
        figure.note = cpu_note(cpu)
        return figure

    def lists(self, count: int) -> list[Figure]:
        key = self.server.new_key("bench-list")
        api = Http(self.server.root, key=key)
        template = self.create(task_body(project=None, attachment=ATTACHMENT.format(0)), api)
        t0 = time.perf_counter()
        made = orjson.loads(self.server.python("bench.bulk", "list-tasks", "--template",
                                               template, "--count", str(count - 1)))
        made["wall_seconds"] = time.perf_counter() - t0
        self.info["list_bulk"] = made
        total = made["total"]
        token = made["last_page_token"]
        first_path = "/v1/tasks?limit=100"
        last_path = f"/v1/tasks?limit=100&next_token={token}"
        status, body = api.get(last_path)
        expect(status, body, "last page")
        page = orjson.loads(body)
        if len(page["docs"]) != 100 or page["has_more"] or page["total"] != total:
            raise BenchError(f"the last page is not the last 100 of {total}: "
                             f"{len(page['docs'])} docs, has_more={page['has_more']}")
        results = {}
        for name, path in (("first", first_path), ("last", last_path)):
            for _ in range(self.n(30)):
                api.get(path)
            samples = []
            for _ in range(self.n(300)):
                ms, (status, body) = timed(api.get, path)
                expect(status, body, f"{name} page")
                samples.append(ms)
            results[name] = samples
        first = distribution("list_first", f"list 100 tasks of {total:,}: first page",
                             "p50 ≤ 20 ms", results["first"], limit=20)
        last = distribution("list_last", f"list 100 tasks of {total:,}: last page (keyset)",
                            "p50 ≤ 20 ms and ≤ 1.5× first", results["last"], limit=20)
        ratio = last.p50 / first.p50
        last.ok = bool(last.ok and ratio <= 1.5)
        last.extra["ratio_to_first"] = ratio
        last.note = f"{ratio:.2f}× the first"
        first.extra["bytes"] = len(api.get(first_path)[1])
        api.close()
        return [first, last]

    # ------------------------------------------------------------------ submit

    def tasker_session(self, project: str, tasks: int) -> tuple[Http, str]:
        """A project of `tasks` tasks, a tasker who may work on it, logged in; returns the
        session and the first claimed task."""
        self.project(project)
        body = task_body(project=project, attachment=ATTACHMENT.format(1))
        for i in range(tasks):
            self.create({**body, "metadata": {"frame": i}})
        return self.tasker_login(project)

    def tasker_login(self, project: str) -> tuple[Http, str]:
        """A tasker who may work on `project`, logged in, holding its first free task."""
        name = f"tasker-{project}"
        self.server.manage("create_tasker", name, "--password", TASKER_PASSWORD,
                           "--project", project)
        web = Http(self.server.root)
        status, _, page = web.request("GET", "/accounts/login/")
        expect(status, page, "login page")
        form = f"username={name}&password={TASKER_PASSWORD}".encode()
        csrf = web.cookies["csrftoken"]
        form += f"&csrfmiddlewaretoken={csrf}".encode()
        status, _, page = web.request("POST", "/accounts/login/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": self.server.root})
        expect(status, page, "log in", 302)
        status, _, page = web.request("GET", "/")
        expect(status, page, "queue page")
        # this project's row: the tasker may see the account's other projects too (the
        # creates' projects, with their hundreds of pending tasks, come first by name)
        match = re.search(rb'data-project="' + re.escape(project.encode())
                          + rb'".*?action="(/projects/\d+/start)"', page, re.DOTALL)
        if not match:
            raise BenchError(f"no Start button for {project} on the queue page")
        status, headers, page = web.request("POST", match.group(1).decode(),
                                            f"csrfmiddlewaretoken={web.cookies['csrftoken']}"
                                            .encode(),
                                            {"Content-Type": "application/x-www-form-urlencoded",
                                             "Referer": self.server.root})
        expect(status, page, "start next task", 302)
        return web, task_from_url(headers["location"])

    def submits(self) -> list[Figure]:
        figures = []
        for key, label, boxes, polygons, count, warm, limit, target in (
            ("submit_60", "submit 60 annotations (50 boxes, 10 polygons × 20 vertices)",
             50, 10, self.n(100), self.n(10, 3), 15, "p50 ≤ 15 ms"),
            ("submit_2000", "submit 2,000 annotations (1,600 boxes, 400 polygons)",
             1600, 400, self.n(30), self.n(3, 2), 200, "p50 ≤ 200 ms"),
        ):
            web, task = self.tasker_session(f"bench-{key}", count + warm + 1)
            payload = orjson.dumps({"annotations": annotations(boxes, polygons, seed=boxes,
                                                               width=1920, height=1080)})
            headers = {"Content-Type": "application/json",
                       "X-CSRFToken": web.cookies["csrftoken"], "Referer": self.server.root}
            samples = []
            for i in range(count + warm):
                if i == warm:
                    cpu = self.server.cpu_seconds()
                t0 = time.perf_counter()
                status, _, body = web.request("POST", f"/tasks/{task}/submit", payload, headers)
                ms = (time.perf_counter() - t0) * 1000
                expect(status, body, f"submit {key}")
                if i >= warm:
                    samples.append(ms)
                task = task_from_url(orjson.loads(body)["next_url"])
            cpu = self.cpu_per_request(cpu, len(samples))
            figures.append(distribution(key, label, target, samples, limit=limit,
                                        payload_bytes=len(payload), cpu_ms_per_request=cpu))
            figures[-1].note = cpu_note(cpu)
            web.close()
        return figures

    # ------------------------------------------------------------------ concurrency

    def concurrent_reads(self, clients: int = 8, seconds: float = 20.0) -> Figure:
        ids = self.task_ids
        stop = threading.Event()
        measuring = threading.Event()
        counts = [0] * clients
        errors = [0] * clients
        latencies: list[list[float]] = [[] for _ in range(clients)]

        def run(n: int) -> None:
            rng = random.Random(n)
            client = Http(self.server.root, key=self.key, timeout=30)
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    status, _ = client.get(f"/v1/task/{rng.choice(ids)}")
                except OSError:
                    status = 0
                    client.close()
                if measuring.is_set():
                    latencies[n].append((time.perf_counter() - t0) * 1000)
                    if status == 200:
                        counts[n] += 1
                    else:
                        errors[n] += 1
            client.close()

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)  # warm-up
        cpu = self.server.cpu_seconds()
        measuring.set()
        t0 = time.perf_counter()
        time.sleep(seconds)
        measuring.clear()
        wall = time.perf_counter() - t0
        cpu = self.cpu_per_request(cpu, sum(counts) + sum(errors))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        done, failed = sum(counts), sum(errors)
        rate = done / wall
        every = [x for lat in latencies for x in lat]
        stats = summary(every)
        return Figure("concurrent_reads", f"{clients} concurrent clients reading tasks for "
                      f"{seconds:.0f} s", "≥ 500 requests/s, no errors", unit="req/s",
                      value=rate, ok=rate >= 500 and failed == 0,
                      note=f"{failed} errors; latency p50 {stats['p50']:.1f} ms, "
                           f"p95 {stats['p95']:.1f} ms; {cpu_note(cpu)}",
                      extra={"requests": done, "errors": failed, "latency_ms": stats,
                             "cpu_ms_per_request": cpu})

    # ------------------------------------------------------------------ export

    def export(self, count: int, runs: int = 3) -> Figure:
        self.project("bench-export")
        template = self.create(task_body(project="bench-export",
                                         attachment=ATTACHMENT.format(0)))
        made = orjson.loads(self.server.python("bench.bulk", "completed", "--template", template,
                                               "--project", "bench-export", "--count",
                                               str(count)))
        self.info["export_bulk"] = made
        samples, cpu = [], []
        with tempfile.TemporaryDirectory(prefix="annotator-bench-export-") as folder:
            target = Path(folder) / "coco.json"
            for run in range(runs + 1):
                before = children_cpu()
                t0 = time.perf_counter()
                output = self.server.manage("export", "--project", "bench-export", "--format",
                                            "coco", "-o", str(target), "--account",
                                            "bench-owner")
                seconds = time.perf_counter() - t0
                if run:
                    samples.append(seconds)
                    cpu.append(children_cpu() - before)
            size = target.stat().st_size
            coco = orjson.loads(target.read_bytes())
        if len(coco.get("images", [])) != count:
            raise BenchError(f"the export has {len(coco.get('images', []))} images, not {count}"
                             f"\n{output}")
        figure = distribution("export_coco", f"export {count:,} completed tasks to COCO "
                              f"({made['annotations_per_task']} annotations each; "
                              "`manage.py export`, process start included)", "≤ 3 s",
                              samples, limit=3, unit="s", bytes=size,
                              process_cpu_seconds=cpu)
        figure.note = f"process CPU {statistics.median(cpu):.2f} s"
        return figure


def cpu_note(cpu: dict[str, float]) -> str:
    text = f"server CPU {cpu['server']:.2f} ms/req"
    if "database" in cpu:
        text += f" + database {cpu['database']:.2f}"
    return text


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (the export runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def task_from_url(url: str) -> str:
    match = re.search(r"/tasks/([^/]+)/work/", url)
    if not match:
        raise BenchError(f"not a work page: {url}")
    return match.group(1)


def exports_available(server: BenchServer) -> bool:
    root = Path(__file__).resolve().parents[1]
    return (root / "tasks/management/commands/export.py").exists() and \
        (root / "tasks/exports/coco.py").exists()

