"""Gold in the admin: "Use as gold" on accepted tasks, and the answer keys' list
(docs/quality.md).

"Use as gold" turns a completed customer task that was accepted (by an internal review,
accepted or fixed, or by the customer's audit) into an evaluation template: a hidden Task row
with the task's params whose expected response is the task's response. The template fetches
its image again, as one created through the API does, so its tiles are its own. The
`GoldStandardAdmin` lists the answer keys with their answer counts and mean scores, and turns
them on and off.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tasks import draft_extras
from tasks.admin_scoping import AccountScopedAdmin
from tasks.annotation_rows import insert_prelabels
from tasks.jobs import fetch_attachment
from tasks.models import GoldStandard, ReviewRound, Task, TaskRole, TaskStage, TaskStatus

# The columns a template takes from the task it is made from.
FROM_ORIGIN = ("owner_id", "is_test", "type", "project_id", "project_param_version",
               "instruction", "priority", "params")


def refusal(task: Task) -> str | None:
    """Why the task cannot become gold, or None."""
    if task.role != TaskRole.CUSTOMER or task.status != TaskStatus.COMPLETED:
        return "only completed customer tasks can be used as gold"
    if task.project_id is None:
        return "only a task in a project can be used as gold"
    if GoldStandard.objects.filter(origin=task, active=True).exists():
        return "it is gold already"
    if not accepted(task):
        return "it was not accepted (by a review or the customer's audit)"
    return None


def accepted(task: Task) -> bool:
    if task.customer_review_status == "accepted":
        return True
    last = (ReviewRound.objects.filter(task=task, source="internal")
            .order_by("-number").values_list("verdict", flat=True).first())
    return last in ("accepted", "fixed")


def make_gold(task: Task) -> GoldStandard:
    """An evaluation template from the accepted task, its response the expected one."""
    now = timezone.now()
    with transaction.atomic():
        template = Task(**{name: getattr(task, name) for name in FROM_ORIGIN},
                        role=TaskRole.EVALUATION, stage=TaskStage.TEMPLATE, created_at=now,
                        updated_at=now,
                        draft_extras=draft_extras.initial(task.params.get("hypothesis")))
        template.save(force_insert=True)
        insert_prelabels(template, template.params)
        standard = GoldStandard.objects.create(
            template=template, kind="evaluation", phase="work",
            expected_response=task.response, origin=task, active=True, created_at=now)
        transaction.on_commit(lambda: fetch_attachment.enqueue(template.task_id))
    return standard


@admin.action(description="Use as gold (evaluation task)")
def use_as_gold(modeladmin: admin.ModelAdmin, request: HttpRequest,
                queryset: QuerySet[Task]) -> None:
    made = 0
    for task in queryset.select_related("project"):
        problem = refusal(task)
        if problem is not None:
            modeladmin.message_user(request, f"Task {task.task_id}: {problem}.",
                                    messages.WARNING)
            continue
        make_gold(task)
        made += 1
    if made:
        modeladmin.message_user(request, f"{made} gold task{'s' if made != 1 else ''} made.",
                                messages.SUCCESS)


@admin.register(GoldStandard)
class GoldStandardAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "template__owner"
    list_display = ("template", "project", "kind", "phase", "active", "answers", "mean_score",
                    "origin", "created_at")
    list_filter = ("kind", "phase", "active", "template__project")
    list_select_related = ("template__project",)
    readonly_fields = ("template", "kind", "phase", "origin", "created_at", "expected_response",
                       "initial_response")
    fields = ("template", "kind", "phase", "active", "origin", "created_at",
              "expected_response", "initial_response")
    actions = ["activate", "deactivate"]
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[GoldStandard]:
        return super().get_queryset(request).annotate(n_answers=Count("answers"),
                                                      mean=Avg("answers__score"))

    @admin.display(description="project", ordering="template__project__name")
    def project(self, obj: GoldStandard) -> str:
        return obj.template.project.name if obj.template.project else "-"

    @admin.display(description="answers", ordering="n_answers")
    def answers(self, obj: GoldStandard) -> int:
        return obj.n_answers  # type: ignore[attr-defined]

    @admin.display(description="mean score", ordering="mean")
    def mean_score(self, obj: GoldStandard) -> str:
        mean = obj.mean  # type: ignore[attr-defined]
        return "-" if mean is None else f"{mean:.3f}"

    @admin.action(description="Activate: serve them")
    def activate(self, request: HttpRequest, queryset: QuerySet[GoldStandard]) -> None:
        self.message_user(request, f"{queryset.update(active=True)} activated.")

    @admin.action(description="Deactivate: serve them no more")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[GoldStandard]) -> None:
        self.message_user(request, f"{queryset.update(active=False)} deactivated.")


def add_to_task_admin() -> None:
    """"Use as gold" among the task admin's actions (tasks/admin.py imports this module once
    its admins are registered)."""
    task_admin = admin.site.get_model_admin(Task)
    if use_as_gold not in (task_admin.actions or ()):
        task_admin.actions = [*(task_admin.actions or ()), use_as_gold]


add_to_task_admin()
