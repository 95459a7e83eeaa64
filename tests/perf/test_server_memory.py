"""The server hands back what a big request used (annotator/memory.py), and does not load the
packages it never uses. Object and module counts only, in a server process of its own (the
ASGI application, as `manage.py serve` runs it); no timings and no RSS thresholds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import asyncio, base64, gc, json, sys
    import django
    django.setup(set_prefix=False)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from tasks.models import ApiKey
    _, key = ApiKey.issue(get_user_model().objects.create_user("probe"))

    from annotator.asgi import application  # the server's app: lean imports happen here
    loaded = {name: name in sys.modules
              for name in ("requests", "psycopg", "django.contrib.postgres")}
    import requests  # still importable by whoever needs it
    from asgiref.testing import ApplicationCommunicator

    auth = b"Basic " + base64.b64encode(key.encode() + b":")

    async def call(path, body):
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 80),
                 "headers": [(b"host", b"127.0.0.1"), (b"authorization", auth),
                             (b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())]}
        app = ApplicationCommunicator(application, scope)
        await app.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await app.receive_output(60)
        await app.receive_output(60)
        await app.wait(60)
        return start["status"]

    def task(n):
        anns = [{"uuid": f"a{i}", "type": "box", "label": "car", "left": i % 900, "top": 5,
                 "width": 10, "height": 10, "attributes": {"note": "x"}} for i in range(n)]
        # sent as bytes: the probe's own dicts are gone before the request
        return json.dumps({"project": "p", "attachment": "https://example.com/a.jpg",
                           "geometries": {"box": {"objects_to_annotate": ["car"]}},
                           "annotation_attributes": {"note": {"type": "text"}},
                           "hypothesis": {"annotations": anns}}).encode()

    project = json.dumps({"type": "imageannotation", "name": "p"}).encode()
    statuses = [asyncio.run(call("/v1/projects", project))]
    statuses += [asyncio.run(call("/v1/task/imageannotation", task(5))) for _ in range(3)]
    body = task(10000)
    before = len(gc.get_objects())
    statuses.append(asyncio.run(call("/v1/task/imageannotation", body)))
    after = len(gc.get_objects())
    print(json.dumps({"loaded": loaded, "statuses": statuses, "before": before,
                      "after": after}))
""")


def probe(tmp_path: Path) -> dict:
    env = {**os.environ, "ANNOTATOR_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "annotator.settings", "ALLOWED_HOSTS": "127.0.0.1"}
    for name in ("DATABASE_URL", "REDIS_URL", "ANNOTATOR_TEST_DB_NAME"):
        env.pop(name, None)  # the embedded defaults: SQLite, in-memory channel layer
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_big_request_leaves_no_objects_behind_and_unused_packages_stay_unloaded(tmp_path):
    found = probe(tmp_path)
    assert found["statuses"] == [200] * 5
    # Django's and DRF's request objects sit in reference cycles: without the collection
    # after a big request, the 10,000 parsed annotations (~30,000 tracked objects) stayed
    assert found["after"] - found["before"] < 3000, found
    assert found["loaded"] == {"requests": False, "psycopg": False,
                               "django.contrib.postgres": False}
