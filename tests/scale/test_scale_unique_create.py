"""Twenty creates with one unique_id at once, through four server processes."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.conftest import Cluster
from tests.scale.scale_helpers import GEOMETRIES, box, upload_image

pytestmark = pytest.mark.live

CREATES = 20


def test_same_unique_id_twenty_times_at_once_makes_one_task(cluster: Cluster):
    attachment = upload_image(cluster)
    unique_id = f"same-{uuid.uuid4().hex}"
    tag = f"race-{unique_id[-8:]}"
    body = {"attachment": attachment, "geometries": GEOMETRIES, "unique_id": unique_id,
            "tags": [tag], "hypothesis": {"annotations": [box(0), box(1)]}}
    start = threading.Barrier(CREATES)

    def create(i: int):
        start.wait(timeout=60)
        return cluster.api("POST", i, "task/imageannotation", body)

    with ThreadPoolExecutor(CREATES) as pool:
        answers = list(pool.map(create, range(CREATES)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (CREATES - 1), [a.text[:200] for a in answers]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json() == {"status_code": 409, "error": answer.json()["error"]}
            assert unique_id in answer.json()["error"]
    rows = cluster.sql("SELECT task_id FROM tasks_task WHERE unique_id = %s", unique_id)
    assert rows == [(winner["task_id"],)]
    # The one task is whole: its tag row and its two prelabel rows.
    assert cluster.sql("SELECT count(*) FROM tasks_tasktag WHERE task_id = %s",
                       winner["task_id"]) == [(1,)]
    assert cluster.sql("SELECT count(*) FROM tasks_annotation WHERE task_id = %s",
                       winner["task_id"]) == [(2,)]
    # And the losers left nothing behind (no task without a unique_id from this body).
    assert cluster.sql("SELECT count(*) FROM tasks_tasktag WHERE tag = %s", tag) == [(1,)]
