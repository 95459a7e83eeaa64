"""The API schema and its Swagger page, with drf_spectacular imported on their first request.

Importing `drf_spectacular.views` loads its schema generator, and with it Django's and DRF's
test modules (unittest, jinja2): ~5 MiB of every server process that never serves the schema
(docs/performance.md "Memory of the server process")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


def lazy_schema_view(name: str, **initkwargs: Any) -> Callable[..., HttpResponse]:
    """`drf_spectacular.views.<name>.as_view(**initkwargs)`, made when first called."""
    made: list[Callable[..., HttpResponse]] = []

    @csrf_exempt  # as every DRF view is
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not made:
            from drf_spectacular import views

            made.append(getattr(views, name).as_view(**initkwargs))
        return made[0](request, *args, **kwargs)

    return view


def schema_view() -> Callable[..., HttpResponse]:
    return lazy_schema_view("SpectacularAPIView", authentication_classes=[],
                            permission_classes=[])


def docs_view() -> Callable[..., HttpResponse]:
    return lazy_schema_view("SpectacularSwaggerView", url_name="schema",
                            authentication_classes=[], permission_classes=[])
