"""The quality figures (tasks/quality_flow/metrics.py, docs/quality.md "Measured quality"),
over rows built by hand in the database and checked against values computed by hand.

The window is the 30 UTC days ending TODAY. In project P (rows outside the window or of
another kind are there to be left out):

rounds      task A: round 1 by t1, reviewed by r1, sent back  (day -2): 3 accepted, 1 rejected
                    verdicts, 3 issues pinned by r1 (+1 customer issue, not counted)
                    round 2 by t1, r1, accepted (day -1): 4 accepted verdicts
            task B: round 1 by t2, r1, fixed (day -1): 2 accepted verdicts, 1 issue
            task C: round 1 by t2, r2, accepted (day -40: outside): 5 accepted verdicts
            task D: round 1 by t1, still open (no verdict)
            task E: a customer rejection (round 1, source customer) of t2's work (day -3)
audits      task K: completed by t1, never reviewed, accepted by the customer's audit (day -2);
            task L: the same 60 days ago (outside); task A also carries an audit (left out:
            it has rounds)
consensus   G (day -5): agreement 0.6, kept 4; replicas by t1, t2, t3: per tasker
                    {0 missed, 0 extra, 0 mislabelled}, {1, 0, 1}, {0, 2, 0}
            H (day -4): agreement 0.9, kept 2; {0,0,0}, {0,0,0}, {2 missed, 0, 0}
gold        evaluation/work: t1 1.0 (day -6), t1 0.5 (day -2), t2 0.25 (day -2), t2 0.0 (day -31)
            evaluation/review: r1 0.8 (day -3); training: t2 0.6 (day -10)
attempts    work/rework submitted: t1 10 min (day -2), t1 rework 4 min (day -1), t2 6 min
            (day -1), t2 on a replica of G 12 min (day -5); left out: t2 released 100 min,
            t1 on a training copy 50 min. Reviews: r1 3 min accepted (day -2), 5 min sent
            back (day -2), 2 min fixed (day -1); left out: r2 released 30 min, r2 9 min
            accepted (day -40).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import (
    AnnotationVerdict,
    ConsensusResult,
    GoldAnswer,
    GoldStandard,
    Issue,
    Project,
    ReviewRound,
    Task,
    TaskAttempt,
    TaskerStanding,
)
from tasks.quality_flow import metrics
from tests.factories import make_project

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def at(day: int, hour: int = 10, minute: float = 0) -> dt.datetime:
    """`day` days from TODAY (0 = TODAY, -1 = yesterday), UTC."""
    date = TODAY + dt.timedelta(days=day)
    return dt.datetime(date.year, date.month, date.day, hour, tzinfo=dt.UTC) + dt.timedelta(
        minutes=minute)


def audit(day: int) -> dict:
    """A customer's audit as tasks.lifecycle.audit_task stores it."""
    return {"audited_by": "owner", "audit_result": "accepted", "audit_source": "customer",
            "audit_time_secs": 0,
            "audited_at": at(day, 9).isoformat().replace("+00:00", "Z")}


class World:
    def __init__(self, account, users) -> None:
        self.owner = account
        self.p = make_project(account, "p")
        self.q = make_project(account, "q")
        self.t1, self.t2, self.t3, self.r1, self.r2 = users

    def task(self, project=None, **fields) -> Task:
        return Task.objects.create(owner=self.owner, project=project or self.p,
                                   params={"attachment": "https://example.com/a.png"},
                                   **fields)

    def round(self, task, number, worked_by, reviewer, verdict, decided, *, source="internal",
              accepted=0, rejected=0, issues=0) -> ReviewRound:
        round_ = ReviewRound.objects.create(task=task, number=number, source=source,
                                            worked_by=worked_by, reviewer=reviewer,
                                            verdict=verdict, decided_at=decided,
                                            created_at=decided or at(-3, 9))
        AnnotationVerdict.objects.bulk_create(
            [AnnotationVerdict(round=round_, uuid=f"a{i}", verdict="accepted")
             for i in range(accepted)]
            + [AnnotationVerdict(round=round_, uuid=f"r{i}", verdict="rejected", reason="no")
               for i in range(rejected)])
        for i in range(issues):
            Issue.objects.create(task=task, uuid=f"{number}-{i}", round=round_, x=1, y=2,
                                 source="internal", opened_by=reviewer)
        return round_

    def attempt(self, task, user, kind, claimed, minutes, outcome) -> None:
        TaskAttempt.objects.create(task=task, root=task.parent or task, user=user, kind=kind,
                                   claimed_at=claimed,
                                   ended_at=claimed + dt.timedelta(minutes=minutes),
                                   outcome=outcome)

    def gold(self, user, score, day, kind="evaluation", phase="work") -> None:
        template = self.task(role=kind, stage="template")
        standard = GoldStandard.objects.create(template=template, kind=kind, phase=phase,
                                               expected_response={"annotations": []})
        copy = self.task(role=kind, parent=template, status="completed")
        GoldAnswer.objects.create(copy=copy, standard=standard, project=self.p, user=user,
                                  kind=kind, phase=phase, score=score, answered_at=at(day))

    def merge(self, day, agreement, kept, per_tasker, workers) -> Task:
        parent = self.task(stage="consensus")
        replicas = [self.task(role="replica", parent=parent, status="completed",
                              completed_by=user) for user in workers]
        ConsensusResult.objects.create(
            task=parent, replicas=[r.pk for r in replicas], agreement=agreement,
            merged_at=at(day), report={"kept": kept, "agreement": agreement,
                                       "per_tasker": [dict(zip(("missed", "extra",
                                                                "mislabelled"), c,
                                                               strict=True))
                                                      for c in per_tasker]})
        return parent


@pytest.fixture
def world(account, django_user_model) -> World:
    users = [django_user_model.objects.create_user(name)
             for name in ("t1", "t2", "t3", "r1", "r2")]
    w = World(account, users)
    t1, t2, t3, r1, r2 = users
    a, b, c, d, e = (w.task() for _ in range(5))
    a1 = w.round(a, 1, t1, r1, "sent_back", at(-2), accepted=3, rejected=1, issues=3)
    Issue.objects.create(task=a, uuid="customer", round=a1, source="customer")
    w.round(a, 2, t1, r1, "accepted", at(-1), accepted=4)
    w.round(b, 1, t2, r1, "fixed", at(-1, 11), accepted=2, issues=1)
    w.round(c, 1, t2, r2, "accepted", at(-40), accepted=5, issues=2)
    w.round(d, 1, t1, None, "", None, accepted=1)
    w.round(e, 1, t2, None, "sent_back", None, source="customer")
    a.audits = [audit(-1)]
    a.save()
    w.task(status="completed", completed_by=t1, audits=[audit(-2), audit(-1)])  # K
    w.task(status="completed", completed_by=t1, audits=[audit(-60)])  # L
    f = w.task(project=w.q)
    w.round(f, 1, t1, r2, "accepted", at(-1), accepted=1)
    g = w.merge(-5, 0.6, 4, [(0, 0, 0), (1, 0, 1), (0, 2, 0)], (t1, t2, t3))
    w.merge(-4, 0.9, 2, [(0, 0, 0), (0, 0, 0), (2, 0, 0)], (t1, t2, t3))
    w.gold(t1, 1.0, -6)
    w.gold(t1, 0.5, -2)
    w.gold(t2, 0.25, -2)
    w.gold(t2, 0.0, -31)
    w.gold(r1, 0.8, -3, phase="review")
    w.gold(t2, 0.6, -10, kind="training")
    w.attempt(a, t1, "work", at(-2, 8), 10, "submitted")
    w.attempt(a, t1, "rework", at(-1, 8), 4, "submitted")
    w.attempt(b, t2, "work", at(-1, 8), 6, "submitted")
    w.attempt(g.children.first(), t2, "work", at(-5, 8), 12, "submitted")
    w.attempt(c, t2, "work", at(-1, 12), 100, "released")
    w.attempt(w.task(role="training", status="completed"), t1, "work", at(-1, 12), 50,
              "submitted")
    w.attempt(a, r1, "review", at(-2, 9), 3, "accepted")
    w.attempt(a, r1, "review", at(-2, 13), 5, "sent_back")
    w.attempt(b, r1, "review", at(-1, 9), 2, "fixed")
    w.attempt(c, r2, "review", at(-1, 14), 30, "released")
    w.attempt(c, r2, "review", at(-40), 9, "accepted")
    return w


def figures(world: World) -> dict:
    return metrics.project_figures(world.p, days=30, today=TODAY)


def fig(value, n) -> dict:
    return {"value": None if value is None else round(value, 4), "n": n}


def by_name(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def test_project_figures_by_hand(world):
    got = figures(world)["figures"]
    assert got["acceptance_rate"] == fig(2 / 3, 3)  # A1 sent back, A2 accepted, B1 fixed
    assert got["annotation_acceptance"] == fig(9 / 10, 10)  # 3+4+2 accepted, 1 rejected
    assert got["rework_rate"] == fig(2 / 4, 4)  # A (sent back), B (no), E (customer), K (no)
    assert got["issues_per_task"] == fig(4 / 3, 3)  # 3 + 0 + 1 issues over A1, A2, B1
    assert got["consensus_agreement"] == fig(0.75, 2)  # (0.6 + 0.9) / 2
    assert got["gold_accuracy"] == fig((1.0 + 0.5 + 0.25) / 3, 3)
    assert got["review_accuracy"] == fig(0.8, 1)
    assert got["training_score"] == fig(0.6, 1)
    assert got["work_seconds_median"] == fig(8 * 60, 4)  # 4, 6, 10, 12 min: (6 + 10) / 2
    assert got["review_seconds_median"] == fig(3 * 60, 3)  # 2, 3, 5 min


def test_tasker_rows_by_hand(world):
    taskers = by_name(figures(world)["taskers"], "tasker")
    t1, t2, t3 = (taskers[name]["figures"] for name in ("t1", "t2", "t3"))
    assert t1["acceptance_rate"] == fig(1 / 2, 2) and t2["acceptance_rate"] == fig(1, 1)
    assert t1["annotation_acceptance"] == fig(7 / 8, 8)
    assert t2["annotation_acceptance"] == fig(1, 2)
    assert t1["rework_rate"] == fig(1 / 2, 2) and t2["rework_rate"] == fig(1 / 2, 2)
    assert t1["issues_per_task"] == fig(3 / 2, 2) and t2["issues_per_task"] == fig(1, 1)
    assert t1["gold_accuracy"] == fig(0.75, 2) and t2["gold_accuracy"] == fig(0.25, 1)
    assert t2["training_score"] == fig(0.6, 1)
    assert t1["work_seconds_median"] == fig(7 * 60, 2)  # 10 and 4 min
    assert t2["work_seconds_median"] == fig(9 * 60, 2)  # 6 and 12 min
    assert t3["work_seconds_median"] == fig(None, 0)


def test_tasker_consensus_agreement_by_hand(world):
    taskers = by_name(figures(world)["taskers"], "tasker")
    # 1 − (missed + mislabelled + extra) / (kept + extra), per merge, then the mean
    assert taskers["t1"]["figures"]["consensus_agreement"] == fig(1.0, 2)
    assert taskers["t2"]["figures"]["consensus_agreement"] == fig((0.5 + 1) / 2, 2)
    assert taskers["t3"]["figures"]["consensus_agreement"] == fig((4 / 6 + 0) / 2, 2)


def test_tasker_agreement_is_clipped_and_one_without_objects():
    assert metrics.tasker_agreement({"missed": 5, "extra": 0, "mislabelled": 0}, 2) == 0.0
    assert metrics.tasker_agreement({"missed": 0, "extra": 0, "mislabelled": 0}, 0) == 1.0
    assert metrics.tasker_agreement({"missed": 0, "extra": 1, "mislabelled": 1}, 3) == 0.5


def test_reviewer_rows_by_hand(world):
    reviewers = by_name(figures(world)["reviewers"], "reviewer")
    assert set(reviewers) == {"r1"}  # r2's only decision in P is outside the window
    r1 = reviewers["r1"]
    assert r1["reviews"] == 3
    assert r1["figures"]["acceptance_rate"] == fig(2 / 3, 3)
    assert r1["figures"]["issues_per_task"] == fig(4 / 3, 3)
    assert r1["figures"]["review_accuracy"] == fig(0.8, 1)
    assert r1["figures"]["review_seconds_median"] == fig(3 * 60, 3)


def test_trend_buckets_are_utc_days(world):
    trend = figures(world)["trend"]
    assert len(trend) == 30 and trend[-1]["day"] == "2026-11-30"
    assert trend[0]["day"] == "2026-11-01"
    days = {entry["day"]: entry for entry in trend}
    assert days["2026-11-28"]["acceptance_rate"] == fig(0, 1)  # A1 sent back
    assert days["2026-11-29"]["acceptance_rate"] == fig(1, 2)  # A2, B1
    assert days["2026-11-27"]["acceptance_rate"] == fig(None, 0)
    assert days["2026-11-29"]["work_seconds_median"] == fig(5 * 60, 2)  # 4 and 6 min
    assert days["2026-11-25"]["consensus_agreement"] == fig(0.6, 1)
    assert days["2026-11-27"]["rework_rate"] == fig(1, 1)  # E, made on day -3
    assert days["2026-11-28"]["rework_rate"] == fig(1 / 2, 2)  # A1 sent back; K's first audit


def test_a_row_at_midnight_belongs_to_its_utc_day(world):
    late = world.task()
    world.round(late, 1, world.t1, world.r1, "accepted", at(0, 0) - dt.timedelta(seconds=1))
    days = {entry["day"]: entry for entry in figures(world)["trend"]}
    assert days["2026-11-29"]["acceptance_rate"] == fig(1, 3)


def test_no_rows_give_null_values(account):
    empty = make_project(account, "empty")
    data = metrics.project_figures(empty, days=7, today=TODAY)
    assert set(data["figures"]) == set(metrics.PROJECT_FIGURES)
    assert all(value == {"value": None, "n": 0} for value in data["figures"].values())
    assert len(data["trend"]) == 7
    assert data["taskers"] == [] and data["reviewers"] == [] and data["gold"] == []
    assert data["stages"] == {"work": 0, "consensus": 0, "review": 0, "rework": 0}
    assert data["settings"]["review_mode"] == "off"


def test_flagged_taskers_come_first_with_their_standing(world):
    TaskerStanding.objects.create(project=world.p, user=world.t2, flagged_at=at(-1),
                                  flag_reason="gold", paused_at=at(-1))
    TaskerStanding.objects.create(project=world.p, user=world.r2, training_failed_at=at(-1))
    rows = figures(world)["taskers"]
    assert rows[0]["tasker"] == "t2"
    assert (rows[0]["flagged"], rows[0]["paused"]) == ("gold", True)
    by = by_name(rows, "tasker")
    assert by["t1"]["flagged"] is None and by["t1"]["training"] == "not_taken"
    assert by["r2"]["training"] == "failed"  # a standing alone lists a tasker
    assert by["r2"]["figures"]["acceptance_rate"] == fig(None, 0)


def test_training_state_ignores_results_before_a_retry():
    def standing(**kw) -> TaskerStanding:
        return TaskerStanding(**kw)

    assert metrics.training_state(None) == "not_taken"
    assert metrics.training_state(standing(training_passed_at=at(-2))) == "passed"
    assert metrics.training_state(standing(training_failed_at=at(-2),
                                           training_reset_at=at(-1))) == "not_taken"
    assert metrics.training_state(standing(training_failed_at=at(-2), training_reset_at=at(-3),
                                           )) == "failed"
    assert metrics.training_state(standing(training_passed_at=at(-5),
                                           training_failed_at=at(-2))) == "failed"


def test_stages_and_gold_rows(world):
    world.task(stage="review")
    world.task(stage="rework")
    world.task(stage="rework", status="completed")  # not pending: not counted
    world.task(role="replica", stage="work")  # not the customer's: not counted
    data = figures(world)
    assert data["stages"] == {"work": 5, "consensus": 2, "review": 1, "rework": 1}
    gold = data["gold"]
    assert [(row["kind"], row["phase"], row["answers"]) for row in gold] == [
        ("evaluation", "work", 1), ("evaluation", "work", 1), ("evaluation", "work", 1),
        ("evaluation", "work", 1), ("evaluation", "review", 1), ("training", "work", 1)]
    assert [row["mean_score"] for row in gold] == [1.0, 0.5, 0.25, 0.0, 0.8, 0.6]


def test_tasker_figures_across_projects(world):
    data = metrics.tasker_figures(world.t1, days=30, today=TODAY)
    assert data["tasker"] == "t1"
    assert data["figures"]["acceptance_rate"] == fig(2 / 3, 3)  # A1, A2 in P; F1 in Q
    assert data["figures"]["gold_accuracy"] == fig(0.75, 2)
    assert data["figures"]["consensus_agreement"] == fig(1.0, 2)
    assert len(data["trend"]) == 30
    projects = by_name(data["projects"], "project")
    assert projects["q"]["figures"]["acceptance_rate"] == fig(1, 1)
    assert projects["p"]["figures"]["acceptance_rate"] == fig(1 / 2, 2)
    review = metrics.tasker_figures(world.r1, days=30, today=TODAY)["review"]["figures"]
    assert review["acceptance_rate"] == fig(2 / 3, 3)
    assert review["review_seconds_median"] == fig(3 * 60, 3)


def test_overview_per_project(world):
    overview = metrics.overview(days=30, today=TODAY)
    p = overview[world.p.pk]
    assert p["acceptance_rate"].as_json() == fig(2 / 3, 3)
    assert p["gold_accuracy"].as_json() == fig((1.0 + 0.5 + 0.25) / 3, 3)
    assert overview[world.q.pk]["gold_accuracy"].as_json() == fig(None, 0)


def test_the_queries_do_not_grow_with_people_or_days(world, django_user_model):
    def count(days: int) -> int:
        project = Project.objects.get(pk=world.p.pk)
        with CaptureQueriesContext(connection) as queries:
            metrics.project_figures(project, days=days, today=TODAY)
        return len(queries)

    before = count(30)
    for name in ("u1", "u2", "u3"):
        user = django_user_model.objects.create_user(name)
        world.round(world.task(), 1, user, world.r2, "accepted", at(-7), accepted=2)
        TaskerStanding.objects.create(project=world.p, user=user, flagged_at=at(-1))
    assert count(30) == before
    assert count(90) == before
    assert before <= 36  # ~one per figure and grouping (a median: one more per day view)
