"""Every Teams and Studio method of the official `scaleapi` client against a real server
process, over real HTTP (docs/api-decisions.md, "Teams and Studio").

People join as a person would: the account invites them through the client, `manage.py invite`
prints their links, and each opens the link and sets a password (the page's CSRF-protected
form, through `requests`).
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests
import scaleapi
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleException,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
)
from scaleapi.studio import StudioBatch, StudioLabelerAssignment, StudioProjectGroup
from scaleapi.tasks import TaskType
from scaleapi.teams import Teammate, TeammateRole

from tests.http_sessions import fresh_connections

pytestmark = pytest.mark.live

IMAGE = TaskType.ImageAnnotation
PASSWORD = "a-Long-enough-pw-42"


class Team:
    """A fresh account on the live server, with its client and a helper to bring people in."""

    def __init__(self, server) -> None:
        self.server = server
        self.username = f"team-{uuid.uuid4().hex[:12]}"
        self.client = scaleapi.ScaleClient(server.new_key(self.username),
                                           api_instance_url=server.base_url)
        self.tag = uuid.uuid4().hex[:8]

    def email(self, name: str) -> str:
        return f"{name}-{self.tag}@example.com"

    def links(self, *emails: str, role: str = "labeler") -> dict[str, str]:
        """New links for these addresses, as `manage.py invite` prints them."""
        out = self.server.manage("invite", *emails, "--account", self.username, "--role", role,
                                 "--base-url", self.server.root_url).stdout
        return dict(line.split() for line in out.splitlines())

    def join(self, link: str) -> requests.Session:
        """Open the link, set the password: a signed-in browser session of the new person."""
        browser = fresh_connections()
        page = browser.get(link, timeout=30)
        assert page.status_code == 200, page.text
        assert "Choose a password" in page.text
        res = browser.post(link, timeout=30, allow_redirects=False, data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "new_password1": PASSWORD, "new_password2": PASSWORD})
        assert res.status_code == 302, res.text
        return browser


@pytest.fixture
def team(live_server_process) -> Team:
    return Team(live_server_process)


def test_teams_invite_list_and_set_role(team):
    client = team.client
    ann, bob = team.email("ann"), team.email("bob")
    assert client.list_teammates() == []

    invited = client.invite_teammates([ann, bob], TeammateRole.Labeler)
    assert all(isinstance(t, Teammate) for t in invited)
    assert [(t.email, t.role, t.is_studio_labeler) for t in invited] == [
        (ann, "labeler", True), (bob, "labeler", True)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t.expiry)
               for t in invited)  # pending: the link's expiry

    links = team.links(ann, bob)
    assert set(links) == {ann, bob}
    assert all(url.startswith(f"{team.server.root_url}/invite/") for url in links.values())
    browser = team.join(links[ann])
    assert browser.get(f"{team.server.root_url}/", timeout=30).status_code == 200
    used = requests.get(links[ann], timeout=30)
    assert used.status_code == 410 and "already been used" in used.text

    # a person who set a password logs in with the address as user name
    login = fresh_connections()
    login.get(f"{team.server.root_url}/accounts/login/", timeout=30)
    res = login.post(f"{team.server.root_url}/accounts/login/", allow_redirects=False,
                     timeout=30, data={"username": ann, "password": PASSWORD,
                                       "csrfmiddlewaretoken": login.cookies["csrftoken"]})
    assert res.status_code == 302 and res.headers["Location"] == "/"

    team.join(links[bob])
    listed = client.list_teammates()
    assert [(t.email, t.role, t.expiry) for t in listed] == [
        (ann, "labeler", None), (bob, "labeler", None)]

    changed = client.update_teammates_role([bob], TeammateRole.Manager)
    assert {t.email: t.role for t in changed} == {ann: "labeler", bob: "manager"}
    assert {t.email: t.is_studio_labeler for t in changed} == {ann: True, bob: False}
    again = listed[0].update_teammate_role(TeammateRole.Member)  # the Teammate's own method
    assert {t.email: t.role for t in again} == {ann: "member", bob: "manager"}
    assert {t.email: t.as_dict()["role"] for t in client.list_teammates()} == {
        ann: "member", bob: "manager"}


def test_teams_errors_through_the_client(team, live_server_process):
    client = team.client
    with pytest.raises(ScaleInvalidRequest, match="not in this account's team"):
        client.update_teammates_role([team.email("nobody")], TeammateRole.Admin)
    with pytest.raises(ScaleInvalidRequest, match="is not an e-mail address"):
        client.invite_teammates(["not-an-address"], TeammateRole.Labeler)
    test_client = scaleapi.ScaleClient(
        live_server_process.new_key(team.username, test=True),
        api_instance_url=live_server_process.base_url)
    with pytest.raises(ScaleException) as caught:
        test_client.invite_teammates([team.email("x")], TeammateRole.Labeler)
    assert caught.value.code == 403 and "live API key" in caught.value.message
    assert test_client.list_teammates() == []


def test_studio_assignments_groups_and_batches(team):
    client = team.client
    ann, bob, cid = team.email("ann"), team.email("bob"), team.email("cid")
    client.invite_teammates([ann, bob, cid], TeammateRole.Labeler)
    for link in team.links(ann, bob, cid).values():
        team.join(link)
    client.create_project("cats", IMAGE)
    client.create_project("dogs & co", IMAGE)  # percent-encoded in the Studio paths

    # assignments
    listed = client.list_studio_assignments()
    assert {e: a.assigned_projects for e, a in listed.items()} == {ann: [], bob: [], cid: []}
    added = client.add_studio_assignments([ann, bob], ["cats", "dogs & co"])
    assert all(isinstance(a, StudioLabelerAssignment) for a in added.values())
    assert {e: (a.email, a.assigned_projects) for e, a in added.items()} == {
        ann: (ann, ["cats", "dogs & co"]), bob: (bob, ["cats", "dogs & co"]), cid: (cid, [])}
    removed = client.remove_studio_assignments([bob], ["dogs & co"])
    assert {e: a.as_dict() for e, a in removed.items()} == {
        ann: ["cats", "dogs & co"], bob: ["cats"], cid: []}
    assert {e: a.assigned_projects for e, a in client.list_studio_assignments().items()} == {
        ann: ["cats", "dogs & co"], bob: ["cats"], cid: []}

    # project groups
    assert client.list_project_groups("cats") == []
    group = client.create_project_group("cats", [ann], "night shift")
    assert isinstance(group, StudioProjectGroup)
    assert (group.name, group.numWorkers, group.isSingleton) == ("night shift", 1, False)
    (workers,) = group.workers  # the client wraps the list in a tuple
    assert [w.email for w in workers] == [ann] and workers[0].id
    updated = client.update_project_group("cats", "night shift", [bob], [ann])
    assert updated.id == group.id and updated.numWorkers == 1
    assert [w["email"] for w in updated.as_dict()["workers"]] == [bob]
    client.create_project_group("cats", [ann, bob], "everyone")
    listed_groups = client.list_project_groups("cats")
    assert [(g.name, g.numWorkers) for g in listed_groups] == [("night shift", 1),
                                                              ("everyone", 2)]
    assert client.list_project_groups("dogs & co") == []

    # batches: the pending ones, in the order they are served
    for name, project in (("b-one", "cats"), ("b-two", "cats"), ("b-three", "dogs & co")):
        client.create_batch(project, name)
    batches = client.list_studio_batches()
    assert all(isinstance(b, StudioBatch) for b in batches)
    assert [(b.name, b.project_name, b.batch_type, b.studio_priority, b.total, b.completed,
             b.groups) for b in batches] == [
        ("b-one", "cats", "Production", None, 0, 0, []),
        ("b-two", "cats", "Production", None, 0, 0, []),
        ("b-three", "dogs & co", "Production", None, 0, 0, [])]
    assert batches[0].project_id == batches[1].project_id != batches[2].project_id

    given = client.assign_studio_batches("b-two", ["night shift", "everyone"])
    assert isinstance(given, StudioBatch)
    assert (given.name, given.groups) == ("b-two", ["everyone", "night shift"])

    ordered = client.set_studio_batches_priorities(["b-three", "b-two", "b-one"])
    assert [(b.name, b.studio_priority) for b in ordered] == [
        ("b-three", 1), ("b-two", 2), ("b-one", 3)]
    assert [b.name for b in client.list_studio_batches()] == ["b-three", "b-two", "b-one"]
    assert client.list_studio_batches()[1].groups == ["everyone", "night shift"]

    reset = client.reset_studio_batches_priorities()
    assert [(b.name, b.studio_priority) for b in reset] == [
        ("b-one", None), ("b-two", None), ("b-three", None)]


def test_studio_errors_through_the_client(team):
    client = team.client
    ann = team.email("ann")
    client.invite_teammates([ann], TeammateRole.Labeler)
    team.join(team.links(ann)[ann])
    client.create_project("cats", IMAGE)
    client.create_batch("cats", "b-one")
    client.create_batch("cats", "b-two")

    with pytest.raises(ScaleInvalidRequest, match="not a member of this account's team"):
        client.add_studio_assignments([team.email("stranger")], ["cats"])
    with pytest.raises(ScaleInvalidRequest, match="no such project in this account: nope"):
        client.add_studio_assignments([ann], ["nope"])
    with pytest.raises(ScaleResourceNotFound):
        client.list_project_groups("nope")
    client.create_project_group("cats", [ann], "g")
    with pytest.raises(ScaleDuplicateResource):
        client.create_project_group("cats", [], "g")
    with pytest.raises(ScaleResourceNotFound, match='has no group "other"'):
        client.update_project_group("cats", "other", [ann], [])
    with pytest.raises(ScaleResourceNotFound):
        client.assign_studio_batches("nope", ["g"])
    with pytest.raises(ScaleInvalidRequest, match="has no group missing"):
        client.assign_studio_batches("b-one", ["missing"])
    with pytest.raises(ScaleInvalidRequest, match="missing: b-two"):
        client.set_studio_batches_priorities(["b-one"])
    with pytest.raises(ScaleInvalidRequest, match="named twice"):
        client.set_studio_batches_priorities(["b-one", "b-two", "b-one"])
    assert [b.studio_priority for b in client.list_studio_batches()] == [None, None]


def test_the_queue_serves_in_studio_order_and_honours_batch_groups(team, image_server):
    """What the Studio calls change for the people working the queue: the batch given first
    priority is served first, and a batch given to a group is served to its members only."""
    client = team.client
    ann, bob = team.email("ann"), team.email("bob")
    client.invite_teammates([ann, bob], TeammateRole.Labeler)
    sessions = {email: team.join(link) for email, link in team.links(ann, bob).items()}
    client.create_project("queue", IMAGE)
    client.create_batch("queue", "early")
    client.create_batch("queue", "late")
    body = {"project": "queue", "attachment": f"{image_server}/street.png",
            "geometries": {"box": {"objects_to_annotate": ["car"]}}}
    early = client.create_task(IMAGE, batch="early", **body).id
    late = [client.create_task(IMAGE, batch="late", **body).id for _ in range(2)]

    ordered = client.set_studio_batches_priorities(["late", "early"])
    assert [b.name for b in ordered] == ["late", "early"]
    client.create_project_group("queue", [bob], "bob only")
    client.assign_studio_batches("late", ["bob only"])
    project_id = ordered[0].project_id

    def start(email: str) -> str:
        browser = sessions[email]
        res = browser.post(f"{team.server.root_url}/projects/{project_id}/start",
                           headers={"X-CSRFToken": browser.cookies["csrftoken"]},
                           allow_redirects=False, timeout=30)
        assert res.status_code == 302, res.text
        match = re.fullmatch(r"/tasks/(\w+)/work/", res.headers["Location"])
        assert match, res.headers["Location"]
        return match.group(1)

    assert start(bob) == late[0]  # "late" comes first, though "early" is older
    assert start(ann) == early  # "late" is the group's; ann is not in it
