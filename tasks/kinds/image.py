"""The image kind (`imageannotation`): one image, with context images, annotated once.

Its media is fetched by tasks/attachments.py; its params, responses and draft annotations are
checked by the image rules (tasks/rules/params.py, tasks/rules/annotations.py).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from tasks import attachments, kinds
from tasks.kinds import shape_quality
from tasks.kinds.base import ExtrasValidator, Scored
from tasks.kinds.names import IMAGE
from tasks.models import Task
from tasks.rules.annotations import validate_annotations, validate_response
from tasks.rules.attributes import validate_attribute_values
from tasks.rules.params import normalize_image_params

if TYPE_CHECKING:
    from tasks.quality.merge import Merged
    from tasks.quality.options import QualityOptions


class ImageKind:
    name = IMAGE
    label = "image"
    waits_for_media = False  # before its copy is stored the workbench loads the original
    supports_prelabels = True  # a model backend may prelabel it (docs/assist.md)
    supports_consensus = True  # consensus, gold and training tasks (docs/quality.md)
    has_frames = False
    export_formats = frozenset({"scale", "coco", "yolo", "voc"})
    export_refusal = "not exported"
    page_params: tuple[str, ...] = ("padding", "paddingX", "paddingY", "context_attachments")
    draft_params: tuple[str, ...] = ()
    draft_keys: dict[str, ExtrasValidator] = {}

    def normalize_params(self, params: dict) -> dict:
        return normalize_image_params(params)

    def test_response(self, task: Task, params: dict, *, base_url: str) -> dict:
        """Its hypothesis, or nothing."""
        hypothesis = params.get("hypothesis") or {}
        response: dict = {"annotations": hypothesis.get("annotations", [])}
        if "global_attributes" in hypothesis or _has_global_attributes(params):
            response["global_attributes"] = hypothesis.get("global_attributes", {})
        if params.get("links") or "links" in hypothesis:
            response["links"] = hypothesis.get("links", [])
        return response

    def fetch_media(self, task: Task) -> str:
        return attachments.fetch_images(task)

    def check_expected(self, payload: dict, params: dict, name: str, *, owner: Any,
                       is_test: bool) -> dict:
        return shape_quality.check_expected(payload, params, name)

    def assist_geometries(self, params: dict) -> dict[str, Any]:
        geometries = params.get("geometries")
        return geometries if isinstance(geometries, dict) else {}

    def page_data(self, task: Task, params: dict) -> dict:
        return {}

    def check_draft_annotation(self, task: Task, wanted: dict, params: dict, *,
                               known_labels: dict[str, str | None] | None) -> dict:
        (clean,) = validate_annotations([wanted], params, path="", kind="draft",
                                        known_labels=known_labels)
        return clean

    def check_draft_globals(self, value: object, params: dict) -> dict:
        return validate_attribute_values(
            value, params.get("annotation_attributes") or {}, label=None, uuid_labels={},
            own_uuid=None, path="global_attributes", is_global=True, check_required=False)

    def check_response(self, task: Task, payload: object) -> dict:
        return validate_response(payload, task.params)

    def publish_response(self, task: Task, response: dict, *, base_url: str) -> dict:
        return response

    def rebuild_draft(self, task: Task, response: object) -> object:
        return response

    def response_file(self, task: Task, name: str) -> tuple[IO[bytes], str] | None:
        return None  # its response holds its annotations

    def draft_payload(self, task: Task) -> dict | None:
        return None  # its draft is its annotation rows

    def merge_answers(self, parent: Task, replicas: list[Task],
                      options: QualityOptions) -> Merged:
        return shape_quality.merge_answers(parent, replicas, options)

    def score_answer(self, copy: Task, answer: dict, expected: dict,
                     options: QualityOptions) -> Scored:
        return shape_quality.score_answer(answer, expected, options)


def _has_global_attributes(params: dict) -> bool:
    attrs = params.get("annotation_attributes") or {}
    return any((d.get("conditions") or {}).get("is_global") for d in attrs.values())


KIND = kinds.register(ImageKind())
