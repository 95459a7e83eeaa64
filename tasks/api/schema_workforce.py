"""The OpenAPI parts of the Teams and Studio endpoints: the shapes the official client parses
(`Teammate`, `StudioLabelerAssignment`, `StudioProjectGroup`, `StudioBatch`)."""

from __future__ import annotations

from rest_framework import serializers

from tasks.api.schema import TIME
from tasks.models import TeamRole

# --- teams ------------------------------------------------------------------------------------


class TeammateSerializer(serializers.Serializer):
    email = serializers.CharField()
    role = serializers.ChoiceField(choices=TeamRole.choices)
    firstName = serializers.CharField(required=False)  # noqa: N815 - Scale's name
    lastName = serializers.CharField(required=False)  # noqa: N815 - Scale's name
    isStudioLabeler = serializers.BooleanField(  # noqa: N815 - Scale's name
        help_text="The role is labeler.")
    expiry = serializers.CharField(
        required=False, help_text=f"Only for a pending invitation: when its link stops "
                                  f"working. {TIME}")

    class Meta:
        ref_name = "Teammate"


class TeamChangeSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.EmailField(), min_length=1)
    team_role = serializers.ChoiceField(choices=TeamRole.choices)

    class Meta:
        ref_name = "TeamChange"


# --- studio -----------------------------------------------------------------------------------

# The answer is the mapping itself (the client reads it as one).
ASSIGNMENTS = {"type": "object",
               "description": "Each member's e-mail address with the names of the projects "
                              "they are assigned to (sorted; empty when none).",
               "additionalProperties": {"type": "array", "items": {"type": "string"}}}


class AssignmentChangeSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.EmailField(), min_length=1)
    projects = serializers.ListField(child=serializers.CharField(), min_length=1)

    class Meta:
        ref_name = "StudioAssignmentChange"


class StudioWorkerSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.CharField()

    class Meta:
        ref_name = "StudioWorker"


class ProjectGroupSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    numWorkers = serializers.IntegerField()  # noqa: N815 - Scale's name
    isSingleton = serializers.BooleanField()  # noqa: N815 - Scale's name
    workers = StudioWorkerSerializer(many=True)

    class Meta:
        ref_name = "StudioProjectGroup"


class ProjectGroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField()
    emails = serializers.ListField(child=serializers.EmailField(), required=False)

    class Meta:
        ref_name = "StudioProjectGroupCreate"


class ProjectGroupUpdateSerializer(serializers.Serializer):
    add_emails = serializers.ListField(child=serializers.EmailField(), required=False)
    remove_emails = serializers.ListField(child=serializers.EmailField(), required=False)

    class Meta:
        ref_name = "StudioProjectGroupUpdate"


class StudioBatchSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    projectId = serializers.CharField()  # noqa: N815 - Scale's name
    projectName = serializers.CharField()  # noqa: N815 - Scale's name
    batchType = serializers.ChoiceField(  # noqa: N815 - Scale's name
        choices=["Production", "Calibration", "SelfLabel"])
    studioPriority = serializers.IntegerField(  # noqa: N815 - Scale's name
        allow_null=True, help_text="1 is served first; null after every numbered batch.")
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    groups = serializers.ListField(child=serializers.CharField(),
                                   help_text="The names of the groups that work the batch; "
                                             "none: every labeler of the project.")

    class Meta:
        ref_name = "StudioBatch"


class StudioBatchAssignSerializer(serializers.Serializer):
    groups = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "StudioBatchAssign"


class BatchNameSerializer(serializers.Serializer):
    name = serializers.CharField()

    class Meta:
        ref_name = "StudioBatchName"


class StudioPrioritiesSerializer(serializers.Serializer):
    batches = BatchNameSerializer(many=True, help_text="Every pending batch, first first.")

    class Meta:
        ref_name = "StudioPriorities"
