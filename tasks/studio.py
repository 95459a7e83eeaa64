"""Scale's Studio as this server keeps it (docs/api-decisions.md, "Teams and Studio"):
assignments are `Project.taskers` (of members of the account), project groups are
`ProjectGroup`, and a batch's groups and priority are `Batch.groups` and
`Batch.studio_priority`. The queue honours them (docs/workforce.md).

Every function works within one account and environment: the projects and batches of
`owner` with `is_test`, as the API key decides.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet

from tasks.errors import ApiError
from tasks.models import Batch, Membership, Project, ProjectGroup, Task, TaskStatus
from tasks.models.projects import BatchStatus
from tasks.teams import clean_emails, email_of, members_by_email

GROUP_NAME_MAX = 200


def names_list(value: object, field: str, *, allow_empty: bool = False) -> list[str]:
    """A list of distinct non-empty strings, in the order given."""
    if not isinstance(value, list) or (not value and not allow_empty):
        raise ApiError(400, f"{field} must be a {'' if allow_empty else 'non-empty '}"
                            f"list of names.")
    found: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ApiError(400, f"{field}[{i}] must be a non-empty string.")
        if item not in found:
            found.append(item)
    return found


def emails_or_empty(value: object, field: str) -> list[str]:
    if value is None or value == []:
        return []
    return clean_emails(value, field)


# --- assignments ----------------------------------------------------------------------------

def projects_named(owner, is_test: bool, names: list[str], field: str = "projects"):
    found = {p.name: p for p in Project.objects.filter(owner=owner, is_test=is_test,
                                                       name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ApiError(400, f"{field}: no such project in this account: "
                            f"{', '.join(missing)}.")
    return [found[n] for n in names]


def assignments(owner, is_test: bool) -> dict[str, list[str]]:
    """Every member of the account who has an address, with the names of the projects they
    are assigned to (sorted; empty when none)."""
    result: dict[str, list[str]] = {}
    members = Membership.objects.filter(account=owner).select_related("user")
    for membership in members:
        email = email_of(membership.user)
        if email:
            result[email] = []
    through = Project.taskers.through.objects.filter(
        project__owner=owner, project__is_test=is_test,
        user__memberships__account=owner).select_related("user", "project")
    for row in through:
        email = email_of(row.user)
        if email in result:
            result[email].append(row.project.name)
    return {email: sorted(names) for email, names in sorted(result.items())}


@transaction.atomic
def change_assignments(owner, is_test: bool, body: dict, *, add: bool) -> None:
    emails = clean_emails(body.get("emails"))
    names = names_list(body.get("projects"), "projects")
    people = members_by_email(owner, emails)
    for project in projects_named(owner, is_test, names):
        if add:
            project.taskers.add(*people.values())
        else:
            project.taskers.remove(*people.values())


# --- project groups -------------------------------------------------------------------------

def group_json(group: ProjectGroup) -> dict:
    workers = sorted(({"id": str(u.pk), "email": email_of(u)} for u in group.members.all()),
                     key=lambda w: (w["email"], w["id"]))
    return {"id": str(group.pk), "name": group.name, "numWorkers": len(workers),
            "isSingleton": group.is_singleton, "workers": workers}


def groups_of(project: Project) -> QuerySet:
    return project.groups.prefetch_related("members").order_by("created_at", "pk")


def _check_may_join(project: Project, owner, people: dict, field: str) -> None:
    """Group members must be members of the account and, when the project names its
    labelers, among them: a group only narrows who works a batch."""
    assigned = set(project.taskers.values_list("pk", flat=True))
    if not assigned:
        return
    outside = [e for e, p in people.items() if p.pk not in assigned]
    if outside:
        raise ApiError(400, f'{field}: not assigned to project "{project.name}": '
                            f'{", ".join(outside)} (add them with the Studio assignments '
                            f'first).')


@transaction.atomic
def create_group(project: Project, body: dict) -> ProjectGroup:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name must be a non-empty string.")
    if len(name) > GROUP_NAME_MAX:
        raise ApiError(400, f"name must be at most {GROUP_NAME_MAX} characters.")
    emails = emails_or_empty(body.get("emails"), "emails")
    people = members_by_email(project.owner, emails)
    _check_may_join(project, project.owner, people, "emails")
    if project.groups.filter(name=name).exists():
        raise ApiError(409, f'Project "{project.name}" already has a group "{name}".')
    try:
        with transaction.atomic():
            group = ProjectGroup.objects.create(project=project, name=name)
    except IntegrityError:  # made by a concurrent request
        raise ApiError(409, f'Project "{project.name}" already has a group "{name}".') \
            from None
    group.members.add(*people.values())
    return group


def get_group(project: Project, name: str) -> ProjectGroup:
    group = project.groups.filter(name=name).first()
    if group is None:
        raise ApiError(404, f'Project "{project.name}" has no group "{name}".')
    return group


@transaction.atomic
def update_group(group: ProjectGroup, body: dict) -> ProjectGroup:
    project = group.project
    add = emails_or_empty(body.get("add_emails"), "add_emails")
    remove = emails_or_empty(body.get("remove_emails"), "remove_emails")
    both = [e for e in add if e in remove]
    if both:
        raise ApiError(400, f"add_emails and remove_emails both name {', '.join(both)}.")
    adding = members_by_email(project.owner, add, "add_emails")
    _check_may_join(project, project.owner, adding, "add_emails")
    removing = members_by_email(project.owner, remove, "remove_emails")
    group.members.add(*adding.values())
    group.members.remove(*removing.values())
    return group


# --- batches --------------------------------------------------------------------------------

def pending_batches(owner, is_test: bool) -> QuerySet:
    """The batches not completed, in the order the queue serves them: `studio_priority`
    (lower first; none after), then creation."""
    return (Batch.objects.filter(owner=owner, is_test=is_test)
            .exclude(status=BatchStatus.COMPLETED)
            .select_related("project").prefetch_related("groups")
            .order_by(F("studio_priority").asc(nulls_last=True), "created_at", "pk"))


def batch_type(batch: Batch) -> str:
    if batch.calibration_batch:
        return "Calibration"
    if batch.self_label_batch:
        return "SelfLabel"
    return "Production"


def batches_json(batches: list[Batch]) -> list[dict]:
    counts = {row["batch"]: row for row in Task.objects.for_customer()
              .filter(batch__in=[b.pk for b in batches]).values("batch")
              .annotate(total=Count("pk"),
                        completed=Count("pk", filter=Q(status=TaskStatus.COMPLETED)))}
    result = []
    for batch in batches:
        row = counts.get(batch.pk, {})
        result.append({
            "id": str(batch.pk), "name": batch.name, "projectId": str(batch.project_id),
            "projectName": batch.project.name, "batchType": batch_type(batch),
            "studioPriority": batch.studio_priority,
            "total": row.get("total", 0), "completed": row.get("completed", 0),
            "groups": sorted(g.name for g in batch.groups.all()),
        })
    return result


def pending_json(owner, is_test: bool) -> list[dict]:
    return batches_json(list(pending_batches(owner, is_test)))


@transaction.atomic
def assign_groups(batch: Batch, body: dict) -> Batch:
    """The batch is worked by these groups of its project only (an empty list: by every
    labeler of the project)."""
    names = names_list(body.get("groups"), "groups", allow_empty=True)
    found = {g.name: g for g in batch.project.groups.filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ApiError(400, f'groups: project "{batch.project.name}" has no group '
                            f'{", ".join(missing)}.')
    batch.groups.set([found[n] for n in names])
    return batch


@transaction.atomic
def set_priorities(owner, is_test: bool, body: dict) -> None:
    """`batches` must name every pending batch exactly once; they get priorities 1, 2, ...
    in that order."""
    value = body.get("batches")
    if not isinstance(value, list) or not value:
        raise ApiError(400, 'batches must be a non-empty list of {"name": ...} objects.')
    names: list[str] = []
    for i, item in enumerate(value):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise ApiError(400, f'batches[{i}] must be an object with a "name".')
        if name in names:
            raise ApiError(400, f'batches[{i}]: batch "{name}" is named twice.')
        names.append(name)
    pending = {b.name: b for b in pending_batches(owner, is_test).select_for_update(of=("self",))}
    unknown = [n for n in names if n not in pending]
    if unknown:
        raise ApiError(400, f"batches: not a pending batch of this account: "
                            f"{', '.join(unknown)}.")
    left_out = sorted(set(pending) - set(names))
    if left_out:
        raise ApiError(400, f"batches must name every pending batch; missing: "
                            f"{', '.join(left_out)}.")
    for priority, name in enumerate(names, start=1):
        batch = pending[name]
        if batch.studio_priority != priority:
            batch.studio_priority = priority
            batch.save(update_fields=["studio_priority"])


def reset_priorities(owner, is_test: bool) -> None:
    Batch.objects.filter(owner=owner, is_test=is_test,
                         studio_priority__isnull=False).update(studio_priority=None)
