"""Stage 4: one score per pair, the class's own threshold, and groups of flagged students.

A pair's score is the share of the smaller submission's counted content (rarity-weighted
fingerprints, all questions together) that the other submission holds too: 0 when they share
nothing that counts, 1 when every rare part of one is in the other. A pair is flagged when its
score reaches both ``min_similarity`` and what this class's pairs usually share plus
``outlier_spreads`` robust spreads (median + k * 1.4826 * MAD over every pair): in a class
where honest answers look alike, the bar rises with them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .index import QuestionEvidence

CONTRIBUTES = 0.5  # a question contributes when the pair shares half its smaller answer's content


@dataclass(frozen=True)
class Threshold:
    value: float  # the score from which a pair is flagged
    median: float  # of every pair's score, pairs that share nothing included
    spread: float  # 1.4826 * MAD of the same
    floor: float  # min_similarity

    def describe(self, spreads: float) -> str:
        return (
            f"{self.value:.3f}: the larger of {self.floor:.2f} and the class's median pair score"
            f" {self.median:.3f} + {spreads:g} x spread {self.spread:.3f}"
        )


@dataclass(frozen=True)
class Contributions:
    """For each ranked pair, the questions where it shares at least half of the smaller answer.

    In notebook order; ``of`` gives them largest share first.

    Flat arrays (pair i's entries are ``bounds[i]:bounds[i + 1]``): a class of 1,000 has
    half a million pairs, too many for a Python list each.
    """

    names: list[str]  # question names, by question index
    bounds: np.ndarray
    question: np.ndarray  # question index per entry
    share: np.ndarray  # share of the smaller answer per entry

    def of(self, rank: int) -> list[tuple[str, float]]:
        a, b = int(self.bounds[rank]), int(self.bounds[rank + 1])
        shares = self.share[a:b].tolist()
        return [
            (self.names[q], s) for q, s in zip(self.question[a:b].tolist(), shares, strict=True)
        ]

    def all_names(self) -> list[str]:
        """Every pair's contributing questions as one space-separated string, in rank order."""
        names = [self.names[q] for q in self.question.tolist()]
        bounds = self.bounds.tolist()
        return [" ".join(names[a:b]) for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class Ranking:
    """Every pair that shares counted evidence, best first, as parallel arrays."""

    first: np.ndarray  # participant indices, first < second
    second: np.ndarray
    score: np.ndarray  # float64 in [0, 1]
    evidence: np.ndarray  # float64: rarity-weighted fingerprints shared, all questions
    flagged: np.ndarray  # bool
    questions: Contributions  # per pair: the questions that contribute
    threshold: Threshold
    groups: list[list[int]]  # connected flagged participants, three or more


def rank_pairs(
    evidence: list[QuestionEvidence],
    participants: int,
    *,
    min_similarity: float,
    outlier_spreads: float,
) -> Ranking:
    """Sum each pair's evidence over the questions, score it, flag outliers, find groups."""
    mass = sum((e.mass for e in evidence), np.zeros(participants))
    # Summing sparse matrices merges each pair's questions without sorting every entry.
    summed = sparse.coo_matrix(
        (
            np.concatenate([e.shared for e in evidence]),
            (
                np.concatenate([e.first for e in evidence]),
                np.concatenate([e.second for e in evidence]),
            ),
        ),
        shape=(participants, participants),
    ).tocsr()
    summed.sum_duplicates()
    pairs = summed.tocoo()  # row-major: sorted by (first, second)
    first, second, total = pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data
    smaller = np.minimum(mass[first], mass[second])
    score = np.clip(np.divide(total, smaller, out=np.zeros_like(total), where=smaller > 0), 0, 1)

    threshold = class_threshold(score, participants, min_similarity, outlier_spreads)
    order = np.lexsort((second, first, -score))
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(len(order))
    first, second, score, total = first[order], second[order], score[order], total[order]
    flagged = score >= threshold.value
    return Ranking(
        first.astype(np.int32), second.astype(np.int32), score, total, flagged,
        _contributions(evidence, pairs.row * participants + pairs.col, rank_of, participants),
        threshold, flagged_groups(first[flagged], second[flagged]),
    )  # fmt: skip


def _contributions(
    evidence: list[QuestionEvidence], pair_keys: np.ndarray, rank_of: np.ndarray, participants: int
) -> Contributions:
    """Per pair (in rank order), the questions where it shares half the smaller answer."""
    ranks, questions, shares = [], [], []
    for number, e in enumerate(evidence):
        small = np.minimum(e.mass[e.first], e.mass[e.second])
        share = np.divide(e.shared, small, out=np.zeros_like(e.shared), where=small > 0)
        keep = share >= CONTRIBUTES
        keys = e.first[keep].astype(np.int64) * participants + e.second[keep]
        ranks.append(rank_of[np.searchsorted(pair_keys, keys)])
        questions.append(np.full(int(keep.sum()), number, np.int32))
        shares.append(np.minimum(share[keep], 1.0))
    # Grouped by pair with a sparse matrix (rank x question): a counting sort, in notebook order.
    table = sparse.coo_matrix(
        (np.concatenate(shares), (np.concatenate(ranks), np.concatenate(questions))),
        shape=(len(rank_of), len(evidence)),
    ).tocsr()
    return Contributions([e.question for e in evidence], table.indptr, table.indices, table.data)


def class_threshold(
    scores: np.ndarray, participants: int, min_similarity: float, spreads: float
) -> Threshold:
    """The flagging threshold for this class: an absolute floor and a robust outlier bar."""
    pairs = participants * (participants - 1) // 2
    every = np.concatenate([scores, np.zeros(max(pairs - len(scores), 0))])
    if len(every) == 0:
        return Threshold(min_similarity, 0.0, 0.0, min_similarity)
    median = float(np.median(every))
    spread = 1.4826 * float(np.median(np.abs(every - median)))
    return Threshold(max(min_similarity, median + spreads * spread), median, spread, min_similarity)


def flagged_groups(first: np.ndarray, second: np.ndarray) -> list[list[int]]:
    """Participants linked by flagged pairs (union-find), in groups of three or more."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    return sorted((sorted(g) for g in members.values() if len(g) >= 3), key=lambda g: (-len(g), g))
