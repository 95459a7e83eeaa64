"""Where the prelabel ledger plugs into the layers below it, once, when the app starts
(tasks/apps.py): the lifecycle's submit listener and the body of the worker's comparison job
(docs/architecture.md)."""

from __future__ import annotations

from tasks import jobs, lifecycle
from tasks.prelabel_ledger import job, recording


def register() -> None:
    lifecycle.on_submitted(recording.after_submit)
    jobs.register_body(jobs.compare_prelabels, job.compare_task)
