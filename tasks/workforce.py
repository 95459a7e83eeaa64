"""Who sees what: an account's workforce (docs/workforce.md).

A project is offered to a person only through a membership in its owner account: in the
tasker queue when the project names them in `Project.taskers` (any role), or names nobody and
they are a `labeler` of the account; in the review queue when they are a member of the account
and the project names them in `Project.reviewers` or names nobody. Managers and admins of an
account see its objects in the admin and may look at its tasks. Django superusers see
everything; `is_staff` alone no longer means every account.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from tasks.accounts import REVIEWERS_GROUP
from tasks.models import Membership, Project, ProjectGroup, Task, TeamRole
from tasks.query_templates import QueryTemplate

MANAGERS_GROUP = "managers"
MANAGING_ROLES = (TeamRole.MANAGER, TeamRole.ADMIN)


def accounts_of(user, roles=None) -> QuerySet:
    """The accounts `user` is a member of (with one of `roles`, when given)."""
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles:
        memberships = memberships.filter(role__in=list(roles))
    return get_user_model().objects.filter(pk__in=memberships.values("account_id"))


def account_ids(user, roles=None) -> QuerySet:
    """accounts_of as a subquery of ids."""
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles:
        memberships = memberships.filter(role__in=list(roles))
    return memberships.values("account_id")


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def managed_ids(user) -> QuerySet:
    """The accounts whose objects `user` sees in the admin (as manager or admin)."""
    return account_ids(user, MANAGING_ROLES)


def work_q(user) -> Q:
    """The projects (a filter on Project) offered to `user` in the tasker queue, live or not."""
    named = Project.taskers.through.objects.filter(project_id=OuterRef("pk"))
    return Q(owner__in=account_ids(user)) & (
        Q(Exists(named.filter(user_id=user.pk)))
        | (Q(owner__in=account_ids(user, (TeamRole.LABELER,))) & ~Q(Exists(named)))
    )


def review_q(user) -> Q:
    """The projects (a filter on Project) `user` may review, if they are a reviewer."""
    named = Project.reviewers.through.objects.filter(project_id=OuterRef("pk"))
    return Q(owner__in=account_ids(user)) & (
        Q(Exists(named.filter(user_id=user.pk))) | ~Q(Exists(named)))


def live_projects() -> QuerySet:
    return Project.objects.filter(is_test=False, archived=False)


def offered_projects(user) -> QuerySet:
    """Live projects offered to `user` in the tasker queue."""
    if sees_everything(user):
        return live_projects()
    return live_projects().filter(work_q(user))


def reviewed_projects(user) -> QuerySet:
    """Live projects `user` (a reviewer) may review."""
    if sees_everything(user):
        return live_projects()
    return live_projects().filter(review_q(user))


def open_q(user) -> Q:
    """The projects (a filter on Project) whose tasks `user` may open at all: offered to them
    for work or review, or of an account they manage."""
    reviewer = Exists(get_user_model().groups.through.objects.filter(
        user_id=user.pk, group__name=REVIEWERS_GROUP))
    return work_q(user) | Q(owner__in=managed_ids(user)) | (Q(reviewer) & review_q(user))


def may_open_q(user, prefix: str = "") -> Q | None:
    """A filter on Task: the tasks `user` may open (None: every task)."""
    if sees_everything(user):
        return None
    projects = Project.objects.filter(pk=OuterRef(f"{prefix}project_id")).filter(open_q(user))
    # A task without a project is offered as one of a project naming nobody: to the owner
    # account's labelers (and its managers).
    projectless = account_ids(user, (TeamRole.LABELER, *MANAGING_ROLES))
    return (Q(**{f"{prefix}project__isnull": False}) & Q(Exists(projects))) | Q(
        **{f"{prefix}project__isnull": True, f"{prefix}owner__in": projectless})


def openable_tasks(user, qs: QuerySet | None = None) -> QuerySet:
    """`qs` (the tasks by default) narrowed to those `user` may open."""
    qs = Task.objects.all() if qs is None else qs
    q = may_open_q(user)
    return qs if q is None else qs.filter(q)


def openable_task(user, task_id: str) -> Task | None:
    """The task `user` may open by that id (else None): openable_tasks' query, compiled once
    (tasks/query_templates.py; the submit reads it on every call)."""
    if sees_everything(user):
        return Task.objects.filter(task_id=task_id).first()
    return _OPENABLE.first((), {"user": user, "task_id": task_id})


def _openable(*, user, task_id: str) -> QuerySet:
    return openable_tasks(user).filter(task_id=task_id)[:1]


_OPENABLE: QueryTemplate[Task] = QueryTemplate(Task, _openable)


def may_open(user, task: Task) -> bool:
    """Whether `user` may open `task` at all (else: 404)."""
    if sees_everything(user):
        return True
    return openable_tasks(user, Task.objects.filter(pk=task.pk)).exists()


def served_q(user) -> Q:
    """A filter on Task: the free work `user` may be served in a project offered to them: not
    a task assigned to someone else, nor one of a batch given to groups they are not in."""
    groups = ProjectGroup.objects.filter(batches=OuterRef("batch_id"))
    return (Q(assigned_to__isnull=True) | Q(assigned_to_id=user.pk)) & (
        Q(batch__isnull=True)
        | ~Q(Exists(groups))
        | Q(Exists(groups.filter(members=user.pk)))
    )


def batch_order() -> tuple:
    """Batches in studio_priority order, those without one after."""
    return (F("batch__studio_priority").asc(nulls_last=True),)


def ensure_member(account, user, role: str = TeamRole.LABELER) -> Membership:
    """Make `user` a member of `account` (an existing membership keeps its role unless
    `role` manages); a managing role makes them staff in the managers group."""
    membership, created = Membership.objects.get_or_create(
        account=account, user=user, defaults={"role": role})
    if not created and role in MANAGING_ROLES and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if membership.role in MANAGING_ROLES:
        grant_manager(user)
    return membership


def grant_manager(user) -> None:
    """A manager signs in to the admin (is_staff), with the managers group's permissions."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    user.groups.add(group)


def accounts_label(user) -> bool:
    """Whether the queue names each project's account: the user works for more than one."""
    return Membership.objects.filter(user_id=user.pk).values("account_id").distinct().count() > 1
