"""Models of the tasks app, one module per concept."""

from tasks.models.accounts import AccountSettings, ApiKey
from tasks.models.deliveries import (
    CallbackDelivery,
    ContextAttachment,
    DeliveryEvent,
    DeliveryStatus,
)
from tasks.models.files import UploadedFile
from tasks.models.projects import Batch, Project, ProjectParamVersion
from tasks.models.sessions import DraftOp, DraftSession
from tasks.models.tasks import Annotation, Task, TaskStatus, TaskTag
from tasks.models.video import VideoFrame
from tasks.models.workers import WorkerBeat

__all__ = [
    "AccountSettings",
    "Annotation",
    "ApiKey",
    "Batch",
    "CallbackDelivery",
    "ContextAttachment",
    "DeliveryEvent",
    "DeliveryStatus",
    "DraftOp",
    "DraftSession",
    "Project",
    "ProjectParamVersion",
    "Task",
    "TaskStatus",
    "TaskTag",
    "UploadedFile",
    "VideoFrame",
    "WorkerBeat",
]
