"""Stage 4: one score per pair, the class's own threshold, and groups of flagged students.

A pair's score is the share of the smaller submission's counted content (rarity-weighted
fingerprints, all questions together) that the other submission holds too: 0 when they share
nothing that counts, 1 when every rare part of one is in the other. A pair is flagged when its
score reaches both ``min_similarity`` and what this class's pairs usually share plus
``outlier_spreads`` robust spreads (median + k * 1.4826 * MAD over every pair): in a class
where honest answers look alike, the bar rises with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

    def names_of(self, rank: int) -> str:
        a, b = int(self.bounds[rank]), int(self.bounds[rank + 1])
        return " ".join(self.names[q] for q in self.question[a:b].tolist())


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
    keys = np.concatenate([e.first.astype(np.int64) * participants + e.second for e in evidence])
    shared = np.concatenate([e.shared for e in evidence])
    question = np.concatenate([np.full(len(e.shared), i, np.int32) for i, e in enumerate(evidence)])
    pair_keys, which = np.unique(keys, return_inverse=True)
    total = np.bincount(which, weights=shared, minlength=len(pair_keys))
    first, second = pair_keys // participants, pair_keys % participants
    smaller = np.minimum(mass[first], mass[second])
    score = np.clip(np.divide(total, smaller, out=np.zeros_like(total), where=smaller > 0), 0, 1)

    threshold = class_threshold(score, participants, min_similarity, outlier_spreads)
    order = np.lexsort((second, first, -score))
    first, second, score, total = first[order], second[order], score[order], total[order]
    flagged = score >= threshold.value

    # Contributing questions: their share of the smaller answer, per pair, best first.
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    pair_of_entry = position[which]
    masses = np.stack([e.mass for e in evidence])  # (questions, participants)
    a, b = first[pair_of_entry], second[pair_of_entry]
    small = np.minimum(masses[question, a], masses[question, b])
    share = np.divide(shared, small, out=np.zeros_like(shared), where=small > 0)
    keep = share >= CONTRIBUTES
    pair_of, question, share = pair_of_entry[keep], question[keep], np.minimum(share[keep], 1.0)
    by_pair = np.lexsort((question, -share, pair_of))  # per pair, the largest share first
    pair_of, question, share = pair_of[by_pair], question[by_pair], share[by_pair]
    return Ranking(
        first.astype(np.int32), second.astype(np.int32), score, total, flagged,
        Contributions(
            [e.question for e in evidence],
            np.searchsorted(pair_of, np.arange(len(order) + 1)), question, share,
        ),
        threshold, flagged_groups(first[flagged], second[flagged]),
    )  # fmt: skip


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
