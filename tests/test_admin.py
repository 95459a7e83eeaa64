"""The Django admin: pages render, search by tag, API keys issued once, no N+1."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tasks.models import (
    AccountSettings,
    Annotation,
    ApiKey,
    Batch,
    Project,
    ProjectParamVersion,
    Task,
    TaskTag,
    UploadedFile,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("acme", password="x")


def make_task(owner, project, batch=None, *, tags=(), **fields) -> Task:
    task = Task.objects.create(owner=owner, project=project, batch=batch, tags=list(tags),
                               params={"attachment": "https://example.com/a.png"}, **fields)
    TaskTag.objects.bulk_create([TaskTag(task=task, tag=tag) for tag in tags])
    return task


@pytest.fixture
def data(account, media):
    project = Project.objects.create(owner=account, name="street-proj")
    ProjectParamVersion.objects.create(project=project, version=0,
                                       params={"instruction": "Box <cars>"})
    batch = Batch.objects.create(owner=account, project=project, name="batch-one")
    task = make_task(account, project, batch, tags=["night-shift"], unique_id="img-0001",
                     metadata={"note": "<script>alert(1)</script>"})
    Annotation.objects.create(task=task, uuid="ann-1", type="box", label="car",
                              geometry={"left": 1, "top": 2, "width": 3, "height": 4})
    upload = UploadedFile(owner=account, display_name="kitten.png", mime_type="image/png")
    upload.file.save("kitten.png", ContentFile(b"\x89PNG fake"), save=True)
    key, _ = ApiKey.issue(account, name="ci key")
    return {"project": project, "batch": batch, "task": task, "file": upload, "key": key,
            "settings": AccountSettings.objects.get(user=account)}


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def changelist_url(model) -> str:
    return reverse(f"admin:tasks_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("key,expected", [
    ("task", "img-0001"), ("project", "street-proj"), ("batch", "batch-one"),
    ("file", "kitten.png"), ("key", "ci key"), ("settings", "acme"),
])
def test_changelist_and_change_page_show_data(admin_client, data, key, expected):
    obj = data[key]
    listing = admin_client.get(changelist_url(type(obj)))
    assert listing.status_code == 200
    assert str(obj.pk) in listing.content.decode() or str(obj) in listing.content.decode()
    page = admin_client.get(change_url(obj))
    assert page.status_code == 200
    assert expected in page.content.decode()


def test_task_page_shows_escaped_json_annotations_and_readonly_status(admin_client, data):
    html = admin_client.get(change_url(data["task"])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "ann-1" in html and "&quot;width&quot;: 3" in html
    assert 'name="status"' not in html
    assert 'name="priority"' in html


def test_task_status_cannot_be_changed_by_post(admin_client, data):
    task = data["task"]
    admin_client.post(change_url(task), {
        "priority": 30, "instruction": "", "callback_url": "", "status": "completed",
        "annotations-TOTAL_FORMS": 1, "annotations-INITIAL_FORMS": 1,
        "annotations-MIN_NUM_FORMS": 0, "annotations-MAX_NUM_FORMS": 1000,
        "annotations-0-id": task.annotations.get().pk, "annotations-0-task": task.pk,
        # the attempts inline (read-only), as the page's form sends it
        "attempts-TOTAL_FORMS": 0, "attempts-INITIAL_FORMS": 0,
        "attempts-MIN_NUM_FORMS": 0, "attempts-MAX_NUM_FORMS": 1000,
    })
    task.refresh_from_db()
    assert task.priority == 30
    assert task.status == "pending"


def test_project_page_shows_param_versions(admin_client, data):
    html = admin_client.get(change_url(data["project"])).content.decode()
    assert "Box &lt;cars&gt;" in html


def test_file_changelist_links_to_file(admin_client, data):
    html = admin_client.get(changelist_url(UploadedFile)).content.decode()
    assert f'href="{data["file"].file.url}"' in html


def test_search_by_tag_finds_task(admin_client, data, account):
    other = make_task(account, data["project"], tags=["day-shift"])
    html = admin_client.get(changelist_url(Task), {"q": "night-shift"}).content.decode()
    assert data["task"].task_id in html
    assert other.task_id not in html


def test_key_hash_never_shown(admin_client, data):
    key = data["key"]
    for url in (changelist_url(ApiKey), change_url(key)):
        html = admin_client.get(url).content.decode()
        assert key.key_hash not in html
        assert key.prefix in html


def test_adding_api_key_shows_plain_key_once(admin_client, account):
    url = reverse("admin:tasks_apikey_add")
    form = admin_client.get(url).content.decode()
    assert 'name="user"' in form and 'name="is_test"' in form
    assert 'name="prefix"' not in form and "key_hash" not in form
    response = admin_client.post(url, {"user": account.pk, "name": "from admin",
                                       "is_test": "on"}, follow=True)
    assert response.status_code == 200
    found = re.findall(r"test_[0-9a-f]{32}", response.content.decode())
    assert len(set(found)) == 1
    raw = found[0]
    key = ApiKey.lookup(raw)
    assert key is not None and key.user == account and key.is_test and key.name == "from admin"
    assert key.key_hash != raw and raw not in key.prefix
    assert ApiKey.objects.count() == 1
    again = admin_client.get(change_url(key)).content.decode()
    assert raw not in again and key.prefix in again
    assert raw not in admin_client.get(changelist_url(ApiKey)).content.decode()


def test_revoke_action(admin_client, data):
    admin_client.post(changelist_url(ApiKey), {
        "action": "revoke_keys", "_selected_action": [data["key"].pk]})
    data["key"].refresh_from_db()
    assert data["key"].revoked


def test_add_disabled_for_api_created_objects(admin_client, data):
    for model in (Task, Project, Batch, UploadedFile):
        url = reverse(f"admin:tasks_{model._meta.model_name}_add")
        assert admin_client.get(url).status_code == 403


def test_task_changelist_has_no_n_plus_one(admin_client, account, django_assert_max_num_queries):
    for i in range(30):
        project = Project.objects.create(owner=account, name=f"p{i}")
        batch = Batch.objects.create(owner=account, project=project, name=f"b{i}")
        make_task(account, project, batch, tags=[f"t{i}"])
    with django_assert_max_num_queries(12):
        response = admin_client.get(changelist_url(Task))
    assert response.status_code == 200
    assert response.content.decode().count("/change/") >= 30


def test_stored_files_are_served_to_staff_only(client, admin_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "f.png").write_bytes(b"png-bytes")
    assert client.get("/media/uploads/f.png").status_code == 302
    res = admin_client.get("/media/uploads/f.png")
    assert res.status_code == 200 and b"".join(res.streaming_content) == b"png-bytes"
    assert admin_client.get("/media/../settings.py").status_code in (400, 404)
