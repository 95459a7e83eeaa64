"""`annotation_attributes`: definitions (contract §4.1, §4.2 and Product decisions) and values.

Definition types: category (the default when `type` is omitted), number, angle, text, x_line,
y_line, linked. Every definition may carry `description`, `conditions`, `required` (bool) and
`default` (a valid value of its type; not allowed for linked). Unknown keys are kept.

Choices made where the contract is silent:
* `linked.allowed_labels` is optional; absent means "any other annotation".
* Global attributes (`conditions.is_global`) cannot be linked, x_line or y_line, and
  conditions never mix global and per-annotation attributes.
* Conditions must not reference the attribute itself nor form a cycle; a condition on a
  category attribute must use choices of that attribute.
* A category value with allow_multiple is a list of distinct choices (a single string is
  accepted and wrapped in a list); an empty list counts as "not answered".
* A number with `step` must be `min` (0 without one) plus a whole number of steps; without
  `step` any number in range is accepted.
* `x_line` / `y_line` describe boxes and cuboids only: on any other geometry they do not
  apply (a value is refused, `required` is not asked). The offset must lie inside the box (or
  the cuboid's front face): `tasks.rules.annotations` checks that, knowing the geometry.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from .conditions import (
    applies,
    condition_values,
    is_global,
    referenced_attributes,
    validate_conditions,
)
from .constants import LIMITS, TOLERANCES, message
from .errors import RuleError, join
from .labels import LabelTree
from .values import require_bool, require_dict, require_number, require_string

ATTRIBUTE_TYPES = ("category", "number", "angle", "text", "x_line", "y_line", "linked")
NOT_GLOBAL_TYPES = ("linked", "x_line", "y_line")
LINE_TYPES = ("x_line", "y_line")
LINE_GEOMETRIES = ("box", "cuboid")
# Shared with the page (static/js/lib/rules-constants.json, docs/rules.md).
STEP_TOLERANCE = TOLERANCES["number_step"]
MAX_TEXT_LENGTH = int(LIMITS["max_text_length"])
MAX_OFFSET = LIMITS["max_line_offset"]


# ---------------------------------------------------------------- definitions


def validate_attribute_definitions(
    defs: Any, leaf_labels: set[str], path: str = "annotation_attributes", *,
    global_labels: Collection[str] = (),
) -> dict:
    """Validate the `annotation_attributes` map; returns a new, normalized map (`type` filled
    in, null-valued keys dropped, `choices` and `conditions` normalized). `global_labels`:
    more labels the label_condition of a GLOBAL attribute may name (a video task's events)."""
    if defs is None:
        return {}
    require_dict(defs, path)
    ids = {key for key, value in defs.items() if value is not None}
    result = {}
    for attr_id, definition in defs.items():
        if definition is None:
            continue
        item_path = join(path, attr_id)
        if not isinstance(attr_id, str) or not attr_id:
            raise RuleError(path, "attribute ids must be non-empty strings")
        result[attr_id] = _definition(definition, ids, leaf_labels, item_path, global_labels)
    _check_condition_targets(result, path)
    _check_cycles(result, path)
    return result


def _definition(definition: Any, ids: set[str], leaf_labels: set[str], path: str,
                global_labels: Collection[str] = ()) -> dict:
    require_dict(definition, path)
    result = {key: copy.deepcopy(value) for key, value in definition.items() if value is not None}
    kind = result.get("type", "category")
    if kind not in ATTRIBUTE_TYPES:
        raise RuleError(join(path, "type"), f"must be one of {', '.join(ATTRIBUTE_TYPES)}")
    result = {"type": kind, **result}
    if "description" in result:
        require_string(result["description"], join(path, "description"), allow_empty=True)
    if "required" in result:
        require_bool(result["required"], join(path, "required"))
    _TYPE_CHECKS[kind](result, leaf_labels, path)
    if "conditions" in result:
        labels = leaf_labels
        if global_labels and isinstance(result["conditions"], dict) and is_global(result):
            labels = {*leaf_labels, *global_labels}
        result["conditions"] = validate_conditions(
            definition["conditions"], ids, labels, join(path, "conditions")
        )
    if is_global(result) and kind in NOT_GLOBAL_TYPES:
        raise RuleError(join(path, "conditions.is_global"), f"a {kind} attribute cannot be global")
    if "default" in result:
        if kind == "linked":
            raise RuleError(join(path, "default"), "is not allowed for a linked attribute")
        result["default"] = check_value(result["default"], result, join(path, "default"))
    return result


def _category(result: dict, leaf_labels: set[str], path: str) -> None:
    choices_path = join(path, "choices")
    if "choices" not in result:
        raise RuleError(choices_path, "is required for a category attribute")
    tree = LabelTree.parse(result["choices"], choices_path)
    if tree.is_empty:
        raise RuleError(choices_path, "must have at least one choice")
    result["choices"] = tree.to_json()
    if "allow_multiple" in result:
        require_bool(result["allow_multiple"], join(path, "allow_multiple"))


def _number(result: dict, leaf_labels: set[str], path: str) -> None:
    for key in ("min", "max"):
        if key in result:
            require_number(result[key], join(path, key))
    if "min" in result and "max" in result and result["min"] > result["max"]:
        raise RuleError(join(path, "max"), "must be >= min")
    if "step" in result:
        require_number(result["step"], join(path, "step"), minimum=0, exclusive_minimum=True)


def _linked(result: dict, leaf_labels: set[str], path: str) -> None:
    if "allowed_labels" not in result:
        return
    labels_path = join(path, "allowed_labels")
    labels = result["allowed_labels"]
    if not isinstance(labels, list) or not labels:
        raise RuleError(labels_path, "must be a non-empty list of labels")
    for index, label in enumerate(labels):
        if not isinstance(label, str) or label not in leaf_labels:
            raise RuleError(join(labels_path, index), "must be a label of some geometry")


def _no_extra(result: dict, leaf_labels: set[str], path: str) -> None:
    return None


_TYPE_CHECKS = {
    "category": _category,
    "number": _number,
    "angle": _no_extra,
    "text": _no_extra,
    "x_line": _no_extra,
    "y_line": _no_extra,
    "linked": _linked,
}


def _check_condition_targets(defs: dict, path: str) -> None:
    for attr_id, definition in defs.items():
        clauses = definition.get("conditions", {}).get("attribute_conditions", [])
        for index, clause in enumerate(clauses):
            for key, wanted in clause.items():
                clause_path = join(join(path, attr_id), "conditions.attribute_conditions")
                key_path = join(join(clause_path, index), key)
                _check_target(attr_id, definition, key, wanted, defs, key_path)


def _check_target(attr_id: str, definition: dict, key: str, wanted: Any, defs: dict, path: str):
    if key == attr_id:
        raise RuleError(path, "an attribute cannot depend on itself")
    target = defs[key]
    if is_global(target) != is_global(definition):
        raise RuleError(path, "global and per-annotation attributes cannot depend on each other")
    if target["type"] != "category":
        return
    tree = choice_tree(target)
    for value in condition_values(wanted):
        if not tree.is_leaf(value):
            raise RuleError(path, f'"{value}" is not a choice of attribute {key}')


def _check_cycles(defs: dict, path: str) -> None:
    done: set[str] = set()
    for start in defs:
        _visit(start, defs, [], done, path)


def _visit(attr_id: str, defs: dict, stack: list[str], done: set[str], path: str) -> None:
    if attr_id in done:
        return
    if attr_id in stack:
        cycle = " -> ".join([*stack[stack.index(attr_id) :], attr_id])
        raise RuleError(join(join(path, attr_id), "conditions"), f"form a cycle: {cycle}")
    for target in sorted(referenced_attributes(defs[attr_id].get("conditions", {}))):
        _visit(target, defs, [*stack, attr_id], done, path)
    done.add(attr_id)


def global_definitions(defs: dict) -> dict:
    """The global attribute definitions of a normalized definitions map."""
    return {key: value for key, value in defs.items() if is_global(value)}


# ---------------------------------------------------------------- values


def check_value(
    value: Any,
    definition: dict,
    path: str,
    *,
    uuid_labels: dict[str, str | None] | None = None,
    own_uuid: str | None = None,
) -> Any:
    """Check one attribute value against its (normalized) definition; returns it normalized."""
    kind = definition["type"]
    if kind == "category":
        return _category_value(value, definition, path)
    if kind == "number":
        low, high = definition.get("min"), definition.get("max")
        value = require_number(value, path, minimum=low, maximum=high)
        _check_step(value, definition, path)
        return value
    if kind == "angle":
        return require_number(value, path, minimum=LIMITS["angle_min"],
                              maximum=LIMITS["angle_max"])
    if kind == "text":
        return require_string(value, path, max_length=MAX_TEXT_LENGTH, allow_empty=True)
    if kind in ("x_line", "y_line"):
        return require_number(value, path, minimum=-MAX_OFFSET, maximum=MAX_OFFSET)
    return _linked_value(value, definition, path, uuid_labels or {}, own_uuid)


def _check_step(value: float, definition: dict, path: str) -> None:
    step = definition.get("step")
    if step is None:
        return
    origin = definition.get("min", 0)
    steps = (value - origin) / step
    if abs(steps - round(steps)) > STEP_TOLERANCE:
        if origin:
            raise RuleError(path, message("number_step_from", step=f"{step:g}",
                                          origin=f"{origin:g}"))
        raise RuleError(path, message("number_step", step=f"{step:g}"))


def applies_to_geometry(definition: dict, geometry: str | None) -> bool:
    """x_line / y_line only describe boxes and cuboids (geometry None: not known, no filter)."""
    return geometry is None or definition["type"] not in LINE_TYPES or \
        geometry in LINE_GEOMETRIES


_TREE_CACHE: dict[int, tuple[list, LabelTree]] = {}


def choice_tree(definition: dict) -> LabelTree:
    """The parsed `choices` of a normalized category definition (memoized per choices list)."""
    choices = definition["choices"]
    cached = _TREE_CACHE.get(id(choices))
    if cached is not None and cached[0] is choices:
        return cached[1]
    if len(_TREE_CACHE) > 256:
        _TREE_CACHE.clear()
    tree = LabelTree.parse(choices, "")
    _TREE_CACHE[id(choices)] = (choices, tree)
    return tree


def _category_value(value: Any, definition: dict, path: str) -> Any:
    tree = choice_tree(definition)
    if not definition.get("allow_multiple"):
        if not tree.is_leaf(value):
            raise RuleError(path, message("choice", choices=_choices(tree)))
        return value
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise RuleError(path, message("choice_list"))
    for index, item in enumerate(items):
        if not tree.is_leaf(item):
            raise RuleError(join(path, index), message("choice", choices=_choices(tree)))
    if len(set(items)) != len(items):
        raise RuleError(path, message("choice_repeated"))
    return list(items)


def _choices(tree: LabelTree) -> str:
    limit = int(LIMITS["shown_choices"])
    shown = tree.leaves[:limit]
    more = ", ..." if len(tree.leaves) > limit else ""
    return ", ".join(f'"{leaf}"' for leaf in shown) + more


def _linked_value(
    value: Any, definition: dict, path: str, uuid_labels: dict, own_uuid: str | None
) -> str:
    if not isinstance(value, str) or value not in uuid_labels:
        raise RuleError(path, message("linked_unknown"))
    if value == own_uuid:
        raise RuleError(path, message("linked_self"))
    allowed = definition.get("allowed_labels")
    if allowed is not None and uuid_labels[value] not in allowed:
        raise RuleError(path, message("linked_label", labels=", ".join(allowed)))
    return value


def validate_attribute_values(
    values: Any,
    defs: dict,
    *,
    label: str | None,
    uuid_labels: dict[str, str | None],
    own_uuid: str | None,
    path: str,
    is_global: bool = False,
    check_required: bool = True,
    geometry: str | None = None,
) -> dict:
    """Validate the `attributes` of one annotation (or `global_attributes` with
    is_global=True) against normalized definitions; returns a new dict without nulls.

    check_required=False skips the `required` check (pre-labels may be incomplete).
    `geometry` (the annotation's type) leaves out the x_line / y_line attributes of
    geometries other than boxes and cuboids."""
    values = {} if values is None else require_dict(values, path)
    scope = {key: value for key, value in defs.items() if _is_global(value) == is_global
             and applies_to_geometry(value, geometry)}
    result = {}
    for attr_id, value in values.items():
        if value is None:
            continue
        item_path = join(path, attr_id)
        if attr_id not in scope:
            raise RuleError(item_path, _unknown_message(attr_id, defs, is_global, geometry))
        result[attr_id] = check_value(
            value, scope[attr_id], item_path, uuid_labels=uuid_labels, own_uuid=own_uuid
        )
    for attr_id in result:
        if not applies(scope[attr_id], label, result):
            raise RuleError(join(path, attr_id), _not_applicable(is_global))
    if check_required:
        _check_required(scope, label, result, path)
    return result


def _is_global(definition: dict) -> bool:
    return is_global(definition)


def _unknown_message(attr_id: str, defs: dict, want_global: bool,
                     geometry: str | None = None) -> str:
    if attr_id not in defs:
        return "is not a defined attribute"
    if not applies_to_geometry(defs[attr_id], geometry):
        return message("line_geometry", type=defs[attr_id]["type"])
    if want_global:
        return "is not a global attribute: send it on the annotations"
    return "is a global attribute: send it in global_attributes"


def _not_applicable(want_global: bool) -> str:
    if want_global:
        return "does not apply to this task (its conditions do not hold)"
    return "does not apply to this annotation (its conditions do not hold)"


def _check_required(scope: dict, label: str | None, result: dict, path: str) -> None:
    for attr_id, definition in scope.items():
        if not definition.get("required") or result.get(attr_id) not in (None, []):
            continue
        if applies(definition, label, result):
            raise RuleError(join(path, attr_id), message("required"))
