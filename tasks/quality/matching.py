"""Which annotations of two or more answers are the same object (docs/quality.md#matching).

Two answers (`match_pair`): per geometry type, the one-to-one matching that maximises the sum
of the pairs' weights, among pairs at least `options.min_similarity` alike. A pair's weight is
its similarity plus `options.label_bonus` when both carry the same label: labels do not stop a
match (a mislabelled object is matched and counted as a label disagreement), but where shapes
overlap, the pairing that agrees on labels wins.

k answers (`cluster`): the answers are taken in the order given. The first answer's objects
start one cluster each; each later answer is matched, as above, against the clusters built so
far, a cluster's similarity to an object being the mean similarity of the object to the
cluster's members (and its label agreement the share of members with the object's label). An
object left unmatched starts a new cluster. Every pair of answers is compared once and the
similarities are kept for the merge.

The assignment is solved per connected component of the graph of eligible pairs (scipy's
`linear_sum_assignment` on each), which gives the same optimum as one assignment over the
whole matrix at a fraction of the cost when objects are spread over the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .options import QualityOptions
from .similarity import Matrix, similarity_matrix


def assign(weights: Matrix, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the maximum-weight one-to-one matching among `eligible` pairs.

    `weights` must be > 0 where eligible. Returns two index arrays, sorted by row."""
    rows, cols = np.nonzero(eligible)
    if not rows.size:
        return rows, cols
    n_rows = weights.shape[0]
    size = n_rows + weights.shape[1]
    graph = coo_matrix((np.ones(rows.size), (rows, cols + n_rows)), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    edge_component = component[rows]
    edges_per_component = np.bincount(edge_component, minlength=size)
    single = edges_per_component[edge_component] == 1
    out_rows, out_cols = [rows[single]], [cols[single]]
    shared = ~single
    if shared.any():
        order = np.argsort(edge_component[shared], kind="stable")
        group_rows, group_cols = rows[shared][order], cols[shared][order]
        bounds = np.flatnonzero(np.diff(edge_component[shared][order])) + 1
        for r_part, c_part in zip(np.split(group_rows, bounds), np.split(group_cols, bounds),
                                  strict=True):
            r_ids, c_ids = np.unique(r_part), np.unique(c_part)
            block = np.where(eligible[np.ix_(r_ids, c_ids)], weights[np.ix_(r_ids, c_ids)], 0)
            r_best, c_best = linear_sum_assignment(block, maximize=True)
            keep = block[r_best, c_best] > 0
            out_rows.append(r_ids[r_best[keep]])
            out_cols.append(c_ids[c_best[keep]])
    result_rows, result_cols = np.concatenate(out_rows), np.concatenate(out_cols)
    order = np.argsort(result_rows, kind="stable")
    return result_rows[order], result_cols[order]


def same_labels(a: Sequence[dict], b: Sequence[dict]) -> np.ndarray:
    """Boolean (len(a), len(b)): do the two annotations carry the same label (both none too)."""
    codes: dict = {}
    ca = np.array([codes.setdefault(x.get("label"), len(codes)) for x in a], dtype=int)
    cb = np.array([codes.setdefault(x.get("label"), len(codes)) for x in b], dtype=int)
    return ca[:, None] == cb[None, :]


@dataclass(frozen=True)
class Pair:
    """Annotation `a` of the first answer is annotation `b` of the second (list indices)."""

    a: int
    b: int
    similarity: float
    same_label: bool


def by_type(annotations: Sequence[dict]) -> dict[str, list[int]]:
    """Indices of the annotations of each geometry type, in list order."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(annotations):
        groups.setdefault(item["type"], []).append(index)
    return groups


def match_pair(a: Sequence[dict], b: Sequence[dict],
               options: QualityOptions | None = None) -> list[Pair]:
    """The optimal one-to-one matching of two annotation lists, sorted by `a`'s order."""
    options = options or QualityOptions()
    groups_a, groups_b = by_type(a), by_type(b)
    pairs = []
    for kind, ia in groups_a.items():
        ib = groups_b.get(kind)
        if not ib:
            continue
        xs, ys = [a[i] for i in ia], [b[j] for j in ib]
        sims = similarity_matrix(kind, xs, ys, options)
        same = same_labels(xs, ys)
        rows, cols = assign(sims + options.label_bonus * same, sims >= options.min_similarity)
        pairs += [Pair(ia[r], ib[c], float(sims[r, c]), bool(same[r, c]))
                  for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
    return sorted(pairs, key=lambda pair: pair.a)


# ---------------------------------------------------------------- k answers


@dataclass
class Cluster:
    """One object as the answers drew it: answer index -> annotation index in that answer."""

    kind: str
    members: dict[int, int] = field(default_factory=dict)


@dataclass
class Clustering:
    """The clusters of k answers and the similarities between every two answers' shapes."""

    answers: list[list[dict]]
    clusters: list[Cluster]
    # (kind, i, j), i < j -> similarities of answer i's annotations of that kind (rows, in
    # their order in `positions`) to answer j's (columns).
    matrices: dict[tuple[str, int, int], Matrix]
    # (kind, answer) -> annotation indices of that kind in that answer; `rank` inverts it.
    positions: dict[tuple[str, int], list[int]]
    rank: dict[tuple[int, int], int]

    def similarity(self, kind: str, i: int, x: int, j: int, y: int) -> float:
        """Similarity of annotation x of answer i to annotation y of answer j (i != j)."""
        if i > j:
            i, x, j, y = j, y, i, x
        return float(self.matrices[kind, i, j][self.rank[i, x], self.rank[j, y]])


def cluster(answers: Sequence[Sequence[dict]],
            options: QualityOptions | None = None) -> Clustering:
    """Group the annotations of k answers (lists of annotations) into objects."""
    options = options or QualityOptions()
    answers = [list(answer) for answer in answers]
    positions: dict[tuple[str, int], list[int]] = {}
    rank: dict[tuple[int, int], int] = {}
    for i, answer in enumerate(answers):
        for kind, indices in by_type(answer).items():
            positions[kind, i] = indices
            rank.update({(i, x): r for r, x in enumerate(indices)})
    kinds = sorted({kind for kind, _ in positions})
    matrices: dict[tuple[str, int, int], Matrix] = {}
    clusters: list[Cluster] = []
    for kind in kinds:
        clusters += _cluster_kind(kind, answers, positions, matrices, options)
    return Clustering(answers, clusters, matrices, positions, rank)


def _cluster_kind(kind: str, answers: list[list[dict]], positions: dict,
                  matrices: dict, options: QualityOptions) -> list[Cluster]:
    items = [[answer[x] for x in positions.get((kind, i), [])]
             for i, answer in enumerate(answers)]
    # members[c, i] = rank (position among answer i's shapes of this kind) of cluster c's
    # member from answer i, or -1.
    members = np.full((0, len(answers)), -1, dtype=int)
    for j, objects in enumerate(items):
        for i in range(j):
            matrices[kind, i, j] = similarity_matrix(kind, items[i], objects, options)
        if not objects:
            continue
        sims, labels = _against_clusters(kind, j, members, items, matrices)
        rows, cols = assign(sims + options.label_bonus * labels, sims >= options.min_similarity)
        members[rows, j] = cols
        unmatched = np.setdiff1d(np.arange(len(objects)), cols)
        fresh = np.full((unmatched.size, len(answers)), -1, dtype=int)
        fresh[:, j] = unmatched
        members = np.vstack([members, fresh])
    return [Cluster(kind, {i: positions[kind, i][r] for i, r in enumerate(row) if r >= 0})
            for row in members.tolist()]


def _against_clusters(kind: str, j: int, members: np.ndarray, items: list[list[dict]],
                      matrices: dict) -> tuple[Matrix, Matrix]:
    """Mean similarity and share of same labels of answer j's objects to each cluster's
    members from the earlier answers: (clusters, objects) arrays."""
    shape = (members.shape[0], len(items[j]))
    total, same, count = np.zeros(shape), np.zeros(shape), np.zeros((shape[0], 1))
    for i in range(j):
        present = members[:, i] >= 0
        if not present.any():
            continue
        rows = members[present, i]
        total[present] += matrices[kind, i, j][rows]
        same[present] += same_labels(items[i], items[j])[rows]
        count[present] += 1
    count[count == 0] = 1  # a cluster with no earlier member cannot exist; keep the division safe
    return total / count, same / count
