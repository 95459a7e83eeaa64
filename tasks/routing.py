"""WebSocket routes of the tasks app (docs/live-sessions.md)."""

from django.urls import URLPattern, path

from tasks.consumers import ProgressConsumer, TaskSessionConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/tasks/<str:task_id>/", TaskSessionConsumer.as_asgi()),
    path("ws/progress/", ProgressConsumer.as_asgi()),
]
