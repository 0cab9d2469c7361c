"""The global random generators' state, which follows execution between the two processes:
its fingerprint must change with every draw (the cached normal deviate included) and only then,
whether it is read from the generators' memory or through ``get_state``; a state sent over
must restore the very same draws; a malformed one must change nothing."""

from __future__ import annotations

import random

import numpy as np
import pytest

from grading.sandbox.worker import shared_state
from grading.sandbox.worker.shared_state import rng_fingerprint, rng_state, set_rng_state


@pytest.fixture(params=["memory", "get_state"])
def fingerprint(request, monkeypatch):
    """The fingerprint, read the fast way and the portable way."""
    monkeypatch.setattr(shared_state, "_memory", [])
    if request.param == "get_state":
        monkeypatch.setattr(shared_state, "_find_gauss", lambda generator: None)
    rng_fingerprint()
    assert (shared_state._memory[0] is not None) == (request.param == "memory")
    return rng_fingerprint


def test_every_draw_and_only_a_draw_moves_the_fingerprint(fingerprint):
    np.random.seed(3)
    random.seed(3)
    seen = [fingerprint()]
    assert fingerprint() == seen[-1]
    for draw in (
        np.random.rand,
        np.random.standard_normal,  # computes two deviates and keeps one
        np.random.standard_normal,  # hands out the kept one: only has_gauss changes
        random.random,
        lambda: np.random.seed(3),
    ):
        draw()
        seen.append(fingerprint())
        assert seen[-1] != seen[-2], draw
    assert fingerprint() == seen[-1]


def test_a_state_sent_over_restores_the_same_draws():
    np.random.seed(8)
    random.seed(8)
    np.random.standard_normal()  # a deviate kept for the next draw is part of the state
    state = rng_state()
    expected = (np.random.standard_normal(), np.random.rand(), random.random())
    np.random.seed(99)
    random.seed(99)
    set_rng_state(state)
    assert (np.random.standard_normal(), np.random.rand(), random.random()) == expected


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"np": {}, "py": {}},
        {"np": {"key": {"dtype": "<u4", "shape": [3], "b64": ""}}, "py": {}},
    ],
)
def test_a_malformed_state_is_refused_and_changes_nothing(broken):
    np.random.seed(5)
    before = rng_fingerprint()
    with pytest.raises(ValueError):
        set_rng_state(broken)
    assert rng_fingerprint() == before
