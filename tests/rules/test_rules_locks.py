"""Base annotation flags and locks on a submitted response."""

from __future__ import annotations

import pytest

from tasks.rules.errors import RuleError
from tasks.rules.locks import check_locks, same_geometry
from tasks.rules.params import normalize_image_params

BASE = {"uuid": "b1", "type": "box", "label": "car", "left": 0, "top": 0, "width": 10,
        "height": 10, "attributes": {}}
LOCKED = {**BASE, "uuid": "b2", "locked": True}
HYP = {"uuid": "h1", "type": "box", "label": "car", "left": 5, "top": 5, "width": 10,
       "height": 10, "attributes": {}}


def params(**flags) -> dict:
    return normalize_image_params({
        "attachment": "https://example.com/a.png",
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
        "base_annotations": {"annotations": [BASE, LOCKED]},
        "hypothesis": {"annotations": [HYP]},
        **flags,
    })


def strip(ann: dict) -> dict:
    return {k: v for k, v in ann.items() if k != "locked"}


def test_untouched_response_passes_every_flag_combination():
    for flag in ("can_add_base_annotations", "can_edit_base_annotations",
                 "can_edit_base_annotation_labels", "can_delete_base_annotations"):
        check_locks([strip(BASE), strip(LOCKED), HYP], params(**{flag: False}))


def test_locked_annotation_cannot_move_relabel_or_go():
    with pytest.raises(RuleError, match="geometry of base annotation b2.*locked") as err:
        check_locks([strip(BASE), {**strip(LOCKED), "left": 1}], params())
    assert err.value.annotation_uuid == "b2"
    with pytest.raises(RuleError, match="label"):
        check_locks([strip(BASE), {**strip(LOCKED), "label": "bus"}], params())
    with pytest.raises(RuleError, match="must keep base annotation b2"):
        check_locks([strip(BASE)], params())


def test_edit_flag_locks_geometry_attributes_and_label():
    p = params(can_edit_base_annotations=False)
    with pytest.raises(RuleError, match="cannot be edited"):
        check_locks([{**strip(BASE), "width": 12}, strip(LOCKED)], p)
    with pytest.raises(RuleError, match="label"):
        check_locks([{**strip(BASE), "label": "bus"}, strip(LOCKED)], p)
    check_locks([strip(LOCKED)], p)  # deleting is its own flag


def test_label_flag_locks_only_labels():
    p = params(can_edit_base_annotation_labels=False)
    check_locks([{**strip(BASE), "width": 12}, strip(LOCKED)], p)
    with pytest.raises(RuleError, match="cannot be relabelled"):
        check_locks([{**strip(BASE), "label": "bus"}, strip(LOCKED)], p)


def test_delete_flag():
    with pytest.raises(RuleError, match="cannot be deleted"):
        check_locks([strip(LOCKED)], params(can_delete_base_annotations=False))


def test_add_flag_allows_prelabels_only():
    p = params(can_add_base_annotations=False)
    check_locks([strip(BASE), strip(LOCKED)], p)
    new = {**HYP, "uuid": "n1"}
    with pytest.raises(RuleError, match="new annotation") as err:
        check_locks([strip(BASE), strip(LOCKED), HYP, new], p)
    assert err.value.path == "annotations[3]"


def test_no_base_annotations_means_no_rules():
    p = normalize_image_params({"attachment": "https://example.com/a.png",
                                "geometries": {"box": {}}, "can_add_base_annotations": False})
    check_locks([{"uuid": "x", "type": "box", "left": 0, "top": 0, "width": 1, "height": 1,
                  "attributes": {}}], p)


def test_same_geometry_tolerates_float_noise_only():
    assert same_geometry({"left": 1.0, "vertices": [{"x": 1, "y": 2}]},
                         {"left": 1.0 + 1e-9, "vertices": [{"x": 1, "y": 2.0}]})
    assert not same_geometry({"left": 1.0}, {"left": 1.01})
    assert not same_geometry({"vertices": [{"x": 1, "y": 2}]}, {"vertices": []})
