"""The Studio endpoints in process: assignments, project groups, batches and their priorities,
and the errors (docs/api-decisions.md, "Teams and Studio"); the official client against a live
server is tests/live/test_scaleapi_teams_studio.py."""

from __future__ import annotations

import pytest

from tasks.models import Batch, Membership, Project, TeamRole
from tests.factories import box_task

pytestmark = pytest.mark.django_db


def person(django_user_model, account, name: str, role=TeamRole.LABELER):
    user = django_user_model.objects.create_user(name, email=f"{name}@example.com",
                                                 password="pw-123456789")
    if account is not None:
        Membership.objects.create(account=account, user=user, role=role)
    return user


@pytest.fixture
def ann(django_user_model, account):
    return person(django_user_model, account, "ann")


@pytest.fixture
def bob(django_user_model, account):
    return person(django_user_model, account, "bob")


@pytest.fixture
def projects(api):
    for name in ("cats", "dogs"):
        assert api.post("projects", {"type": "imageannotation", "name": name}).status_code == 200


def test_assignments_are_the_projects_taskers(api, ann, bob, projects):
    assert api.get("studio/assignments").json() == {"ann@example.com": [],
                                                    "bob@example.com": []}
    res = api.post("studio/assignments/add", {"emails": ["ann@example.com"],
                                              "projects": ["dogs", "cats"]})
    assert res.status_code == 200, res.content
    assert res.json() == {"ann@example.com": ["cats", "dogs"], "bob@example.com": []}
    assert list(Project.objects.get(name="cats").taskers.all()) == [ann]
    res = api.post("studio/assignments/remove", {"emails": ["ann@example.com"],
                                                 "projects": ["cats"]})
    assert res.json() == {"ann@example.com": ["dogs"], "bob@example.com": []}
    assert not Project.objects.get(name="cats").taskers.exists()


@pytest.mark.parametrize(("body", "message"), [
    ({"emails": ["ann@example.com"], "projects": ["nope"]},
     "projects: no such project in this account: nope."),
    ({"emails": ["zed@example.com"], "projects": ["cats"]},
     "emails: not a member of this account's team: zed@example.com."),
    ({"emails": ["ann@example.com"], "projects": []}, "projects must be a non-empty list"),
    ({"emails": ["ann@example.com"], "projects": [""]}, "projects[0] must be a non-empty"),
    ({"projects": ["cats"]}, "emails must be a non-empty list"),
])
def test_assignment_errors(api, ann, projects, body, message):
    for path in ("studio/assignments/add", "studio/assignments/remove"):
        res = api.post(path, body)
        assert res.status_code == 400, res.content
        assert message in res.json()["error"]
    assert not Project.objects.get(name="cats").taskers.exists()


def test_a_person_of_another_account_cannot_be_assigned(api, other_account, projects,
                                                        django_user_model):
    person(django_user_model, other_account, "eve")
    res = api.post("studio/assignments/add", {"emails": ["eve@example.com"],
                                              "projects": ["cats"]})
    assert res.status_code == 400
    assert "not a member of this account's team: eve@example.com" in res.json()["error"]


def test_another_accounts_project_is_unknown(api, other_api, ann, projects):
    res = other_api.post("studio/assignments/add", {"emails": ["ann@example.com"],
                                                    "projects": ["cats"]})
    assert res.status_code == 400
    assert other_api.get("studio/projects/cats/groups").status_code == 404


def test_project_groups(api, ann, bob, projects):
    assert api.get("studio/projects/cats/groups").json() == []
    res = api.post("studio/projects/cats/groups", {"emails": ["ann@example.com"],
                                                   "name": "night shift"})
    assert res.status_code == 200, res.content
    group = res.json()
    assert group == {"id": group["id"], "name": "night shift", "numWorkers": 1,
                     "isSingleton": False,
                     "workers": [{"id": str(ann.pk), "email": "ann@example.com"}]}
    res = api.put("studio/projects/cats/groups/night shift",
                  {"add_emails": ["bob@example.com"], "remove_emails": ["ann@example.com"]})
    assert res.status_code == 200, res.content
    assert [w["email"] for w in res.json()["workers"]] == ["bob@example.com"]
    assert [g["name"] for g in api.get("studio/projects/cats/groups").json()] == ["night shift"]
    assert api.get("studio/projects/dogs/groups").json() == []


def test_project_group_errors(api, ann, bob, projects):
    assert api.post("studio/projects/cats/groups",
                    {"emails": [], "name": "a"}).status_code == 200
    res = api.post("studio/projects/cats/groups", {"emails": [], "name": "a"})
    assert res.status_code == 409 and 'already has a group "a"' in res.json()["error"]
    res = api.post("studio/projects/cats/groups", {"emails": ["zed@example.com"], "name": "b"})
    assert res.status_code == 400 and "zed@example.com" in res.json()["error"]
    assert api.post("studio/projects/cats/groups", {"emails": []}).status_code == 400
    assert api.post("studio/projects/nope/groups",
                    {"emails": [], "name": "b"}).status_code == 404
    res = api.put("studio/projects/cats/groups/nope", {"add_emails": ["ann@example.com"]})
    assert res.status_code == 404 and res.json()["error"] == 'Project "cats" has no group "nope".'
    res = api.put("studio/projects/cats/groups/a", {"add_emails": ["ann@example.com"],
                                                    "remove_emails": ["ann@example.com"]})
    assert res.status_code == 400


def test_a_group_of_a_project_that_names_labelers_takes_only_them(api, ann, bob, projects):
    api.post("studio/assignments/add", {"emails": ["ann@example.com"], "projects": ["cats"]})
    res = api.post("studio/projects/cats/groups", {"emails": ["bob@example.com"], "name": "g"})
    assert res.status_code == 400
    assert 'not assigned to project "cats": bob@example.com' in res.json()["error"]
    res = api.post("studio/projects/cats/groups", {"emails": ["ann@example.com"], "name": "g"})
    assert res.status_code == 200


@pytest.fixture
def batches(api, projects):
    for name, project in (("b1", "cats"), ("b2", "cats"), ("b3", "dogs")):
        assert api.post("batches", {"name": name, "project": project}).status_code == 200
    for _ in range(2):
        api.post("task/imageannotation", box_task(project="cats", batch="b1"))


def test_studio_batches_and_priorities(api, ann, batches):
    listed = api.get("studio/batches").json()
    assert [b["name"] for b in listed] == ["b1", "b2", "b3"]
    first = listed[0]
    assert first == {"id": first["id"], "name": "b1", "projectId": first["projectId"],
                     "projectName": "cats", "batchType": "Production", "studioPriority": None,
                     "total": 2, "completed": 0, "groups": []}
    res = api.post("studio/batches/set_priorities",
                   {"batches": [{"name": "b3"}, {"name": "b1"}, {"name": "b2"}]})
    assert res.status_code == 200, res.content
    assert [(b["name"], b["studioPriority"]) for b in res.json()] == [
        ("b3", 1), ("b1", 2), ("b2", 3)]
    assert [b["name"] for b in api.get("studio/batches").json()] == ["b3", "b1", "b2"]
    res = api.post("studio/batches/reset_priorities")
    assert res.status_code == 200, res.content
    assert [(b["name"], b["studioPriority"]) for b in res.json()] == [
        ("b1", None), ("b2", None), ("b3", None)]


def test_completed_batches_are_not_studio_batches(api, batches):
    Batch.objects.filter(name="b2").update(status="completed")
    assert [b["name"] for b in api.get("studio/batches").json()] == ["b1", "b3"]
    res = api.post("studio/batches/set_priorities", {"batches": [{"name": "b1"},
                                                                 {"name": "b2"},
                                                                 {"name": "b3"}]})
    assert res.status_code == 400
    assert res.json()["error"] == "batches: not a pending batch of this account: b2."


@pytest.mark.parametrize(("body", "message"), [
    ({"batches": [{"name": "b1"}, {"name": "b2"}]},
     "batches must name every pending batch; missing: b3."),
    ({"batches": [{"name": "b1"}, {"name": "b2"}, {"name": "b3"}, {"name": "b1"}]},
     'batches[3]: batch "b1" is named twice.'),
    ({"batches": [{"name": "b1"}, {"name": "b2"}, {"name": "zz"}]},
     "batches: not a pending batch of this account: zz."),
    ({"batches": ["b1"]}, 'batches[0] must be an object with a "name".'),
    ({"batches": []}, "batches must be a non-empty list"),
])
def test_set_priorities_needs_exactly_the_pending_batches(api, batches, body, message):
    res = api.post("studio/batches/set_priorities", body)
    assert res.status_code == 400, res.content
    assert message in res.json()["error"]
    assert not Batch.objects.filter(studio_priority__isnull=False).exists()


def test_batches_are_given_to_groups_of_their_project(api, ann, batches):
    api.post("studio/projects/cats/groups", {"emails": ["ann@example.com"], "name": "g1"})
    api.post("studio/projects/dogs/groups", {"emails": [], "name": "g-dogs"})
    res = api.put("studio/batches/b1", {"groups": ["g1"]})
    assert res.status_code == 200, res.content
    assert res.json()["groups"] == ["g1"] and res.json()["name"] == "b1"
    assert list(Batch.objects.get(name="b1").groups.values_list("name", flat=True)) == ["g1"]
    res = api.put("studio/batches/b1", {"groups": ["g-dogs"]})
    assert res.status_code == 400
    assert res.json()["error"] == 'groups: project "cats" has no group g-dogs.'
    assert api.put("studio/batches/nope", {"groups": []}).status_code == 404
    assert api.put("studio/batches/b1", {"groups": "g1"}).status_code == 400
    assert api.put("studio/batches/b1", {"groups": []}).json()["groups"] == []


def test_the_test_environment_has_its_own_projects_and_batches(api, test_api, ann, batches):
    assert test_api.get("studio/batches").json() == []
    res = test_api.post("studio/assignments/add", {"emails": ["ann@example.com"],
                                                   "projects": ["cats"]})
    assert res.status_code == 400
    assert test_api.get("studio/assignments").json() == {"ann@example.com": []}
