"""A project's quality settings as one frozen value, the defaults when it has none."""

from __future__ import annotations

from dataclasses import dataclass, fields

from tasks.models import Project, ProjectQuality, ReviewMode


@dataclass(frozen=True)
class QualitySettings:
    """The columns of `ProjectQuality` (docs/quality.md); the defaults are "off"."""

    review_mode: str = ReviewMode.OFF
    review_percent: int = 100
    review_first_n: int = 0
    consensus_k: int = 1
    consensus_min_similarity: float = 0.5
    consensus_review_below: float | None = None
    consensus_skip_review_at: float | None = None
    gold_share: float = 0.0
    gold_threshold: float = 0.8
    gold_min_answers: int = 5
    gold_window: int = 20
    pause_when_flagged: bool = False
    training_required: bool = False
    training_threshold: float = 0.8

    @property
    def review_on(self) -> bool:
        return self.review_mode != ReviewMode.OFF

    @property
    def consensus_on(self) -> bool:
        return self.consensus_k > 1

    def as_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULTS = QualitySettings()


def of(project: Project | None) -> QualitySettings:
    """The project's settings; the defaults for no project or a project without a row. Read
    with `select_related("project__quality")` where a hot path has the project at hand."""
    if project is None:
        return DEFAULTS
    try:
        row = project.quality
    except ProjectQuality.DoesNotExist:
        return DEFAULTS
    return QualitySettings(**{f.name: getattr(row, f.name) for f in fields(QualitySettings)})
