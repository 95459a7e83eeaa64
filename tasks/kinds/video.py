"""The video kind (`videoannotation`): frames annotated with tracks, and events on a timeline.

Its frames are fetched or decoded by tasks/video_frames.py, the workbench reads them through
tasks/video_page.py, and its response points at the files of tasks/video_response.py. Its
draft has one more key beside global attributes and links: "events".
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from tasks import draft_extras, kinds, video_frames, video_page, video_response
from tasks.kinds import shape_quality
from tasks.kinds.base import ExtrasValidator, Scored
from tasks.kinds.names import VIDEO
from tasks.models import Task
from tasks.rules.events import validate_events, validate_task_globals
from tasks.rules.video import normalize_video_params

if TYPE_CHECKING:
    from tasks.quality.merge import Merged
    from tasks.quality.options import QualityOptions


def events(value: Any, context: draft_extras.ExtrasContext) -> list[dict]:
    """A video task's events (tasks/rules/events.py): labels from events_to_annotate, their
    attributes (`required` waits for the submit); their frames are checked against the task's
    frame count at the submit."""
    return validate_events(value, context.params, None, "events")


class VideoKind:
    name = VIDEO
    label = "video"
    waits_for_media = True  # the page needs the frames stored
    supports_prelabels = False
    supports_consensus = False  # consensus, gold and training tasks (docs/quality.md)
    has_frames = True
    export_formats = frozenset({"scale"})
    export_refusal = ("not exported: export video tasks as Scale JSON lines (their response "
                      "links the per-frame annotations file)")
    page_params: tuple[str, ...] = ("events_to_annotate",)
    draft_params: tuple[str, ...] = ("events_to_annotate",)
    draft_keys: dict[str, ExtrasValidator] = {"events": events}

    def normalize_params(self, params: dict) -> dict:
        return normalize_video_params(params)

    def test_response(self, task: Task, params: dict, *, base_url: str) -> dict:
        return video_response.test_response(task, params, base=base_url)

    def fetch_media(self, task: Task) -> str:
        return video_frames.fetch_frames(task)

    def check_expected(self, payload: dict, params: dict, name: str, *, owner: Any,
                       is_test: bool) -> dict:
        return shape_quality.check_expected(payload, params, name)

    def assist_geometries(self, params: dict) -> dict[str, Any]:
        geometries = params.get("geometries")
        return geometries if isinstance(geometries, dict) else {}

    def page_data(self, task: Task, params: dict) -> dict:
        return {"video": video_page.video_data(task, params)}

    def check_draft_annotation(self, task: Task, wanted: dict, params: dict, *,
                               known_labels: dict[str, str | None] | None) -> dict:
        """A track (tasks/rules/video.py)."""
        return video_response.check_draft_track(
            wanted, params, frame_count=video_response.stored_frame_count(task),
            known_labels=known_labels)

    def check_draft_globals(self, value: object, params: dict) -> dict:
        # without the event attributes (tasks/rules/events.py)
        return validate_task_globals(value, params, path="global_attributes",
                                     check_required=False)

    def check_response(self, task: Task, payload: object) -> dict:
        return video_response.check_response(task, payload)

    def publish_response(self, task: Task, response: dict, *, base_url: str) -> dict:
        return video_response.publish(task, response, base=base_url)

    def rebuild_draft(self, task: Task, response: object) -> object:
        """Its response points at files: the draft starts from their tracks and events."""
        return video_response.as_draft(task, response)

    def response_file(self, task: Task, name: str) -> tuple[IO[bytes], str] | None:
        handle = video_response.open_file(task, name)
        return None if handle is None else (handle, "application/json")

    def draft_payload(self, task: Task) -> dict | None:
        return None  # its draft is its annotation rows

    def merge_answers(self, parent: Task, replicas: list[Task],
                      options: QualityOptions) -> Merged:
        return shape_quality.merge_answers(parent, replicas, options)

    def score_answer(self, copy: Task, answer: dict, expected: dict,
                     options: QualityOptions) -> Scored:
        return shape_quality.score_answer(answer, expected, options)


KIND = kinds.register(VideoKind())
