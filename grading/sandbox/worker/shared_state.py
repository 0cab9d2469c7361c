"""Process state that Otter's tests share with the student's code because, in Otter, both run
in one kernel: the global random generators. Here they live in two processes, so their state
follows the execution: into the student process before its code runs for a test, back into
the grader after. A test that seeds numpy and then calls the student's function sees the draws
it would see in Otter, and so do the cells after it.

Only numpy's legacy global generator (``np.random.seed``, ``np.random.rand``...) and the
``random`` module are global; a ``Generator`` is a value and crosses as one (``values_numpy``).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

import numpy as np

from .arrays import array_from_raw, raw_array

MT_WORDS = 624


def rng_state() -> dict:
    """Both global generators' state, as data."""
    numpy_state = np.random.get_state(legacy=False)
    version, words, gauss = random.getstate()
    return {
        "np": {
            "key": raw_array(numpy_state["state"]["key"]),
            "pos": int(numpy_state["state"]["pos"]),
            "has_gauss": int(numpy_state["has_gauss"]),
            "gauss": float(numpy_state["gauss"]),
        },
        "py": {"version": version, "words": list(words), "gauss": gauss},
    }


def rng_fingerprint() -> str:
    """A short hash of both generators' state: tells whether it moved since it was last seen."""
    numpy_state = np.random.get_state(legacy=False)
    digest = hashlib.blake2b(numpy_state["state"]["key"].tobytes(), digest_size=12)
    digest.update(repr((numpy_state["state"]["pos"], numpy_state["has_gauss"])).encode())
    digest.update(repr(numpy_state["gauss"]).encode())
    digest.update(repr(random.getstate()).encode())
    return digest.hexdigest()


def set_rng_state(state: Any) -> None:
    """Take over a state ``rng_state`` made (in the other process); raise ValueError on
    anything else, so that a malformed state changes nothing."""
    if not isinstance(state, dict):
        raise ValueError("a random state must be a mapping")
    numpy_part, python_part = state.get("np"), state.get("py")
    if not isinstance(numpy_part, dict) or not isinstance(python_part, dict):
        raise ValueError("a random state needs its numpy and random parts")
    key = array_from_raw(numpy_part.get("key", {}))
    if key.dtype != np.uint32 or key.shape != (MT_WORDS,):
        raise ValueError("numpy's key must be 624 unsigned 32-bit words")
    pos, has_gauss, gauss = (numpy_part.get(k) for k in ("pos", "has_gauss", "gauss"))
    if type(pos) is not int or type(has_gauss) is not int or not isinstance(gauss, int | float):
        raise ValueError("numpy's position and gauss must be numbers")
    version, words = python_part.get("version"), python_part.get("words")
    python_gauss = python_part.get("gauss")
    if not isinstance(words, list) or len(words) != MT_WORDS + 1:
        raise ValueError("random's state must hold 625 words")
    if not all(type(w) is int for w in words) or type(version) is not int:
        raise ValueError("random's state must hold integers")
    if python_gauss is not None and not isinstance(python_gauss, int | float):
        raise ValueError("random's gauss must be a number or null")
    random.setstate((version, tuple(words), python_gauss))
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": pos},
            "has_gauss": has_gauss,
            "gauss": float(gauss),
        }
    )
