"""The OpenAPI document's parts: the objects of the contract as components, the API-key
security scheme, and the error answers every operation can give. The generator's own classes
are in tasks/api/schema_generator.py, loaded only when the schema is made.

The serializers here only describe JSON (the views build their answers in tasks.presenters and
validate input in tasks.rules); `tests/security/test_sec_schemathesis.py` checks that the
answers match them.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from tasks import kinds
from tasks.models import TaskStatus
from tasks.models.projects import BatchStatus

TIME = "ISO 8601 UTC with milliseconds, e.g. 2021-06-17T21:46:36.359Z"


def any_object(**kwargs) -> serializers.DictField:
    return serializers.DictField(child=serializers.JSONField(), **kwargs)


# --- errors -----------------------------------------------------------------------------------

class ErrorSerializer(serializers.Serializer):
    status_code = serializers.IntegerField(help_text="The HTTP status again.")
    error = serializers.CharField(help_text="What went wrong, naming the offending field.")

    class Meta:
        ref_name = "Error"


# What every operation may answer besides its success: (status, when).
COMMON_ERRORS = {
    400: "The request is invalid: the message names the offending field or parameter.",
    401: "No API key, or not a valid one.",
    404: "No such object in this key's account and environment.",
    405: "The path does not take this method.",
    413: "The request body is larger than ANNOTATOR_MAX_BODY_BYTES (uploads: "
         "ANNOTATOR_MAX_UPLOAD_BYTES).",
    429: "This API key is past its rate (ANNOTATOR_API_RATE); Retry-After says when to "
         "try again.",
}
BODY_ERRORS = {
    409: "The object conflicts with an existing one (a unique_id, name or reference_id).",
    415: "The Content-Type of the body is not accepted by this operation.",
}


# --- tasks ------------------------------------------------------------------------------------

class QualityReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["pending", "accepted", "fixed", "not_sampled", "skipped_agreement"],
        help_text="pending while in review or rework (after a customer's rejection too); "
                  "fixed: accepted with the reviewer's changes; not_sampled: this completion "
                  "was not reviewed (not sampled, or review turned off meanwhile); "
                  "skipped_agreement: the consensus was high enough to skip it.")
    rounds = serializers.IntegerField(help_text="Internal review rounds so far.")
    sent_back = serializers.IntegerField(help_text="How many of them sent the task back.")
    annotations = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="The last decided round's verdicts: {accepted, rejected}.")
    issues = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="The reviewers' issues: {open, resolved, closed}.")
    reviewed_at = serializers.CharField(required=False, help_text=TIME)

    class Meta:
        ref_name = "TaskQualityReview"


class QualityConsensusSerializer(serializers.Serializer):
    taskers = serializers.IntegerField(help_text="How many taskers annotated the task.")
    agreement = serializers.FloatField(help_text="The task's agreement, 0 to 1.")
    kept = serializers.IntegerField(help_text="Merged objects the delivered response holds.")
    dropped = serializers.IntegerField(help_text="Objects fewer than half the taskers drew.")
    objects = serializers.DictField(child=serializers.FloatField(),
                                    help_text="The merge's agreement of each object of "
                                              "`kept`, by uuid.")

    class Meta:
        ref_name = "TaskQualityConsensus"


class QualitySerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=["work", "consensus", "review", "rework",
                                             "completed"])
    review = QualityReviewSerializer(required=False)
    consensus = QualityConsensusSerializer(required=False)

    class Meta:
        ref_name = "TaskQuality"


class TaskSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text="24 lowercase hex characters.")
    created_at = serializers.CharField(help_text=TIME)
    updated_at = serializers.CharField(help_text=TIME)
    completed_at = serializers.CharField(required=False, help_text=TIME)
    type = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    instruction = serializers.CharField(allow_blank=True)
    is_test = serializers.BooleanField()
    urgency = serializers.CharField()
    metadata = any_object()
    project = serializers.CharField(allow_null=True)
    batch = serializers.CharField(required=False)
    callback_url = serializers.CharField(allow_blank=True)
    work_started = serializers.BooleanField()
    params = any_object(help_text="The task's params, with every default filled in.")
    priority = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())
    audits = serializers.ListField(child=any_object())
    processed_attachments = serializers.ListField(child=serializers.JSONField())
    project_param_version = serializers.IntegerField(required=False)
    unique_id = serializers.CharField(required=False)
    response = any_object(required=False, help_text="Present once the task has a response.")
    callback_succeeded = serializers.BooleanField(required=False)
    customer_review_status = serializers.CharField(required=False)
    quality = QualitySerializer(
        required=False,
        help_text="Only for a task that went through an internal quality step (review, "
                  "consensus): docs/api-decisions.md. No worker is named.")
    attachment_url = serializers.CharField(
        required=False, help_text="Only with include_attachment_url=true.")

    class Meta:
        ref_name = "Task"


class LimitedTaskSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    metadata = any_object()
    project = serializers.CharField(allow_null=True)
    otherVersion = serializers.JSONField(allow_null=True)  # noqa: N815 - Scale's name

    class Meta:
        ref_name = "LimitedTask"


TaskListItem = PolymorphicProxySerializer(
    component_name="TaskListItem",
    serializers=[TaskSerializer, LimitedTaskSerializer],
    resource_type_field_name=None,
)


class TaskListSerializer(serializers.Serializer):
    docs = serializers.ListField(child=TaskListItem)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    has_more = serializers.BooleanField()
    next_token = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "TaskList"


class TaskCreateSerializer(serializers.Serializer):
    """The create body of an image task (docs/api-decisions.md); unknown keys are kept in
    params."""

    attachment = serializers.CharField(required=False, help_text="http(s) or scaledata:// URL")
    attachment_type = serializers.CharField(required=False)
    geometries = any_object(required=False)
    annotation_attributes = any_object(required=False)
    links = any_object(required=False)
    hypothesis = any_object(required=False)
    base_annotations = any_object(required=False)
    context_attachments = serializers.ListField(child=any_object(), required=False)
    layers = any_object(required=False)
    instruction = serializers.CharField(required=False, allow_blank=True)
    callback_url = serializers.CharField(required=False)
    metadata = any_object(required=False)
    priority = serializers.IntegerField(required=False)
    unique_id = serializers.CharField(required=False)
    clear_unique_id_on_error = serializers.BooleanField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    project = serializers.CharField(required=False)
    batch = serializers.CharField(required=False)
    project_version = serializers.IntegerField(required=False)

    class Meta:
        ref_name = "TaskCreate"


class AuditSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    comments = serializers.CharField(required=False)

    class Meta:
        ref_name = "Audit"


class UniqueIdSerializer(serializers.Serializer):
    unique_id = serializers.CharField()

    class Meta:
        ref_name = "UniqueId"


TAGS_BODY = {"application/json": {"type": "array", "items": {"type": "string"}}}
METADATA_BODY = {"application/json": {"type": "object", "additionalProperties": {}}}


# --- projects ---------------------------------------------------------------------------------

class ParamVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.CharField(help_text=TIME)

    class Meta:
        ref_name = "ProjectParamVersion"


class ProjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    created_at = serializers.CharField(help_text=TIME)
    archived = serializers.BooleanField()
    param_history = serializers.ListField(
        child=ParamVersionSerializer(),
        help_text="Every version of the params, oldest first; each carries its params' keys.")

    class Meta:
        ref_name = "Project"


class ProjectCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=kinds.names())
    name = serializers.CharField()
    params = any_object(required=False)
    rapid = serializers.BooleanField(required=False)
    studio = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "ProjectCreate"


class OntologySerializer(serializers.Serializer):
    ontology = serializers.ListField(child=serializers.JSONField())
    name = serializers.CharField(required=False)

    class Meta:
        ref_name = "Ontology"


class OntologyResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    ontology = serializers.ListField(child=serializers.JSONField())
    ontology_versions = serializers.IntegerField()

    class Meta:
        ref_name = "OntologyResult"


# --- batches ----------------------------------------------------------------------------------

class BatchSerializer(serializers.Serializer):
    name = serializers.CharField()
    project = serializers.CharField()
    status = serializers.ChoiceField(choices=BatchStatus.choices)
    callback = serializers.CharField(allow_blank=True)
    created_at = serializers.CharField(help_text=TIME)
    completed_at = serializers.CharField(required=False, help_text=TIME)
    metadata = any_object()
    calibration_batch = serializers.BooleanField()
    self_label_batch = serializers.BooleanField()

    class Meta:
        ref_name = "Batch"


class BatchListSerializer(serializers.Serializer):
    docs = serializers.ListField(child=BatchSerializer())
    totalDocs = serializers.IntegerField()  # noqa: N815 - Scale's name
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    has_more = serializers.BooleanField()

    class Meta:
        ref_name = "BatchList"


class BatchCreateSerializer(serializers.Serializer):
    name = serializers.CharField()
    project = serializers.CharField()
    callback = serializers.CharField(required=False)
    metadata = any_object(required=False)
    calibration_batch = serializers.BooleanField(required=False)
    self_label_batch = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "BatchCreate"


class BatchCountsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BatchStatus.choices)
    pending = serializers.IntegerField()
    completed = serializers.IntegerField()
    error = serializers.IntegerField()
    canceled = serializers.IntegerField()

    class Meta:
        ref_name = "BatchCounts"


# --- files ------------------------------------------------------------------------------------

class FileSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    attachment_url = serializers.CharField(help_text="scaledata://<account id>/<file id>")
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    display_name = serializers.CharField(allow_blank=True)
    reference_id = serializers.CharField(allow_null=True)
    metadata = any_object()
    project_names = serializers.ListField(child=serializers.CharField())
    created_at = serializers.CharField(help_text=TIME)
    updated_at = serializers.CharField(help_text=TIME)

    class Meta:
        ref_name = "File"


class FileImportSerializer(serializers.Serializer):
    file_url = serializers.CharField()
    display_name = serializers.CharField(required=False)
    project_name = serializers.CharField(required=False)
    reference_id = serializers.CharField(required=False)
    metadata = any_object(required=False)

    class Meta:
        ref_name = "FileImport"


UPLOAD_BODY = {"multipart/form-data": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "display_name": {"type": "string"},
                   "project_name": {"type": "string"},
                   "reference_id": {"type": "string"},
                   "metadata": {"type": "string",
                                "description": "A JSON-encoded object."}}}}
