"""Hot endpoints run a fixed number of queries, however many tasks or annotations there are.

Each test measures an endpoint at two sizes: the count must not grow with the size (an N+1
would), and stays under a budget (django_assert_max_num_queries). No timings here: the figures
are bench/'s (`make bench`).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import lifecycle, queue
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

LABELS = ["car", {"choice": "vehicle", "subchoices": ["truck", "bus"]}]
GEOMETRIES = {"box": {"objects_to_annotate": LABELS},
              "polygon": {"objects_to_annotate": ["road"]}}


def boxes(n: int, prefix: str = "a") -> list[dict]:
    return [{"uuid": f"{prefix}{i:05d}", "type": "box", "label": "car", "left": i % 500,
             "top": 10, "width": 20, "height": 20} for i in range(n)]


def polygon(uuid: str) -> dict:
    return {"uuid": uuid, "type": "polygon", "label": "road",
            "vertices": [{"x": 10 + k, "y": 5 + (k * 7) % 11} for k in range(20)]}


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)



@pytest.fixture
def tasker(db, account):
    return make_tasker("tara")


def project_of(account, name: str):
    return make_project(account, name)


def create(account, project: str, **extra):
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project=project, geometries=GEOMETRIES, **extra))


# --- the v1 API ---------------------------------------------------------------------------------

def test_get_task(api, account, django_assert_max_num_queries):
    project_of(account, "p")
    small = create(account, "p")
    big = create(account, "p", hypothesis={"annotations": boxes(300)}, tags=["a", "b"])
    api.get(f"task/{small.task_id}")  # the key's last use is written once a minute
    with django_assert_max_num_queries(2):
        assert api.get(f"task/{big.task_id}").status_code == 200
    assert queries(lambda: api.get(f"task/{small.task_id}")) == \
        queries(lambda: api.get(f"task/{big.task_id}"))


def test_list_tasks(api, account, django_assert_max_num_queries):
    project_of(account, "p")
    create(account, "p")
    api.get("tasks")
    one = queries(lambda: api.get("tasks", limit=100))
    for i in range(40):
        create(account, "p", hypothesis={"annotations": boxes(5)}, tags=[f"t{i}"],
               metadata={"i": i})
    with django_assert_max_num_queries(3):
        page = api.get("tasks", limit=100)
    assert page.status_code == 200 and len(page.json()["docs"]) == 41
    assert queries(lambda: api.get("tasks", limit=100)) == one
    # the next page, and the limited and attachment-url forms, do as well
    token = api.get("tasks", limit=10).json()["next_token"]
    with django_assert_max_num_queries(3):
        assert api.get("tasks", limit=10, next_token=token).status_code == 200
    with django_assert_max_num_queries(3):
        assert api.get("tasks", limited_response="true").status_code == 200
    with django_assert_max_num_queries(3):
        assert api.get("tasks", include_attachment_url="true").status_code == 200


def test_create_task(api, account, django_assert_max_num_queries):
    project_of(account, "p")
    api.post("task/imageannotation", box_task(project="p"))
    few = queries(lambda: api.post("task/imageannotation", box_task(
        project="p", geometries=GEOMETRIES, hypothesis={"annotations": boxes(2, "f")})))
    many = box_task(project="p", geometries=GEOMETRIES,
                    hypothesis={"annotations": [*boxes(400, "m"), polygon("poly")]},
                    tags=["x", "y", "z"])
    with django_assert_max_num_queries(10):
        assert api.post("task/imageannotation", many).status_code == 200
    assert queries(lambda: api.post("task/imageannotation", {**many, "tags": ["q"]})) == few + 1


# --- the workbench -------------------------------------------------------------------------------

@pytest.fixture
def claimed(account, tasker):
    """A project of tasks leased one by one to the tasker (the next one after each submit)."""
    project = project_of(account, "work")
    project.taskers.add(tasker)
    for _ in range(4):
        create(account, "work", hypothesis={"annotations": boxes(3, "h")})
    return queue.claim_next(tasker, project)


def submit(client, task_id: str, annotations: list[dict]):
    res = client.post(f"/tasks/{task_id}/submit", {"annotations": annotations},
                      content_type="application/json")
    assert res.status_code == 200, res.content
    return res.json()["next_url"].split("/")[2]


def test_submit(client, tasker, claimed, django_assert_max_num_queries):
    client.force_login(tasker)
    following = submit(client, claimed.task_id, boxes(2))
    big = [*boxes(500, "s"), *(polygon(f"p{i}") for i in range(50))]
    # 20 (the old rows deleted RETURNING them, the next claim) and, the task having prelabels,
    # the ledger's 3: the model's version, the upsert and the comparison's job (docs/assist.md);
    # on PostgreSQL one more: the claim asks for plans made for its values
    # (annotator/backends/plans.py)
    with django_assert_max_num_queries(23 + (connection.vendor == "postgresql")):
        submit(client, following, big)


def test_submit_count_does_not_grow_with_annotations(client, tasker, claimed):
    client.force_login(tasker)
    task_id = submit(client, claimed.task_id, boxes(1))
    counts = []
    for given in (boxes(3), [*boxes(600, "z"), *(polygon(f"q{i}") for i in range(40))]):
        with CaptureQueriesContext(connection) as captured:
            task_id = submit(client, task_id, given)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_task_data(client, tasker, account, django_assert_max_num_queries):
    small_project, big_project = project_of(account, "small"), project_of(account, "big")
    for project in (small_project, big_project):
        project.taskers.add(tasker)
    create(account, "small", hypothesis={"annotations": boxes(2)})
    create(account, "big", hypothesis={"annotations": [*boxes(800), polygon("poly")]})
    small = queue.claim_next(tasker, small_project)
    big = queue.claim_next(tasker, big_project)
    client.force_login(tasker)
    client.get(f"/tasks/{small.task_id}/data")
    few = queries(lambda: client.get(f"/tasks/{small.task_id}/data"))
    with django_assert_max_num_queries(8):
        data = client.get(f"/tasks/{big.task_id}/data").json()
    assert len(data["annotations"]) == 801
    assert queries(lambda: client.get(f"/tasks/{big.task_id}/data")) == few


def test_work_page_and_image_do_not_read_the_params(client, tasker, account):
    """The page and its image never decode a task's params (megabytes with a big hypothesis):
    they are deferred, and reading them would be one more query."""
    project = project_of(account, "page")
    project.taskers.add(tasker)
    create(account, "page", hypothesis={"annotations": boxes(50)})
    task = queue.claim_next(tasker, project)
    client.force_login(tasker)
    client.get(f"/tasks/{task.task_id}/work/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/tasks/{task.task_id}/work/").status_code == 200
    selects = [q["sql"] for q in captured.captured_queries if "tasks_task" in q["sql"]]
    # the column whole, not one of its keys (SQLite: JSON_EXTRACT(col, $."key");
    # PG: (col)::jsonb -> k, see tasks.models.fields)
    whole = re.compile(r'"tasks_task"\."params"(?!,\s*\'?\$|\s*->|\)::jsonb\s*->)')
    assert selects and not any(whole.search(sql) for sql in selects), selects
