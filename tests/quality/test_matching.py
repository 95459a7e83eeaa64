"""tasks.quality.matching: the optimal one-to-one matching and the clusters of k answers."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from tasks.quality.matching import assign, cluster, match_pair
from tasks.quality.options import QualityOptions
from tasks.quality.similarity import similarity

OPTIONS = QualityOptions()


def box(uuid, label, left, top, width=10, height=10):
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": width, "height": height, "attributes": {}}


def pairs_of(pairs):
    return [(pair.a, pair.b) for pair in pairs]


def test_the_matching_is_optimal_where_greedy_would_not_be():
    # 10 x 10 boxes in a row: IoU = (10 - dx) / (10 + dx). a0-b0 (dx 1, 9/11) is the best
    # single pair, but taking it leaves a1 and b1 alone; the optimum pairs a0-b1 and a1-b0
    # (dx 3 each, 7/13).
    a = [box("a0", "car", 0, 0), box("a1", "car", 4, 0)]
    b = [box("b0", "car", 1, 0), box("b1", "car", -3, 0)]
    assert similarity(a[0], b[0], OPTIONS) > similarity(a[0], b[1], OPTIONS)
    found = match_pair(a, b, OPTIONS)
    assert pairs_of(found) == [(0, 1), (1, 0)]
    assert [pair.similarity for pair in found] == [pytest.approx(7 / 13)] * 2


def test_pairs_under_the_threshold_are_dropped():
    a, b = [box("a", "car", 0, 0)], [box("b", "car", 6, 0)]  # IoU 40 / 160
    assert match_pair(a, b, QualityOptions(min_similarity=0.5)) == []
    assert pairs_of(match_pair(a, b, QualityOptions(min_similarity=0.2))) == [(0, 0)]


def test_a_mislabelled_object_is_matched_and_flagged():
    (pair,) = match_pair([box("a", "car", 0, 0)], [box("b", "truck", 1, 0)])
    assert (pair.a, pair.b, pair.same_label) == (0, 0, False)
    assert pair.similarity == pytest.approx(90 / 110)


def test_overlapping_objects_pair_by_label_first():
    # a rider on a bicycle: across labels the pairs are closer (dx 1: 9/11) than within
    # (dx 2: 8/12); the label bonus makes the same-label pairing win
    a = [box("rider", "person", 0, 0), box("bike", "bicycle", 3, 0)]
    b = [box("rider", "person", 2, 0), box("bike", "bicycle", 1, 0)]
    assert pairs_of(match_pair(a, b)) == [(0, 0), (1, 1)]
    assert pairs_of(match_pair(a, b, QualityOptions(label_bonus=0))) == [(0, 1), (1, 0)]


def test_types_never_match_each_other():
    a = [box("a", "car", 0, 0)]
    b = [{"uuid": "p", "type": "polygon", "label": "car",
          "vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 10, "y": 10}]}]
    assert match_pair(a, b) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**32 - 1), st.floats(0, 0.9))
def test_assign_reaches_the_dense_optimum(n_rows, n_cols, seed, sparsity):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.1, 2, (n_rows, n_cols))
    eligible = rng.uniform(0, 1, (n_rows, n_cols)) >= sparsity
    rows, cols = np.nonzero(eligible)
    got_rows, got_cols = assign(rows, cols, weights[rows, cols], (n_rows, n_cols))
    assert len(set(got_rows.tolist())) == got_rows.size  # one to one
    assert len(set(got_cols.tolist())) == got_cols.size
    assert eligible[got_rows, got_cols].all()
    dense = np.where(eligible, weights, 0)
    best_rows, best_cols = linear_sum_assignment(dense, maximize=True)
    assert weights[got_rows, got_cols].sum() == pytest.approx(dense[best_rows, best_cols].sum())


def answers_of_boxes(count, seed):
    rng = random.Random(seed)
    truth = [(rng.uniform(0, 900), rng.uniform(0, 900), rng.choice("ab")) for _ in range(count)]
    answers = []
    for tasker in range(3):
        items = [box(f"{tasker}-{n}", label, x + rng.uniform(-1, 1), y + rng.uniform(-1, 1),
                     40, 40) for n, (x, y, label) in enumerate(truth)]
        rng.shuffle(items)
        answers.append(items)
    return answers


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 40), st.integers(0, 2**32 - 1))
def test_every_object_of_identical_answers_is_one_cluster_of_k(count, seed):
    answers = [answers_of_boxes(count, seed)[0]] * 3
    found = cluster(answers)
    assert len(found.clusters) == count
    assert all(sorted(c.members) == [0, 1, 2] for c in found.clusters)
    assert all(len(set(c.members.values())) == 1 for c in found.clusters)


def test_clusters_of_shuffled_jittered_answers_gather_the_same_object():
    answers = answers_of_boxes(60, 3)
    found = cluster(answers)
    # crowded boxes may swap between close twins, but nearly every object gathers its own
    full = [c for c in found.clusters if len(c.members) == 3]
    same = [c for c in full
            if len({answers[i][x]["uuid"].split("-")[1] for i, x in c.members.items()}) == 1]
    assert len(same) >= 55
    # every annotation is in exactly one cluster
    seen = sorted((i, x) for c in found.clusters for i, x in c.members.items())
    assert seen == sorted((i, x) for i, answer in enumerate(answers) for x in range(len(answer)))
