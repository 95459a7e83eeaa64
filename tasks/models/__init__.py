"""Models of the tasks app, one module per concept."""

from tasks.models.accounts import AccountSettings, ApiKey
from tasks.models.attempts import AttemptKind, AttemptOutcome, TaskAttempt
from tasks.models.backends import (
    BackendProtocol,
    ModelBackend,
    Prelabel,
    PrelabelStatus,
)
from tasks.models.deliveries import (
    CallbackDelivery,
    ContextAttachment,
    DeliveryEvent,
    DeliveryStatus,
)
from tasks.models.files import UploadedFile
from tasks.models.ledger import LedgerStatus, PrelabelLabelTally, PrelabelLedger
from tasks.models.projects import Batch, Project, ProjectParamVersion
from tasks.models.quality import (
    ConsensusResult,
    GoldAnswer,
    GoldKind,
    GoldPhase,
    GoldStandard,
    ProjectQuality,
    ReviewMode,
    TaskerStanding,
)
from tasks.models.reviews import (
    AnnotationVerdict,
    Issue,
    IssueComment,
    IssueStatus,
    ReviewRound,
    RoundSource,
    RoundVerdict,
)
from tasks.models.sessions import DraftOp, DraftSession
from tasks.models.tasks import Annotation, Task, TaskRole, TaskStage, TaskStatus, TaskTag
from tasks.models.video import VideoFrame
from tasks.models.workers import WorkerBeat
from tasks.models.workforce import Invitation, Membership, ProjectGroup, TeamRole

__all__ = [
    "AccountSettings",
    "Annotation",
    "AnnotationVerdict",
    "ApiKey",
    "AttemptKind",
    "AttemptOutcome",
    "BackendProtocol",
    "Batch",
    "CallbackDelivery",
    "ConsensusResult",
    "ContextAttachment",
    "DeliveryEvent",
    "DeliveryStatus",
    "DraftOp",
    "DraftSession",
    "GoldAnswer",
    "GoldKind",
    "GoldPhase",
    "GoldStandard",
    "Invitation",
    "LedgerStatus",
    "Issue",
    "IssueComment",
    "IssueStatus",
    "Membership",
    "ModelBackend",
    "Prelabel",
    "PrelabelLabelTally",
    "PrelabelLedger",
    "PrelabelStatus",
    "Project",
    "ProjectGroup",
    "ProjectParamVersion",
    "ProjectQuality",
    "ReviewMode",
    "ReviewRound",
    "RoundSource",
    "RoundVerdict",
    "Task",
    "TaskAttempt",
    "TaskRole",
    "TaskStage",
    "TaskStatus",
    "TaskTag",
    "TaskerStanding",
    "TeamRole",
    "UploadedFile",
    "VideoFrame",
    "WorkerBeat",
]
