"""The kinds protocol: everything the server does differently for one task type.

A kind is one object per task type (tasks/kinds/image.py, tasks/kinds/video.py), registered
in `tasks.kinds`; the rest of the house asks `kinds.of(task)` or `kinds.get(name)` and never
compares a type name (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tasks.models import Task
    from tasks.quality.merge import Merged
    from tasks.quality.options import QualityOptions

class Scored(Protocol):
    """A gold or training answer's score (tasks/quality/scoring.py, tasks/quality/masks.py)."""

    @property
    def score(self) -> float: ...

    def as_json(self) -> dict: ...


# A validator of one key of a draft's extras (tasks/draft_extras.py): (value, context) -> clean.
ExtrasValidator = Callable[[Any, Any], Any]


@runtime_checkable
class Kind(Protocol):
    """One task type. Attributes first, then what happens to a task of the type, in the order
    of its life: created, fetched, claimed, drafted, submitted, sent back, exported."""

    name: str  # the type as the API spells it (tasks/kinds/names.py)
    label: str  # in messages: "only video tasks have events"
    # The task may be claimed only once the worker stored its media (a video's frames).
    waits_for_media: bool
    # The worker stores its media as frames (tasks.models.VideoFrame; the admin shows them).
    has_frames: bool
    # A project's model backend may prelabel its new tasks (docs/assist.md, "Model backends").
    supports_prelabels: bool
    # Consensus, gold and training (docs/quality.md) can match and score its answers.
    supports_consensus: bool
    # Export formats (tasks/exports/) that can carry it; the others leave it out, noting why.
    export_formats: frozenset[str]
    export_refusal: str  # the note for a task left out of another format
    # Keys of `params` that page_data and the draft checks read (read by SQL, not decoded whole).
    page_params: tuple[str, ...]
    draft_params: tuple[str, ...]
    # Keys of `Task.draft_extras` this kind adds to global_attributes and links, with their
    # validators (tasks/draft_extras.py).
    draft_keys: dict[str, ExtrasValidator]

    def normalize_params(self, params: dict) -> dict:
        """The create body's params, checked and normalized; raises RuleError."""
        ...

    def test_response(self, task: Task, params: dict, *, base_url: str) -> dict:
        """What a task created with a test key completes with."""
        ...

    def fetch_media(self, task: Task) -> str:
        """Fetch and keep the task's media (the worker's job); what happened, in a word."""
        ...

    def check_expected(self, payload: dict, params: dict, name: str, *, owner: Any,
                       is_test: bool) -> dict:
        """A gold or training template's expected (or initial, `name`) response checked and
        normalized (RuleError); `owner`'s uploads are what it may name."""
        ...

    def assist_geometries(self, params: dict) -> dict[str, Any]:
        """The geometries the Assist (POST /tasks/<id>/assist, docs/assist.md) may answer
        with, each with its options (a polygon's max_vertices); `params` holds "geometries"."""
        ...

    def page_data(self, task: Task, params: dict) -> dict:
        """What the workbench's GET /data adds for this kind; `params` holds page_params."""
        ...

    def check_draft_annotation(self, task: Task, wanted: dict, params: dict, *,
                               known_labels: dict[str, str | None] | None) -> dict:
        """One annotation of a draft operation, checked as a hypothesis's; RuleError."""
        ...

    def check_draft_globals(self, value: object, params: dict) -> dict:
        """The draft's global attributes, checked (all but `required`); RuleError."""
        ...

    def check_response(self, task: Task, payload: object) -> dict:
        """A tasker's submitted response, checked (the locks are checked after); RuleError."""
        ...

    def publish_response(self, task: Task, response: dict, *, base_url: str) -> dict:
        """The task's stored response for a checked one (a video's points at files)."""
        ...

    def rebuild_draft(self, task: Task, response: object) -> object:
        """The response a draft starts from when the task is sent back with `response`."""
        ...

    def response_file(self, task: Task, name: str) -> tuple[IO[bytes], str] | None:
        """A file the task's response points at (GET /v1/task/<id>/files/<name>), open for
        reading, with its content type; None when there is no such file."""
        ...

    # --- the quality loop (docs/quality.md): only called when supports_consensus ---------

    def draft_payload(self, task: Task) -> dict | None:
        """The submit the server's draft stands for when a reviewer decides on it, when the
        draft is not annotation rows (a mask); None: the rows (tasks/submission.py)."""
        ...

    def merge_answers(self, parent: Task, replicas: list[Task],
                      options: QualityOptions) -> Merged:
        """The replicas' answers merged (submission order): a response as a submit's check
        returns it, and the agreement report (tasks/quality_flow/merging.py)."""
        ...

    def score_answer(self, copy: Task, answer: dict, expected: dict,
                     options: QualityOptions) -> Scored:
        """A gold or training copy's answer scored against the expected response."""
        ...
