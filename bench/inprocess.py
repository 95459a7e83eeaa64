"""python -m bench.inprocess: where a request's server CPU goes, in one process, by cProfile.

The API requests the bench times (the realistic create, GET one task, the 60-shape create)
run through Django's test client — the same middleware chain and views as the server, without
the ASGI layer — on a fresh temporary data folder (or a new PostgreSQL database beside the one
DATABASE_URL names). Prints the CPU per request of each and, with --profile, cProfile's top
functions by cumulative and own time: the tables of docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable

import orjson


def setup(data_dir: str) -> None:
    os.environ["ANNOTATOR_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.update({"ANNOTATOR_API_RATE": "off", "ANNOTATOR_API_IN_FLIGHT_PER_KEY": "0",
                       "ANNOTATOR_FETCH_ALLOW": "127.0.0.0/8"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def measure(label: str, fn: Callable[[int], None], count: int, profile: bool,
            top: int) -> float:
    for i in range(max(count // 10, 5)):  # warm-up
        fn(-1 - i)
    profiler = cProfile.Profile() if profile else None
    cpu0 = time.process_time()
    if profiler:
        profiler.enable()
    for i in range(count):
        fn(i)
    if profiler:
        profiler.disable()
    ms = (time.process_time() - cpu0) * 1000 / count
    print(f"{label}: {ms:.2f} ms CPU a request ({count} requests"
          f"{', under cProfile' if profile else ''})")
    if profiler:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(out.getvalue())
    return ms


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--only", nargs="*", default=["create", "get", "write60", "submit60"])
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="annotator-inprocess-")
    database = None
    try:
        if os.environ.get("DATABASE_URL"):
            from bench.server import PostgresDatabase

            database = PostgresDatabase(os.environ["DATABASE_URL"], "inprocess")
            database.create()
            os.environ["DATABASE_URL"] = database.url
        setup(data_dir)
        run(args)
    finally:
        if database is not None:
            from django.db import connections

            connections.close_all()
            database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model

    from bench.payloads import annotations, jpeg, realistic_body
    from tasks.models import ApiKey
    from tests.factories import KeyClient

    user = get_user_model().objects.create_user("inprocess-owner")
    raw = ApiKey.issue(user)[1]
    api = KeyClient(raw)
    status = api.post("/v1/projects", {"type": "imageannotation", "name": "p"}).status_code
    assert status == 200, status
    upload = api.client.post("/v1/files/upload",
                             {"file": named(jpeg(64, 48), "f.jpg")})
    assert upload.status_code == 200, upload.content
    attachment = orjson.loads(upload.content)["attachment_url"]
    ids: list[str] = []

    def create(i: int) -> None:
        response = api.post("/v1/task/imageannotation",
                            realistic_body(project="p", attachment=attachment, index=i))
        assert response.status_code == 200, response.content
        ids.append(orjson.loads(response.content)["task_id"])

    def get(i: int) -> None:
        if not ids:  # run alone: a task to read
            create(-1)
        response = api.get(f"/v1/task/{ids[i % len(ids)]}")
        assert response.status_code == 200

    hypothesis = {"annotations": annotations(50, 10, seed=50, width=1920, height=1080)}

    def write60(i: int) -> None:
        body = realistic_body(project="p", attachment=attachment, index=i,
                              hypothesis=hypothesis)
        response = api.post("/v1/task/imageannotation", body)
        assert response.status_code == 200, response.content

    submit60 = tasker_submits(user, "p", annotations(50, 10, seed=50, width=1920, height=1080),
                              args.count + max(args.count // 10, 5) + 1) \
        if "submit60" in args.only else None
    for name, fn in (("create", create), ("get", get), ("write60", write60),
                     ("submit60", submit60)):
        if name in args.only and fn is not None:
            measure(name, fn, args.count, args.profile, args.top)


def tasker_submits(owner, project_name: str, shapes: list[dict],
                   tasks: int) -> Callable[[int], None]:
    """The bench's "submit 60": a tasker of the project, logged in, submits `shapes` to the
    task they hold and is given the next of `tasks` made beforehand (their images marked as
    fetched: no worker runs here)."""
    from django.test import Client

    from bench.payloads import task_body
    from tasks import lifecycle, queue
    from tasks.models import Project, Task
    from tests.factories import make_tasker

    project = Project.objects.get(owner=owner, name=project_name)
    for n in range(tasks):
        lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
                              body=task_body(project=project_name,
                                             attachment=f"https://images.example.com/{n}.jpg"))
    Task.objects.filter(project=project).update(attachment_width=1920, attachment_height=1080,
                                                attachment_mime="image/jpeg")
    tasker = make_tasker("inprocess-tasker", account=owner)
    project.taskers.add(tasker)
    client = Client()
    client.force_login(tasker)
    body = orjson.dumps({"annotations": shapes})
    claimed = queue.claim_next(tasker, project)
    assert claimed is not None
    held = [claimed.task_id]

    def submit(i: int) -> None:
        response = client.post(f"/tasks/{held.pop()}/submit", body,
                               content_type="application/json")
        assert response.status_code == 200, response.content
        held.append(orjson.loads(response.content)["next_url"].split("/")[2])

    return submit


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
