"""tasks.rules.labels: the LabelDescription tree."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.rules.errors import RuleError
from tasks.rules.labels import MAX_DEPTH, LabelTree

PATH = "geometries.box.objects_to_annotate"

SCALE_EXAMPLE = [
    "Road",
    {"choice": "Vehicle", "subchoices": ["Car", "Truck", "Train", "Motorcycle"]},
    {
        "choice": "Pedestrian",
        "subchoices": [
            "Animal",
            {"choice": "Ped_HeightOverMeter", "display": "Adult"},
            {"choice": "Ped_HeightUnderMeter", "display": "Child"},
        ],
    },
]


def error_at(path, objects):
    with pytest.raises(RuleError) as info:
        LabelTree.parse(objects, PATH)
    assert info.value.path == path, str(info.value)
    return info.value


def test_scale_example_leaves_in_order():
    tree = LabelTree.parse(SCALE_EXAMPLE, PATH)
    assert tree.leaves == [
        "Road",
        "Car",
        "Truck",
        "Train",
        "Motorcycle",
        "Animal",
        "Ped_HeightOverMeter",
        "Ped_HeightUnderMeter",
    ]


def test_groups_are_not_selectable():
    tree = LabelTree.parse(SCALE_EXAMPLE, PATH)
    assert tree.is_leaf("Car")
    assert not tree.is_leaf("Vehicle")
    assert not tree.is_leaf("Pedestrian")
    assert not tree.is_leaf("nope")
    assert not tree.is_leaf(None)
    assert not tree.is_leaf(["Car"])


def test_display_and_path():
    tree = LabelTree.parse(SCALE_EXAMPLE, PATH)
    assert tree.display("Ped_HeightOverMeter") == "Adult"
    assert tree.display("Road") == "Road"
    assert tree.path("Ped_HeightOverMeter") == ["Pedestrian", "Adult"]
    assert tree.path("Car") == ["Vehicle", "Car"]
    assert tree.path("Road") == ["Road"]
    with pytest.raises(KeyError):
        tree.display("Vehicle")


def test_group_display_used_in_path():
    tree = LabelTree.parse(
        [
            {
                "choice": "veh",
                "display": "Vehicle",
                "subchoices": [{"choice": "car", "display": "Car"}],
            }
        ],
        PATH,
    )
    assert tree.path("car") == ["Vehicle", "Car"]


def test_deep_nesting():
    objects = [{"choice": "a", "subchoices": [{"choice": "b", "subchoices": ["c", "d"]}]}, "e"]
    tree = LabelTree.parse(objects, PATH)
    assert tree.leaves == ["c", "d", "e"]
    assert tree.path("d") == ["a", "b", "d"]


def test_to_json_echoes_what_was_sent():
    objects = [
        "a",
        {"choice": "b", "display": "B", "instance_label": True, "custom": {"x": 1}},
        {"choice": "g", "subchoices": ["c"]},
    ]
    tree = LabelTree.parse(objects, PATH)
    assert tree.to_json() == objects
    assert tree.to_json() is not objects
    tree.to_json()[1]["custom"]["x"] = 2
    assert tree.to_json()[1]["custom"] == {"x": 1}


def test_to_json_drops_null_optional_keys():
    objects = [{"choice": "b", "display": None, "subchoices": None, "instance_label": None}]
    tree = LabelTree.parse(objects, PATH)
    assert tree.to_json() == [{"choice": "b"}]
    assert tree.leaves == ["b"]
    assert tree.display("b") == "b"


def test_unknown_keys_are_kept():
    tree = LabelTree.parse([{"choice": "b", "color": "#f00"}], PATH)
    assert tree.to_json() == [{"choice": "b", "color": "#f00"}]


def test_none_and_empty_are_empty_trees():
    for objects in (None, []):
        tree = LabelTree.parse(objects, PATH)
        assert tree.is_empty
        assert tree.leaves == []
        assert tree.to_json() == []


def test_input_not_mutated():
    objects = [{"choice": "b", "display": None, "subchoices": ["x"]}]
    before = repr(objects)
    LabelTree.parse(objects, PATH)
    assert repr(objects) == before


def test_nodes_structure():
    tree = LabelTree.parse(SCALE_EXAMPLE, PATH)
    vehicle = tree.nodes[1]
    assert vehicle.choice == "Vehicle" and vehicle.is_group
    assert [child.choice for child in vehicle.children] == ["Car", "Truck", "Train", "Motorcycle"]
    assert not tree.nodes[0].is_group


@pytest.mark.parametrize(
    ("objects", "path"),
    [
        ("car", PATH),
        ({"choice": "car"}, PATH),
        ([1], f"{PATH}[0]"),
        ([True], f"{PATH}[0]"),
        ([["car"]], f"{PATH}[0]"),
        ([""], f"{PATH}[0]"),
        (["ok", {"display": "x"}], f"{PATH}[1].choice"),
        ([{"choice": None}], f"{PATH}[0].choice"),
        ([{"choice": ""}], f"{PATH}[0].choice"),
        ([{"choice": 3}], f"{PATH}[0].choice"),
        ([{"choice": "g", "subchoices": []}], f"{PATH}[0].subchoices"),
        ([{"choice": "g", "subchoices": "x"}], f"{PATH}[0].subchoices"),
        ([{"choice": "g", "subchoices": ["a", 5]}], f"{PATH}[0].subchoices[1]"),
        ([{"choice": "a", "display": 5}], f"{PATH}[0].display"),
        ([{"choice": "a", "display": ""}], f"{PATH}[0].display"),
        ([{"choice": "a", "instance_label": "yes"}], f"{PATH}[0].instance_label"),
        (["x" * 1001], f"{PATH}[0]"),
    ],
)
def test_shape_errors(objects, path):
    error_at(path, objects)


def test_empty_subchoices_message():
    error = error_at(f"{PATH}[0].subchoices", [{"choice": "g", "subchoices": []}])
    assert "must not be empty" in error.message


def test_duplicate_leaf_names_it():
    error = error_at(f"{PATH}[1]", ["car", "car"])
    assert '"car"' in error.message
    assert f"{PATH}[0]" in error.message


def test_duplicate_leaf_in_different_branches():
    objects = [
        {"choice": "a", "subchoices": ["x"]},
        {"choice": "b", "subchoices": [{"choice": "x", "display": "X"}]},
    ]
    error = error_at(f"{PATH}[1].subchoices[0].choice", objects)
    assert '"x"' in str(error)


def test_leaf_and_group_may_not_share_a_name():
    error_at(f"{PATH}[1].choice", ["car", {"choice": "car", "subchoices": ["sedan"]}])
    error_at(f"{PATH}[1]", [{"choice": "car", "subchoices": ["sedan"]}, "car"])
    error_at(f"{PATH}[0].subchoices[0]", [{"choice": "car", "subchoices": ["car"]}])


def test_groups_may_share_a_name():
    objects = [
        {"choice": "vehicle", "subchoices": [{"choice": "other", "subchoices": ["a"]}]},
        {"choice": "person", "subchoices": [{"choice": "other", "subchoices": ["b"]}]},
    ]
    assert LabelTree.parse(objects, PATH).leaves == ["a", "b"]


def test_depth_limit():
    objects: list = ["leaf"]
    for level in range(MAX_DEPTH + 1):
        objects = [{"choice": f"g{level}", "subchoices": objects}]
    with pytest.raises(RuleError) as info:
        LabelTree.parse(objects, PATH)
    assert "nested" in info.value.message


names = st.text(min_size=1, max_size=8)


@given(st.lists(names, unique=True, max_size=20))
def test_flat_unique_strings_always_parse(labels):
    tree = LabelTree.parse(labels, PATH)
    assert tree.leaves == labels
    assert tree.to_json() == labels
    assert all(tree.path(label) == [label] for label in labels)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["choice", "subchoices", "display", "instance_label", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@given(json_like)
def test_arbitrary_input_only_raises_rule_error(objects):
    try:
        tree = LabelTree.parse(objects, PATH)
    except RuleError:
        return
    assert len(set(tree.leaves)) == len(tree.leaves)
