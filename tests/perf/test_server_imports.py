"""What a started server holds (docs/performance.md "Memory of the server process"): the URLs,
views, the ASGI application and the background jobs' code loaded as `manage.py serve` loads
them, without the schema generator (and Django's test modules it brings), DRF's optional
YAML, Pygments and PostgreSQL fields, or the libraries of the assists, the quality merges and
the tile builds; on SQLite and on PostgreSQL. Fails if an import at module level brings one
back."""

from __future__ import annotations

import pytest

from tests import machine_postgres
from tests.probes import run_probe

NOT_AT_START = ("drf_spectacular.openapi", "drf_spectacular.views", "django.test", "unittest",
                "jinja2", "yaml", "pygments", "numpy", "cv2", "onnxruntime", "requests",
                "django.contrib.postgres", "scipy", "shapely", "pyvips", "av")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_started_server_has_not_loaded_what_no_request_needs_yet(database, tmp_path):
    url = machine_postgres.required() if database == "postgresql" else ""
    probe = ("import sys\n"
             "from annotator import memory\n"
             "import django; django.setup()\n"
             "memory.lean_imports()\n"
             "from django.core import checks; checks.run_checks()\n"
             "import annotator.asgi\n"
             "import tasks.job_runner\n"
             "from django.urls import resolve; resolve('/v1/schema/')\n"
             f"print(sorted(m for m in {NOT_AT_START!r} if m in sys.modules))\n")
    assert run_probe(probe, tmp_path, database_url=url) == "[]"
