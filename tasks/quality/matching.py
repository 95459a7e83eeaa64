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
`linear_sum_assignment` on each, a component of one pair taken as it is), which gives the same
optimum as one assignment over the whole matrix at a fraction of the cost: objects spread over
an image make many small components. Similarities are sparse throughout (similarity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .options import QualityOptions
from .similarity import Similarities, similarities


def assign(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
           shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The maximum-weight one-to-one matching among the eligible pairs (rows[n], cols[n]) of
    weight weights[n] > 0 (each pair listed once). Returns matched rows and columns, sorted
    by row."""
    if not rows.size:
        return rows, cols
    size = shape[0] + shape[1]
    graph = coo_matrix((np.ones(rows.size), (rows, cols + shape[0])), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    edge_component = component[rows]
    single = np.bincount(edge_component, minlength=size)[edge_component] == 1
    out_rows, out_cols = [rows[single]], [cols[single]]
    shared = np.flatnonzero(~single)
    if shared.size:
        shared = shared[np.argsort(edge_component[shared], kind="stable")]
        bounds = np.flatnonzero(np.diff(edge_component[shared])) + 1
        for edges in np.split(shared, bounds):
            r_ids, r_at = np.unique(rows[edges], return_inverse=True)
            c_ids, c_at = np.unique(cols[edges], return_inverse=True)
            block = np.zeros((r_ids.size, c_ids.size))
            block[r_at, c_at] = weights[edges]
            r_best, c_best = linear_sum_assignment(block, maximize=True)
            keep = block[r_best, c_best] > 0  # a zero is no pair: the row stays unmatched
            out_rows.append(r_ids[r_best[keep]])
            out_cols.append(c_ids[c_best[keep]])
    result_rows, result_cols = np.concatenate(out_rows), np.concatenate(out_cols)
    order = np.argsort(result_rows, kind="stable")
    return result_rows[order], result_cols[order]


class LabelCodes:
    """Labels as small integers, so that label equality is an array comparison."""

    def __init__(self) -> None:
        self.codes: dict = {}

    def __call__(self, items: Sequence[dict]) -> np.ndarray:
        return np.array([self.codes.setdefault(item.get("label"), len(self.codes))
                         for item in items], dtype=int)


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
        sims = similarities(kind, xs, ys, options)
        labels = LabelCodes()
        codes_a, codes_b = labels(xs), labels(ys)
        same = codes_a[sims.rows] == codes_b[sims.cols]
        eligible = sims.values >= options.min_similarity
        rows, cols = assign(sims.rows[eligible], sims.cols[eligible],
                            sims.values[eligible] + options.label_bonus * same[eligible],
                            sims.shape)
        found = sims.lookup()
        pairs += [Pair(ia[r], ib[c], found[r, c], bool(codes_a[r] == codes_b[c]))
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
    # (kind, i, j), i < j -> similar pairs of answer i's annotations of that kind (rows, by
    # their rank in `positions`) and answer j's (columns).
    matrices: dict[tuple[str, int, int], Similarities]
    # (kind, answer) -> annotation indices of that kind in that answer; `rank` inverts it.
    positions: dict[tuple[str, int], list[int]]
    rank: dict[tuple[int, int], int]
    lookups: dict[tuple[str, int, int], dict] = field(default_factory=dict)

    def similarity(self, kind: str, i: int, x: int, j: int, y: int) -> float:
        """Similarity of annotation x of answer i to annotation y of answer j (i != j)."""
        if i > j:
            i, x, j, y = j, y, i, x
        key = (kind, i, j)
        if key not in self.lookups:
            self.lookups[key] = self.matrices[key].lookup()
        return self.lookups[key].get((self.rank[i, x], self.rank[j, y]), 0.0)


def cluster(answers: Sequence[Sequence[dict]],
            options: QualityOptions | None = None) -> Clustering:
    """Group the annotations of k answers (lists of annotations) into objects."""
    options = options or QualityOptions()
    lists = [list(answer) for answer in answers]
    positions: dict[tuple[str, int], list[int]] = {}
    rank: dict[tuple[int, int], int] = {}
    for i, answer in enumerate(lists):
        for kind, indices in by_type(answer).items():
            positions[kind, i] = indices
            rank.update({(i, x): r for r, x in enumerate(indices)})
    matrices: dict[tuple[str, int, int], Similarities] = {}
    clusters: list[Cluster] = []
    for kind in sorted({kind for kind, _ in positions}):
        clusters += _cluster_kind(kind, lists, positions, matrices, options)
    return Clustering(lists, clusters, matrices, positions, rank)


def _cluster_kind(kind: str, answers: list[list[dict]], positions: dict,
                  matrices: dict, options: QualityOptions) -> list[Cluster]:
    items = [[answer[x] for x in positions.get((kind, i), [])]
             for i, answer in enumerate(answers)]
    labels = LabelCodes()
    codes = [labels(objects) for objects in items]
    # of[i][r]: the cluster of answer i's r-th shape of this kind
    of: list[np.ndarray] = []
    members: list[dict[int, int]] = []
    for j, objects in enumerate(items):
        for i in range(j):
            matrices[kind, i, j] = similarities(kind, items[i], objects, options)
        if members and objects:
            sims = [matrices[kind, i, j] for i in range(j)]
            rows, cols = _match_clusters(members, of, sims, codes, j, options)
        else:
            rows = cols = np.zeros(0, dtype=int)
        cluster_of = np.full(len(objects), -1, dtype=int)
        cluster_of[cols] = rows
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            members[r][j] = c
        for c in np.flatnonzero(cluster_of < 0).tolist():
            cluster_of[c] = len(members)
            members.append({j: c})
        of.append(cluster_of)
    return [Cluster(kind, {i: positions[kind, i][r] for i, r in found.items()})
            for found in members]


def _match_clusters(members: list[dict[int, int]], of: list[np.ndarray],
                    sims: list[Similarities], codes: list[np.ndarray], j: int,
                    options: QualityOptions) -> tuple[np.ndarray, np.ndarray]:
    """Match answer j's shapes to the clusters: a cluster's similarity to a shape is the
    mean of its members' (0 for a member not similar at all), its label agreement the share
    of its members with the shape's label."""
    n_objects = len(codes[j])
    cluster_ids = np.concatenate([of[i][s.rows] for i, s in enumerate(sims)])
    cols = np.concatenate([s.cols for s in sims])
    values = np.concatenate([s.values for s in sims])
    same = np.concatenate([codes[i][s.rows] == codes[j][s.cols] for i, s in enumerate(sims)])
    keys, at = np.unique(cluster_ids * n_objects + cols, return_inverse=True)
    count = np.array([len(found) for found in members], dtype=float)
    rows, cols = keys // n_objects, keys % n_objects
    mean = np.bincount(at, weights=values, minlength=keys.size) / count[rows]
    agree = np.bincount(at, weights=same.astype(float), minlength=keys.size) / count[rows]
    eligible = mean >= options.min_similarity
    return assign(rows[eligible], cols[eligible],
                  mean[eligible] + options.label_bonus * agree[eligible],
                  (len(members), n_objects))
