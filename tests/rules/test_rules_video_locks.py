"""Base tracks of a video task: their checks at create, and the lock rules on tracks (a track's
geometry is its keyframes without attributes; its attributes are the keyframes')."""

from __future__ import annotations

import pytest

from tasks.rules import locks
from tasks.rules.errors import RuleError
from tasks.rules.video import normalize_video_params

FRAMES = [f"https://example.com/f{n}.jpg" for n in range(10)]
GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"]}}
ATTRIBUTES = {"moving": {"choices": ["yes", "no"]}}
BASE = {"uuid": "base-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40,
     "attributes": {"moving": "no"}},
    {"frame": 9, "left": 70, "top": 20, "width": 30, "height": 40},
]}


def params(*tracks: dict, **flags: object) -> dict:
    return normalize_video_params({
        "attachments": FRAMES, "geometries": GEOMETRIES, "annotation_attributes": ATTRIBUTES,
        "base_annotations": {"annotations": list(tracks) or [BASE]}, **flags})


def moved(track: dict, left: float = 15) -> dict:
    return {**track, "keyframes": [{**track["keyframes"][0], "left": left},
                                   *track["keyframes"][1:]]}


def with_attributes(track: dict, value: str = "yes") -> dict:
    return {**track, "keyframes": [{**track["keyframes"][0], "attributes": {"moving": value}},
                                   *track["keyframes"][1:]]}


def test_base_tracks_are_checked_as_tracks_and_keep_their_lock():
    result = params(BASE, {**BASE, "uuid": "base-2", "locked": True})
    first, second = result["base_annotations"]["annotations"]
    assert first["locked"] is False and second["locked"] is True
    assert first["keyframes"][0] == {"frame": 0, "left": 10, "top": 20, "width": 30,
                                     "height": 40, "attributes": {"moving": "no"}}
    assert "locked" not in first["keyframes"][0]


@pytest.mark.parametrize(("track", "message"), [
    ({**BASE, "locked": "yes"}, "base_annotations.annotations[0].locked must be true or false"),
    ({**BASE, "keyframes": [{**BASE["keyframes"][0], "frame": 10}]},
     "base_annotations.annotations[0].keyframes[0].frame must be an integer between 0 and 9"),
    ({**BASE, "label": "tram"}, "base_annotations.annotations[0].label"),
])
def test_bad_base_tracks_are_named(track, message):
    with pytest.raises(RuleError) as error:
        params(track)
    assert message in str(error.value)


def test_track_changes_split_geometry_from_attributes():
    kfs = BASE["keyframes"]
    assert locks.track_changes(kfs, kfs) == set()
    assert locks.track_changes(kfs, moved(BASE)["keyframes"]) == {"keyframes"}
    assert locks.track_changes(kfs, with_attributes(BASE)["keyframes"]) == {"attributes"}
    added = [kfs[0], {"frame": 4, "left": 40, "top": 20, "width": 30, "height": 40}, kfs[1]]
    assert locks.track_changes(kfs, added) == {"keyframes"}
    assert locks.track_changes(kfs, [kfs[0], {"frame": 9, "outside": True}]) == {"keyframes"}
    assert locks.track_changes(kfs, kfs[1:]) == {"keyframes", "attributes"}
    # a number that only looks different is no change
    assert locks.track_changes(kfs, [{**kfs[0], "left": 10.0000001}, kfs[1]]) == set()


def test_an_update_of_keyframes_is_the_action_it_amounts_to():
    current = {**BASE, "attributes": {}}
    assert locks.update_actions(locks.changed_keys(current, moved(BASE), {"keyframes"})) == [
        "edit_geometry"]
    assert locks.update_actions(locks.changed_keys(
        current, with_attributes(BASE), {"keyframes"})) == ["edit_attributes"]
    relabel = {**BASE, "label": "bus"}
    assert locks.update_actions(locks.changed_keys(current, relabel, {"keyframes", "label"})) \
        == ["relabel"]


@pytest.mark.parametrize(("flags", "change", "action", "reason"), [
    ({}, moved, "edit_geometry", "This base annotation is locked"),
    ({}, with_attributes, "edit_attributes", "This base annotation is locked"),
    ({"can_edit_base_annotations": False, "locked": False}, moved, "edit_geometry",
     "Base annotations cannot be edited in this task"),
    ({"can_edit_base_annotations": False, "locked": False}, with_attributes, "edit_attributes",
     "Base annotations cannot be edited in this task"),
])
def test_a_draft_update_of_a_locked_base_track_is_refused(flags, change, action, reason):
    locked = flags.pop("locked", True)
    task_params = params({**BASE, "locked": locked}, **flags)
    row = {"uuid": "base-1", "source": "base", "locked": locked}
    changed = locks.changed_keys({**BASE, "attributes": {}}, change(BASE), {"keyframes"})
    assert locks.update_actions(changed) == [action]
    with pytest.raises(RuleError) as error:
        locks.check_update(row, changed, task_params)
    assert error.value.message == reason and error.value.annotation_uuid == "base-1"
    # an ordinary track may do it
    locks.check_update({"uuid": "t", "source": "tasker", "locked": False}, changed, task_params)


def test_a_submit_that_changes_a_locked_base_track_is_refused():
    task_params = params({**BASE, "locked": True})
    base = task_params["base_annotations"]["annotations"][0]
    clean = {k: v for k, v in base.items() if k != "locked"}
    locks.check_locks([clean], task_params)  # as it was: fine
    cases = [
        (moved(clean), "response.annotations[0].keyframes change the geometry of base "
                       "annotation base-1, which is locked"),
        (with_attributes(clean), "response.annotations[0].keyframes change the attributes of "
                                 "base annotation base-1, which is locked"),
        ({**clean, "label": "bus"}, "response.annotations[0].label of base annotation base-1 "
                                    "cannot change: it is locked"),
    ]
    for submitted, message in cases:
        with pytest.raises(RuleError) as error:
            locks.check_locks([submitted], task_params, "response.annotations")
        assert str(error.value) == message and error.value.annotation_uuid == "base-1"
    with pytest.raises(RuleError) as error:
        locks.check_locks([], task_params, "response.annotations")
    assert str(error.value) == ("response.annotations must keep base annotation base-1: "
                                "it is locked")


def test_editable_base_tracks_may_change_but_labels_follow_their_flag():
    task_params = params(BASE, can_edit_base_annotation_labels=False)
    base = {k: v for k, v in task_params["base_annotations"]["annotations"][0].items()
            if k != "locked"}
    locks.check_locks([moved(with_attributes(base))], task_params)
    with pytest.raises(RuleError, match="cannot be relabelled in this task"):
        locks.check_locks([{**base, "label": "bus"}], task_params)
