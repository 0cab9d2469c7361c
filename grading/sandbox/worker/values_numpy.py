"""Value codecs for numpy's objects that are data: random generators (their state) and dtypes.

Arrays and scalars are the codec's core (``arrays``). A generator crosses as its bit generator's
state, so a test that hands ``np.random.default_rng(0)`` to the student's function sees it
advanced as in one process (the session writes the state back after the call).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import PLAIN_KINDS
from .values import Encoder, ValueCodec, checked

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _generator(value: np.random.Generator, encode: Encoder) -> dict:
    return {"state": encode(value.bit_generator.state)}


def _to_generator(data: dict, decode: Encoder) -> np.random.Generator:
    state = decode(data.get("state"))
    checked(isinstance(state, dict), "a bit generator state")
    name = state.get("bit_generator")
    checked(name in BIT_GENERATORS, "a known bit generator")
    bit_generator = getattr(np.random, name)()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _random_state(value: np.random.RandomState, encode: Encoder) -> dict:
    return {"state": encode(value.get_state(legacy=False))}


def _to_random_state(data: dict, decode: Encoder) -> np.random.RandomState:
    state = decode(data.get("state"))
    checked(isinstance(state, dict) and state.get("bit_generator") == "MT19937", "an MT19937 state")
    random_state = np.random.RandomState()
    random_state.set_state(state)
    return random_state


def _dtype(value: np.dtype, _: Encoder) -> dict:
    checked(value.kind in PLAIN_KINDS + "O" and value.names is None, "a plain dtype")
    return {"s": value.str if value.kind != "O" else "object"}


def _to_dtype(data: dict, _: Encoder) -> np.dtype:
    text = data.get("s")
    checked(isinstance(text, str) and len(text) < 32, "a dtype's name")
    dtype = np.dtype(text)
    checked(dtype.kind in PLAIN_KINDS + "O" and dtype.names is None, "a plain dtype")
    return dtype


def state_of(value: Any) -> Any:
    """The state a generator argument should take back after the student's call, else None."""
    if isinstance(value, np.random.Generator):
        return value.bit_generator.state
    if isinstance(value, np.random.RandomState):
        return value.get_state(legacy=False)
    return None


CODECS = [
    ValueCodec("np.generator", ("numpy.Generator",), _generator, _to_generator),
    ValueCodec("np.randomstate", ("numpy.RandomState",), _random_state, _to_random_state),
    ValueCodec("np.dtype", ("numpy.dtype",), _dtype, _to_dtype, base_names=("numpy.dtype",)),
]
