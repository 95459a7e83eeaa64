"""The task session protocol over WebsocketCommunicator: welcome, ordered ops and acks,
duplicates, gaps, conflicts, locks, takeover, watchers, refusals and bad input."""

from __future__ import annotations

import pytest

from tasks import lifecycle, queue
from tasks.models import Annotation, DraftOp, Task
from tests.factories import make_tasker
from tests.realtime.conftest import BOX, db, new_task, run, task_path

pytestmark = pytest.mark.django_db(transaction=True)

NEW = {"uuid": "new-1", "type": "box", "label": "bus", "left": 100, "top": 100, "width": 20,
       "height": 10, "attributes": {}}


def add(annotation: dict = NEW, **extra) -> dict:
    return {"op": "add", "annotation": annotation, **extra}


def update(uuid: str, base_version: int, **after) -> dict:
    return {"op": "update", "uuid": uuid, "before": {}, "after": after,
            "base_version": base_version}


def rows(task) -> dict[str, Annotation]:
    return {a.uuid: a for a in Annotation.objects.filter(task_id=task.task_id)}


def test_the_editor_is_welcomed_with_the_draft_and_every_op_is_acked_in_order(
        task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        welcome = await ws.hello()
        assert welcome["role"] == "editor" and welcome["last_seq"] == 0
        assert welcome["new_session"] is True
        (prelabel,) = welcome["annotations"]
        assert prelabel["uuid"] == BOX["uuid"] and prelabel["version"] == 1
        assert prelabel["source"] == "hypothesis"

        assert await ws.op(1, add()) == {"type": "ack", "seq": 1, "versions": {"new-1": 1}}
        ack = await ws.op(2, update("new-1", 1, left=120, label="car"))
        assert ack["versions"] == {"new-1": 2}
        ack = await ws.op(3, {"op": "delete", "annotation": BOX, "base_version": 1})
        assert ack["versions"] == {BOX["uuid"]: None}
        await ws.close()

    run(scenario)
    (row,) = rows(task).values()
    assert (row.uuid, row.label, row.geometry["left"], row.version) == ("new-1", "car", 120, 2)
    assert row.source == "tasker"
    assert list(DraftOp.objects.values_list("seq", flat=True).order_by("seq")) == [1, 2, 3]


def test_a_repeated_seq_is_acked_again_and_applied_once(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        first = await ws.op(1, add())
        again = await ws.op(1, add())
        assert again == {**first, "repeat": True}
        assert (await ws.op(2, update("new-1", 1, left=5)))["type"] == "ack"
        assert (await ws.op(2, update("new-1", 1, left=7)))["repeat"] is True
        await ws.close()

    run(scenario)
    row = rows(task)["new-1"]
    assert (row.geometry["left"], row.version) == (5, 2)


def test_a_gap_asks_for_a_resend_from_the_next_seq(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert await ws.op(3, add()) == {"type": "resend", "from_seq": 1}
        assert (await ws.op(1, add()))["type"] == "ack"
        assert await ws.op(5, update("new-1", 1, left=1)) == {"type": "resend", "from_seq": 2}
        await ws.close()

    run(scenario)
    assert rows(task)["new-1"].version == 1


def test_an_op_on_an_old_version_is_refused_with_the_current_annotation(task, tasker,
                                                                         socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await ws.op(1, update(BOX["uuid"], 1, left=11))
        reject = await ws.op(2, update(BOX["uuid"], 1, left=99))
        assert reject["type"] == "reject" and reject["seq"] == 2
        assert reject["kind"] == "conflict" and reject["uuid"] == BOX["uuid"]
        assert reject["annotation"]["left"] == 11 and reject["annotation"]["version"] == 2
        gone = await ws.op(3, {"op": "delete", "annotation": {"uuid": "nope"},
                               "base_version": 1})
        assert gone["kind"] == "conflict" and gone["annotation"] is None
        # A refused op uses up its number: the next one is taken.
        assert (await ws.op(4, update(BOX["uuid"], 2, left=12)))["type"] == "ack"
        await ws.close()

    run(scenario)
    assert rows(task)[BOX["uuid"]].geometry["left"] == 12


def test_a_too_small_box_waits_for_the_submit(task, tasker, socket_for):
    small = {**NEW, "uuid": "small", "width": 2}

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, add(small)))["type"] == "ack"
        await ws.close()

    run(scenario)
    assert rows(task)["small"].geometry["width"] == 2


def test_rules_and_batches_all_or_nothing(task, tasker, socket_for):
    stray = {**NEW, "uuid": "stray", "label": "plane"}
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        reject = await ws.op(1, {"op": "batch", "ops": [add(), add(stray)]})
        assert reject["kind"] == "rule" and reject["uuid"] == "stray"
        assert "label must be one of the box labels" in reject["reason"]
        assert reject["annotations"] == {"new-1": None, "stray": None}
        ack = await ws.op(2, {"op": "batch", "ops": [add(), update("new-1", 1, width=50)]})
        assert ack["versions"] == {"new-1": 2}
        await ws.close()

    run(scenario)
    assert sorted(rows(task)) == [BOX["uuid"], "new-1"]


def test_server_normalization_is_reported_in_the_ack(account, project, tasker, socket_for):
    new_task(account, geometries={"box": {"objects_to_annotate": ["car"],
                                          "integer_pixels": True}})
    task = queue.claim_next(tasker, project)

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        ack = await ws.op(1, add({**NEW, "label": "car", "left": 10.4, "junk": 1}))
        assert ack["normalized"]["new-1"]["left"] == 10
        assert "junk" not in ack["normalized"]["new-1"]
        ack = await ws.op(2, update("new-1", 1, top=3))
        assert "normalized" not in ack
        await ws.close()

    run(scenario)


def test_an_add_goes_to_its_index(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await ws.op(1, add())
        await ws.op(2, add({**NEW, "uuid": "first"}, index=0))
        await ws.op(3, add({**NEW, "uuid": "middle"}, index=2))
        await ws.close()

    run(scenario)
    order = list(Annotation.objects.filter(task_id=task.task_id).values_list("uuid", flat=True))
    assert order == ["first", BOX["uuid"], "middle", "new-1"]


def test_base_annotation_locks_are_enforced_per_op(account, project, tasker, socket_for):
    base = {**BOX, "uuid": "base-1"}
    locked = {**BOX, "uuid": "base-2", "locked": True}
    new_task(account, base_annotations={"annotations": [base, locked]},
             can_edit_base_annotation_labels=False, can_add_base_annotations=False)
    task = queue.claim_next(tasker, project)

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        moved = await ws.op(1, update("base-1", 1, left=1))
        assert moved["type"] == "ack"
        relabel = await ws.op(2, update("base-1", 2, label="bus"))
        assert relabel["kind"] == "lock" and "labels of base annotations" in relabel["reason"]
        assert relabel["annotation"]["label"] == "car"
        frozen = await ws.op(3, {"op": "delete", "annotation": {"uuid": "base-2"},
                                 "base_version": 1})
        assert frozen["kind"] == "lock" and frozen["reason"] == "This base annotation is locked"
        extra = await ws.op(4, add())
        assert extra["kind"] == "lock" and "adding annotations" in extra["reason"]
        # Deleting a base annotation and undoing it is no addition.
        assert (await ws.op(5, {"op": "delete", "annotation": {"uuid": "base-1"},
                                "base_version": 2}))["type"] == "ack"
        back = await ws.op(6, add({**base, "left": 1}))
        assert back["type"] == "ack"
        await ws.close()

    run(scenario)
    restored = rows(task)["base-1"]
    assert restored.source == "base" and restored.version == 1


def test_a_second_tab_is_read_only_until_it_takes_over(task, tasker, socket_for):
    async def scenario():
        first = await socket_for(tasker, task_path(task)).open()
        await first.hello("s1", "tab-a")
        await first.op(1, add())
        second = await socket_for(tasker, task_path(task)).open()
        welcome = await second.hello("s2", "tab-b")
        assert welcome["role"] == "readonly" and "another tab" in welcome["reason"]
        assert {a["uuid"] for a in welcome["annotations"]} == {BOX["uuid"], "new-1"}
        assert (await second.op(1, add({**NEW, "uuid": "x"})))["type"] == "readonly"
        # The editor's ops reach the read-only tab.
        await first.op(2, update("new-1", 1, left=1))
        remote = await second.expect("remote_op")
        assert remote["annotations"]["new-1"]["version"] == 2

        await second.send({"type": "takeover"})
        taken = await second.expect("welcome")
        assert taken["role"] == "editor" and taken["last_seq"] == 0
        assert (await first.expect("readonly"))["reason"].startswith("You took this task over")
        assert (await first.op(3, update("new-1", 2, left=3)))["type"] == "readonly"
        assert (await second.op(1, update("new-1", 2, left=4)))["type"] == "ack"
        assert (await first.expect("remote_op"))["annotations"]["new-1"]["left"] == 4
        await first.close()
        await second.close()

    run(scenario)
    assert rows(task)["new-1"].geometry["left"] == 4


def test_a_reconnect_of_the_same_tab_resumes_the_session(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello("s1", "tab-a")
        await ws.op(1, add())
        again = await socket_for(tasker, task_path(task)).open()
        welcome = await again.hello("s1", "tab-a", last_seq=1)
        assert welcome["role"] == "editor" and welcome["last_seq"] == 1
        assert welcome["new_session"] is False
        assert (await ws.expect("readonly"))["type"] == "readonly"  # the stale connection
        await ws.close()
        # After a reload (a new tab id) once the old connection closed: editor again.
        await again.close()
        reload = await socket_for(tasker, task_path(task)).open()
        assert (await reload.hello("s1", "tab-c", last_seq=1))["role"] == "editor"
        assert (await reload.op(2, update("new-1", 1, left=2)))["type"] == "ack"
        await reload.close()

    run(scenario)


def test_an_admin_watches_the_edits_live(task, tasker, admin, socket_for):
    async def scenario():
        watcher = await socket_for(admin, task_path(task)).open()
        welcome = await watcher.hello("admin-session")
        assert welcome["role"] == "watcher" and len(welcome["annotations"]) == 1
        editor = await socket_for(tasker, task_path(task)).open()
        await editor.hello()
        await editor.op(1, add())
        remote = await watcher.expect("remote_op")
        assert remote["op"]["op"] == "add" and remote["annotations"]["new-1"]["version"] == 1
        await editor.op(2, {"op": "delete", "annotation": NEW, "base_version": 1})
        assert (await watcher.expect("remote_op"))["annotations"] == {"new-1": None}
        await watcher.send({"type": "op", "seq": 1, "op": add()})
        assert (await watcher.expect("error"))["message"] == "Watchers cannot edit."
        assert await editor.silent()  # no echo of its own ops
        await editor.close()
        await watcher.close()

    run(scenario)


def test_others_are_refused_with_4403(task, django_user_model, socket_for):
    other = make_tasker("otto")

    async def scenario():
        for user in (other, None):
            ws = await socket_for(user, task_path(task)).open()
            assert await ws.close_code() == 4403
        missing = await socket_for(other, "/ws/tasks/000000000000000000000000/").open()
        assert await missing.close_code() == 4404  # as a task of another account's project

    run(scenario)


def test_bad_input_gets_an_error_and_the_socket_stays_open(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.send_text("{not json")
        assert "not valid JSON" in (await ws.expect("error"))["message"]
        await ws.send({"type": "op", "seq": 1, "op": add()})
        assert (await ws.expect("error"))["message"] == "Say hello first."
        await ws.send({"type": "hello", "session_id": "no spaces allowed"})
        await ws.expect("error")
        await ws.send([1, 2])
        await ws.expect("error")
        await ws.hello()
        for seq in ("1", 0, None, True):
            await ws.send({"type": "op", "seq": seq, "op": add()})
            assert "seq must be" in (await ws.expect("error"))["message"]
        await ws.send({"type": "ping"})
        assert await ws.expect("pong") == {"type": "pong"}
        await ws.close()

    run(scenario)


def test_each_malformed_op_is_rejected_and_uses_its_number(task, tasker, socket_for):
    junk = [None, "add", {"op": "explode"}, {"op": "add"}, add({**NEW, "uuid": 5}),
            {"op": "update", "uuid": BOX["uuid"], "after": {"left": 1}},
            {"op": "update", "uuid": BOX["uuid"], "after": 3, "base_version": 1},
            {"op": "batch", "ops": "no"}, add({**NEW, "type": "hexagon"})]

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        for seq, op in enumerate(junk, start=1):
            reply = await ws.op(seq, op)
            assert reply["type"] == "reject" and reply["seq"] == seq, reply
            assert reply["kind"] in ("invalid", "rule"), reply
        assert (await ws.op(len(junk) + 1, add()))["type"] == "ack"
        await ws.close()

    run(scenario)


def test_submit_uses_the_draft_the_server_holds(task, tasker, client, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await ws.op(1, add())
        await ws.op(2, update(BOX["uuid"], 1, left=50))
        await db(client.force_login)(tasker)
        res = await db(client.post)(f"/tasks/{task.task_id}/submit", {"from_draft": True},
                                    content_type="application/json")
        assert res.status_code == 200, res.content
        status = await ws.expect("status")
        assert (status["status"], status["event"]) == ("completed", "completed")
        assert await ws.close_code() == 4410

    run(scenario)
    done = Task.objects.get(pk=task.pk)
    assert done.status == "completed"
    assert [(a["uuid"], a["left"]) for a in done.response["annotations"]] == [
        (BOX["uuid"], 50), ("new-1", 100)]


def test_an_empty_submit_body_submits_the_draft_and_its_rules_apply(task, tasker, client):
    client.force_login(tasker)
    geometry = {"left": 10, "top": 20, "height": 40}
    Annotation.objects.filter(task=task).update(geometry={**geometry, "width": 1})
    res = client.post(f"/tasks/{task.task_id}/submit", "", content_type="application/json")
    assert res.status_code == 400 and res.json()["annotation_uuid"] == BOX["uuid"]
    Annotation.objects.filter(task=task).update(geometry={**geometry, "width": 9})
    res = client.post(f"/tasks/{task.task_id}/submit", "", content_type="application/json")
    assert res.status_code == 200, res.content
    assert Task.objects.get(pk=task.pk).response["annotations"][0]["width"] == 9


def test_losing_the_lease_ends_the_editing_session(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await db(queue.release)(task, tasker)
        assert (await ws.expect("status")) == {"type": "status", "status": "lease_lost",
                                               "event": "released"}
        assert await ws.close_code() == 4410

    run(scenario)


def test_a_watcher_sees_state_changes_and_the_reloaded_draft(task, tasker, admin,
                                                              socket_for, account):
    async def scenario():
        watcher = await socket_for(admin, task_path(task)).open()
        await watcher.hello("w")
        await db(queue.release)(task, tasker)
        assert (await watcher.expect("status"))["event"] == "released"
        fresh = await db(Task.objects.get)(pk=task.pk)
        await db(lifecycle.complete_task)(fresh, {"annotations": []})
        status = await watcher.expect("status")
        assert (status["status"], status["event"]) == ("completed", "completed")
        await db(lifecycle.recall_task)(fresh)
        assert (await watcher.expect("status"))["event"] == "recall"
        welcome = await watcher.expect("welcome")
        assert welcome["role"] == "watcher" and welcome["annotations"] == []
        await watcher.close()

    run(scenario)


def test_another_tasker_sees_progress_but_not_the_task(task, django_user_model, socket_for):
    stranger = make_tasker("sam")  # a tasker of the same account

    async def scenario():
        ws = await socket_for(stranger, "/ws/progress/").open()
        assert (await ws.expect("progress"))["project"] == task.project_id
        await ws.close()
        refused = await socket_for(stranger, task_path(task)).open()
        assert await refused.close_code() == 4403

    run(scenario)


def test_unstorable_text_is_an_error_message_not_a_crash(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await ws.send_text('{"type": "op", "seq": 1, "op": {"op": "add", '
                           '"annotation": {"label": "a\\u0000b"}}}')
        reply = await ws.expect("error")
        assert "NUL" in reply["message"] or "null character" in reply["message"].lower()
        await ws.send_text('{"type": "ping", "x": NaN}')
        reply = await ws.expect("error")
        assert "JSON" in reply["message"]
        await ws.close()

    run(scenario)
