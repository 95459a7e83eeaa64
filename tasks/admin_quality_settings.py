"""The admin's side of the quality loop's settings: a project's quality settings (an inline
of the project's page) and each tasker's standing (docs/quality.md)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers

from tasks import kinds
from tasks.admin_scoping import AccountScopedAdmin
from tasks.models import ProjectQuality, TaskerStanding
from tasks.quality_flow import standing

NO_CONSENSUS = ("Consensus, gold and training are available for {types} tasks; this project "
                "is for {type} tasks.")


class ProjectQualityForm(forms.ModelForm):
    class Meta:
        model = ProjectQuality
        fields = ("review_mode", "review_percent", "review_first_n", "consensus_k",
                  "consensus_min_similarity", "consensus_review_below",
                  "consensus_skip_review_at", "gold_share", "gold_threshold",
                  "gold_min_answers", "gold_window", "pause_when_flagged",
                  "training_required", "training_threshold")

    def clean(self) -> dict:
        data = super().clean() or {}
        project = getattr(self.instance, "project", None)  # an inline's form has it set
        kind = kinds.find(project.type) if project is not None else None
        wants = ((data.get("consensus_k") or 1) > 1 or (data.get("gold_share") or 0) > 0
                 or data.get("training_required"))
        if kind is not None and wants and not kind.supports_consensus:
            able = sorted(k.name for k in kinds.all_kinds() if k.supports_consensus)
            raise forms.ValidationError(NO_CONSENSUS.format(types=", ".join(able),
                                                            type=kind.name))
        low, high = data.get("consensus_review_below"), data.get("consensus_skip_review_at")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("The agreement that sends a task to review must not "
                                        "be above the agreement that skips review.")
        return data


class ProjectQualityInline(admin.StackedInline):
    model = ProjectQuality
    form = ProjectQualityForm
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name = verbose_name_plural = "quality settings"
    fieldsets = (
        ("Review", {"fields": ("review_mode", "review_percent", "review_first_n")}),
        ("Consensus", {"fields": ("consensus_k", "consensus_min_similarity",
                                  "consensus_review_below", "consensus_skip_review_at")}),
        ("Gold and training", {"fields": ("gold_share", "gold_threshold", "gold_min_answers",
                                          "gold_window", "pause_when_flagged",
                                          "training_required", "training_threshold")}),
    )


@admin.register(TaskerStanding)
class TaskerStandingAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "project__owner"
    list_display = ("user", "project", "flagged_at", "flag_reason", "paused_at",
                    "training_passed_at", "training_failed_at")
    list_filter = ("flag_reason", "project")
    list_select_related = ("user", "project")
    search_fields = ("user__username", "project__name")
    readonly_fields = ("flagged_at", "flag_reason", "training_passed_at",
                       "training_failed_at")

    def save_model(self, request, obj: TaskerStanding, form, change: bool) -> None:
        was_paused = change and form.initial.get("paused_at") is not None
        newly_paused = obj.paused_at is not None and not was_paused
        super().save_model(request, obj, form, change)
        if newly_paused:  # what they hold there goes back to the queue, as the Pause button does
            standing.paused(obj.project, obj.user)


ADD_QUALITY = "Add quality settings"


class QualityInlineFormSet(helpers.InlineAdminFormSet):
    """The inline's button reads "Add quality settings": there is at most one, so Django's
    "Add another Quality settings" would say there is one already."""

    def inline_formset_data(self) -> str:
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = ADD_QUALITY
        return json.dumps(data)


def name_the_add_button(formsets: list) -> list:
    """ProjectAdmin.get_inline_formsets' result, the quality inline's button named."""
    for formset in formsets:
        if isinstance(formset.opts, ProjectQualityInline):
            formset.__class__ = QualityInlineFormSet
    return formsets
