"""The worker's comparison of a submitted answer with the task's prelabels (the job
`jobs.compare_prelabels`, docs/assist.md "The prelabel ledger"). The comparison core
(tasks/prelabel_ledger/compare.py, numpy and shapely) is imported inside `compare_task`: the
web server imports this module when the app starts and must not load them
(docs/quality.md#memory)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.utils import timezone

from tasks.models import LedgerStatus, PrelabelLabelTally, PrelabelLedger
from tasks.prelabel_ledger.recording import hypothesis_prelabels

if TYPE_CHECKING:
    from tasks.prelabel_ledger.compare import Tally

Row = TypeVar("Row", PrelabelLedger, PrelabelLabelTally)
COUNTED = ("kept", "moved", "relabelled", "attributes_changed", "deleted", "added")


def compare_task(task_id: str) -> str:
    """Compare the recorded answer of `task_id` with its prelabels; store the counts, in all
    and per label, and empty the recorded answer. "compared", or "skipped" (nothing pending:
    compared already, or the task is gone)."""
    from tasks.prelabel_ledger.compare import compare, tally
    from tasks.quality.options import QualityOptions
    from tasks.quality_flow.media import image_size

    with transaction.atomic():
        ledger = (PrelabelLedger.objects.select_for_update().select_related("task")
                  .filter(task_id=task_id, status=LedgerStatus.PENDING).first())
        if ledger is None:
            return "skipped"
        options = QualityOptions(image_size=image_size(ledger.task))
        total, by_label = tally(compare(hypothesis_prelabels(ledger.task), ledger.answer,
                                        options))
        _store(ledger, total)
        ledger.status, ledger.answer, ledger.compared_at = LedgerStatus.DONE, [], timezone.now()
        ledger.save()
        ledger.labels.all().delete()
        PrelabelLabelTally.objects.bulk_create([
            _store(PrelabelLabelTally(ledger=ledger, label=label[:200]), counts)
            for label, counts in sorted(by_label.items())])
    return "compared"


def _store(row: Row, counts: Tally) -> Row:
    for name in COUNTED:
        setattr(row, name, counts.counts[name])
    row.prelabels = counts.prelabels
    row.iou_sum, row.iou_count = counts.iou_sum, counts.iou_count
    return row
