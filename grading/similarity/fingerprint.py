"""Stage 2: winnowing (Schleimer, Wilkerson and Aiken, 2003), the method of MOSS and Dolos.

Every run of ``k`` consecutive tokens is hashed; of each window of ``window`` consecutive
hashes the smallest is kept. Any run of at least ``k + window - 1`` tokens that two answers
share yields at least one shared fingerprint, and runs shorter than ``k`` never do.

Hashes are stable across processes and runs (BLAKE2 of the token text, then a polynomial over
the k-gram in 64-bit arithmetic), so answers can be fingerprinted in parallel workers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .normalise import CODE, Tokens, code_tokens, prose_tokens
from .settings import Settings

_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class Fingerprints:
    """The winnowed hashes of one answer and the character span each one covers."""

    hashes: np.ndarray  # uint64, one per selected k-gram (not unique)
    spans: np.ndarray  # int64 of shape (n, 2): start and end in the answer's text

    @staticmethod
    def empty() -> Fingerprints:
        return Fingerprints(np.empty(0, np.uint64), np.empty((0, 2), np.int64))

    def __len__(self) -> int:
        return len(self.hashes)

    @staticmethod
    def concat(parts: list[Fingerprints]) -> Fingerprints:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Fingerprints.empty()
        return Fingerprints(
            np.concatenate([p.hashes for p in parts]), np.concatenate([p.spans for p in parts])
        )


@lru_cache(maxsize=1 << 16)
def _token_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def winnow(tokens: Tokens, k: int, window: int) -> Fingerprints:
    """The fingerprints of a token stream; a stream shorter than ``k`` gives one for itself."""
    n = len(tokens)
    if n == 0:
        return Fingerprints.empty()
    values = np.array([_token_hash(t) for t in tokens.texts], np.uint64)
    spans = np.array(tokens.spans, np.int64)
    starts, ends = spans[:, 0], spans[:, 1]
    size = min(k, n)  # a short answer is one k-gram of its own length
    grams = n - size + 1
    hashes = np.zeros(grams, np.uint64)
    for offset in range(size):
        hashes = hashes * _BASE + values[offset : offset + grams]
    if grams <= window:
        chosen = np.array([int(np.argmin(hashes))])
    else:
        count = grams - window + 1
        # Row i holds the i-th hash of every window; the rightmost minimum of each window
        # (robust winnowing) makes a run of equal hashes one fingerprint, not one per window.
        windows = np.stack([hashes[i : i + count] for i in range(window - 1, -1, -1)])
        last = window - 1 - np.argmin(windows, axis=0)
        chosen = np.unique(last + np.arange(count))
    spans = np.stack([starts[chosen], ends[chosen + size - 1]], axis=1)
    return Fingerprints(hashes[chosen], spans)


@lru_cache(maxsize=1 << 12)
def answer_fingerprints(text: str, kind: str, settings: Settings) -> Fingerprints:
    """The fingerprints of one answer: code tokens, or prose words plus LaTeX symbols.

    Cached: unanswered questions (the skeleton) and one-liners recur across a class.
    """
    if not text.strip():
        return Fingerprints.empty()
    if kind == CODE:
        return winnow(code_tokens(text), settings.code_k, settings.code_window)
    words, symbols = prose_tokens(text)
    return Fingerprints.concat(
        [
            winnow(words, settings.word_k, settings.prose_window),
            winnow(symbols, settings.symbol_k, settings.prose_window),
        ]
    )
