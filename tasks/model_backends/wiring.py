"""Where model backends plug into the layers below them, once, when the app starts
(tasks/apps.py): the lifecycle's creation listener, the body of the worker's prelabel job and
the Assist tool's provider (docs/architecture.md). Nothing imports this module but the app's
`ready`."""

from __future__ import annotations

from tasks import jobs, lifecycle
from tasks.assist import providers
from tasks.model_backends import assist_provider, prelabel


def register() -> None:
    lifecycle.on_created(prelabel.after_create)
    jobs.register_body(jobs.prelabel_task, prelabel.run)
    providers.register(assist_provider.NAME, assist_provider.choose)
