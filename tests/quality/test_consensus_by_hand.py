"""Three taskers, one who misses an object and one who mislabels it: the merge and the
agreement figures against values worked out by hand (docs/quality.md)."""

from fractions import Fraction

import pytest

from tasks.quality.merge import merge
from tasks.quality.scoring import score_answer


def box(uuid, label, left, top, width, height, **attributes):
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": width, "height": height, "attributes": attributes}


# Objects: A a car, B a person, C a sign; tasker 1 misses C and draws a stray D; tasker 2
# calls A a truck.
TASKER_0 = {"annotations": [
    box("a0", "car", 0, 0, 10, 10, occluded="no"),
    box("b0", "person", 100, 100, 10, 20),
    box("c0", "sign", 200, 0, 10, 10, occluded="yes"),
], "global_attributes": {"weather": "rain"}}
TASKER_1 = {"annotations": [
    box("d1", "sign", 300, 300, 5, 5),
    box("b1", "person", 100, 100, 10, 20),
    box("a1", "car", 1, 0, 10, 10, occluded="yes"),
], "global_attributes": {"weather": "sun"}}
TASKER_2 = {"annotations": [
    box("a2", "truck", 0, 0, 10, 10, occluded="no"),
    box("b2", "person", 100, 102, 10, 20),
    box("c2", "sign", 200, 0, 10, 10, occluded="no"),
], "global_attributes": {"weather": "sun"}}

# IoUs: a0-a1 = 90/110, a0-a2 = 1, a1-a2 = 90/110; b0-b1 = 1, b0-b2 = b1-b2 = 180/220;
# c0-c2 = 1.
NINE_ELEVENTHS = Fraction(9, 11)
A_GEOMETRY = (NINE_ELEVENTHS + 1 + NINE_ELEVENTHS) / 3  # 29/33
A_AGREEMENT = A_GEOMETRY * Fraction(2, 3)  # the truck: 2 of 3 say car
B_AGREEMENT = (1 + NINE_ELEVENTHS + NINE_ELEVENTHS) / 3  # 29/33
C_AGREEMENT = Fraction(1)
# kept objects weighted by coverage (C: 2 of 3), over 4 objects (D dropped counts 0)
TASK_AGREEMENT = (A_AGREEMENT + B_AGREEMENT + C_AGREEMENT * Fraction(2, 3)) / 4


@pytest.fixture
def merged():
    return merge([TASKER_0, TASKER_1, TASKER_2])


def test_the_merged_response_keeps_what_most_drew_with_the_majority_label(merged):
    annotations = merged.response["annotations"]
    by_uuid = {item["uuid"]: item for item in annotations}
    assert sorted(by_uuid) == ["a0", "b0", "c0"]  # medoids: ties go to the earliest answer
    a, b, c = by_uuid["a0"], by_uuid["b0"], by_uuid["c0"]
    assert a == {"uuid": "a0", "type": "box", "label": "car", "left": pytest.approx(1 / 3),
                 "top": 0, "width": 10, "height": 10, "attributes": {"occluded": "no"}}
    assert b["label"] == "person"
    assert b["top"] == pytest.approx(302 / 3)
    assert (b["left"], b["width"], b["height"], b["attributes"]) == (100, 10, 20, {})
    # C: drawn by 2 of 3, kept; its attribute is a tie between "yes" (tasker 0) and "no"
    assert c["label"] == "sign"
    assert c["attributes"] == {"occluded": "yes"}
    assert merged.response["global_attributes"] == {"weather": "sun"}
    assert "links" not in merged.response


def test_the_agreement_figures_equal_the_hand_computed_ones(merged):
    report = merged.report
    assert report["taskers"] == 3
    assert (report["kept"], report["dropped"]) == (3, 1)
    assert report["agreement"] == pytest.approx(float(TASK_AGREEMENT))
    assert float(TASK_AGREEMENT) == pytest.approx(211 / 396)
    objects = {obj["label"]: obj for obj in report["objects"] if obj["kept"]}
    car, person, sign = objects["car"], objects["person"], objects["sign"]
    assert car["members"] == ["a0", "a1", "a2"]
    assert car["geometry"] == pytest.approx(float(A_GEOMETRY))
    assert car["label_agreement"] == pytest.approx(2 / 3)
    assert car["agreement"] == pytest.approx(float(A_AGREEMENT))
    assert person["agreement"] == pytest.approx(float(B_AGREEMENT))
    assert sign["members"] == ["c0", None, "c2"]
    assert (sign["coverage"], sign["agreement"]) == (pytest.approx(2 / 3), 1)
    stray = next(obj for obj in report["objects"] if not obj["kept"])
    assert stray["members"] == [None, "d1", None]
    assert stray["uuid"] is None
    assert report["per_tasker"] == [
        {"missed": 0, "extra": 0, "mislabelled": 0},
        {"missed": 1, "extra": 1, "mislabelled": 0},
        {"missed": 0, "extra": 0, "mislabelled": 1},
    ]


def test_gold_scoring_of_the_mislabelling_tasker():
    score = score_answer(TASKER_2, TASKER_0)
    assert (score.matched, score.missed, score.extra) == (3, 0, 0)
    assert (score.precision, score.recall) == (1, 1)
    assert score.mean_similarity == pytest.approx((1 + 9 / 11 + 1) / 3)
    assert score.label_accuracy == pytest.approx(2 / 3)
    # occluded: A right, C wrong; weather: wrong
    assert score.attribute_accuracy == pytest.approx(1 / 3)
    # q: A 0 (label), B 9/11, C 0 (attribute); over 3 matched; global share 0
    assert score.score == 0
    without_globals = score_answer({"annotations": TASKER_2["annotations"]},
                                   {"annotations": TASKER_0["annotations"]})
    assert without_globals.score == pytest.approx(9 / 11 / 3)


def test_gold_scoring_of_the_tasker_who_missed_one_and_added_one():
    score = score_answer(TASKER_1, TASKER_0)
    assert (score.matched, score.missed, score.extra) == (2, 1, 1)
    assert (score.precision, score.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert score.label_accuracy == 1
    # A: IoU 9/11 but occluded wrong (q 0); B: q 1; TP 2 + (1 + 1) / 2; weather wrong
    assert score.attribute_accuracy == 0
    assert score.score == 0
    plain = score_answer({"annotations": TASKER_1["annotations"]},
                         {"annotations": TASKER_0["annotations"]})
    assert plain.score == pytest.approx(1 / 3)


def test_the_merge_is_a_valid_response_of_the_task():
    from tasks.rules.annotations import validate_response
    from tasks.rules.params import normalize_image_params

    params = normalize_image_params({
        "attachment": "https://example.com/a.jpg",
        "geometries": {"box": {"objects_to_annotate": ["car", "truck", "person", "sign"]}},
        "annotation_attributes": {
            "occluded": {"choices": ["yes", "no"]},
            "weather": {"choices": ["rain", "sun"], "conditions": {"is_global": True}},
        },
    })
    result = merge([TASKER_0, TASKER_1, TASKER_2], params=params)
    assert validate_response(result.response, params) == result.response
