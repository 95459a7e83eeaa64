"""The shortcuts taken for speed give the same answers as the plain paths they replace."""

from __future__ import annotations

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import drafts, lifecycle
from tasks.annotation_rows import annotation_row, insert_annotations
from tasks.api import auth, listing
from tasks.models import Annotation, ApiKey, Task
from tasks.presenters import readable, task_json
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

POLYGON = {"uuid": "p1", "type": "polygon", "label": "road",
           "vertices": [{"x": 1.5, "y": 2}, {"x": 30, "y": 4.25}, {"x": 12, "y": 40}],
           "attributes": {"note": "é ü \u2028"}}
BOX = {"uuid": "b1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 3,
       "height": 4.5}


def make_task(account, **extra) -> Task:
    make_project(account, "p")
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="p", geometries={
                                     "box": {"objects_to_annotate": ["car"]},
                                     "polygon": {"objects_to_annotate": ["road"]}},
                                     annotation_attributes={"note": {"type": "text"}},
                                     **extra))


def test_readable_tasks_render_as_the_full_rows_do(account):
    task = make_task(account, metadata={"a": [1, {"b": None}], "ü": "x"}, tags=["t1", "t2"],
                     hypothesis={"annotations": [BOX, POLYGON]}, unique_id="u-1")
    lifecycle.complete_task(task, {"annotations": [BOX]})
    full = Task.objects.select_related("project", "batch").get(pk=task.pk)
    shown = readable(Task.objects.filter(pk=task.pk)).get()
    assert orjson.loads(orjson.dumps(task_json(shown))) == \
        orjson.loads(orjson.dumps(task_json(full)))
    # and a pending task without response
    other = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                  body=box_task(project="p"))
    shown = readable(Task.objects.filter(pk=other.pk)).get()
    data = orjson.loads(orjson.dumps(task_json(shown)))
    assert "response" not in data and data["tags"] == [] and data["metadata"] == {}


def test_draft_state_is_the_rows_as_the_page_holds_them(account):
    task = make_task(account, hypothesis={"annotations": [BOX, POLYGON]})
    Annotation.objects.create(task=task, uuid="b2", type="line", label=None, position=2,
                              geometry={"vertices": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]})
    rows = list(Annotation.objects.filter(task=task))
    assert drafts.draft_state(task) == [drafts.annotation_state(row) for row in rows]
    assert [a["uuid"] for a in drafts.draft_state(task)] == ["b1", "p1", "b2"]
    assert orjson.loads(drafts.draft_state_json(task)) == drafts.draft_state(task)
    Annotation.objects.filter(task=task).update(geometry={})
    assert orjson.loads(drafts.draft_state_json(task)) == drafts.draft_state(task)
    Annotation.objects.filter(task=task).delete()
    assert drafts.draft_state_json(task) == b"[]"


def test_insert_annotations_writes_what_bulk_create_would(account):
    task = make_task(account)
    rows = [annotation_row(task, {**ann, "locked": i == 0}, source, i)
            for i, (ann, source) in enumerate([(BOX, "base"), (POLYGON, "tasker")])]
    insert_annotations(rows)
    stored = list(Annotation.objects.filter(task=task).values(
        "uuid", "type", "label", "geometry", "attributes", "source", "locked", "version",
        "position"))
    Annotation.objects.filter(task=task).delete()
    Annotation.objects.bulk_create([annotation_row(task, {**ann, "locked": i == 0},
                                                             source, i)
                                    for i, (ann, source) in enumerate([(BOX, "base"),
                                                                       (POLYGON, "tasker")])])
    assert list(Annotation.objects.filter(task=task).values(
        "uuid", "type", "label", "geometry", "attributes", "source", "locked", "version",
        "position")) == stored
    insert_annotations([])  # nothing to write: no query, no error


def test_inserted_annotations_keep_their_key_order_in_one_statement(account):
    """One statement however many rows, and each geometry's and attributes' keys in the order
    given (PostgreSQL's jsonb would sort them: the columns are json, and so is the batch)."""
    task = make_task(account)
    box = {"uuid": "b9", "type": "box", "label": "car", "width": 3, "left": 1, "top": 2,
           "height": 4.5, "attributes": {"zeta": 1, "alpha": "a", "mid": [2, {"y": 1, "b": 0}]}}
    rows = [annotation_row(task, {**box, "uuid": f"b{i}"}, "tasker", i)
            for i in range(300)]
    with CaptureQueriesContext(connection) as captured:
        insert_annotations(rows)
    assert len(captured.captured_queries) == 1
    stored = Annotation.objects.filter(task=task).order_by("position")
    assert stored.count() == 300
    first = stored.first()
    assert list(first.geometry) == ["width", "left", "top", "height"]
    assert list(first.attributes) == ["zeta", "alpha", "mid"]
    assert list(first.attributes["mid"][1]) == ["y", "b"]
    assert [r.uuid for r in stored[:3]] == ["b0", "b1", "b2"]


def test_json_columns_keep_every_value(account):
    """JSON is written by orjson (annotator/backends): what it cannot write goes through the
    standard library, and everything reads back the same."""
    task = make_task(account, metadata={"big": 2**70, "float": 0.1, "text": "ü\u2028"})
    assert Task.objects.get(pk=task.pk).metadata == {"big": 2**70, "float": 0.1,
                                                     "text": "ü\u2028"}


def test_boolean_filters_are_comparisons_an_index_can_use(account):
    sql = str(Task.objects.filter(owner=account, is_test=False).query)
    assert '"is_test" = ' in sql and "NOT" not in sql
    assert '"is_test" = ' in str(Task.objects.filter(is_test=True).query)


def test_the_last_page_seeks_instead_of_walking(account):
    token = listing.encode_token(Task._meta.get_field("created_at").default(), "f" * 24)
    qs = Task.objects.for_customer().filter(owner=account, is_test=False)
    qs = listing.after_token(qs, token)
    qs = qs.order_by("-created_at", "-task_id")[:101]
    if connection.vendor == "sqlite":
        assert "created_at<" in qs.explain().replace(" ", "")
    assert '"created_at" <= ' in str(qs.query)


def test_small_totals_are_exact_and_big_ones_kept_briefly(account, api, monkeypatch):
    make_task(account)
    for _ in range(2):
        lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                              body=box_task(project="p"))
    assert api.get("tasks").json()["total"] == 3
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="p"))
    assert api.get("tasks").json()["total"] == 4  # below BIG_TOTAL: counted every time
    monkeypatch.setattr(listing, "BIG_TOTAL", 2)
    assert api.get("tasks", project="p").json()["total"] == 4
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="p"))
    assert api.get("tasks", project="p").json()["total"] == 4  # kept for a few seconds
    assert api.get("tasks", project="p", limit=2).json()["total"] == 4  # paging is not scope
    assert api.get("tasks").json()["total"] == 5  # other filters, other count
    monkeypatch.setattr(listing, "TOTAL_CACHE_SECONDS", 0)
    listing._totals.clear()
    assert api.get("tasks", project="p").json()["total"] == 5


def test_a_revoked_key_or_a_deactivated_account_stops_at_once(account, api, settings):
    assert api.get("tasks").status_code == 200  # now cached
    key = ApiKey.objects.get(user=account)
    key.revoked = True
    key.save()
    assert api.get("tasks").status_code == 401
    key.revoked = False
    key.save()
    assert api.get("tasks").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)
    auth.forget_cached_keys()  # what the admin's revoke action does after its update()
    assert api.get("tasks").status_code == 401
    ApiKey.objects.filter(pk=key.pk).update(revoked=False)
    assert api.get("tasks").status_code == 200
    account.is_active = False
    account.save()
    assert api.get("tasks").status_code == 401


def test_each_request_gets_its_own_copy_of_the_cached_key(account, api):
    api.get("tasks")
    raw = api.raw_key
    first, second = auth.lookup_key(raw), auth.lookup_key(raw)
    assert first is not second and first.user is not second.user
    assert first.pk == second.pk and first.user.pk == account.pk


def test_task_data_reads_padding_and_context_without_decoding_the_params(account, client,
                                                                         django_user_model):
    from tasks import queue

    tasker = make_tasker("tom")
    task = make_task(account, padding=10, paddingY=4, hypothesis={"annotations": [BOX]},
                     context_attachments=[{"attachment": "https://x.example.com/c.png",
                                           "description": "left camera"}])
    task.project.taskers.add(tasker)
    held = queue.claim_next(tasker, task.project)
    client.force_login(tasker)
    data = client.get(f"/tasks/{held.task_id}/data").json()
    assert data["padding"] == {"x": 10, "y": 4}
    assert [c["description"] for c in data["context"]] == ["left camera"]
    assert data["params"]["hypothesis"]["annotations"][0]["uuid"] == "b1"
    assert data["params"] == Task.objects.get(pk=held.pk).params
    # a draft from before the extras were stored: they come from the hypothesis
    Task.objects.filter(pk=held.pk).update(draft_extras={})
    again = client.get(f"/tasks/{held.task_id}/data").json()
    assert again["padding"] == {"x": 10, "y": 4} and "links" in again


def test_the_indexable_boolean_lookup_stays_within_this_app():
    """Other apps' boolean fields keep Django's own SQL (tasks/lookups.py)."""
    from django.contrib.auth import get_user_model

    sql = str(get_user_model().objects.filter(is_staff=False).query)
    assert 'NOT "auth_user"."is_staff"' in sql
    assert '"tasks_apikey"."revoked" = ' in str(ApiKey.objects.filter(revoked=False).query)
