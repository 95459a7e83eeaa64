"""The queue honours Studio's batch groups and priorities and a task given to a person
(docs/workforce.md, "Who sees what")."""

from __future__ import annotations

import pytest

from tasks import lifecycle, projects, queue
from tasks.models import Batch, ProjectGroup, Task
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(account):
    return make_project(account, "streets")


def batch(account, name: str, priority: int | None = None) -> Batch:
    made = projects.create_batch(owner=account, is_test=False,
                                 body={"project": "streets", "name": name})
    if priority is not None:
        Batch.objects.filter(pk=made.pk).update(studio_priority=priority)
    return made


def create(account, **extra) -> Task:
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets", **extra))


def drain(user, project) -> list[str]:
    """Every task `user` is served in turn (each released as done, so the next comes)."""
    served = []
    while (task := queue.claim_next(user, project)) is not None:
        served.append(task.task_id)
        Task.objects.filter(pk=task.pk).update(status="completed")
    return served


def test_batches_are_served_in_studio_priority_then_the_rest(account, project):
    late, first, none = batch(account, "late", 2), batch(account, "first", 1), batch(account,
                                                                                    "none")
    in_none = create(account, batch=none.name, priority=30)
    in_late = create(account, batch=late.name, priority=30)
    in_first = create(account, batch=first.name, priority=10)
    loose = create(account, priority=30)
    served = drain(make_tasker("tina", account=account), project)
    assert served[:2] == [in_first.task_id, in_late.task_id]
    assert set(served[2:]) == {in_none.task_id, loose.task_id}


def test_a_batch_given_to_groups_is_served_to_their_members_only(account, project):
    crew = ProjectGroup.objects.create(project=project, name="night crew")
    tina, otto = make_tasker("tina", account=account), make_tasker("otto", account=account)
    crew.members.add(tina)
    night = batch(account, "night")
    night.groups.add(crew)
    task = create(account, batch=night.name)
    assert queue.claim_next(otto, project) is None
    assert [row.pending for row in queue.queue_rows(otto)] == [0]
    assert [row.pending for row in queue.queue_rows(tina)] == [1]
    assert queue.claim_next(tina, project).pk == task.pk


def test_a_task_given_to_a_person_is_theirs_and_first(account, project):
    tina, otto = make_tasker("tina", account=account), make_tasker("otto", account=account)
    urgent = create(account, priority=30)
    given = create(account, priority=10)
    Task.objects.filter(pk=given.pk).update(assigned_to=tina)
    assert [row.pending for row in queue.queue_rows(otto)] == [1]
    assert queue.claim_next(otto, project).pk == urgent.pk
    assert queue.claim_next(make_tasker("ula", account=account), project) is None
    Task.objects.filter(pk=urgent.pk).update(claimed_by=None, lease_expires_at=None)
    assert queue.claim_next(tina, project).pk == given.pk  # before the more urgent task
