from django.urls import path

from tasks.assist import views as assist_views
from tasks.workbench import (
    invite_views,
    review_actions,
    review_queue_views,
    review_views,
    training_views,
    views,
)

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("projects/<int:project_id>/start", views.start_next, name="start-next"),
    path("tasks/<str:task_id>/work/", views.work_page, name="work"),
    path("tasks/<str:task_id>/data", views.task_data, name="task-data"),
    path("tasks/<str:task_id>/image", views.task_image, name="task-image"),
    path("tasks/<str:task_id>/tiles/<int:level>/<int:x>_<int:y>.jpg", views.task_tile,
         name="task-tile"),
    path("tasks/<str:task_id>/context/<int:n>", views.task_context, name="task-context"),
    path("tasks/<str:task_id>/mask", views.task_mask, name="task-mask"),
    path("tasks/<str:task_id>/frames/<int:index>", views.task_frame, name="task-frame"),
    path("tasks/<str:task_id>/submit", views.submit_task, name="submit-task"),
    path("tasks/<str:task_id>/skip", views.skip_task, name="skip-task"),
    # a shape from a prompt on the task's image (docs/assist.md)
    path("tasks/<str:task_id>/assist", assist_views.assist, name="assist"),
    path("invite/<str:token>", invite_views.invite_page, name="invite"),
    # the quality loop (docs/quality.md)
    path("review/", review_queue_views.review_queue_page, name="review-queue"),
    path("review/projects/<int:project_id>/start", review_queue_views.start_next_review,
         name="start-next-review"),
    path("tasks/<str:task_id>/review/", review_views.review_page, name="review"),
    path("tasks/<str:task_id>/review/decide", review_actions.decide, name="review-decide"),
    path("tasks/<str:task_id>/result/", training_views.result_page, name="training-result"),
    path("tasks/<str:task_id>/result.json", training_views.result_json,
         name="training-result-json"),
]
