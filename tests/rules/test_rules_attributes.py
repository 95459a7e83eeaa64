"""tasks.rules.attributes: annotation_attributes definitions and values."""

import pytest

from tasks.rules.attributes import (
    global_definitions,
    validate_attribute_definitions,
    validate_attribute_values,
)
from tasks.rules.errors import RuleError

PATH = "annotation_attributes"
LABELS = {"car", "truck", "person", "wheel"}


def defs_of(defs):
    return validate_attribute_definitions(defs, LABELS, PATH)


def def_error(path, defs):
    with pytest.raises(RuleError) as info:
        defs_of(defs)
    assert info.value.path == path, str(info.value)
    return info.value


# ---------------------------------------------------------------- definitions


def test_contract_example():
    defs = {"occluded": {"type": "category", "description": "Occluded?", "choices": ["yes", "no"]}}
    assert defs_of(defs) == defs


def test_type_defaults_to_category():
    assert defs_of({"c": {"choices": ["a"]}}) == {"c": {"type": "category", "choices": ["a"]}}
    assert defs_of({"c": {"type": None, "choices": ["a"]}})["c"]["type"] == "category"


def test_none_and_empty():
    assert defs_of(None) == {}
    assert defs_of({}) == {}
    assert defs_of({"c": None}) == {}


def test_every_type_accepted():
    defs = {
        "cat": {
            "type": "category",
            "choices": ["a", {"choice": "g", "subchoices": ["b", "c"]}],
            "allow_multiple": True,
        },
        "num": {"type": "number", "min": 0, "max": 10, "step": 0.5},
        "ang": {"type": "angle"},
        "txt": {"type": "text"},
        "xl": {"type": "x_line"},
        "yl": {"type": "y_line"},
        "lnk": {"type": "linked", "allowed_labels": ["wheel"], "required": True},
    }
    assert defs_of(defs) == defs


def test_common_keys_and_unknown_keys_kept():
    defs = {
        "c": {
            "choices": ["a"],
            "description": "",
            "required": True,
            "default": "a",
            "hint": {"x": 1},
            "nothing": None,
        }
    }
    assert defs_of(defs) == {
        "c": {
            "type": "category",
            "choices": ["a"],
            "description": "",
            "required": True,
            "default": "a",
            "hint": {"x": 1},
        }
    }


def test_input_not_mutated():
    defs = {"c": {"choices": ["a"], "conditions": {"is_global": None}}}
    defs_of(defs)
    assert defs == {"c": {"choices": ["a"], "conditions": {"is_global": None}}}


def test_defaults_validated_per_type():
    assert defs_of({"n": {"type": "number", "min": 0, "max": 5, "default": 5}})["n"]["default"] == 5
    assert defs_of({"a": {"type": "angle", "default": 360}})["a"]["default"] == 360
    assert defs_of({"t": {"type": "text", "default": ""}})["t"]["default"] == ""
    assert defs_of({"x": {"type": "x_line", "default": -3.5}})["x"]["default"] == -3.5
    multi = {"m": {"choices": ["a", "b"], "allow_multiple": True, "default": "a"}}
    assert defs_of(multi)["m"]["default"] == ["a"]


@pytest.mark.parametrize(
    ("defs", "path"),
    [
        ([], PATH),
        ({"": {"choices": ["a"]}}, PATH),
        ({"c": "category"}, f"{PATH}.c"),
        ({"c": {"type": "boolean"}}, f"{PATH}.c.type"),
        ({"c": {"type": 3}}, f"{PATH}.c.type"),
        ({"c": {}}, f"{PATH}.c.choices"),
        ({"c": {"choices": None}}, f"{PATH}.c.choices"),
        ({"c": {"choices": []}}, f"{PATH}.c.choices"),
        ({"c": {"choices": "a"}}, f"{PATH}.c.choices"),
        ({"c": {"choices": ["a", "a"]}}, f"{PATH}.c.choices[1]"),
        (
            {"c": {"choices": [{"choice": "g", "subchoices": []}]}},
            f"{PATH}.c.choices[0].subchoices",
        ),
        ({"c": {"choices": ["a"], "allow_multiple": "yes"}}, f"{PATH}.c.allow_multiple"),
        ({"c": {"choices": ["a"], "description": 3}}, f"{PATH}.c.description"),
        ({"c": {"choices": ["a"], "required": 1}}, f"{PATH}.c.required"),
        ({"c": {"choices": ["a"], "default": "b"}}, f"{PATH}.c.default"),
        (
            {"c": {"choices": [{"choice": "g", "subchoices": ["a"]}], "default": "g"}},
            f"{PATH}.c.default",
        ),
        (
            {"c": {"choices": ["a"], "allow_multiple": True, "default": ["a", "b"]}},
            f"{PATH}.c.default[1]",
        ),
        (
            {"c": {"choices": ["a"], "allow_multiple": True, "default": ["a", "a"]}},
            f"{PATH}.c.default",
        ),
        ({"c": {"choices": ["a"], "allow_multiple": True, "default": 3}}, f"{PATH}.c.default"),
        ({"n": {"type": "number", "min": "0"}}, f"{PATH}.n.min"),
        ({"n": {"type": "number", "max": True}}, f"{PATH}.n.max"),
        ({"n": {"type": "number", "min": float("nan")}}, f"{PATH}.n.min"),
        ({"n": {"type": "number", "min": 5, "max": 1}}, f"{PATH}.n.max"),
        ({"n": {"type": "number", "step": 0}}, f"{PATH}.n.step"),
        ({"n": {"type": "number", "step": -1}}, f"{PATH}.n.step"),
        ({"n": {"type": "number", "min": 0, "max": 5, "default": 6}}, f"{PATH}.n.default"),
        ({"n": {"type": "number", "default": "1"}}, f"{PATH}.n.default"),
        ({"a": {"type": "angle", "default": 361}}, f"{PATH}.a.default"),
        ({"a": {"type": "angle", "default": -1}}, f"{PATH}.a.default"),
        ({"t": {"type": "text", "default": 1}}, f"{PATH}.t.default"),
        ({"t": {"type": "text", "default": "x" * 10_001}}, f"{PATH}.t.default"),
        ({"x": {"type": "x_line", "default": "1"}}, f"{PATH}.x.default"),
        ({"l": {"type": "linked", "allowed_labels": []}}, f"{PATH}.l.allowed_labels"),
        ({"l": {"type": "linked", "allowed_labels": "car"}}, f"{PATH}.l.allowed_labels"),
        (
            {"l": {"type": "linked", "allowed_labels": ["car", "bus"]}},
            f"{PATH}.l.allowed_labels[1]",
        ),
        ({"l": {"type": "linked", "required": "no"}}, f"{PATH}.l.required"),
        ({"l": {"type": "linked", "default": "x"}}, f"{PATH}.l.default"),
        ({"c": {"choices": ["a"], "conditions": "x"}}, f"{PATH}.c.conditions"),
        (
            {"c": {"choices": ["a"], "conditions": {"label_condition": {"label": "bus"}}}},
            f"{PATH}.c.conditions.label_condition.label",
        ),
    ],
)
def test_definition_errors(defs, path):
    def_error(path, defs)


@pytest.mark.parametrize("kind", ["linked", "x_line", "y_line"])
def test_some_types_cannot_be_global(kind):
    def_error(
        f"{PATH}.g.conditions.is_global", {"g": {"type": kind, "conditions": {"is_global": True}}}
    )


def test_condition_cannot_reference_itself():
    defs = {"c": {"choices": ["a"], "conditions": {"attribute_conditions": [{"c": "a"}]}}}
    error = def_error(f"{PATH}.c.conditions.attribute_conditions[0].c", defs)
    assert "itself" in error.message


def test_condition_on_unknown_attribute():
    defs = {"c": {"choices": ["a"], "conditions": {"attribute_conditions": [{"zz": "a"}]}}}
    def_error(f"{PATH}.c.conditions.attribute_conditions[0].zz", defs)


def test_condition_values_must_be_choices_of_a_category():
    defs = {
        "moving": {"choices": ["Yes", "No"]},
        "speed": {
            "type": "number",
            "conditions": {"attribute_conditions": [{"moving": ["Yes", "Maybe"]}]},
        },
    }
    error = def_error(f"{PATH}.speed.conditions.attribute_conditions[0].moving", defs)
    assert '"Maybe"' in error.message


def test_condition_on_a_non_category_is_not_cross_checked():
    defs = {
        "n": {"type": "number"},
        "c": {"choices": ["a"], "conditions": {"attribute_conditions": [{"n": 3}]}},
    }
    assert defs_of(defs)["c"]["conditions"] == {"attribute_conditions": [{"n": 3}]}


def test_global_and_local_cannot_mix_in_conditions():
    defs = {
        "g": {"choices": ["a"], "conditions": {"is_global": True}},
        "c": {"choices": ["b"], "conditions": {"attribute_conditions": [{"g": "a"}]}},
    }
    def_error(f"{PATH}.c.conditions.attribute_conditions[0].g", defs)


def test_condition_cycle_detected():
    defs = {
        "a": {"choices": ["x"], "conditions": {"attribute_conditions": [{"b": "x"}]}},
        "b": {"choices": ["x"], "conditions": {"attribute_conditions": [{"c": "x"}]}},
        "c": {"choices": ["x"], "conditions": {"attribute_conditions": [{"a": "x"}]}},
    }
    error = def_error(f"{PATH}.a.conditions", defs)
    assert "a -> b -> c -> a" in error.message


def test_condition_chain_without_cycle_is_fine():
    defs = {
        "a": {"choices": ["x"], "conditions": {"attribute_conditions": [{"b": "x"}, {"c": "x"}]}},
        "b": {"choices": ["x"], "conditions": {"attribute_conditions": [{"c": "x"}]}},
        "c": {"choices": ["x"]},
    }
    assert set(defs_of(defs)) == {"a", "b", "c"}


def test_global_definitions():
    defs = defs_of(
        {
            "g": {"choices": ["a"], "conditions": {"is_global": True}},
            "c": {"choices": ["b"]},
        }
    )
    assert list(global_definitions(defs)) == ["g"]


# ---------------------------------------------------------------- values

DEFS = {
    "color": {"choices": ["red", {"choice": "dark", "subchoices": ["black", "navy"]}]},
    "tags": {"choices": ["a", "b", "c"], "allow_multiple": True},
    "count": {"type": "number", "min": 0, "max": 10},
    "free": {"type": "number"},
    "heading": {"type": "angle"},
    "note": {"type": "text"},
    "centre": {"type": "x_line"},
    "horizon": {"type": "y_line"},
    "wheel_of": {"type": "linked", "allowed_labels": ["car", "truck"]},
    "anything": {"type": "linked"},
    "plate": {
        "type": "text",
        "required": True,
        "conditions": {"label_condition": {"label": ["car", "truck"]}},
    },
    "parked": {
        "choices": ["yes", "no"],
        "conditions": {
            "label_condition": {"label": "car"},
            "attribute_conditions": [{"color": "red"}, {"tags": "c"}],
        },
    },
    "weather": {"choices": ["sun", "rain"], "conditions": {"is_global": True}, "required": True},
    "rain_kind": {
        "choices": ["light", "heavy"],
        "conditions": {"is_global": True, "attribute_conditions": [{"weather": "rain"}]},
    },
}
NORMALIZED = validate_attribute_definitions(DEFS, LABELS, PATH)
UUIDS = {"u-car": "car", "u-truck": "truck", "u-wheel": "wheel", "u-none": None}
VPATH = "response.annotations[0].attributes"


def values(vals, *, label="wheel", own="u-wheel", check_required=True):
    return validate_attribute_values(
        vals,
        NORMALIZED,
        label=label,
        uuid_labels=UUIDS,
        own_uuid=own,
        path=VPATH,
        check_required=check_required,
    )


def value_error(path, vals, **kwargs):
    with pytest.raises(RuleError) as info:
        values(vals, **kwargs)
    assert info.value.path == path, str(info.value)
    return info.value


def test_valid_values_round_trip():
    vals = {
        "color": "navy",
        "tags": ["a", "c"],
        "count": 10,
        "free": -1e6,
        "heading": 359.5,
        "note": "",
        "centre": 60,
        "horizon": -2.5,
        "wheel_of": "u-car",
        "anything": "u-none",
    }
    assert values(vals) == vals


def test_none_and_null_values():
    assert values(None) == {}
    assert values({}) == {}
    assert values({"color": None}) == {}


def test_allow_multiple_single_string_is_wrapped():
    assert values({"tags": "b"}) == {"tags": ["b"]}
    assert values({"tags": []}) == {"tags": []}


@pytest.mark.parametrize(
    ("vals", "path"),
    [
        ("x", VPATH),
        ({"size": 3}, f"{VPATH}.size"),
        ({"color": "dark"}, f"{VPATH}.color"),
        ({"color": "green"}, f"{VPATH}.color"),
        ({"color": ["red"]}, f"{VPATH}.color"),
        ({"tags": ["a", "z"]}, f"{VPATH}.tags[1]"),
        ({"tags": ["a", "a"]}, f"{VPATH}.tags"),
        ({"tags": {"a": 1}}, f"{VPATH}.tags"),
        ({"count": 11}, f"{VPATH}.count"),
        ({"count": -1}, f"{VPATH}.count"),
        ({"count": "3"}, f"{VPATH}.count"),
        ({"count": True}, f"{VPATH}.count"),
        ({"free": float("inf")}, f"{VPATH}.free"),
        ({"free": float("nan")}, f"{VPATH}.free"),
        ({"heading": 360.01}, f"{VPATH}.heading"),
        ({"heading": -0.5}, f"{VPATH}.heading"),
        ({"note": 5}, f"{VPATH}.note"),
        ({"note": "x" * 10_001}, f"{VPATH}.note"),
        ({"centre": "60"}, f"{VPATH}.centre"),
        ({"horizon": 1e8}, f"{VPATH}.horizon"),
        ({"wheel_of": "u-missing"}, f"{VPATH}.wheel_of"),
        ({"wheel_of": 5}, f"{VPATH}.wheel_of"),
        ({"wheel_of": "u-wheel"}, f"{VPATH}.wheel_of"),
        ({"wheel_of": "u-none"}, f"{VPATH}.wheel_of"),
        ({"anything": "u-wheel"}, f"{VPATH}.anything"),
    ],
)
def test_value_errors(vals, path):
    value_error(path, vals)


def test_linked_self_message():
    error = value_error(f"{VPATH}.anything", {"anything": "u-wheel"})
    assert "itself" in error.message


def test_linked_wrong_label_message():
    error = value_error(f"{VPATH}.wheel_of", {"wheel_of": "u-wheel"}, own="u-other")
    assert "car" in error.message


def test_unknown_attribute_message():
    assert value_error(f"{VPATH}.size", {"size": 3}).message == "is not a defined attribute"


def test_label_condition_not_met():
    error = value_error(f"{VPATH}.plate", {"plate": "AB-12"}, label="person")
    assert "does not apply to this annotation" in error.message


def test_label_condition_met():
    assert values({"plate": "AB-12"}, label="truck") == {"plate": "AB-12"}


def test_attribute_condition_not_met():
    error = value_error(
        f"{VPATH}.parked", {"parked": "yes", "color": "navy", "plate": "x"}, label="car"
    )
    assert "does not apply" in error.message


def test_attribute_condition_or_of_ands():
    ok = {"parked": "yes", "color": "red", "plate": "x"}
    assert values(ok, label="car") == ok
    ok2 = {"parked": "no", "tags": ["a", "c"], "plate": "x"}
    assert values(ok2, label="car") == ok2
    value_error(f"{VPATH}.parked", {"parked": "yes", "color": "red"}, label="truck")


def test_required_when_applicable():
    error = value_error(f"{VPATH}.plate", {}, label="car")
    assert error.message == "is required"
    assert values({}, label="person") == {}


def test_required_skipped_for_pre_labels():
    assert values({}, label="car", check_required=False) == {}


def test_required_empty_list_counts_as_missing():
    defs = validate_attribute_definitions(
        {"t": {"choices": ["a"], "allow_multiple": True, "required": True}}, LABELS, PATH
    )
    with pytest.raises(RuleError) as info:
        validate_attribute_values(
            {"t": []}, defs, label="car", uuid_labels={}, own_uuid="x", path=VPATH
        )
    assert info.value.path == f"{VPATH}.t"


def test_required_linked():
    defs = validate_attribute_definitions({"l": {"type": "linked", "required": True}}, LABELS, PATH)
    with pytest.raises(RuleError) as info:
        validate_attribute_values({}, defs, label="car", uuid_labels={}, own_uuid="x", path=VPATH)
    assert info.value.path == f"{VPATH}.l"


def test_global_attribute_rejected_on_annotation():
    error = value_error(f"{VPATH}.weather", {"weather": "sun"})
    assert "global_attributes" in error.message


GPATH = "response.global_attributes"


def global_values(vals, check_required=True):
    return validate_attribute_values(
        vals,
        NORMALIZED,
        label=None,
        uuid_labels=UUIDS,
        own_uuid=None,
        path=GPATH,
        is_global=True,
        check_required=check_required,
    )


def test_global_values():
    assert global_values({"weather": "rain", "rain_kind": "heavy"}) == {
        "weather": "rain",
        "rain_kind": "heavy",
    }


def test_global_required():
    with pytest.raises(RuleError) as info:
        global_values({})
    assert info.value.path == f"{GPATH}.weather"
    assert global_values({}, check_required=False) == {}


def test_global_conditions():
    with pytest.raises(RuleError) as info:
        global_values({"weather": "sun", "rain_kind": "heavy"})
    assert info.value.path == f"{GPATH}.rain_kind"
    assert "does not apply" in info.value.message


def test_local_attribute_rejected_in_global_attributes():
    with pytest.raises(RuleError) as info:
        global_values({"weather": "sun", "color": "red"})
    assert info.value.path == f"{GPATH}.color"
    assert "not a global attribute" in info.value.message


def test_values_input_not_mutated():
    vals = {"tags": "b", "color": None}
    values(vals)
    assert vals == {"tags": "b", "color": None}
