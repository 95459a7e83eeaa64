from django.urls import path, re_path

from tasks.api import views_batches as batches
from tasks.api import views_exports as exports
from tasks.api import views_files as files
from tasks.api import views_model_backends as model_backends
from tasks.api import views_projects as projects
from tasks.api import views_quality as quality
from tasks.api import views_studio as studio
from tasks.api import views_tasks as tasks
from tasks.api import views_teams as teams
from tasks.api import views_video as video
from tasks.api.errors import not_found_view
from tasks.api.schema_views import docs_view, schema_view

urlpatterns = [
    path("schema/", schema_view(), name="schema"),
    path("docs/", docs_view(), name="api-docs"),
    path("tasks", tasks.TaskListView.as_view()),
    path("task/<str:key>", tasks.TaskView.as_view()),
    path("task/<str:task_id>/cancel", tasks.CancelTaskView.as_view()),
    path("task/<str:task_id>/audit", tasks.AuditTaskView.as_view()),
    path("task/<str:task_id>/unique_id", tasks.TaskUniqueIdView.as_view()),
    path("task/<str:task_id>/setMetadata", tasks.TaskMetadataView.as_view()),
    path("task/<str:task_id>/tags", tasks.TaskTagsView.as_view()),
    path("task/<str:task_id>/files/<str:name>", video.TaskFileView.as_view()),
    path("batches", batches.BatchesView.as_view()),
    path("batches/<str:name>", batches.BatchDetailView.as_view()),
    path("batches/<str:name>/finalize", batches.BatchFinalizeView.as_view()),
    path("batches/<str:name>/status", batches.BatchStatusView.as_view()),
    path("batches/<str:name>/setMetadata", batches.BatchSetMetadataView.as_view()),
    path("projects", projects.ProjectsView.as_view()),
    path("projects/<str:name>", projects.ProjectDetailView.as_view()),
    path("projects/<str:name>/setParams", projects.ProjectSetParamsView.as_view()),
    path("projects/<str:name>/setOntology", projects.ProjectSetOntologyView.as_view()),
    path("projects/<str:name>/taskTemplates", projects.ProjectTemplatesView.as_view()),
    path("projects/<str:name>/setModelBackend",
         model_backends.ProjectSetModelBackendView.as_view()),
    path("model_backends", model_backends.ModelBackendsView.as_view()),
    # Named: its larger body limit finds it by name (annotator/body_limits.py).
    path("files/upload", files.UploadFileView.as_view(), name="files-upload"),
    path("files/import", files.ImportFileView.as_view()),
    path("files/<uuid:file_id>/content", files.FileContentView.as_view()),
    path("exports/<str:fmt>", exports.ExportView.as_view()),
    path("evaluation_tasks/<str:task_type>", quality.EvaluationTaskView.as_view()),
    path("training_tasks/<str:task_type>", quality.TrainingTaskView.as_view()),
    # Teams and Studio (docs/api-decisions.md, "Teams and Studio")
    path("teams", teams.TeamsView.as_view()),
    path("teams/invite", teams.TeamsInviteView.as_view()),
    path("teams/set_role", teams.TeamsSetRoleView.as_view()),
    path("studio/assignments", studio.AssignmentsView.as_view()),
    path("studio/assignments/add", studio.AssignmentsAddView.as_view()),
    path("studio/assignments/remove", studio.AssignmentsRemoveView.as_view()),
    path("studio/projects/<str:project>/groups", studio.ProjectGroupsView.as_view()),
    path("studio/projects/<str:project>/groups/<str:group>", studio.ProjectGroupView.as_view()),
    path("studio/batches", studio.StudioBatchesView.as_view()),
    # before studio/batches/<batch>, which would take these names as batch names
    path("studio/batches/set_priorities", studio.StudioPrioritiesView.as_view()),
    path("studio/batches/reset_priorities", studio.StudioResetPrioritiesView.as_view()),
    path("studio/batches/<str:batch>", studio.StudioBatchView.as_view()),
    re_path(r"^[\s\S]*$", not_found_view),  # any path, a newline in it too
]
