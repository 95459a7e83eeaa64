"""tasks.quality.scoring: an answer against the expected one (gold and training tasks)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.quality.scoring import score_answer


def box(uuid, label, left, top=0, width=10, height=10, **attributes):
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": width, "height": height, "attributes": attributes}


def test_nothing_expected_and_nothing_given_is_a_perfect_score():
    score = score_answer({"annotations": []}, {"annotations": []})
    assert (score.score, score.precision, score.recall) == (1, 1, 1)
    assert (score.mean_similarity, score.label_accuracy, score.attribute_accuracy) == \
        (None, None, None)


def test_an_empty_answer_to_a_full_task_scores_zero():
    score = score_answer({"annotations": []}, {"annotations": [box("e", "car", 0)]})
    assert (score.score, score.precision, score.recall, score.missed) == (0, 1, 0, 1)


def test_misses_and_extras_cost_half_a_matched_object_each():
    expected = {"annotations": [box("e0", "car", 0), box("e1", "car", 100)]}
    given = {"annotations": [box("g0", "car", 1), box("g1", "car", 300)]}
    score = score_answer(given, expected)
    assert (score.matched, score.missed, score.extra) == (1, 1, 1)
    assert score.score == pytest.approx((9 / 11) / (1 + (1 + 1) / 2))
    assert score.mean_similarity == pytest.approx(9 / 11)


def test_a_linked_attribute_is_right_when_it_names_the_matched_object():
    expected = {"annotations": [box("car", "car", 0, width=40, height=40),
                                box("plate", "plate", 10, 30, 20, 8, owner="car")]}
    right = {"annotations": [box("c", "car", 0, width=40, height=40),
                             box("p", "plate", 10, 30, 20, 8, owner="c")]}
    wrong = {"annotations": [box("c", "car", 0, width=40, height=40),
                             box("p", "plate", 10, 30, 20, 8, owner="p")]}
    assert score_answer(right, expected).attribute_accuracy == 1
    assert score_answer(right, expected).score == 1
    assert score_answer(wrong, expected).attribute_accuracy == 0
    assert score_answer(wrong, expected).score == pytest.approx(0.5)


def test_multiple_choices_compare_as_sets_and_the_json_is_ready():
    expected = {"annotations": [box("e", "car", 0, colours=["red", "blue"])]}
    given = {"annotations": [box("g", "car", 0, colours=["blue", "red"])]}
    score = score_answer(given, expected)
    assert score.attribute_accuracy == 1
    assert score.as_json()["score"] == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.integers(2, 100),
                          st.sampled_from(["car", "truck"]), st.sampled_from(["y", "n"])),
                max_size=15))
def test_an_answer_scores_one_against_itself(boxes):
    response = {"annotations": [box(f"u{n}", label, x, y, w, w, occluded=flag)
                                for n, (x, y, w, label, flag) in enumerate(boxes)],
                "global_attributes": {"weather": "sun"}}
    score = score_answer(response, response)
    assert score.score == pytest.approx(1)
    assert (score.precision, score.recall) == (1, 1)
    assert score.matched == len(boxes)
