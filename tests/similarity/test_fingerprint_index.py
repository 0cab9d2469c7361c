"""Winnowing finds every long shared run; the index weighs rarity and drops the given code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.similarity.fingerprint import winnow
from grading.similarity.index import question_evidence
from grading.similarity.normalise import Tokens

K, WINDOW = 5, 4


def stream(words: list[str]) -> Tokens:
    tokens = Tokens()
    for i, word in enumerate(words):
        tokens.add(word, i, i + 1)
    return tokens


words = st.lists(st.sampled_from("abcdefghij"), min_size=0, max_size=40)


@settings(max_examples=200, deadline=None)
@given(left=words, shared=st.lists(st.sampled_from("abcdefghij"), min_size=K + WINDOW - 1,
       max_size=30), right=words, other=words)  # fmt: skip
def test_a_shared_run_of_k_plus_window_minus_one_tokens_is_always_found(left, shared, right, other):
    a = winnow(stream(left + shared + right), K, WINDOW)
    b = winnow(stream(other + shared), K, WINDOW)
    assert np.intersect1d(a.hashes, b.hashes).size > 0


def test_runs_shorter_than_k_share_nothing():
    a = winnow(stream(list("abcdxyzwvu")), K, WINDOW)
    b = winnow(stream(list("qrstabcdpo")), K, WINDOW)
    assert np.intersect1d(a.hashes, b.hashes).size == 0


def test_a_short_answer_has_one_fingerprint_and_spans_cover_its_tokens():
    short = winnow(stream(["return", "x"]), K, WINDOW)
    assert len(short) == 1 and short.spans.tolist() == [[0, 2]]
    long = winnow(stream(list("abcdefghijabcdefghij")), K, WINDOW)
    assert all(0 <= s < e <= 20 for s, e in long.spans.tolist())


def hashes(*values: int) -> np.ndarray:
    return np.array(values, np.uint64)


def test_given_code_common_code_and_rarity():
    answers = [
        hashes(1, 2, 3, 10),  # 0 and 1 share 10, which only they have
        hashes(1, 2, 3, 10, 11),
        hashes(1, 2, 4, 11, 12),  # 1 and 2 share 11; 12 is shared by 2 and 3
        hashes(1, 5, 6, 12, 13),
        hashes(1, 7, 8, 13, 9),
        hashes(1, 9, 14),
    ]
    evidence = question_evidence("q", answers, skeleton=hashes(1), max_share=0.5)
    keys = zip(evidence.first.tolist(), evidence.second.tolist(), strict=True)
    pairs = dict(zip(keys, evidence.shared.tolist(), strict=True))
    assert evidence.weight_of(hashes(1)).tolist() == [0.0]  # the skeleton
    assert evidence.weight_of(hashes(2)).tolist() == [np.log(6 / 3)]  # in half the class: kept
    # 0 and 1 share 2, 3 and 10; pairs that share nothing are not there at all.
    assert pairs[(0, 1)] == pytest.approx(np.log(6 / 3) + np.log(6 / 2) + np.log(6 / 2))
    assert (0, 5) not in pairs and (0, 4) not in pairs
    common = question_evidence("q", answers, skeleton=hashes(), max_share=0.3)
    assert common.weight_of(hashes(2)).tolist() == [0.0]  # in more than 30 %: ignored
    assert common.weight_of(hashes(10)).tolist() == [np.log(6 / 2)]  # two students: always kept
