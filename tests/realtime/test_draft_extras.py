"""Global attributes and links in the draft: the set_extras operation over
WebsocketCommunicator (acks, duplicates, refusals, watchers, welcome), its validators, the
submit from the draft, and another key registered beside the built-in ones."""

from __future__ import annotations

import pytest

from tasks import draft_extras, kinds, queue, submission
from tasks.models import Task
from tests.realtime.conftest import BOX, db, new_task, run, task_path

pytestmark = pytest.mark.django_db(transaction=True)

ATTRIBUTES = {
    "weather": {"choices": ["sun", "rain"], "required": True, "conditions": {"is_global": True}},
    "cloud": {"type": "number", "min": 0, "max": 8, "conditions": {"is_global": True}},
}
LINKS = {"follows": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["car", "bus"]}]}
SECOND = {**BOX, "uuid": "hypo-2", "left": 60, "label": "bus"}
LINK = {"label": "follows", "from": BOX["uuid"], "to": SECOND["uuid"]}


def set_extras(key: str, after) -> dict:
    return {"op": "set_extras", "key": key, "after": after}


def extras_of(task) -> dict:
    return Task.objects.get(pk=task.pk).draft_extras


@pytest.fixture
def task(account, project, tasker):
    new_task(account, annotation_attributes=ATTRIBUTES, links=LINKS,
             hypothesis={"annotations": [BOX, SECOND], "global_attributes": {"weather": "rain"}})
    return queue.claim_next(tasker, project)


def test_set_extras_is_acked_stored_and_in_the_next_welcome(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        welcome = await ws.hello()
        assert welcome["extras"] == {"global_attributes": {"weather": "rain"}, "links": []}
        ack = await ws.op(1, set_extras("global_attributes", {"weather": "sun", "cloud": 3}))
        assert ack == {"type": "ack", "seq": 1, "versions": {}}
        assert (await ws.op(2, set_extras("links", [LINK])))["type"] == "ack"
        await ws.close()

        again = await socket_for(tasker, task_path(task)).open()
        welcome = await again.hello()
        assert welcome["last_seq"] == 2
        assert welcome["extras"] == {"global_attributes": {"weather": "sun", "cloud": 3},
                                     "links": [LINK]}
        await again.close()

    run(scenario)
    assert extras_of(task) == {"global_attributes": {"weather": "sun", "cloud": 3},
                               "links": [LINK]}


def test_a_repeated_set_extras_is_answered_again_and_applied_once(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        first = await ws.op(1, set_extras("global_attributes", {"weather": "sun"}))
        assert (await ws.op(2, set_extras("global_attributes", {"cloud": 1})))["type"] == "ack"
        again = await ws.op(1, set_extras("global_attributes", {"weather": "sun"}))
        assert again == {**first, "repeat": True}
        await ws.close()

    run(scenario)
    assert extras_of(task)["global_attributes"] == {"cloud": 1}


def test_invalid_values_are_rejected_with_the_current_value(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        bad = await ws.op(1, set_extras("global_attributes", {"weather": "snow"}))
        assert bad["type"] == "reject" and bad["kind"] == "rule"
        assert bad["reason"].startswith("global_attributes.weather ")
        assert bad["extras"] == {"global_attributes": {"weather": "rain"}}
        too_high = await ws.op(2, set_extras("global_attributes", {"cloud": 9}))
        assert too_high["kind"] == "rule" and "cloud" in too_high["reason"]
        missing = await ws.op(3, set_extras("links", [{**LINK, "to": "nobody"}]))
        assert missing["kind"] == "rule" and missing["reason"].startswith("links[0].to ")
        backwards = await ws.op(4, set_extras("links", [{**LINK, "from": SECOND["uuid"],
                                                           "to": BOX["uuid"]}]))
        assert backwards["kind"] == "rule" and "cannot link" in backwards["reason"]
        unknown = await ws.op(5, set_extras("colour", "red"))
        assert unknown["kind"] == "invalid" and "global_attributes" in unknown["reason"]
        no_value = await ws.op(6, {"op": "set_extras", "key": "links"})
        assert no_value["kind"] == "invalid"
        # `required` waits for the submit
        assert (await ws.op(7, set_extras("global_attributes", {})))["type"] == "ack"
        await ws.close()

    run(scenario)
    assert extras_of(task) == {"global_attributes": {}, "links": []}


def test_set_extras_in_a_batch_is_all_or_nothing_and_in_order(task, tasker, socket_for):
    new = {"uuid": "new-1", "type": "box", "label": "car", "left": 100, "top": 100,
           "width": 20, "height": 10}
    link = {"label": "follows", "from": "new-1", "to": BOX["uuid"]}

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        refused = await ws.op(1, {"op": "batch", "ops": [
            set_extras("global_attributes", {"weather": "sun"}),
            set_extras("links", [link])]})  # new-1 does not exist yet
        assert refused["kind"] == "rule"
        assert refused["extras"] == {"global_attributes": {"weather": "rain"}, "links": []}
        ack = await ws.op(2, {"op": "batch", "ops": [
            {"op": "add", "annotation": new}, set_extras("links", [link])]})
        assert ack["type"] == "ack" and ack["versions"] == {"new-1": 1}
        # deleting it with its link, as the page does
        ack = await ws.op(3, {"op": "batch", "ops": [
            {"op": "delete", "annotation": new, "base_version": 1}, set_extras("links", [])]})
        assert ack["type"] == "ack"
        await ws.close()

    run(scenario)
    assert extras_of(task) == {"global_attributes": {"weather": "rain"}, "links": []}


def test_a_link_from_a_locked_base_annotation_is_a_lock_refusal(account, project, tasker,
                                                                socket_for):
    base = {**BOX, "uuid": "base-1", "locked": True}
    new_task(account, links=LINKS, base_annotations={"annotations": [base]},
             hypothesis={"annotations": [SECOND]})
    task = queue.claim_next(tasker, project)

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        reply = await ws.op(1, set_extras("links", [{**LINK, "from": "base-1"}]))
        assert reply["kind"] == "lock" and "locked" in reply["reason"]
        assert reply["uuid"] == "base-1"
        await ws.close()

    run(scenario)
    assert extras_of(task)["links"] == []


def test_watchers_and_read_only_tabs_see_the_new_value(task, tasker, admin, socket_for):
    async def scenario():
        watcher = await socket_for(admin, task_path(task)).open()
        welcome = await watcher.hello("admin-session")
        assert welcome["extras"]["global_attributes"] == {"weather": "rain"}
        editor = await socket_for(tasker, task_path(task)).open()
        await editor.hello()
        second_tab = await socket_for(tasker, task_path(task)).open()
        assert (await second_tab.hello(tab_id="t2"))["role"] == "readonly"
        await editor.op(1, set_extras("links", [LINK]))
        for other in (watcher, second_tab):
            remote = await other.expect("remote_op")
            assert remote["op"] == set_extras("links", [LINK])
            assert remote["extras"] == {"links": [LINK]} and remote["annotations"] == {}
        assert await editor.silent()
        for ws in (editor, second_tab, watcher):
            await ws.close()

    run(scenario)


def test_submit_from_the_draft_uses_the_servers_extras(task, tasker, client, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await ws.op(1, set_extras("global_attributes", {}))
        await ws.op(2, set_extras("links", [LINK]))
        await db(client.force_login)(tasker)
        url = f"/tasks/{task.task_id}/submit"
        res = await db(client.post)(url, {"from_draft": True}, content_type="application/json")
        assert res.status_code == 400 and "weather" in res.json()["error"]
        await ws.op(3, set_extras("global_attributes", {"weather": "sun", "cloud": 2}))
        res = await db(client.post)(url, {"from_draft": True}, content_type="application/json")
        assert res.status_code == 200, res.content
        await ws.close()

    run(scenario)
    done = Task.objects.get(pk=task.pk)
    assert done.status == "completed"
    assert done.response["global_attributes"] == {"weather": "sun", "cloud": 2}
    assert done.response["links"] == [LINK]


def test_a_submit_drops_links_to_annotations_deleted_alone(task, tasker):
    with_link = {"global_attributes": {"weather": "sun"}, "links": [LINK]}
    Task.objects.filter(pk=task.pk).update(draft_extras=with_link)
    task.refresh_from_db()
    assert submission.draft_payload(task, {})["links"] == [LINK]
    task.annotations.filter(uuid=SECOND["uuid"]).delete()
    assert "links" not in submission.draft_payload(task, {})
    submission.submit_draft(task, tasker, {})
    assert Task.objects.get(pk=task.pk).response["links"] == []


@pytest.fixture
def tags_key(monkeypatch):
    """The image kind with one more draft key (as a kind adds its own, tasks/kinds/)."""
    def tags(value, context):
        if not isinstance(value, list) or not all(isinstance(e, str) for e in value):
            raise draft_extras.RuleError("tags", "must be a list of strings")
        return sorted(value)

    monkeypatch.setitem(kinds.get(kinds.IMAGE).draft_keys, "tags", tags)


def test_a_kind_can_add_a_key(task, tasker, socket_for, tags_key):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        ack = await ws.op(1, set_extras("tags", ["b", "a"]))
        assert ack["extras"] == {"tags": ["a", "b"]}  # stored differently: the page follows
        assert (await ws.op(2, set_extras("tags", [1])))["kind"] == "rule"
        await ws.close()
        again = await socket_for(tasker, task_path(task)).open()
        assert (await again.hello())["extras"]["tags"] == ["a", "b"]
        await again.close()

    run(scenario)
    assert extras_of(task)["tags"] == ["a", "b"]
