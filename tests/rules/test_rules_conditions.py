"""tasks.rules.conditions: attribute conditionality."""

import pytest

from tasks.rules.conditions import (
    applies,
    is_global,
    referenced_attributes,
    validate_conditions,
)
from tasks.rules.errors import RuleError

PATH = "annotation_attributes.color.conditions"
IDS = {"is_moving", "is_parked", "color", "tags"}
LABELS = {"Car", "Truck", "Person"}


def validate(cond):
    return validate_conditions(cond, IDS, LABELS, PATH)


def error_at(path, cond):
    with pytest.raises(RuleError) as info:
        validate(cond)
    assert info.value.path == path, str(info.value)
    return info.value


def test_contract_example_is_valid():
    cond = {
        "label_condition": {"label": ["Car", "Truck"]},
        "attribute_conditions": [{"is_moving": "No"}, {"is_parked": "Yes"}],
        "is_global": False,
    }
    assert validate(cond) == cond


def test_none_is_no_conditions():
    assert validate(None) == {}


def test_null_keys_are_dropped():
    cond = {"label_condition": None, "attribute_conditions": None, "is_global": None}
    assert validate(cond) == {}


def test_single_label_string():
    assert validate({"label_condition": {"label": "Car"}}) == {"label_condition": {"label": "Car"}}


def test_null_inside_clause_is_dropped():
    cond = {"attribute_conditions": [{"is_moving": "No", "is_parked": None}]}
    assert validate(cond) == {"attribute_conditions": [{"is_moving": "No"}]}


def test_multi_key_and_list_values():
    cond = {"attribute_conditions": [{"is_moving": ["No", "Maybe"], "color": "red"}]}
    assert validate(cond) == cond


def test_numbers_allowed_as_condition_values():
    cond = {"attribute_conditions": [{"is_moving": 3, "color": [1, 2.5]}]}
    assert validate(cond) == cond


def test_input_not_mutated():
    cond = {"attribute_conditions": [{"is_moving": "No", "is_parked": None}]}
    validate(cond)
    assert cond == {"attribute_conditions": [{"is_moving": "No", "is_parked": None}]}


@pytest.mark.parametrize(
    ("cond", "path"),
    [
        ("x", PATH),
        ([], PATH),
        ({"label_conditions": {}}, f"{PATH}.label_conditions"),
        ({"label_condition": "Car"}, f"{PATH}.label_condition"),
        ({"label_condition": {}}, f"{PATH}.label_condition.label"),
        ({"label_condition": {"label": None}}, f"{PATH}.label_condition.label"),
        ({"label_condition": {"labels": "Car"}}, f"{PATH}.label_condition.labels"),
        ({"label_condition": {"label": []}}, f"{PATH}.label_condition.label"),
        ({"label_condition": {"label": "Bus"}}, f"{PATH}.label_condition.label"),
        ({"label_condition": {"label": ["Car", "Bus"]}}, f"{PATH}.label_condition.label[1]"),
        ({"label_condition": {"label": ["Car", 3]}}, f"{PATH}.label_condition.label[1]"),
        ({"label_condition": {"label": 3}}, f"{PATH}.label_condition.label"),
        ({"attribute_conditions": {"is_moving": "No"}}, f"{PATH}.attribute_conditions"),
        ({"attribute_conditions": ["x"]}, f"{PATH}.attribute_conditions[0]"),
        ({"attribute_conditions": [{}]}, f"{PATH}.attribute_conditions[0]"),
        ({"attribute_conditions": [{"x": None}]}, f"{PATH}.attribute_conditions[0]"),
        (
            {"attribute_conditions": [{"is_moving": "No"}, {"speed": "fast"}]},
            f"{PATH}.attribute_conditions[1].speed",
        ),
        (
            {"attribute_conditions": [{"is_moving": []}]},
            f"{PATH}.attribute_conditions[0].is_moving",
        ),
        (
            {"attribute_conditions": [{"is_moving": {"a": 1}}]},
            f"{PATH}.attribute_conditions[0].is_moving",
        ),
        (
            {"attribute_conditions": [{"is_moving": True}]},
            f"{PATH}.attribute_conditions[0].is_moving",
        ),
        (
            {"attribute_conditions": [{"is_moving": ["No", None]}]},
            f"{PATH}.attribute_conditions[0].is_moving[1]",
        ),
        ({"is_global": "yes"}, f"{PATH}.is_global"),
    ],
)
def test_errors(cond, path):
    error_at(path, cond)


def test_unknown_label_message_names_it():
    error = error_at(f"{PATH}.label_condition.label", {"label_condition": {"label": "Bus"}})
    assert '"Bus"' in error.message


def test_unknown_attribute_message_names_it():
    error = error_at(
        f"{PATH}.attribute_conditions[0].speed", {"attribute_conditions": [{"speed": "x"}]}
    )
    assert '"speed"' in error.message


# ---------------------------------------------------------------- applies


def definition(conditions=None):
    result = {"type": "category", "choices": ["a"]}
    if conditions is not None:
        result["conditions"] = conditions
    return result


def test_no_conditions_always_applies():
    assert applies(definition(), "Car", {})
    assert applies(definition(), None, {})
    assert applies(definition({}), "Car", {})


def test_label_condition_equality_and_membership():
    single = definition({"label_condition": {"label": "Car"}})
    assert applies(single, "Car", {})
    assert not applies(single, "Truck", {})
    assert not applies(single, None, {})
    several = definition({"label_condition": {"label": ["Car", "Truck"]}})
    assert applies(several, "Truck", {})
    assert not applies(several, "Person", {})


def test_attribute_conditions_or_of_ands():
    cond = {"attribute_conditions": [{"is_moving": "No", "color": "red"}, {"is_parked": "Yes"}]}
    d = definition(cond)
    assert applies(d, "Car", {"is_moving": "No", "color": "red"})
    assert not applies(d, "Car", {"is_moving": "No", "color": "blue"})
    assert not applies(d, "Car", {"is_moving": "No"})
    assert applies(d, "Car", {"is_parked": "Yes"})
    assert applies(d, "Car", {"is_parked": "Yes", "is_moving": "Yes"})
    assert not applies(d, "Car", {})


def test_empty_attribute_conditions_hold():
    assert applies(definition({"attribute_conditions": []}), "Car", {})


def test_membership_value():
    d = definition({"attribute_conditions": [{"color": ["red", "blue"]}]})
    assert applies(d, None, {"color": "blue"})
    assert not applies(d, None, {"color": "green"})


def test_allow_multiple_value_any_match():
    d = definition({"attribute_conditions": [{"tags": "b"}]})
    assert applies(d, None, {"tags": ["a", "b"]})
    assert not applies(d, None, {"tags": ["a", "c"]})
    assert not applies(d, None, {"tags": []})
    d2 = definition({"attribute_conditions": [{"tags": ["x", "c"]}]})
    assert applies(d2, None, {"tags": ["a", "c"]})


def test_label_and_attribute_conditions_both_hold():
    d = definition(
        {"label_condition": {"label": "Car"}, "attribute_conditions": [{"is_moving": "No"}]}
    )
    assert applies(d, "Car", {"is_moving": "No"})
    assert not applies(d, "Truck", {"is_moving": "No"})
    assert not applies(d, "Car", {"is_moving": "Yes"})


def test_global_ignores_label_condition():
    d = definition({"label_condition": {"label": "Car"}, "is_global": True})
    assert is_global(d)
    assert applies(d, None, {})
    assert applies(d, "Truck", {})


def test_global_still_honours_attribute_conditions():
    d = definition({"is_global": True, "attribute_conditions": [{"is_moving": "No"}]})
    assert applies(d, None, {"is_moving": "No"})
    assert not applies(d, None, {"is_moving": "Yes"})


def test_type_strict_matching():
    d = definition({"attribute_conditions": [{"count": 1}]})
    assert applies(d, None, {"count": 1})
    assert applies(d, None, {"count": 1.0})
    assert not applies(d, None, {"count": "1"})
    assert not applies(d, None, {"count": True})
    d2 = definition({"attribute_conditions": [{"count": "1"}]})
    assert not applies(d2, None, {"count": 1})


def test_is_global_and_references():
    assert not is_global(definition())
    assert not is_global(definition({"is_global": False}))
    cond = {"attribute_conditions": [{"a": "1", "b": "2"}, {"c": "3"}]}
    assert referenced_attributes(cond) == {"a", "b", "c"}
    assert referenced_attributes({}) == set()
