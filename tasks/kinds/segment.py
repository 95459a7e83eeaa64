"""The segmentation kind (`segmentannotation`): one image whose every pixel gets a label's or
an instance's index (docs/segmentation.md).

Its params are checked by tasks/rules/segmentation.py; its image is fetched as an image
task's, its hypothesis mask beside it (tasks/segmentation/hypothesis.py). The draft is a base
mask and the page's operations over it (tasks/segmentation/draft.py, registered here as
draft operations); a submit is the whole mask, from which tasks/segmentation/publish.py
writes Scale's response files.

Those modules decode and encode masks with numpy, which the web server loads only once a
segmentation task is worked on, never at start-up (docs/quality.md#memory): the kind imports
them inside its methods.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from tasks import attachments, drafts, kinds, lifecycle
from tasks.errors import ApiError
from tasks.kinds.base import ExtrasValidator, Scored
from tasks.kinds.names import SEGMENT
from tasks.models import Task, TaskStatus
from tasks.models.files import SCHEME
from tasks.rules.errors import RuleError
from tasks.rules.segmentation import label_table, normalize_segment_params

if TYPE_CHECKING:
    from tasks.quality.merge import Merged
    from tasks.quality.options import QualityOptions


class SegmentKind:
    name = SEGMENT
    label = "segmentation"
    # the page starts from the hypothesis mask, which the worker stores with the image
    waits_for_media = True
    # consensus, gold and training compare masks by per-label IoU (tasks/segmentation/quality.py)
    supports_consensus = True
    has_frames = False
    # model backends answer with shapes; a mask prelabel is the hypothesis (docs/segmentation.md)
    supports_prelabels = False
    export_formats = frozenset({"scale", "coco", "masks"})
    export_refusal = ("not exported: export segmentation tasks as COCO (RLE masks), PNG mask "
                      "folders or Scale JSON lines")
    # Not "hypothesis": the page of every task reads the union of the kinds' page params, and an
    # image task's hypothesis can be megabytes. A segmentation draft's start reads its own
    # (small) hypothesis from the task when it has no stored state (tasks/segmentation/draft.py).
    page_params: tuple[str, ...] = ("labels", "allow_unlabeled", "annotation_attributes")
    draft_params: tuple[str, ...] = ("labels", "annotation_attributes")
    draft_keys: dict[str, ExtrasValidator] = {}

    def normalize_params(self, params: dict) -> dict:
        return normalize_segment_params(params)

    def test_response(self, task: Task, params: dict, *, base_url: str) -> dict:
        """The hypothesis mask published as the response (read at create: it must be an
        upload); without a hypothesis, the labels' mapping and no files."""
        from tasks.segmentation import hypothesis, masks, publish
        from tasks.segmentation.hypothesis import HypothesisFailure

        url = hypothesis.url_of(params)
        if url is None:
            return {"labelMapping": masks.label_mapping(task), "annotations": {}}
        if not url.startswith(SCHEME):
            raise ApiError(400, "hypothesis.annotations.combined.indexedImage must be a "
                                "scaledata:// upload for a test key's task, which completes "
                                "at create with its hypothesis (a URL is fetched by the "
                                "worker, which does not run test tasks)")
        try:
            mask = hypothesis.read_mask(task)
        except HypothesisFailure as exc:
            raise ApiError(400, f"hypothesis {exc.message}") from exc
        assert mask is not None
        return publish.write_files(task, mask, hypothesis.instances_of(params), base_url)

    def fetch_media(self, task: Task) -> str:
        """The hypothesis mask first (a task the tasker may claim has its base), then the
        image and context images; the mask must have the image's size."""
        from tasks.segmentation import hypothesis
        from tasks.segmentation.hypothesis import HypothesisFailure

        try:
            mask = hypothesis.store(task)
        except HypothesisFailure as exc:
            lifecycle.fail_task(task, exc.as_response())
            return "error"
        outcome = attachments.fetch_images(task)
        task.refresh_from_db(fields=["attachment_width", "attachment_height", "status"])
        try:
            hypothesis.check_size(task, mask)
        except HypothesisFailure as exc:
            lifecycle.fail_task(task, exc.as_response())
            return "error"
        return outcome

    def check_expected(self, payload: dict, params: dict, name: str, *, owner: Any,
                       is_test: bool) -> dict:
        """Scale's response shape: labelMapping and the mask as the account's upload
        (tasks/segmentation/gold.py)."""
        from tasks.segmentation import gold

        return gold.check_expected(payload, params, name, owner=owner, is_test=is_test)

    def assist_geometries(self, params: dict) -> dict[str, Any]:
        """A returned polygon fills the mask (the page makes it a seg.polygon op): polygons
        only, with the house's vertex limits (a mask task has no `geometries`)."""
        return {"polygon": {}}

    def page_data(self, task: Task, params: dict) -> dict:
        from tasks.segmentation import draft

        state = draft.current(task)
        return {"segmentation": {
            "labels": [entry.as_json() for entry in label_table(params.get("labels") or [])],
            "allow_unlabeled": bool(params.get("allow_unlabeled")),
            "base": draft.base_url(task, state),
            "ops": state["ops"],
            "instances": state["instances"],
        }}

    def check_draft_annotation(self, task: Task, wanted: dict, params: dict, *,
                               known_labels: dict[str, str | None] | None) -> dict:
        raise RuleError("", "a segmentation task's draft is a mask: send seg.* operations")

    def check_draft_globals(self, value: object, params: dict) -> dict:
        if value not in (None, {}):
            raise RuleError("global_attributes", "a segmentation task has none")
        return {}

    def check_response(self, task: Task, payload: object) -> dict:
        from tasks.segmentation import publish

        return publish.check_submit(task, payload)

    def publish_response(self, task: Task, response: dict, *, base_url: str) -> dict:
        from tasks.segmentation import publish

        return publish.publish(task, response, base_url=base_url)

    def rebuild_draft(self, task: Task, response: object) -> object:
        """The draft starts from the response's mask (tasks/segmentation/draft.py reads it
        from the sent-back response): no annotation rows."""
        return {"annotations": []}

    def response_file(self, task: Task, name: str) -> tuple[IO[bytes], str] | None:
        from tasks.segmentation import masks, publish

        if task.status != TaskStatus.COMPLETED or name not in publish.file_names(task):
            return None
        path = masks.response_name(task.task_id, name)
        if not masks.exists(path):
            return None
        return masks.open_file(path), "image/png"

    def draft_payload(self, task: Task) -> dict | None:
        """The draft's base mask as a submit (the page snapshots before a decision)."""
        from tasks.segmentation import quality

        return quality.draft_payload(task)

    def merge_answers(self, parent: Task, replicas: list[Task],
                      options: QualityOptions) -> Merged:
        """Per-pixel majority of the replicas' labels; agreement by per-label IoU."""
        from tasks.segmentation import quality

        return quality.merge_answers(parent, replicas)

    def score_answer(self, copy: Task, answer: dict, expected: dict,
                     options: QualityOptions) -> Scored:
        """The mean per-label IoU of the copy's mask and the expected one."""
        from tasks.segmentation import quality

        return quality.score_answer(copy, expected)


KIND = kinds.register(SegmentKind())


# The operations of tasks/segmentation/draft.py (`draft.OPS`), named here so that registering
# them loads no numpy (tests/segmentation checks that the two lists agree).
OP_NAMES = ("seg.stroke", "seg.polygon", "seg.fill", "seg.drop", "seg.instance", "seg.snapshot")


def _operation(name: str) -> drafts.OpHandler:
    def handle(target: drafts.Draft, op: dict, depth: int) -> None:
        if kinds.of(target.task) is not KIND:
            raise drafts.Refused("invalid", f"{op.get('op')} is an operation of segmentation "
                                            "tasks.")
        from tasks.segmentation import draft

        draft.OPS[name](target, op, depth)

    return handle


for _name in OP_NAMES:
    drafts.register_op(_name, _operation(_name))
