"""The queue: which tasks a tasker or a reviewer may take, and leases on them.

A lease is not a status: a leased task stays `pending`. Every claim goes through
`_claim_first`: the highest-priority, oldest candidate is taken with a row lock that other
claimers skip (PostgreSQL), and the lease is written by a conditional UPDATE that only a free
row passes (what guards SQLite, which has no SKIP LOCKED), so no task goes to two people. A
claim first locks the claimer's own user row, so one person's concurrent claims (two tabs, a
double click) are serialized. The order of a Start is docs/quality.md "Queue rules".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from annotator.backends.plans import plan_for_values
from tasks import kinds, lifecycle, live, workforce
from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP
from tasks.models import (
    AttemptKind,
    AttemptOutcome,
    Batch,
    DraftSession,
    Prelabel,
    PrelabelStatus,
    Project,
    Task,
    TaskAttempt,
    TaskerStanding,
    TaskRole,
    TaskStage,
    TaskStatus,
)
from tasks.quality_flow import attempts, gold, training
from tasks.quality_flow import settings as quality_settings
from tasks.query_templates import QueryTemplate

EXPIRE_BATCH = 200
# The order of every claim; a tasker's free work is ordered by stage first, and "rework"
# sorts before "work", so that rework is taken first along the index `task_stage_queue`.
CLAIM_ORDER = ("-priority", "created_at", "task_id")
WORK_STAGES = (TaskStage.REWORK, TaskStage.WORK)
assert sorted(WORK_STAGES) == [TaskStage.REWORK, TaskStage.WORK]
WORKED_ROLES = (TaskRole.CUSTOMER, TaskRole.REPLICA)


def lease_seconds() -> int:
    return int(settings.ANNOTATOR_LEASE_SECONDS)


# --- who ------------------------------------------------------------------------------------

def is_tasker(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=TASKERS_GROUP).exists()
    )


def is_reviewer(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=REVIEWERS_GROUP).exists()
    )


def is_worker(user) -> bool:
    """A tasker, a reviewer or staff: who may use the workbench's shared endpoints."""
    return user.is_authenticated and (
        user.is_staff
        or user.groups.filter(name__in=(TASKERS_GROUP, REVIEWERS_GROUP)).exists()
    )


def visible_projects(user) -> QuerySet:
    """Live projects offered to this tasker (docs/workforce.md): of an account they work for,
    naming them, or naming no tasker when they are a labeler there."""
    return workforce.offered_projects(user)


def review_projects(user) -> QuerySet:
    """Live projects this reviewer may review: of an account they work for, naming them, or
    naming no reviewer."""
    return workforce.reviewed_projects(user)


# --- what is free ---------------------------------------------------------------------------

def free_tasks(now=None, since: datetime | None = None) -> QuerySet:
    """Pending customer work nobody holds, its media stored, not held back for prelabels
    asked since `since` (hold_start(now) unless given)."""
    now = now or timezone.now()
    return Task.objects.filter(status=TaskStatus.PENDING, is_test=False).filter(
        Q(claimed_by__isnull=True) | Q(lease_expires_at__lt=now)
    ).exclude(type__in=waiting_kinds(), attachment_mime="").exclude(  # media not stored yet
        Exists(prelabelling(now, since)))


def prelabelling(now: datetime, since: datetime | None = None) -> QuerySet:
    """The prelabels being asked of a model backend (docs/assist.md, "Prelabel on create"):
    their task is held back, for at most ANNOTATOR_PRELABEL_HOLD_SECONDS."""
    return Prelabel.objects.filter(task=OuterRef("pk"), status=PrelabelStatus.QUEUED,
                                   created_at__gt=since or hold_start(now))


def hold_start(now: datetime) -> datetime:
    """Prelabels asked before this no longer hold their task back."""
    return now - timedelta(seconds=settings.ANNOTATOR_PRELABEL_HOLD_SECONDS)


def waiting_kinds() -> list[str]:
    """The task types whose tasks wait for their media before a tasker may claim them."""
    return [kind.name for kind in kinds.all_kinds() if kind.waits_for_media]


def not_reserved(now: datetime) -> Q:
    """No first refusal on the task, or its first refusal is over."""
    return Q(reserved_for__isnull=True) | Q(reserved_until__lt=now)


def work_candidates(user, project: Project, now: datetime, *,
                    prioritized: bool = False, since: datetime | None = None) -> QuerySet:
    """Step 5 of a tasker's Start: rework first, then work, batches in their Studio priority
    when the project has prioritized batches (docs/workforce.md); never a task given to
    someone else nor one of a batch given to groups this user is not in; a replica only
    while its task waits for its replicas (not canceled nor failed), and never one of a task
    this user holds or submitted another replica of (docs/quality.md "Queue rules"). (Tasks
    given to this user come first: claim_next takes them before these; the tasks this user
    skipped come after all the others: `claim_in_order`.)"""
    replica_wanted = Q(parent__status=TaskStatus.PENDING, parent__stage=TaskStage.CONSENSUS)
    order = ("stage", *workforce.batch_order(), *CLAIM_ORDER) if prioritized else (
        "stage", *CLAIM_ORDER)
    return (free_tasks(now, since).filter(project=project, role__in=WORKED_ROLES,
                                   stage__in=WORK_STAGES)
            .filter(not_reserved(now))
            .filter(Q(parent__isnull=True)
                    | (replica_wanted & ~Exists(replica_blocking(user, now))))
            .filter(workforce.served_q(user))
            .order_by(*order))


def replica_blocking(user, now: datetime) -> QuerySet:
    """The attempts of `user` that keep them from the replicas of OuterRef("parent"): one
    they hold (open, its lease running) or one that went further (submitted). A replica
    they gave back (Skip, Release) or let lapse frees them: its draft was reset, so what
    they saw of the task is all they bring, as any tasker would."""
    lapsed_hold = Q(outcome=AttemptOutcome.OPEN, task__status=TaskStatus.PENDING) & (
        Q(task__lease_expires_at__lt=now) | ~Q(task__claimed_by=user))
    return (TaskAttempt.objects.filter(user=user, root=OuterRef("parent"))
            .exclude(outcome__in=(AttemptOutcome.RELEASED, AttemptOutcome.EXPIRED))
            .exclude(lapsed_hold))


def review_candidates(user, now: datetime) -> QuerySet:
    """Step 4 of a reviewer's Start: customer tasks waiting for review that this user did not
    work on (nor on one of their replicas)."""
    worked = TaskAttempt.objects.filter(root=OuterRef("pk"), user=user,
                                        kind__in=(AttemptKind.WORK, AttemptKind.REWORK))
    return (free_tasks(now).filter(stage=TaskStage.REVIEW, role=TaskRole.CUSTOMER)
            .filter(not_reserved(now)).filter(~Exists(worked)).order_by(*CLAIM_ORDER))


def skipped_by(user) -> Exists:
    """The task was skipped (released) by `user` before: it comes after the rest of their
    queue (docs/live-sessions.md "Skip")."""
    return Exists(TaskAttempt.objects.filter(task=OuterRef("pk"), user=user,
                                             outcome=AttemptOutcome.RELEASED))


def skipped(user, task: Task) -> bool:
    return TaskAttempt.objects.filter(task=task, user=user,
                                      outcome=AttemptOutcome.RELEASED).exists()


def claim_in_order(user, candidates: QuerySet, now: datetime) -> Task | None:
    """Claim the first of `candidates` this user did not skip, else (the rest of their queue
    is empty) the first they did skip. Two claims in the index's order rather than one
    ordered by the skip, so that the usual claim still walks the queue's index."""
    return (_claim_first(user, candidates.filter(~skipped_by(user)), now)
            or _claim_first(user, candidates, now))


# --- the queue pages ------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    project: Project
    pending: int
    mine: Task | None
    paused: bool = False


def queue_rows(user) -> list[QueueRow]:
    """The tasker's queue: per project, the customer's tasks still to work on that nobody
    holds, and the task this tasker holds."""
    projects = list(visible_projects(user).select_related("owner").order_by("name"))
    now = timezone.now()
    counts = dict(
        free_to_do(projects, user, now).values_list("project").annotate(n=Count("pk"))
        .order_by()
    )
    held = {t.project_id: t for t in held_tasks(user, now).filter(project__in=projects,
                                                                  stage__in=WORK_STAGES)}
    paused = set(TaskerStanding.objects.filter(user=user, project__in=projects,
                                               paused_at__isnull=False)
                 .values_list("project_id", flat=True))
    return [QueueRow(p, counts.get(p.pk, 0), held.get(p.pk), p.pk in paused)
            for p in projects]


def free_to_do(projects, user, now: datetime) -> QuerySet:
    """The customer's tasks still to work on in `projects` that nobody holds and that are
    served to `user` (docs/workforce.md): the queue's "pending" (some may still be for others
    only: reserved rework, replicas this tasker did)."""
    return (free_tasks(now).filter(project__in=projects, role=TaskRole.CUSTOMER,
                                   stage__in=live.TO_DO_STAGES)
            .filter(workforce.served_q(user)))


def held_tasks(user, now=None) -> QuerySet:
    now = now or timezone.now()
    return Task.objects.filter(status=TaskStatus.PENDING, claimed_by=user,
                               lease_expires_at__gte=now)


def nothing_message(user, project: Project) -> str:
    """Why a tasker's Start gave nothing."""
    if TaskerStanding.objects.filter(user=user, project=project,
                                     paused_at__isnull=False).exists():
        return "Paused in this project: ask an admin."
    if (quality_settings.of(project).training_required
            and training.gate(user, project) == "failed"):
        return "Training not passed: ask an admin."
    if free_to_do([project], user, timezone.now()).exists():  # what the queue counts as pending
        return (f"Nothing you can take in {project.name} right now: the rest is being "
                "worked or waits for others.")
    return f"No pending tasks in {project.name} right now."


# --- claims ---------------------------------------------------------------------------------

def claim_next(user, project: Project) -> Task | None:
    """A tasker's Start in the project: the task they hold, else the next one, leased
    (docs/quality.md "A tasker's Start")."""
    now = timezone.now()
    with transaction.atomic():
        claimer = _lock_claimer(user, project, now, TaskStage.REWORK, WORK_STAGES)
        if claimer.paused:
            return None
        mine = claimer.mine()
        if mine is not None and holds(user, mine):
            return renew(mine, user)
        deferred = None
        if mine is not None and skipped(user, mine):
            deferred = mine  # rework reserved for them that they skipped: after the rest
        elif mine is not None:  # rework reserved for this tasker
            task = _claim_first(user, Task.objects.filter(pk=mine.pk), now)
            if task is not None:
                return task
        quality = quality_settings.of(project)
        if quality.training_required and not claimer.passed:
            gate = training.gate(user, project)
            if gate != "open":  # training tasks only, and nothing once training failed
                served = training.serve(user, project, now) if gate == "training" else None
                return _leased_copy(served, user, now)
        if quality.gold_share > 0 and random.random() < quality.gold_share:
            copy = _leased_copy(gold.serve(user, project, now), user, now)
            if copy is not None:
                return copy
        task = None
        if claimer.assigned:  # a task given to this user comes before other work
            task = _claim_work(user, project, now, claimer.prioritized, assigned_only=True)
        if task is None:
            task = _claim_work(user, project, now, claimer.prioritized, assigned_only=False)
        if task is None and deferred is not None:
            task = _claim_first(user, Task.objects.filter(pk=deferred.pk), now)
        return task


def claim_next_review(user, project: Project) -> Task | None:
    """A reviewer's Start in the project: the review they hold, else the next one, leased
    (docs/quality.md "A reviewer's Start")."""
    now = timezone.now()
    with transaction.atomic():
        mine = _lock_claimer(user, project, now, TaskStage.REVIEW, (TaskStage.REVIEW,)).mine()
        if mine is not None and holds(user, mine):
            return renew(mine, user)
        if mine is not None:  # a re-review reserved for this reviewer
            task = _claim_first(user, Task.objects.filter(pk=mine.pk), now)
            if task is not None:
                return task
        quality = quality_settings.of(project)
        if quality.gold_share > 0 and random.random() < quality.gold_share:
            copy = _leased_copy(gold.serve_review(user, project, now), user, now)
            if copy is not None:
                return copy
        return claim_in_order(user, review_candidates(user, now).filter(project=project), now)


@dataclass(frozen=True)
class Claimer:
    """What a claim reads with the claimer's row lock."""

    paused: bool  # in the project (a tasker's standing)
    passed: bool  # the project's training
    mine_id: str | None  # the task they hold, else one reserved for them
    assigned: bool = False  # a pending task of the project is given to them
    prioritized: bool = False  # a batch of the project has a Studio priority

    def mine(self) -> Task | None:
        return Task.objects.filter(pk=self.mine_id).first() if self.mine_id else None


def _lock_claimer(user, project: Project, now: datetime, reserved_stage: str,
                  held_stages: tuple[str, ...]) -> Claimer:
    """Lock the claimer's user row (their claims are serialized; other people's are not) and
    read, in the same query, their standing in the project and the task they hold there (in
    one of `held_stages`), else one reserved for them in `reserved_stage`. The query is
    compiled once per stage (tasks/query_templates.py). The claim's queries are planned for
    their values: a generic plan of the next task's query sorted every pending task of the
    project (annotator/backends/plans.py)."""
    plan_for_values()
    row = _CLAIMER.first((reserved_stage, held_stages),
                         {"user": user, "project": project, "now": now})
    return Claimer(*row) if row else Claimer(False, False, None)


def _claimer_row(reserved_stage: str, held_stages: tuple[str, ...], *, user, project: Project,
                 now: datetime) -> QuerySet:
    """_lock_claimer's query: the claimer's user row, locked, with what a claim reads."""
    standing = TaskerStanding.objects.filter(user=OuterRef("pk"), project=project)
    qs = get_user_model().objects.filter(pk=user.pk).annotate(
        paused=Exists(standing.filter(paused_at__isnull=False)),
        passed=Exists(standing.filter(training_passed_at__isnull=False)),
        mine=Subquery(_mine(user, project, now, reserved_stage, held_stages).values("pk")[:1]),
        assigned=Exists(Task.objects.filter(project=project, status=TaskStatus.PENDING,
                                            assigned_to=OuterRef("pk"))),
        prioritized=Exists(Batch.objects.filter(project=project,
                                                studio_priority__isnull=False)))
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(**_of_self())
    return qs.values_list("paused", "passed", "mine", "assigned", "prioritized")[:1]


_CLAIMER: QueryTemplate = QueryTemplate(settings.AUTH_USER_MODEL, _claimer_row)


def _mine(user, project: Project, now: datetime, reserved_stage: str,
          held_stages: tuple[str, ...]) -> QuerySet:
    """The tasks this user holds in the project (in one of `held_stages`), then those reserved
    for them in `reserved_stage`."""
    held = Q(claimed_by=user, lease_expires_at__gte=now, stage__in=held_stages)
    reserved = Q(stage=reserved_stage, reserved_for=user)
    return (Task.objects.filter(project=project, status=TaskStatus.PENDING)
            .filter(held | reserved)
            .order_by(Case(When(held, then=0), default=1), *CLAIM_ORDER))


def _claim_work(user, project: Project, now: datetime, prioritized: bool, *,
                assigned_only: bool) -> Task | None:
    """claim_in_order over work_candidates (only those given to `user` when
    `assigned_only`), each of its two queries compiled once per shape
    (tasks/query_templates.py)."""
    values = {"user": user, "project": project, "now": now, "since": hold_start(now)}
    shape = (prioritized, assigned_only, tuple(waiting_kinds()))
    return (_claim_found(user, _FIRST_WORK.first((*shape, False), values), now)
            or _claim_found(user, _FIRST_WORK.first((*shape, True), values), now))


def _first_work(prioritized: bool, assigned_only: bool, waiting: tuple[str, ...],
                skipped_too: bool, *, user, project: Project, now: datetime,
                since: datetime) -> QuerySet:
    """The first of a tasker's work candidates, locked as _claim_first locks it; `waiting`
    (waiting_kinds(), which the candidates leave out) only names the shape."""
    candidates = work_candidates(user, project, now, prioritized=prioritized, since=since)
    if assigned_only:
        candidates = candidates.filter(assigned_to=user)
    if not skipped_too:
        candidates = candidates.filter(~skipped_by(user))
    return _locking(candidates)[:1]


_FIRST_WORK: QueryTemplate[Task] = QueryTemplate(Task, _first_work)


def _locking(candidates: QuerySet) -> QuerySet:
    """`candidates` with the row lock other claimers skip (PostgreSQL)."""
    if connection.features.has_select_for_update_skip_locked:
        return candidates.select_for_update(skip_locked=True, **_of_self())
    return candidates


def _claim_first(user, candidates: QuerySet, now: datetime) -> Task | None:
    """Lease the first of `candidates` to `user` (_claim_found)."""
    return _claim_found(user, _locking(candidates).first(), now)


def _claim_found(user, task: Task | None, now: datetime) -> Task | None:
    """Lease `task`, read with select_for_update(skip_locked) on PostgreSQL, to `user` by a
    conditional lease write that 0 rows pass when someone else took the task meanwhile
    (SQLite, across processes). Writes the claim's TaskAttempt."""
    if task is None:
        return None
    lapsed_holder = task.claimed_by_id
    if not _take(task, user, now):
        return None
    if lapsed_holder is not None:  # a lapsed lease the sweeper has not seen yet
        attempts.end(task, _user(lapsed_holder), AttemptOutcome.EXPIRED, now)
    if task.role == TaskRole.REPLICA and draft_authors(task) - {user.pk}:
        # a replica is one person's independent answer: another's draft is not continued
        lifecycle.reset_draft(task)
    _record(task, user, now)
    return task


def _take(task: Task, user, now: datetime) -> bool:
    """The conditional lease write: only a row nobody holds takes it."""
    changes = {"claimed_by": user, "lease_expires_at": now + timedelta(seconds=lease_seconds()),
               "work_started": True, "work_started_at": now, "updated_at": now}
    free = Q(claimed_by__isnull=True) | Q(lease_expires_at__lt=now)
    if not Task.objects.filter(pk=task.pk).filter(free).update(**changes):
        return False
    for name, value in changes.items():
        setattr(task, name, value)
    return True


def _leased_copy(copy: Task | None, user, now: datetime) -> Task | None:
    """A gold or training copy made for this claim, leased to the claimer (unless the
    module that made it leased it already) with its attempt."""
    if copy is None:
        return None
    if not holds(user, copy) and not _take(copy, user, now):
        return None
    _record(copy, user, now)
    return copy


def _record(task: Task, user, now: datetime) -> None:
    """What follows every new claim: its attempt, a replica's parent marked started (a
    started task cannot be canceled), the live event."""
    attempts.record_claim(task, user, attempt_kind(task), now)
    if task.parent_id is not None and task.role == TaskRole.REPLICA:
        Task.objects.filter(pk=task.parent_id, work_started=False).update(work_started=True)
    live.publish_task_changed(task, "claimed")


def attempt_kind(task: Task) -> str:
    if task.stage == TaskStage.REVIEW:
        return AttemptKind.REVIEW
    if task.stage == TaskStage.REWORK:
        return AttemptKind.REWORK
    return AttemptKind.WORK


def _of_self() -> dict:
    return {"of": ("self",)} if connection.features.has_select_for_update_of else {}


def _user(pk: int):
    return get_user_model()(pk=pk)


# --- holding, renewing, giving back ---------------------------------------------------------

def holds(user, task: Task) -> bool:
    return (task.claimed_by_id == user.pk and task.status == TaskStatus.PENDING
            and task.lease_expires_at is not None and task.lease_expires_at >= timezone.now())


def renew(task: Task, user) -> Task:
    """Extend the lease of a task `user` holds (an open page does this as it goes)."""
    if holds(user, task):
        now = timezone.now()
        task.lease_expires_at = now + timedelta(seconds=lease_seconds())
        task.updated_at = now
        task.save(update_fields=["lease_expires_at", "updated_at"])
    return task


SKIP_REASON_MAX = 500


def release(task: Task, user, reason: str = "") -> bool:
    """Give a held task back to the queue (Skip, Release), with the tasker's optional
    reason (kept on their attempt, shown to managers). The draft stays: whoever takes the
    task next continues from it, and this user gets it again only once the rest of their
    queue is empty (docs/live-sessions.md "Leases"). The task keeps its stage."""
    with transaction.atomic():
        now = timezone.now()
        updated = Task.objects.filter(pk=task.pk, claimed_by=user).update(
            claimed_by=None, lease_expires_at=None, updated_at=now
        )
        if updated:
            task.refresh_from_db()
            attempts.end(task, user, AttemptOutcome.RELEASED, now,
                         reason=reason.strip()[:SKIP_REASON_MAX])
            live.publish_task_changed(task, "released")
    return bool(updated)


def draft_authors(task: Task) -> set[int]:
    """Who made the task's draft: the users whose editing sessions applied an operation
    (the sessions are forgotten when the draft is replaced)."""
    return set(DraftSession.objects.filter(task=task, last_seq__gt=0)
               .values_list("user_id", flat=True))


def draft_author_name(task: Task, user) -> str | None:
    """The name of the last other person who edited the task's draft, when `user` continues
    it (the page says "Continuing <name>'s draft"); None when it is theirs or untouched."""
    row = (DraftSession.objects.filter(task=task, last_seq__gt=0).exclude(user=user)
           .select_related("user").order_by("-last_seen").first())
    if row is None:
        return None
    return row.user.get_full_name() or row.user.get_username()


def lapsed(now=None) -> QuerySet:
    """Pending tasks whose lease ran out: no open session renewed it for the lease time."""
    return Task.objects.filter(status=TaskStatus.PENDING, claimed_by__isnull=False,
                               lease_expires_at__lt=now or timezone.now())


def expire_leases() -> int:
    """Give every task with a lapsed lease back to the queue, its draft kept (the worker's
    sweeper runs this; docs/live-sessions.md "Leases"). Returns how many went back."""
    returned = 0
    for task_id in lapsed().values_list("pk", flat=True)[:EXPIRE_BATCH]:
        returned += expire_lease(task_id)
    return returned


def expire_lease(task_id: str) -> bool:
    with transaction.atomic():
        task = lapsed().select_for_update().filter(pk=task_id).first()
        if task is None:  # renewed or claimed again meanwhile
            return False
        _end_lease(task, _user(task.claimed_by_id))
    return True


def take_back(project: Project, user) -> int:
    """A tasker paused in `project` keeps nothing there: the tasks they hold in work or rework
    go back to the queue as a lapsed lease does, their draft kept, and their open page learns
    that its lease ended (docs/quality.md "Flagging and pausing"). How many went back."""
    returned = 0
    with transaction.atomic():
        held = (Task.objects.select_for_update()
                .filter(project=project, status=TaskStatus.PENDING, claimed_by=user,
                        stage__in=WORK_STAGES))
        for task in held:
            _end_lease(task, user)
            returned += 1
    return returned


def _end_lease(task: Task, holder) -> None:
    now = timezone.now()
    attempts.end(task, holder, AttemptOutcome.EXPIRED, now)
    task.claimed_by, task.lease_expires_at = None, None
    task.updated_at = now
    task.save(update_fields=["claimed_by", "lease_expires_at", "updated_at"])
    live.publish_task_changed(task, "expired")
