"""The create path's shortcuts (docs/performance.md, "The write path") and what the worker
loads (docs/performance.md, "Memory"): each fails if it regresses; none times anything."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.rules.errors import RuleError
from tasks.rules.labels import LabelTree
from tests.factories import make_project
from tests.probes import run_probe

TREE = [{"choice": "vehicle", "subchoices": ["car", {"choice": "bus", "display": "Bus"}]},
        "person"]


def test_a_cached_label_tree_gives_each_caller_its_own_copy():
    first = LabelTree.parse(TREE, "a")
    copy = first.to_json()
    copy[0]["subchoices"].append("tram")
    assert LabelTree.parse(TREE, "a").to_json() == TREE
    assert list(LabelTree.parse(TREE, "a").to_json()[0]) == ["choice", "subchoices"]


def test_a_label_error_names_the_path_of_each_parse():
    bad = ["car", "car"]
    for path in ("geometries.box.objects_to_annotate", "attributes.kind.choices"):
        with pytest.raises(RuleError) as caught:
            LabelTree.parse(bad, path)
        assert path in str(caught.value)


@pytest.mark.django_db
def test_a_create_into_a_project_reads_its_quality_with_the_project(account, api):
    make_project(account, "p")
    body = {"project": "p", "attachment": "https://example.com/a.png",
            "geometries": {"box": {"objects_to_annotate": ["car"]}}}
    assert api.post("/v1/task/imageannotation", body).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/v1/task/imageannotation", body).status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries.captured_queries
              if q["sql"].startswith("SELECT") and " FROM " in q["sql"]]
    assert '"tasks_projectquality"' not in tables, tables


@pytest.mark.django_db
def test_the_json_parser_still_refuses_what_the_fast_walk_lets_through_to_it(api):
    deep: object = 1
    for _ in range(70):
        deep = [deep]
    answer = api.post("/v1/task/imageannotation", {"metadata": {"x": deep}})
    assert answer.status_code == 400 and b"nested more than" in answer.content
    answer = api.post("/v1/task/imageannotation", {"metadata": {"x": "a\u0000"}})
    assert answer.status_code == 400 and b"NUL" in answer.content
    answer = api.post("/v1/task/imageannotation", {"metadata": {"x": [1e300]}})
    assert answer.status_code == 400 and b"2^63" in answer.content


def test_the_worker_starts_without_the_system_checks_or_a_heavy_library(tmp_path):
    probe = ("import sys, django; django.setup()\n"
             "from django.core.management import load_command_class\n"
             "command = load_command_class('tasks', 'run_worker')\n"
             "assert command.requires_system_checks == []\n"
             "print(sorted(m for m in ('av', 'numpy', 'scipy', 'shapely',"
             " 'pyvips', 'cv2', 'onnxruntime') if m in sys.modules))\n")
    assert run_probe(probe, tmp_path) == "[]"


def test_the_worker_loads_the_admin_without_its_modules(tmp_path):
    probe = ("import runpy, sys\n"
             "sys.argv = ['manage.py', 'run_worker', '--help']\n"
             "try:\n"
             "    runpy.run_path('manage.py', run_name='__main__')\n"
             "except SystemExit:\n"
             "    pass\n"
             "print('tasks.models' in sys.modules, 'tasks.admin' in sys.modules)\n")
    # the apps were loaded (django.setup ran), the admin's modules were not
    assert run_probe(probe, tmp_path) == "True False"
