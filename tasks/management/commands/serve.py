"""`python manage.py serve`: the ASGI application under uvicorn (HTTP and WebSockets)."""

from __future__ import annotations

import os

import uvicorn
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve annotator.asgi:application with uvicorn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C stops it)")
        uvicorn.run("annotator.asgi:application", host=host, port=port, workers=workers,
                    log_level=os.environ.get("UVICORN_LOG_LEVEL", "warning"),
                    lifespan="off")
