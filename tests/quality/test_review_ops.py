"""The review's draft operations, verdict and issue (tasks/quality_flow/ops.py, registered in
tasks/drafts.py): their formats, who may send them in which stage, the rows they write, and
what the ack and the watchers' remote_op carry."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tasks import drafts, presence, queue
from tasks.models import AnnotationVerdict, Issue, IssueComment, ReviewRound, TaskStage
from tests.quality.flow import (
    create,
    decide,
    hold,
    project_with,
    reviewer,
    tasker,
    work,
)
from tests.realtime.conftest import Socket, run, task_path

pytestmark = pytest.mark.django_db


class Session:
    """One editing session of `user` on `task`, its operations applied as the consumer does."""

    def __init__(self, task, user, channel: str = "chan-1") -> None:
        self.task, self.user, self.channel, self.seq = task, user, channel, 0
        opening = presence.open_session(task.task_id, user, f"s-{user.pk}", "t1", channel)
        assert opening.refused is None, opening.refused

    def op(self, op: dict) -> dict:
        self.seq += 1
        return drafts.apply_op(self.task.task_id, self.user, f"s-{self.user.pk}", self.channel,
                               self.seq, op)


def verdict(uuid: str, after: dict | None, before: dict | None = None) -> dict:
    return {"op": "verdict", "uuid": uuid, "before": before, "after": after}


def issue(uuid: str, action: str, **fields) -> dict:
    return {"op": "issue", "uuid": uuid, "action": action, **fields}


@pytest.fixture
def project(account):
    return project_with(account, review_mode="all")


@pytest.fixture
def tina(db):
    return tasker("tina")


@pytest.fixture
def rev(db):
    return reviewer("rev1")


@pytest.fixture
def review(account, project, tina, rev):
    """The reviewer's session on a task in review (five boxes b1..b5)."""
    create(account)
    task = hold(rev, work(tina, project))
    return Session(task, rev)


# --- verdicts -------------------------------------------------------------------------------

def test_a_verdict_is_stored_on_the_open_round_with_the_annotation_as_judged(review):
    ack = review.op(verdict("b1", {"verdict": "accepted"}))
    assert ack["type"] == "ack"
    assert ack["verdicts"] == {"b1": {"verdict": "accepted", "reason": "", "revised": False}}
    stored = AnnotationVerdict.objects.get(uuid="b1")
    assert stored.round == ReviewRound.objects.get(task=review.task, verdict="")
    assert stored.annotation["left"] == 60 and stored.annotation["uuid"] == "b1"
    changed = review.op(verdict("b1", {"verdict": "rejected", "reason": " too wide "},
                                before={"verdict": "accepted"}))
    assert changed["verdicts"]["b1"] == {"verdict": "rejected", "reason": "too wide",
                                         "revised": False}
    undone = review.op(verdict("b1", None, before={"verdict": "rejected"}))
    assert undone["verdicts"] == {"b1": None}
    assert not AnnotationVerdict.objects.exists()


def test_a_verdict_based_on_another_is_a_conflict(review):
    review.op(verdict("b2", {"verdict": "accepted"}))
    stale = review.op(verdict("b2", {"verdict": "rejected"}))  # before: none, but accepted
    assert (stale["type"], stale["kind"]) == ("reject", "conflict")
    assert AnnotationVerdict.objects.get(uuid="b2").verdict == "accepted"


@pytest.mark.parametrize(("op", "kind"), [
    (verdict("nope", {"verdict": "accepted"}), "conflict"),
    (verdict("b1", {"verdict": "maybe"}), "invalid"),
    (verdict("b1", {"verdict": "rejected", "reason": 5}), "invalid"),
    (verdict("", {"verdict": "accepted"}), "invalid"),
    ({"op": "verdict", "uuid": "b1", "after": "accepted"}, "invalid"),
])
def test_malformed_verdicts_are_refused(review, op, kind):
    reply = review.op(op)
    assert (reply["type"], reply["kind"]) == ("reject", kind), reply
    assert not AnnotationVerdict.objects.exists()


def test_a_batch_of_verdicts_is_all_or_nothing(review):
    reply = review.op({"op": "batch", "ops": [verdict("b1", {"verdict": "accepted"}),
                                              verdict("gone", {"verdict": "accepted"})]})
    assert reply["kind"] == "conflict" and not AnnotationVerdict.objects.exists()
    ack = review.op({"op": "batch", "ops": [verdict(u, {"verdict": "accepted"})
                                            for u in ("b1", "b2", "b3")]})
    assert sorted(ack["verdicts"]) == ["b1", "b2", "b3"]


def test_verdicts_are_given_in_review_only(account, project, tina):
    create(account)
    task = queue.claim_next(tina, project)
    reply = Session(task, tina).op(verdict("b1", {"verdict": "accepted"}))
    assert (reply["kind"], reply["reason"]) == (
        "rule", "Only a reviewer gives verdicts, in review.")


# --- issues ---------------------------------------------------------------------------------

def test_a_reviewer_pins_an_issue_with_a_comment(review, rev):
    ack = review.op(issue("i1", "open", x=12.5, y=40, annotation_uuid="b2",
                          text="The bus is a truck"))
    stored = ack["issues"]["i1"]
    assert {k: stored[k] for k in ("uuid", "x", "y", "frame", "annotation_uuid", "status")} == {
        "uuid": "i1", "x": 12.5, "y": 40.0, "frame": None, "annotation_uuid": "b2",
        "status": "open"}
    assert [(c["author"], c["text"]) for c in stored["comments"]] == [
        ("rev1", "The bus is a truck")]
    row = Issue.objects.get(uuid="i1")
    assert (row.opened_by, row.source, row.round.number) == (rev, "internal", 1)
    task_level = review.op(issue("i2", "open", text="Overall too loose"))
    assert task_level["issues"]["i2"]["x"] is None


@pytest.mark.parametrize(("op", "kind"), [
    (issue("i9", "open", x=1), "invalid"),  # x without y
    (issue("i9", "open", x=1, y=True), "invalid"),
    (issue("i9", "open", x=1, y=2, frame=-1), "invalid"),
    (issue("i9", "open", x=1, y=2, annotation_uuid="nobody"), "conflict"),
    (issue("i9", "shout"), "invalid"),
    (issue("i9", "comment", text="hello"), "conflict"),  # no such issue
    (issue("i9", "open", text=7), "invalid"),
])
def test_malformed_issue_operations_are_refused(review, op, kind):
    reply = review.op(op)
    assert (reply["type"], reply["kind"]) == ("reject", kind), reply
    assert not Issue.objects.exists()


def test_an_issue_uuid_is_used_once_per_task(review):
    review.op(issue("i1", "open", x=1, y=1))
    again = review.op(issue("i1", "open", x=2, y=2))
    assert again["kind"] == "conflict" and Issue.objects.count() == 1


def test_the_reviewer_closes_and_reopens(review, rev):
    review.op(issue("i1", "open", x=1, y=1, text="Look here"))
    closed = review.op(issue("i1", "close", text="Fine after all"))
    assert closed["issues"]["i1"]["status"] == "closed"
    assert len(closed["issues"]["i1"]["comments"]) == 2
    assert Issue.objects.get(uuid="i1").closed_by == rev
    reopened = review.op(issue("i1", "reopen"))
    assert reopened["issues"]["i1"]["status"] == "open"
    assert Issue.objects.get(uuid="i1").closed_by is None


@pytest.fixture
def rework(review, rev, tina, project):
    """The task sent back with an issue on b5 and b5 rejected; the tasker's session on it."""
    review.op(verdict("b5", {"verdict": "rejected", "reason": "not a car"}))
    review.op(issue("on-b5", "open", x=270, y=30, annotation_uuid="b5", text="Bus?"))
    review.op(issue("loose", "open", text="Boxes too loose"))
    assert decide(rev, review.task, "send_back").json()["status"] == "rework"
    task = queue.claim_next(tina, project)
    assert task.pk == review.task.pk and task.stage == TaskStage.REWORK
    return Session(task, tina, "chan-2")


def test_in_rework_the_tasker_answers_and_resolves_but_does_not_judge(rework, tina):
    answered = rework.op(issue("loose", "comment", text="Tightened them"))
    assert answered["issues"]["loose"]["comments"][-1] == {
        "author": "tina", "text": "Tightened them",
        "at": answered["issues"]["loose"]["comments"][-1]["at"]}
    resolved = rework.op(issue("loose", "resolve"))
    assert resolved["issues"]["loose"]["status"] == "resolved"
    assert Issue.objects.get(uuid="loose").resolved_by == tina
    for op in (issue("loose", "close"), issue("loose", "reopen"),
               issue("new", "open", x=1, y=1), verdict("b1", {"verdict": "accepted"})):
        reply = rework.op(op)
        assert (reply["type"], reply["kind"]) == ("reject", "rule"), op
    empty = rework.op(issue("loose", "comment", text="  "))
    assert empty["kind"] == "invalid"


def test_a_fix_of_a_rejected_annotation_revises_it_and_resolves_its_issue(rework, tina):
    ack = rework.op({"op": "update", "uuid": "b5", "after": {"label": "bus"},
                     "base_version": 1})
    assert ack["type"] == "ack"
    assert ack["verdicts"] == {"b5": {"verdict": "rejected", "reason": "not a car",
                                      "revised": True}}
    assert ack["issues"]["on-b5"]["status"] == "resolved"
    assert ack["issues"]["on-b5"]["comments"][-1]["text"] == "Resolved by a fix."
    assert Issue.objects.get(uuid="loose").status == "open"  # names no annotation
    assert IssueComment.objects.filter(issue__uuid="on-b5", author=tina).count() == 1


def test_a_closed_issue_cannot_be_resolved(rework):
    Issue.objects.filter(uuid="loose").update(status="closed")
    reply = rework.op(issue("loose", "resolve"))
    assert reply["kind"] == "rule" and "closed" in reply["reason"]


@pytest.mark.django_db(transaction=True)
def test_watchers_get_the_stored_verdict_in_the_remote_op(account, django_user_model):
    Socket.cookies = {}
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    project = project_with(account, review_mode="all")
    worker, rev = tasker("tina"), reviewer("rev1")
    boss = django_user_model.objects.create_superuser("boss", password="pw-boss-1")
    create(account)
    task = hold(rev, work(worker, project))

    async def scenario():
        editor = await Socket(rev, task_path(task)).open()
        await editor.hello()
        watcher = await Socket(boss, task_path(task)).open()
        await watcher.hello("w1", "tw")
        ack = await editor.op(1, verdict("b3", {"verdict": "rejected", "reason": "off"}))
        assert ack["verdicts"]["b3"]["verdict"] == "rejected"
        remote = await watcher.expect("remote_op")
        assert remote["op"]["op"] == "verdict"
        assert remote["verdicts"] == {"b3": {"verdict": "rejected", "reason": "off",
                                             "revised": False}}
        await editor.close()
        await watcher.close()

    run(scenario)
