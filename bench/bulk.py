"""Bulk data the HTTP API would take too long to make: run as a subprocess with Django set up.

    python -m bench.bulk list-tasks --template TASK_ID --count 200000
    python -m bench.bulk completed --project P --template TASK_ID --count 10000

`list-tasks` copies an API-created task (same params, same field values, so every column is
what the API would have written) `count` times for the owner with `executemany`, one created_at
millisecond apart, and prints the next_token that jumps to the last page of 100.
`completed` does the same for a project, as completed tasks with a response of
`--annotations` annotations (boxes and 20-vertex polygons) and the image size recorded, which
is what `manage.py export` reads. On PostgreSQL the table is then ANALYZEd, as autovacuum would
be within a minute of such a load.

    python -m bench.bulk fetch --task TASK_ID

runs the attachment worker's job for one task (`tasks.jobs.fetch_for_task`: the image's
size, and the tile pyramid of a large image), as `manage.py run_worker` would.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta

import django
import orjson


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    django.setup()


def insert_copies(template, count: int, changes, chunk: int = 5000) -> None:
    """Insert `count` copies of the template task; `changes(i)` gives each copy's own
    field values (task_id, created_at, ...)."""
    from django.db import connection, transaction

    from tasks.models import Task

    fields = [f for f in Task._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(Task._meta.db_table)} ({columns}) " \
          f"VALUES ({marks})"
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection)
            for f in fields}
    rows = []
    with transaction.atomic():
        cursor = connection.cursor()
        for i in range(count):
            values = dict(base)
            for name, value in changes(i).items():
                field = Task._meta.get_field(name)
                values[field.attname] = field.get_db_prep_save(value, connection)
            rows.append([values[f.attname] for f in fields])
            if len(rows) >= chunk:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
    if connection.vendor == "postgresql":
        # what autovacuum does within a minute of a bulk load: without statistics the planner
        # expects 25 rows and sorts 200,000 instead of reading the list's index
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Task._meta.db_table)}")


def task_id(prefix: str, i: int) -> str:
    return f"{prefix}{i:016x}"[:24]


def list_tasks(args) -> dict:
    from tasks.api.listing import encode_token
    from tasks.models import Task

    template = Task.objects.get(pk=args.template)
    start = template.created_at - timedelta(milliseconds=args.count + 1000)
    prefix = f"{int(time.time()):08x}"

    def changes(i: int) -> dict:
        when = start + timedelta(milliseconds=i)
        return {"task_id": task_id(prefix, i), "created_at": when, "updated_at": when,
                "unique_id": None, "metadata": {"frame": i}}

    t0 = time.perf_counter()
    insert_copies(template, args.count, changes)
    qs = Task.objects.filter(owner=template.owner, is_test=template.is_test)
    total = qs.count()
    # The last page of 100 (newest first) is the 100 oldest rows: the token is the row just
    # before them, the 101st oldest.
    before_last = qs.order_by("created_at", "task_id")[100]
    return {"inserted": args.count, "total": total, "seconds": time.perf_counter() - t0,
            "last_page_token": encode_token(before_last.created_at, before_last.task_id)}


def completed(args) -> dict:
    from django.utils import timezone

    from bench.payloads import annotations
    from tasks.models import Project, Task, TaskStatus

    template = Task.objects.get(pk=args.template)
    project = Project.objects.get(owner=template.owner, is_test=False, name=args.project)
    boxes = args.annotations * 4 // 5
    response = {"annotations": annotations(boxes, args.annotations - boxes, seed=7,
                                           width=1920, height=1080)}
    response = orjson.loads(orjson.dumps(response))
    now = timezone.now()
    prefix = f"{int(time.time()) - 7:08x}"

    def changes(i: int) -> dict:
        when = now - timedelta(seconds=3600) + timedelta(milliseconds=i)
        return {"task_id": task_id(prefix, i), "created_at": when, "updated_at": when,
                "unique_id": None, "project": project.pk, "batch": None,
                "status": TaskStatus.COMPLETED, "completed_at": when, "response": response,
                "work_started": True, "attachment_width": 1920, "attachment_height": 1080,
                "attachment_mime": "image/jpeg",
                "params": {**template.params,
                           "attachment": f"https://images.example.com/frames/{i:06d}.jpg"}}

    t0 = time.perf_counter()
    insert_copies(template, args.count, changes, chunk=1000)
    return {"inserted": args.count, "seconds": time.perf_counter() - t0,
            "annotations_per_task": args.annotations}


def fetch(args) -> dict:
    """What the worker does for a new task (its fetch_attachment job), run here once."""
    from tasks import jobs, tiles
    from tasks.models import Task

    t0 = time.perf_counter()
    outcome = jobs.fetch_for_task(args.task)
    task = Task.objects.get(pk=args.task)
    pyramid = tiles.pyramid_for(args.task)
    return {"outcome": outcome, "seconds": time.perf_counter() - t0,
            "width": task.attachment_width, "height": task.attachment_height,
            "tiles": pyramid.as_json() if pyramid else None}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("list-tasks")
    one.add_argument("--template", required=True)
    one.add_argument("--count", type=int, required=True)
    two = sub.add_parser("completed")
    two.add_argument("--template", required=True)
    two.add_argument("--project", required=True)
    two.add_argument("--count", type=int, required=True)
    two.add_argument("--annotations", type=int, default=10)
    three = sub.add_parser("fetch")
    three.add_argument("--task", required=True)
    args = parser.parse_args(argv)
    setup()
    result = {"list-tasks": list_tasks, "completed": completed, "fetch": fetch}[args.command](
        args)
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
