"""Attribute conditionality (docs/task-format.md "Conditions and global attributes").

    "conditions": {
      "label_condition": {"label": "Car" | ["Car", "Truck"]},
      "attribute_conditions": [{"is_moving": "No"}, {"is_parked": "Yes", "color": ["red"]}],
      "is_global": false
    }

Semantics chosen (the public docs are ambiguous): `label_condition` and `attribute_conditions`
must both hold. `attribute_conditions` is an OR of ANDs: one object holds when every one of its
keys holds; the array holds when any object holds (an empty array always holds). A condition
value is a string or number (equality) or a list of them (membership); when the attribute's
value is a list (category with allow_multiple) the condition holds if any chosen value matches.
Global attributes (`is_global: true`) ignore `label_condition`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .errors import RuleError, join
from .values import is_number, require_bool, require_dict, require_list

CONDITION_KEYS = ("label_condition", "attribute_conditions", "is_global")


def validate_conditions(
    cond: Any, attribute_ids: Collection[str], leaf_labels: Collection[str], path: str
) -> dict[str, Any]:
    """Validate a `conditions` object; returns it normalized (null-valued keys dropped)."""
    if cond is None:
        return {}
    require_dict(cond, path)
    for key in cond:
        if key not in CONDITION_KEYS:
            raise RuleError(join(path, key), f"is not a known condition (use {_names()})")
    result: dict[str, Any] = {}
    if cond.get("label_condition") is not None:
        result["label_condition"] = _label_condition(
            cond["label_condition"], leaf_labels, join(path, "label_condition")
        )
    if cond.get("attribute_conditions") is not None:
        result["attribute_conditions"] = _attribute_conditions(
            cond["attribute_conditions"], attribute_ids, join(path, "attribute_conditions")
        )
    if cond.get("is_global") is not None:
        result["is_global"] = require_bool(cond["is_global"], join(path, "is_global"))
    return result


def _names() -> str:
    return ", ".join(CONDITION_KEYS)


def _label_condition(value: Any, leaf_labels: Collection[str], path: str) -> dict[str, Any]:
    require_dict(value, path)
    for key in value:
        if key != "label":
            raise RuleError(join(path, key), 'is not allowed: the only key is "label"')
    label_path = join(path, "label")
    if value.get("label") is None:
        raise RuleError(label_path, "is required")
    labels = value["label"]
    items = labels if isinstance(labels, list) else [labels]
    if isinstance(labels, list) and not labels:
        raise RuleError(label_path, "must not be empty")
    for index, label in enumerate(items):
        item_path = join(label_path, index) if isinstance(labels, list) else label_path
        if not isinstance(label, str):
            raise RuleError(item_path, "must be a label (string) or a list of labels")
        if label not in leaf_labels:
            raise RuleError(item_path, f'"{label}" is not a label of any geometry')
    return {"label": list(labels) if isinstance(labels, list) else labels}


def _attribute_conditions(value: Any, attribute_ids: Collection[str], path: str) -> list[Any]:
    require_list(value, path)
    result = []
    for index, clause in enumerate(value):
        clause_path = join(path, index)
        require_dict(clause, clause_path)
        clean = {key: item for key, item in clause.items() if item is not None}
        if not clean:
            raise RuleError(clause_path, "must name at least one attribute")
        for key, item in clean.items():
            key_path = join(clause_path, key)
            if key not in attribute_ids:
                raise RuleError(key_path, f'"{key}" is not a defined attribute')
            clean[key] = _condition_value(item, key_path)
        result.append(clean)
    return result


def _condition_value(value: Any, path: str) -> Any:
    if isinstance(value, list):
        if not value:
            raise RuleError(path, "must not be an empty list")
        for index, item in enumerate(value):
            if not _is_scalar(item):
                raise RuleError(join(path, index), "must be a string or a number")
        return list(value)
    if not _is_scalar(value):
        raise RuleError(path, "must be a string, a number, or a list of them")
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str) or is_number(value)


def condition_values(clause_value: Any) -> list[Any]:
    """The accepted values of one condition: [v] for a scalar, the list itself otherwise."""
    return list(clause_value) if isinstance(clause_value, list) else [clause_value]


def referenced_attributes(conditions: dict[str, Any]) -> set[str]:
    """Ids of the attributes a (normalized) conditions object depends on."""
    return {key for clause in conditions.get("attribute_conditions", []) for key in clause}


def is_global(definition: dict[str, Any]) -> bool:
    """True when an attribute definition is global (conditions.is_global)."""
    return bool((definition.get("conditions") or {}).get("is_global"))


def applies(definition: dict[str, Any], label: str | None, values: dict[str, Any]) -> bool:
    """Does this (normalized) attribute definition apply to an annotation with `label` and
    attribute `values`? Global attributes ignore label conditions."""
    conditions = definition.get("conditions") or {}
    if not is_global(definition) and not _label_holds(conditions, label):
        return False
    clauses = conditions.get("attribute_conditions") or []
    return not clauses or any(_clause_holds(clause, values) for clause in clauses)


def _label_holds(conditions: dict[str, Any], label: str | None) -> bool:
    condition = conditions.get("label_condition")
    if not condition:
        return True
    return label is not None and label in condition_values(condition.get("label"))


def _clause_holds(clause: dict[str, Any], values: dict[str, Any]) -> bool:
    return all(_value_matches(values.get(key), wanted) for key, wanted in clause.items())


def _value_matches(actual: Any, wanted: Any) -> bool:
    if actual is None:
        return False
    chosen = actual if isinstance(actual, list) else [actual]
    accepted = condition_values(wanted)
    return any(_same(item, target) for item in chosen for target in accepted)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return is_number(a) and is_number(b) and a == b
