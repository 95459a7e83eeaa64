"""WebSocket routes of the tasks app."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
