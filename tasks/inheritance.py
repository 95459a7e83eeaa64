"""Project params: their validation, and what a task inherits from them."""

from __future__ import annotations

from tasks.errors import ApiError
from tasks.models import Project, ProjectParamVersion
from tasks.row_reads import RowRead
from tasks.rules.errors import RuleError
from tasks.rules.labels import LabelTree
from tasks.rules.params import TASK_FIELDS, normalize_image_params, validate_task_fields

# Task fields a project may set for its tasks; the rest name a task's own container or identity.
INHERITED_FIELDS = {"callback_url", "metadata", "priority", "clear_unique_id_on_error"}
# Stands in for the attachment when project params are checked: a project has no image.
PLACEHOLDER_ATTACHMENT = "https://project-params.invalid/attachment"


# Every create into a project reads this; its SQL written once (tasks/row_reads.py).
_LATEST_VERSION = RowRead(ProjectParamVersion, ["project"], order_by="-version")


def check_project_params(params: dict) -> None:
    fields = {k: v for k, v in params.items() if k in TASK_FIELDS}
    rest = {k: v for k, v in params.items() if k not in TASK_FIELDS}
    try:
        validate_task_fields(fields)
        if rest.get("geometries") is not None:
            normalize_image_params({"attachment": PLACEHOLDER_ATTACHMENT, **rest})
    except RuleError as exc:
        raise ApiError(400, f"params.{exc}") from exc


def check_ontology(ontology: object) -> None:
    if not isinstance(ontology, list) or not ontology:
        raise ApiError(400, "ontology must be a non-empty array of labels.")
    try:
        LabelTree.parse(ontology, "ontology")
    except RuleError as exc:
        raise ApiError(400, str(exc)) from exc


def apply_project_params(
    project: Project | None, params: dict, fields: dict
) -> tuple[int | None, dict, dict]:
    """Fill what the task left out from the project version it names (default: the latest).

    Task values win; the project's instruction is appended after the task's own.
    """
    if project is None:
        return None, params, fields
    wanted = fields.get("project_version")
    if wanted is not None and (not isinstance(wanted, int) or isinstance(wanted, bool)):
        raise ApiError(400, "project_version must be an integer.")
    if wanted == -1:
        return None, params, fields
    row = (project.param_versions.filter(version=wanted).first() if wanted is not None
           else _LATEST_VERSION.get(project.pk))
    if row is None:
        raise ApiError(400, f"project_version {wanted} does not exist for project "
                            f'"{project.name}".')
    inherited = row.params
    params = dict(params)
    for key, value in inherited.items():
        if key not in TASK_FIELDS and params.get(key) is None:
            params[key] = value
    fields = dict(fields)
    for key in INHERITED_FIELDS:
        if key in inherited and fields.get(key) is None:
            fields[key] = inherited[key]
    project_instruction = inherited.get("instruction")
    if project_instruction:
        own = fields.get("instruction") or ""
        fields["instruction"] = f"{own}\n\n{project_instruction}" if own else project_instruction
    return row.version, params, fields
