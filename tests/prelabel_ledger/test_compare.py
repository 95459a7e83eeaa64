"""tasks.prelabel_ledger.compare: one outcome per prelabel, added annotations, the IoU of
moved shapes, and the tallies, against hand-computed values (no database)."""

import pytest

from tasks.prelabel_ledger.compare import (
    ADDED,
    ATTRIBUTES_CHANGED,
    DELETED,
    KEPT,
    MOVED,
    RELABELLED,
    close,
    compare,
    same_attributes,
    tally,
)


def box(uuid, left=0.0, top=0.0, size=100.0, label="car", **extra):
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": size, "height": size, **extra}


def polygon(uuid, *xy, label="road"):
    return {"uuid": uuid, "type": "polygon", "label": label,
            "vertices": [{"x": x, "y": y} for x, y in xy]}


def outcome_of(prelabel, final):
    return compare([prelabel], [final] if final else [])[0]


def test_an_untouched_prelabel_is_kept_with_iou_one():
    found = outcome_of(box("a", 1.234), box("a", 1.23))  # rounded to two decimals at submit
    assert (found.outcome, found.iou) == (KEPT, 1.0)


def test_a_box_shifted_by_ten_pixels_is_moved_with_its_iou():
    found = outcome_of(box("a"), box("a", left=10))
    assert found.outcome == MOVED
    assert found.iou == pytest.approx(9000 / 11000, abs=1e-6)


def test_a_moved_polygon_has_the_polygon_iou():
    square = polygon("p", (0, 0), (10, 0), (10, 10), (0, 10))
    half = polygon("p", (0, 0), (5, 0), (5, 10), (0, 10))
    found = outcome_of(square, half)
    assert (found.outcome, found.iou) == (MOVED, pytest.approx(0.5))


def test_a_moved_point_has_the_distance_similarity():
    a = {"uuid": "q", "type": "point", "label": "car", "x": 0, "y": 0}
    found = outcome_of(a, {**a, "x": 10})
    assert (found.outcome, found.iou) == (MOVED, pytest.approx(0.75))  # 1 - 10 / 40


def test_a_new_label_wins_over_a_move_and_keeps_the_iou():
    found = outcome_of(box("a"), box("a", left=10, label="bus"))
    assert found.outcome == RELABELLED
    assert found.label == "car"  # counted under the model's label
    assert found.iou == pytest.approx(9 / 11, abs=1e-6)


def test_a_move_wins_over_changed_attributes():
    found = outcome_of(box("a", attributes={"parked": "no"}),
                       box("a", left=10, attributes={"parked": "yes"}))
    assert found.outcome == MOVED


def test_changed_attributes_alone():
    found = outcome_of(box("a", attributes={"parked": "no"}),
                       box("a", attributes={"parked": "yes"}))
    assert (found.outcome, found.iou) == (ATTRIBUTES_CHANGED, 1.0)


def test_a_missing_prelabel_is_deleted_and_a_new_uuid_added():
    outcomes = compare([box("a")], [box("new", label="bus")])
    assert [(o.uuid, o.outcome, o.label, o.iou) for o in outcomes] == [
        ("a", DELETED, "car", None), ("new", ADDED, "bus", None)]


def test_a_changed_type_is_moved_with_iou_zero():
    found = outcome_of(box("a"), polygon("a", (0, 0), (1, 0), (1, 1), label="car"))
    assert (found.outcome, found.iou) == (MOVED, 0.0)


def test_a_rotation_of_zero_equals_none():
    assert outcome_of(box("a"), box("a", rotation=0)).outcome == KEPT
    assert outcome_of(box("a"), box("a", rotation=0.2)).outcome == MOVED


def test_attribute_equality_ignores_order_of_choices_and_empty_values():
    assert same_attributes({"attributes": {"tags": ["a", "b"], "x": None}},
                           {"attributes": {"tags": ["b", "a"]}})
    assert not same_attributes({"attributes": {"n": 1}}, {"attributes": {"n": 2}})


def test_close_compares_within_the_tolerance():
    assert close([{"x": 1.0}], [{"x": 1.009}], 0.01)
    assert not close([{"x": 1.0}], [{"x": 1.02}], 0.01)
    assert not close([{"x": 1}], [{"x": 1}, {"x": 2}], 0.01)
    assert not close(True, 1, 0.01)


def test_the_scripted_session_tallies():
    """Six prelabels: three kept, one moved 10 px, one relabelled, one deleted; two added."""
    prelabels = [box("k1"), box("k2", 200), box("k3", 400), box("m", 600),
                 box("r", 800, label="bus"), box("d", 1000, label="bus")]
    answer = [box("k1"), box("k2", 200), box("k3", 400), box("m", 610),
              box("r", 800, label="car"), box("n1", 0, 300, label="person"),
              box("n2", 200, 300, label="person")]
    total, by_label = tally(compare(prelabels, answer))
    assert total.counts == {KEPT: 3, MOVED: 1, RELABELLED: 1, ATTRIBUTES_CHANGED: 0,
                            DELETED: 1, ADDED: 2}
    assert total.prelabels == 6
    assert total.iou_count == 4
    assert total.iou_sum == pytest.approx(3 + 9 / 11, abs=1e-6)
    assert by_label["car"].counts[KEPT] == 3 and by_label["car"].counts[MOVED] == 1
    assert by_label["bus"].counts == {KEPT: 0, MOVED: 0, RELABELLED: 1, ATTRIBUTES_CHANGED: 0,
                                      DELETED: 1, ADDED: 0}
    assert by_label["person"].counts[ADDED] == 2 and by_label["person"].prelabels == 0
