"""Where the quality loop plugs into the layers below it, once, when the app starts
(tasks/apps.py): the lifecycle's listeners and the bodies of the worker's quality jobs
(docs/architecture.md). Nothing imports this module but the app's `ready`."""

from __future__ import annotations

from tasks import jobs, queue
from tasks.quality_flow import answers, merging, stages, standing


def register() -> None:
    stages.register()
    jobs.register_body(jobs.merge_consensus, merging.merge_parent)
    jobs.register_body(jobs.score_answer, answers.score_copy)
    standing.on_paused(queue.take_back)
