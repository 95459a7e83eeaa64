"""The admin's quality pages: per project and per tasker, the figures of docs/quality.md,
with pause, unpause and retry-training buttons. Mounted by `annotator/urls.py` at
/admin/quality/ beside the daily view (tasks/admin_stats.py)."""

from __future__ import annotations

from django.urls import path

from tasks.workbench.not_built import reading

urlpatterns = [
    path("projects/<int:pk>/", reading, name="admin-quality-project"),
    path("projects/<int:pk>.json", reading, name="admin-quality-project-json"),
    path("taskers/<int:user_id>/", reading, name="admin-quality-tasker"),
    path("taskers/<int:user_id>.json", reading, name="admin-quality-tasker-json"),
]
