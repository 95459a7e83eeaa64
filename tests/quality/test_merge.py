"""tasks.quality.merge: merged geometry, votes, uuids, links, and properties of the merge."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.quality import three_answers
from tasks.quality.merge import merge
from tasks.rules.annotations import validate_response
from tasks.rules.params import normalize_image_params


def box(uuid, label, left, top, width=10, height=10, **extra):
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": width, "height": height, "attributes": {}, **extra}


def polygon(uuid, label, *xy, attributes=None):
    return {"uuid": uuid, "type": "polygon", "label": label,
            "vertices": [{"x": x, "y": y} for x, y in xy], "attributes": attributes or {}}


def point(uuid, label, x, y):
    return {"uuid": uuid, "type": "point", "label": label, "x": x, "y": y, "attributes": {}}


def answer(*annotations, **rest):
    return {"annotations": list(annotations), **rest}


def test_polygons_take_the_medoid_and_points_the_mean():
    left = polygon("p0", "road", (0, 0), (10, 0), (10, 10), (0, 10))
    middle = polygon("p1", "road", (1, 0), (11, 0), (11, 10), (1, 10))
    right = polygon("p2", "road", (2, 0), (12, 0), (12, 10), (2, 10))
    result = merge([answer(left, point("x0", "eye", 0, 0)),
                    answer(right, point("x1", "eye", 3, 0)),
                    answer(middle, point("x2", "eye", 0, 6))])
    by_type = {item["type"]: item for item in result.response["annotations"]}
    assert by_type["polygon"]["uuid"] == "p1"
    assert by_type["polygon"]["vertices"] == middle["vertices"]
    assert (by_type["point"]["x"], by_type["point"]["y"]) == (1, 2)
    # polygon: IoU 9/11 (dx 1) twice and 8/12 (dx 2): mean (18/11 + 2/3) / 3
    polygon_report = next(o for o in result.report["objects"] if o["type"] == "polygon")
    assert polygon_report["agreement"] == pytest.approx((18 / 11 + 2 / 3) / 3)
    # points (distance scale 40 px): 1 - 3/40, 1 - 6/40, 1 - sqrt(45)/40
    point_report = next(o for o in result.report["objects"] if o["type"] == "point")
    assert point_report["agreement"] == pytest.approx(
        (1 - 3 / 40 + 1 - 6 / 40 + 1 - math.sqrt(45) / 40) / 3)


def test_rotations_are_averaged_on_the_circle_and_vertices_recomputed():
    near_zero = [box(f"b{n}", "car", 0, 0, 10, 10, rotation=r)
                 for n, r in enumerate((0.1, -0.1, 2 * math.pi - 0.1))]
    merged = merge([answer(item) for item in near_zero]).response["annotations"][0]
    # atan2 of the mean sine (-sin 0.1 / 3) and the mean cosine (cos 0.1)
    assert merged["rotation"] == pytest.approx(math.atan(-math.tan(0.1) / 3), abs=1e-12)
    assert len(merged["vertices"]) == 4


def test_whole_pixels_when_the_task_asks_for_them():
    params = {"geometries": {"box": {"integer_pixels": True}}}
    answers = [answer(box("a", "car", 0, 0)), answer(box("b", "car", 1, 0)),
               answer(box("c", "car", 1, 1))]
    merged = merge(answers, params=params).response["annotations"][0]
    assert (merged["left"], merged["top"]) == (1, 0)  # 2/3 and 1/3 rounded
    assert isinstance(merged["left"], int)


def test_two_taskers_keep_what_either_drew():
    result = merge([answer(box("a", "car", 0, 0)), answer(box("b", "car", 50, 50))])
    assert [item["uuid"] for item in result.response["annotations"]] == ["a", "b"]
    # each drawn by one of two: agreement 1 x coverage 1/2, over 2 objects
    assert result.report["agreement"] == pytest.approx(0.5)


def test_a_shared_uuid_is_kept_and_a_taken_one_replaced():
    # pre-labels: every tasker starts from uuid "base"; one moves it far away, so it is its
    # own cluster (dropped); and "x" names two different objects of two taskers
    answers = [answer(box("base", "car", 0, 0), box("x", "car", 100, 0)),
               answer(box("base", "car", 0, 0), box("x", "car", 100, 0),
                      box("y", "car", 300, 0)),
               answer(box("base", "car", 1, 0), box("y", "car", 300, 0),
                      box("x", "car", 500, 0))]
    annotations = merge(answers).response["annotations"]
    uuids = [item["uuid"] for item in annotations]
    assert len(annotations) == 3
    assert "base" in uuids and "x" in uuids
    assert len(set(uuids)) == 3
    again = [item["uuid"] for item in merge(answers).response["annotations"]]
    assert again == uuids  # derived uuids are deterministic


def test_linked_attributes_and_links_point_at_the_merged_objects():
    params = normalize_image_params({
        "attachment": "https://example.com/a.jpg",
        "geometries": {"box": {"objects_to_annotate": ["car", "plate"]}},
        "annotation_attributes": {"owner": {"type": "linked", "allowed_labels": ["car"]}},
        "links": {"has": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["plate"]}]},
    })

    def tasker(n, dx):
        car, plate = f"car{n}", f"plate{n}"
        return answer(box(car, "car", dx, 0, 40, 40),
                      {**box(plate, "plate", dx + 10, 30, 20, 8), "attributes": {"owner": car}},
                      links=[{"label": "has", "from": car, "to": plate}])

    answers = [tasker(0, 0), tasker(1, 1), tasker(2, 0)]
    answers[2]["links"] = []
    result = merge(answers, params=params)
    car, plate = result.response["annotations"]
    assert (car["uuid"], plate["uuid"]) == ("car0", "plate0")
    assert plate["attributes"] == {"owner": "car0"}
    assert result.response["links"] == [{"label": "has", "from": "car0", "to": "plate0"}]
    assert validate_response(result.response, params) == result.response


def test_nothing_drawn_is_full_agreement():
    result = merge([answer(), answer(), answer()])
    assert result.response == {"annotations": []}
    assert result.report["agreement"] == 1
    with pytest.raises(ValueError):
        merge([])


def test_three_answers_of_a_thousand_boxes():
    answers = three_answers()
    result = merge(answers)
    report = result.report
    # the second tasker misses every 50th box (20) and adds 10; the third mislabels 20
    assert (report["kept"], report["dropped"]) == (1000, 10)
    assert report["per_tasker"] == [{"missed": 0, "extra": 0, "mislabelled": 0},
                                    {"missed": 20, "extra": 10, "mislabelled": 0},
                                    {"missed": 0, "extra": 0, "mislabelled": 20}]
    truth = {item["uuid"].split("-")[1]: item["label"] for item in answers[0]["annotations"]}
    for obj in report["objects"]:
        if obj["kept"]:
            names = {uuid.split("-")[1] for uuid in obj["members"] if uuid}
            assert len(names) == 1
            assert obj["label"] == truth[names.pop()]
    assert 0.7 < report["agreement"] < 0.95


coordinate = st.integers(0, 2000)
size = st.integers(2, 200)
labels = st.sampled_from(["car", "truck"])


@st.composite
def responses(draw):
    boxes = draw(st.lists(st.tuples(coordinate, coordinate, size, size, labels), max_size=12))
    return answer(*[box(f"u{n}", label, x, y, w, h)
                    for n, (x, y, w, h, label) in enumerate(boxes)])


@settings(max_examples=40, deadline=None)
@given(responses(), st.integers(1, 4))
def test_k_identical_answers_merge_to_themselves_in_full_agreement(response, k):
    result = merge([response] * k)
    annotations = result.response["annotations"]
    assert sorted(annotations, key=lambda item: item["uuid"]) == \
        sorted(response["annotations"], key=lambda item: item["uuid"])
    assert result.report["agreement"] == pytest.approx(1)


@settings(max_examples=40, deadline=None)
@given(st.lists(responses(), min_size=1, max_size=4))
def test_the_merge_figures_stay_in_range_and_every_object_once(answers):
    result = merge(answers)
    report = result.report
    assert 0 <= report["agreement"] <= 1 + 1e-9
    for obj in report["objects"]:
        assert 0 <= obj["agreement"] <= 1 + 1e-9
        assert obj["kept"] == (2 * sum(u is not None for u in obj["members"]) >= len(answers))
    drawn = sorted(u for obj in report["objects"] for u in obj["members"] if u)
    assert drawn == sorted(item["uuid"] for a in answers for item in a["annotations"])
    assert len(result.response["annotations"]) == report["kept"]


def every_type(n, dx):
    from tasks.rules.geometry import box_corners, cuboid_edges, ellipse_extremes

    cuboid_vertices = [{"x": x + dx, "y": y, "description": name, "type": "vertex"}
                       for name, (x, y) in (("face-topleft", (0, 0)),
                                            ("face-bottomleft", (0, 40)),
                                            ("face-topright", (40, 0)),
                                            ("face-bottomright", (40, 40)),
                                            ("side-topcorner", (60, 10)),
                                            ("side-bottomcorner", (60, 50)))]
    return answer(
        {**box(f"b{n}", "car", 100 + dx, 0, 40, 20, rotation=0.2),
         "vertices": box_corners(100 + dx, 0, 40, 20, 0.2)},
        polygon(f"p{n}", "road", (200 + dx, 0), (260, 0), (260, 60), (200, 60)),
        {"uuid": f"l{n}", "type": "line", "label": "lane", "attributes": {},
         "vertices": [{"x": 300 + dx, "y": 0}, {"x": 300, "y": 100}]},
        point(f"x{n}", "eye", 400 + dx, 10),
        {"uuid": f"e{n}", "type": "ellipse", "label": "wheel", "attributes": {},
         "vertices": ellipse_extremes(520 + dx, 50, 30, 20, 0.3)},
        {"uuid": f"c{n}", "type": "cuboid", "label": "van", "attributes": {},
         "vertices": cuboid_vertices, "edges": cuboid_edges(cuboid_vertices)},
    )


def test_every_geometry_type_merges_into_a_valid_response():
    params = normalize_image_params({
        "attachment": "https://example.com/a.jpg",
        "geometries": {"box": {"objects_to_annotate": ["car"], "can_rotate": True},
                       "polygon": {"objects_to_annotate": ["road"]},
                       "line": {"objects_to_annotate": ["lane"]},
                       "point": {"objects_to_annotate": ["eye"]},
                       "ellipse": {"objects_to_annotate": ["wheel"]},
                       "cuboid": {"objects_to_annotate": ["van"]}},
    })
    answers = [every_type(0, 0), every_type(1, 2), every_type(2, 1)]
    result = merge(answers, params=params)
    assert validate_response(result.response, params) == result.response
    assert sorted(item["type"] for item in result.response["annotations"]) == \
        ["box", "cuboid", "ellipse", "line", "point", "polygon"]
    by_type = {item["type"]: item for item in result.response["annotations"]}
    # the shapes drawn at dx 0, 2 and 1: the medoid is the middle one, tasker 2's
    for kind in ("polygon", "line", "ellipse", "cuboid"):
        assert by_type[kind]["uuid"] == f"{kind[0]}2"
    assert by_type["point"]["x"] == pytest.approx(401)
    assert by_type["box"]["left"] == pytest.approx(101)
    assert result.report["kept"] == 6
    assert all(obj["coverage"] == 1 for obj in result.report["objects"])
