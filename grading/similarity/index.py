"""Stage 3: an inverted index of fingerprints per question, and the evidence each pair shares.

For each question, every fingerprint maps to the participants whose answer holds it (its
posting list). A fingerprint in the skeleton is dropped (every student was given it); one in
more than ``max_share`` of the answers is ignored (MOSS -m, Dolos -M); the rest weigh by
rarity, ``log(n / df)``: what two students alone share weighs most.

The posting lists are the columns of a sparse participant-by-fingerprint matrix ``X`` whose
entries are the square roots of the weights, so ``X @ X.T`` sums, for every pair at once, the
weights of the fingerprints they share. The work is proportional to the sum of the squared
posting-list lengths and touches only pairs that share something; no Python loop runs over
pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class QuestionEvidence:
    """What the pairs of one question share, as parallel arrays over pairs ``first < second``."""

    question: str
    answered: int  # participants with at least one fingerprint for this question
    first: np.ndarray  # int32 participant indices
    second: np.ndarray
    shared: np.ndarray  # float64: rarity-weighted fingerprints both answers hold
    mass: np.ndarray  # float64 per participant: the weight of everything in their answer
    counted: np.ndarray  # uint64 sorted: fingerprints shared by 2+ that count as evidence
    weights: np.ndarray  # float64: the weight of each counted fingerprint

    def weight_of(self, hashes: np.ndarray) -> np.ndarray:
        """The weight of each hash as evidence (0 when it does not count)."""
        where = np.searchsorted(self.counted, hashes)
        where = np.minimum(where, max(len(self.counted) - 1, 0))
        found = len(self.counted) > 0
        hit = (self.counted[where] == hashes) if found else np.zeros(len(hashes), bool)
        return np.where(hit, self.weights[where] if found else 0.0, 0.0)


def question_evidence(
    question: str,
    answers: list[np.ndarray],
    skeleton: np.ndarray,
    max_share: float,
) -> QuestionEvidence:
    """The pairs that share counted fingerprints in one question, with their weights.

    ``answers`` holds each participant's fingerprint hashes, ``skeleton`` those of the text
    the student notebook gave.
    """
    participants = len(answers)
    rows = np.repeat(np.arange(participants, dtype=np.int32), [len(a) for a in answers])
    hashes = np.concatenate(answers) if answers else np.empty(0, np.uint64)
    # Each (participant, fingerprint) once, the skeleton's fingerprints dropped: one sort for
    # the whole class rather than one set operation per student.
    order = np.lexsort((hashes, rows))
    rows, hashes = rows[order], hashes[order]
    first = np.ones(len(hashes), bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    keep = first & ~np.isin(hashes, skeleton)
    rows, hashes = rows[keep], hashes[keep]
    unique, column = np.unique(hashes, return_inverse=True)
    df = np.bincount(column, minlength=len(unique))
    answered = len(np.unique(rows))
    common = (df > max_share * answered) & (df > 2)
    weight = np.where(common, 0.0, np.log(max(answered, 1) / np.maximum(df, 1)))
    mass = np.bincount(rows, weights=weight[column], minlength=participants)

    evidence = (df >= 2) & ~common
    keep = evidence[column]
    kept_columns = np.cumsum(evidence) - 1
    matrix = sparse.csr_matrix(
        (np.sqrt(weight[column[keep]]), (rows[keep], kept_columns[column[keep]])),
        shape=(participants, int(evidence.sum())),
    )
    product = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    return QuestionEvidence(
        question=question,
        answered=answered,
        first=product.row.astype(np.int32),
        second=product.col.astype(np.int32),
        shared=product.data,
        mass=mass,
        counted=unique[evidence],
        weights=weight[evidence],
    )
